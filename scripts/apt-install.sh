#!/usr/bin/env bash
# Sourced by the ensure-*.sh scripts: apt_install PACKAGE… installs Debian packages
# quietly, through sudo when not root, or fails with a message naming them.
apt_install() {
  local sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "Need root or sudo to install: $*" >&2; exit 1; }
    sudo_cmd="sudo"
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}
