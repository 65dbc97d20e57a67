#!/bin/sh
# Install the Debian packages Linkdesk needs that are missing.
#   deps.sh run    packages to build and run
#   deps.sh test   also those the test suite needs
# As root it installs directly, else through sudo; with neither it prints the
# apt-get line to run and fails.
set -eu
run_pkgs="gcc make pkg-config libmicrohttpd-dev libpq-dev libjansson-dev
libical-dev libsodium-dev libcurl4-openssl-dev libzip-dev libxlsxwriter-dev libgmime-3.0-dev
libmagic-dev libcjose-dev postgresql-15
postgresql-client-15 ca-certificates"
# Node.js and npm fetch GOV.UK Frontend; an existing node is fine.
command -v npm >/dev/null 2>&1 || run_pkgs="$run_pkgs nodejs npm"
test_pkgs="libcmocka-dev python3 python3-aiosmtpd python3-icalendar khal clang-format
curl clamav-daemon clamav unzip chromium fonts-liberation python3-openpyxl
clang libclang-rt-14-dev wrk python3-jsonschema dovecot-imapd"

want=$run_pkgs
[ "${1:-run}" = test ] && want="$run_pkgs $test_pkgs"

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "linkdesk: installing missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo="sudo"
else
	echo "linkdesk: cannot install packages: not root and no sudo." >&2
	echo "Run this as root, then try again:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
