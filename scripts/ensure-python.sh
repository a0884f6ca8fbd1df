#!/usr/bin/env bash
# Sourced by tests/run-all.sh: Python 3 with venv, for the djangorestframework-simplejwt
# interop suite (tests/interop/simplejwt/serve.sh installs its packages from PyPI into
# a virtualenv). Installs python3 and python3-venv with apt when either is missing.
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv --help >/dev/null 2>&1; then
  echo "Python 3 with venv not found: installing python3 and python3-venv with apt…" >&2
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "Need root or sudo to install Python 3; install python3 and python3-venv." >&2; exit 1; }
    sudo_cmd="sudo"
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3 python3-venv >/dev/null
fi
