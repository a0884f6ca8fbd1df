#!/usr/bin/env bash
# Sourced by tests/run-all.sh: Python 3 with venv, for the djangorestframework-simplejwt
# interop suite (tests/interop/simplejwt/serve.sh installs its packages from PyPI into
# a virtualenv). Installs python3 and python3-venv with apt when either is missing.
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m venv --help >/dev/null 2>&1; then
  echo "Python 3 with venv not found: installing python3 and python3-venv with apt…" >&2
  source scripts/apt-install.sh
  apt_install python3 python3-venv
fi
