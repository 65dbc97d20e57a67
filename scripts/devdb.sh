#!/bin/sh
# The embedded PostgreSQL cluster of `make run` and of the test suite.
#   devdb.sh start | stop | status | url | owner-url
# Settings (environment):
#   LD_PGDATA  data folder (default: var/pg, or a folder under /var/tmp
#              recorded in var/pgdata.path when the postgres user cannot
#              reach var/)
#   LD_PGPORT  TCP port on 127.0.0.1 (default 55432)
#   LD_PGFAST  1 to trade durability for speed (tests only)
#   LD_PGOPTS  more server settings ("-c name=value ...")
# initdb and pg_ctl refuse to run as root: as root they run as `postgres`.
set -eu
cmd=${1:-status}
port=${LD_PGPORT:-55432}
pgbin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null ||
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/pg_ctl" ] || { echo "devdb: PostgreSQL server not installed" >&2; exit 1; }

as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

datadir() {
	if [ -n "${LD_PGDATA:-}" ]; then echo "$LD_PGDATA"; return; fi
	mkdir -p var
	if [ -s var/pgdata.path ]; then cat var/pgdata.path; return; fi
	d="$(pwd)/var/pg"
	if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$(pwd)/var"; then
		# A clone under a private home folder: postgres cannot reach it.
		d="/var/tmp/linkdesk-$(pwd | cksum | cut -d' ' -f1)/pg"
	fi
	echo "$d" > var/pgdata.path
	echo "$d"
}

data=$(datadir)
log="$(dirname "$data")/postgresql.log"

case "$cmd" in
start)
	mkdir -p "$data"
	if [ "$(id -u)" = 0 ]; then chown postgres: "$data" "$(dirname "$data")"; fi
	chmod 700 "$data"
	if [ ! -f "$data/PG_VERSION" ]; then
		as_pg "$pgbin/initdb" -D "$data" -U postgres -A trust -E UTF8 \
			--locale=C.UTF-8 --no-instructions >/dev/null
	fi
	opts="-c listen_addresses=127.0.0.1 -p $port -k $data"
	if [ "${LD_PGFAST:-0}" = 1 ]; then
		opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	fi
	opts="$opts ${LD_PGOPTS:-}"
	if ! as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		if ! as_pg "$pgbin/pg_ctl" -D "$data" -l "$log" -o "$opts" -w -t 60 start >/dev/null; then
			echo "devdb: PostgreSQL did not start on port $port; its log is $log:" >&2
			tail -n 5 "$log" >&2 || true
			exit 1
		fi
	fi
	psql="psql -X -q -h 127.0.0.1 -p $port -U postgres -d postgres -v ON_ERROR_STOP=1"
	# Two roles: linkdesk_owner owns the database and the schema (linkdesk
	# migrate); linkdesk, the server's, gets only the rights migrate grants
	# it.  The owner is a member of linkdesk, to hand it large objects.
	$psql <<-'SQL'
	DO $$ BEGIN
	    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'linkdesk_owner') THEN
	        CREATE ROLE linkdesk_owner LOGIN CREATEDB;
	    END IF;
	    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'linkdesk') THEN
	        CREATE ROLE linkdesk LOGIN;
	    END IF;
	    ALTER ROLE linkdesk NOCREATEDB;
	END $$;
	GRANT linkdesk TO linkdesk_owner;
	SQL
	owner=$($psql -tAc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'linkdesk'")
	if [ -z "$owner" ]; then
		$psql -c "CREATE DATABASE linkdesk OWNER linkdesk_owner"
	elif [ "$owner" = linkdesk ]; then
		# A cluster from before the two roles: the server's role owned
		# everything.  The owner takes it over; migrate hands the large
		# objects back.
		$psql -c "ALTER DATABASE linkdesk OWNER TO linkdesk_owner"
		$psql -d linkdesk -c "REASSIGN OWNED BY linkdesk TO linkdesk_owner"
	fi
	;;
stop)
	if [ -f "$data/PG_VERSION" ] && as_pg "$pgbin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_pg "$pgbin/pg_ctl" -D "$data" -m "${LD_PGSTOP_MODE:-fast}" -w stop >/dev/null
	fi
	;;
status)
	as_pg "$pgbin/pg_ctl" -D "$data" status
	;;
url)
	echo "host=127.0.0.1 port=$port dbname=linkdesk user=linkdesk"
	;;
owner-url)
	echo "host=127.0.0.1 port=$port dbname=linkdesk user=linkdesk_owner"
	;;
*)
	echo "usage: devdb.sh start|stop|status|url|owner-url" >&2
	exit 2
	;;
esac
