#!/usr/bin/env bash
# Starts the djangorestframework-simplejwt interop peer on 127.0.0.1 (a TEST server).
#
# Installs requirements.txt from PyPI into target/interop/simplejwt-venv (kept
# and reused while requirements.txt and the Python version are unchanged), then
# runs serve.py: fresh temporary sqlite database, a test user, a threaded WSGI
# server. stdout gets exactly one line, "listening on http://127.0.0.1:PORT",
# once the server accepts connections; all else goes to stderr. The server
# exits when its stdin is closed.
#
# Environment (optional): PYTHON (default python3); SIMPLEJWT_ACCESS_SECONDS,
# SIMPLEJWT_REFRESH_SECONDS, SIMPLEJWT_ISSUER, SIMPLEJWT_AUDIENCE,
# SIMPLEJWT_TEST_USER, SIMPLEJWT_TEST_PASSWORD (see serve.py and settings.py).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
interop="$repo/target/interop"
venv="$interop/simplejwt-venv"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null; then
    echo "serve.sh: $python not found; the simplejwt interop tests need Python 3.10-3.13" >&2
    exit 1
fi

mkdir -p "$interop"
# Tests start several servers at once: one builds the venv, the others wait for it.
exec 9>"$interop/simplejwt-venv.lock"
if command -v flock >/dev/null; then
    flock 9
else
    echo "serve.sh: no flock here; do not start several servers on a new venv at once" >&2
fi

# What the venv was built from: the pinned requirements and the interpreter.
wanted="$("$python" -c '
import hashlib, sys
with open(sys.argv[1], "rb") as requirements:
    print(hashlib.sha256(requirements.read() + sys.version.encode()).hexdigest())
' "$here/requirements.txt")"
built="$(cat "$venv/.requirements.sha256" 2>/dev/null || true)"
if [[ ! -x "$venv/bin/python" || "$built" != "$wanted" ]]; then
    echo "serve.sh: installing the simplejwt peer into $venv" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
        -r "$here/requirements.txt" >&2
    # Written last: an interrupted install is redone on the next run.
    echo "$wanted" >"$venv/.requirements.sha256"
fi

# Release the lock (and do not hand its descriptor to the server).
exec 9>&-

cd "$here"
# No __pycache__ next to the sources (the venv's packages still get theirs).
export PYTHONDONTWRITEBYTECODE=1
# exec: the server is this process, so closing our stdin or killing us stops it.
exec "$venv/bin/python" -u serve.py
