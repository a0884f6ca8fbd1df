#!/usr/bin/env bash
# Runs a command against a real, private Secret Service: a fresh D-Bus session
# bus with gnome-keyring-daemon on it, its default ("login") collection created
# and unlocked, all under a temporary HOME so the user's own keyring is never
# touched. Exits with the command's exit code.
#
#   scripts/with-secret-service.sh cargo test -p tokenkeeper --features desktop-keyring \
#       --test store_desktop_keyring
#
# Installs gnome-keyring, dbus and libsecret-tools with apt-get when they are
# missing (as root, or through sudo).
set -euo pipefail

# The keyring's password: it guards a throwaway keyring in a temporary HOME.
readonly KEYRING_PASSWORD="tokenkeeper-test"
readonly SS_DEST="org.freedesktop.secrets"
readonly SS_PATH="/org/freedesktop/secrets"

die() {
    echo "with-secret-service: $*" >&2
    exit 1
}

install_missing() {
    local missing=()
    command -v dbus-run-session >/dev/null || missing+=(dbus)
    command -v dbus-send >/dev/null || missing+=(dbus)
    command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
    command -v secret-tool >/dev/null || missing+=(libsecret-tools)
    [ "${#missing[@]}" -eq 0 ] && return 0

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null ||
            die "missing ${missing[*]}; not root and no sudo: install them with: apt-get install -y ${missing[*]}"
        sudo=(sudo)
    fi
    command -v apt-get >/dev/null ||
        die "missing ${missing[*]} and no apt-get to install them with"
    echo "with-secret-service: installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
}

# Prints the unique bus name owning the Secret Service, or fails.
service_owner() {
    dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus.GetNameOwner "string:$SS_DEST" \
        2>/dev/null | tr -d ' '
}

default_collection() {
    dbus-send --session --print-reply=literal --dest="$SS_DEST" "$SS_PATH" \
        org.freedesktop.Secret.Service.ReadAlias string:default 2>/dev/null | tr -d ' '
}

# Second stage, inside the private D-Bus session.
inside_session() {
    # Starts the daemon (it forks into the background), creating the login
    # keyring with this password on first use and unlocking it.
    printf '%s' "$KEYRING_PASSWORD" |
        gnome-keyring-daemon --unlock --components=secrets >/dev/null

    local owner="" collection="" tries=0
    until owner=$(service_owner) && [ -n "$owner" ] &&
        collection=$(default_collection) && [ -n "$collection" ] && [ "$collection" != "/" ]; do
        tries=$((tries + 1))
        [ "$tries" -lt 100 ] || die "the Secret Service did not come up with a default collection"
        sleep 0.1
    done
    local daemon_pid
    daemon_pid=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
        /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID "string:$owner" |
        awk '{print $2}')
    # The daemon also exits when the bus goes away; stop it explicitly anyway.
    # shellcheck disable=SC2064 # expand the pid now
    trap "kill $daemon_pid 2>/dev/null || true" EXIT

    # A quick round trip proves the collection takes writes.
    printf 'probe' | secret-tool store --label=probe tokenkeeper-probe 1 ||
        die "cannot store into the Secret Service"
    secret-tool clear tokenkeeper-probe 1 || true

    echo "with-secret-service: Secret Service ready (collection $collection, daemon pid $daemon_pid)" >&2
    local status=0
    "$@" || status=$?
    return "$status"
}

main() {
    if [ "${1:-}" = "--inside-session" ]; then
        shift
        inside_session "$@"
        return
    fi
    [ $# -gt 0 ] || die "usage: $0 COMMAND [ARGS...]"
    install_missing

    local scratch
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/secret-service.XXXXXX")
    # shellcheck disable=SC2064 # expand the path now
    trap "rm -rf '$scratch'" EXIT

    # Toolchains stay where they are; everything the keyring writes goes to scratch.
    export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
    export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
    export HOME="$scratch/home"
    export XDG_DATA_HOME="$HOME/.local/share"
    export XDG_CONFIG_HOME="$HOME/.config"
    export XDG_CACHE_HOME="$HOME/.cache"
    export XDG_RUNTIME_DIR="$scratch/run"
    mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
    chmod 700 "$HOME" "$XDG_RUNTIME_DIR"
    # Never reach the user's own keyring or display.
    unset GNOME_KEYRING_CONTROL DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS

    local status=0
    dbus-run-session -- "$(readlink -f "$0")" --inside-session "$@" || status=$?
    return "$status"
}

main "$@"
