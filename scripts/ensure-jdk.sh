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
    source scripts/apt-install.sh
    apt_install openjdk-17-jdk-headless
    JAVA_HOME="$(find_java_home)"
  fi
fi
export JAVA_HOME
