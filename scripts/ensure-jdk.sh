#!/usr/bin/env bash
# Sourced by tests/run-all.sh: a JDK (javac + libjvm) for the Android Keystore
# tests, which run the JNI code in a host JVM. Installs OpenJDK 17 with apt if
# none is found, and exports JAVA_HOME.
find_java_home() {
  local javac_path
  javac_path="$(command -v javac 2>/dev/null)" || return 1
  dirname "$(dirname "$(readlink -f "$javac_path")")"
}
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/javac" ]; then
  if ! JAVA_HOME="$(find_java_home)"; then
    echo "No JDK found: installing openjdk-17-jdk-headless with apt…" >&2
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then
      command -v sudo >/dev/null 2>&1 || { echo "Need root or sudo to install a JDK; install JDK 17 and set JAVA_HOME." >&2; exit 1; }
      sudo_cmd="sudo"
    fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
    JAVA_HOME="$(find_java_home)"
  fi
fi
export JAVA_HOME
