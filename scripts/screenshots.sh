#!/bin/sh
# `make screenshots`: each role's home page on a fresh demo, saved to
# docs/screenshots/ for the README (tests/browser/screenshots.mjs).  The demo
# runs on a throwaway cluster and a free port, whatever `make run` has.
#   screenshots.sh BUILD [OUT_DIR]
set -eu
cd "$(dirname "$0")/.."
build=${1:?usage: screenshots.sh BUILD [OUT_DIR]}
out=${2:-docs/screenshots}
root=$(pwd)
tmp=$(mktemp -d /var/tmp/linkdesk-shots.XXXXXX)
chmod 755 "$tmp"
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
export LD_PGDATA="$tmp/pg" LD_PGPORT="$(free_port)" LD_PGFAST=1
port=$(free_port)
export LINKDESK_LISTEN="127.0.0.1:$port" LINKDESK_BASE_URL="http://127.0.0.1:$port"
export LINKDESK_DATABASE_URL="$(sh scripts/devdb.sh url)"
export LINKDESK_OWNER_DATABASE_URL="$(sh scripts/devdb.sh owner-url)"
export LINKDESK_SCHEDULER=0 LINKDESK_WEB_DIR="$root/web" LINKDESK_ROOT="$root"
pid=""
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || true
	LD_PGSTOP_MODE=immediate sh scripts/devdb.sh stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
sh scripts/devdb.sh start >/dev/null
"$build/linkdesk" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log"; exit 1; }
"$build/linkdesk" seed-demo >>"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log"; exit 1; }
"$build/linkdesk" serve 2>"$tmp/serve.log" &
pid=$!
for _ in $(seq 1 100); do
	curl -sf "$LINKDESK_BASE_URL/healthz" >/dev/null 2>&1 && break
	sleep 0.1
done
node tests/browser/screenshots.mjs "$LINKDESK_BASE_URL" "$out"
