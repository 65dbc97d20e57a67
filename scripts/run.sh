#!/bin/sh
# `make run`: start the embedded cluster, migrate, load the demo, print the
# banner and serve, from build folder $1.
#   run.sh BUILD        do it
#   run.sh --env        print the settings it would serve with, and stop
# One setting changes a port: LD_PGPORT moves the cluster and, unless
# LINKDESK_DATABASE_URL is set, the server's database address with it;
# LINKDESK_LISTEN moves the server and, unless LINKDESK_BASE_URL is set,
# the address in emails, feeds and the banner with it.
set -eu
cd "$(dirname "$0")/.."
export LINKDESK_LISTEN="${LINKDESK_LISTEN:-127.0.0.1:8080}"
port=${LINKDESK_LISTEN##*:}
host=${LINKDESK_LISTEN%:*}
case "$host" in
127.0.0.1 | 0.0.0.0 | "" | "[::]" | "[::1]" | "::" | "::1") host=localhost ;;
esac
export LINKDESK_BASE_URL="${LINKDESK_BASE_URL:-http://$host:$port}"
export LINKDESK_DATABASE_URL="${LINKDESK_DATABASE_URL:-$(sh scripts/devdb.sh url)}"
export LINKDESK_OWNER_DATABASE_URL="${LINKDESK_OWNER_DATABASE_URL:-$(sh scripts/devdb.sh owner-url)}"
if [ "${1:-}" = --env ]; then
	env | grep -E '^LINKDESK_(LISTEN|BASE_URL|DATABASE_URL|OWNER_DATABASE_URL)=' | sort
	exit 0
fi
build=${1:?usage: run.sh BUILD | --env}
sh scripts/devdb.sh start
"$build/linkdesk" migrate
"$build/linkdesk" seed-demo
sh scripts/banner.sh
mkdir -p var
# The server takes this shell's process, so Ctrl-C reaches it and the pid
# recorded is its own (`make stop`).
echo $$ > var/linkdesk.pid
exec "$build/linkdesk" serve
