#!/bin/sh
# make bench: Linkdesk at national scale against this machine's own
# ceilings, all measured in one run.  Writes bench/results/DATE-HOST.md.
# The ceilings: GET /api/v1/ping (HTTP), pgbench -S (a primary-key read),
# pgbench's TPC-B (a small write transaction), and for scenarios 1, 3 and
# 6 the very statements the server ran for one request, replayed alone
# through pgbench (bench/pgbench.py); at the end every read scenario again
# on the server that ran the whole bench and on a freshly started one.
#   BENCH_CASES     Ombudsman cases in the big dataset (200000: 1,000,000
#                   tasks, 3,000,000 correspondence rows)
#   BENCH_SECONDS   seconds per load scenario (10)
#   BENCH_CONNS     connections, for wrk and pgbench alike (64)
#   BENCH_BIN       the server to load (build/rel/linkdesk)
#   BENCH_TAG       a word after the results file's name (DATE-HOST-CASES-TAG.md)
#   BENCH_KEEP      1: leave the cluster running at the end, to EXPLAIN on
#                   its data (stop it with LD_PGDATA=... scripts/devdb.sh stop)
# Needs wrk and pgbench (make deps-test installs them).
set -eu
root=$(pwd)
cases=${BENCH_CASES:-200000}
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-64}
# The server's database connections, and so the clients of the replays of
# its own statements (an anchor is what those connections can do alone).
pool=${LINKDESK_DB_POOL:-8}
small=2000
bin=${BENCH_BIN:-"$root/build/rel/linkdesk"}
tmp=$(mktemp -d /var/tmp/linkdesk-bench.XXXXXX)
chmod 755 "$tmp"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
hport=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export LD_PGDATA="$tmp/pg" LD_PGPORT="$port"
# A database server set up for its data, as docs/deploy.md advises: a
# quarter of memory (up to 2 GB here) for shared buffers.
mem_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
buffers_mb=$((mem_mb / 4 > 2048 ? 2048 : mem_mb / 4))
export LD_PGOPTS="-c shared_buffers=${buffers_mb}MB -c effective_cache_size=$((mem_mb / 2))MB"
server=""
cleanup() {
	[ -z "$server" ] || kill "$server" 2>/dev/null || true
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench: the cluster is left running on port $port, in $tmp (BENCH_KEEP)"
		return
	fi
	LD_PGSTOP_MODE=immediate sh "$root/scripts/devdb.sh" stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for t in wrk pgbench; do
	command -v $t >/dev/null || { echo "bench: $t is missing: make deps-test" >&2; exit 1; }
done
sh scripts/devdb.sh start
su_url="host=127.0.0.1 port=$port user=postgres"
export LINKDESK_PASSWORD_HASH=interactive
now() { date +%s.%N; }
elapsed() { /usr/bin/python3 -c "print(f'{($2 - $1) * 1000:.0f} ms')"; }

# A database: migrated, the demo organisation, then the generator.
make_db() {
	psql -X -q "$su_url dbname=postgres" -c "CREATE DATABASE $1 OWNER linkdesk_owner"
	LINKDESK_OWNER_DATABASE_URL="host=127.0.0.1 port=$port dbname=$1 user=linkdesk_owner" \
	LINKDESK_DATABASE_URL="host=127.0.0.1 port=$port dbname=$1 user=linkdesk" "$bin" migrate >/dev/null 2>&1
	# The demo as of the server's day, as the generator's dates are.
	LINKDESK_TODAY=2026-11-23 \
	LINKDESK_DATABASE_URL="host=127.0.0.1 port=$port dbname=$1 user=linkdesk" "$bin" seed-demo >/dev/null 2>&1
	t0=$(now)
	psql -X -q "$su_url dbname=$1" -v cases="$2" -v areas=200 -v users=5000 -f bench/generate.sql
	echo "generated $1 with $2 cases in $(elapsed "$t0" "$(now)")"
}

start_server() {
	LINKDESK_DATABASE_URL="host=127.0.0.1 port=$port dbname=$1 user=linkdesk" \
	LINKDESK_LISTEN="127.0.0.1:$hport" LINKDESK_TODAY=2026-11-23 \
	LINKDESK_SCHEDULER=0 LINKDESK_DB_POOL="$pool" \
		"${2:-$bin}" serve >"$tmp/server-$1.log" 2>&1 &
	server=$!
	for _ in $(seq 1 100); do
		curl -fs "http://127.0.0.1:$hport/api/v1/ping" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	cat "$tmp/server-$1.log"
	exit 1
}

stop_server() {
	kill "$server"
	wait "$server" 2>/dev/null || true
	server=""
}

# An API token for a demo user.
token() {
	jar="$tmp/jar-$1"
	csrf=$(curl -fs -c "$jar" -H 'Content-Type: application/json' \
		-d "{\"email\": \"$1@demo.linkdesk.test\", \"password\": \"demo-linkdesk-2026\"}" \
		"http://127.0.0.1:$hport/api/v1/session" |
		/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
	curl -fs -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
		-d '{"name": "bench"}' "http://127.0.0.1:$hport/api/v1/tokens" |
		/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

# Until the server's connections are idle (at most a minute): a scenario
# starts once the last one's requests have all finished, and a capture
# (anchor) holds its one request's statements only.
quiet() {
	for _ in $(seq 1 120); do
		busy=$(psql -X -A -t "$su_url dbname=postgres" -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'linkdesk' AND state <> 'idle'")
		[ "$busy" = 0 ] && return 0
		sleep 0.5
	done
	echo "bench: the server's connections still busy after a minute" >&2
}

# wrk SCENARIO TOKEN PATH [extra wrk args]: one row of requests/s, p50, p99, errors.
# With key=NAME set before the call, the row's requests/s is also kept
# under NAME for the ratios table (and key is unset again).
load() {
	name=$1 tok=$2 path=$3
	shift 3
	# Let the previous scenario's stragglers finish first: wait until a
	# request that needs the database answers within a second.
	for _ in $(seq 1 120); do
		curl -fs -m 1 -o /dev/null -H "Authorization: Bearer $tok" \
			"http://127.0.0.1:$hport/api/v1/me" && break
		sleep 0.5
	done
	quiet
	wrk -t2 -c"$conns" -d"${secs}s" --timeout 10s --latency -H "Authorization: Bearer $tok" \
		-s bench/report.lua "$@" "http://127.0.0.1:$hport$path" >"$tmp/wrk.out" 2>&1 || true
	res=$(grep '^BENCH ' "$tmp/wrk.out" | cut -d' ' -f2-)
	if [ -z "$res" ]; then
		cat "$tmp/wrk.out" >&2
		res="0 0 0 1"
	fi
	echo "$name $res" >>"$tmp/loads"
	[ -z "${key:-}" ] || echo "$key ${res%% *}" >>"$tmp/keys"
	key=""
	echo "$name: $res (requests/s p50_ms p99_ms errors)"
}

# The server's connections run without JIT (server/store/db.c): pgbench's
# replays of their statements too.
export PGOPTIONS="-c jit=off"
pglog="$tmp/postgresql.log"
# pgbench_row NAME KEY [pgbench.py options --] PGBENCH ARGS: a row as load's.
pgbench_row() {
	name=$1 k=$2
	shift 2
	res=$(/usr/bin/python3 bench/pgbench.py "$@" | sed -n 's/^BENCH //p')
	[ -n "$res" ] || res="0 0 0 1"
	echo "$name $res" >>"$tmp/loads"
	echo "$k ${res%% *}" >>"$tmp/keys"
	echo "$name: $res (transactions/s p50_ms p99_ms errors)"
}
# anchor NAME KEY TOKEN PATH ID LO HI [BODY]: the statements the server
# runs for one request of PATH (case ID; a POST of BODY when given),
# captured with log_statement = 'all', then replayed by pgbench with the
# scenario's client count, ID drawn from LO to HI as report.lua does (ID
# "-": nothing drawn).  The replayed script is kept as bench/anchors/KEY.sql.
anchor() {
	aname=$1 akey=$2 atok=$3 apath=$4 aid=$5 alo=$6 ahi=$7 abody=${8:-}
	set_log() {
		psql -X -q "$su_url dbname=postgres" -c "ALTER SYSTEM $1" \
			-c "SELECT pg_reload_conf()" >/dev/null
		sleep 0.5
	}
	quiet
	set_log "SET log_statement = 'all'"
	offset=$(stat -c %s "$pglog")
	if [ -n "$abody" ]; then
		curl -fs -o /dev/null -H "Authorization: Bearer $atok" -H 'Content-Type: application/json' \
			-d "$abody" "http://127.0.0.1:$hport$apath" || true
	else
		curl -fs -o /dev/null -H "Authorization: Bearer $atok" "http://127.0.0.1:$hport$apath" || true
	fi
	sleep 0.2
	set_log "RESET log_statement"
	mkdir -p "$root/bench/anchors"
	if [ "$aid" = - ]; then set --; else set -- --id "$aid" "$alo" "$ahi"; fi
	pgbench_row "$aname" "$akey" --capture "$pglog" "$offset" "$root/bench/anchors/$akey.sql" "$@" -- \
		-M prepared -n -c "$pool" -j 2 -T "$secs" \
		"host=127.0.0.1 port=$port dbname=bench user=linkdesk"
}

echo "== datasets"
make_db bsmall "$small"
make_db bench "$cases"
psql -X -q "$su_url dbname=postgres" -c "CREATE DATABASE pgb OWNER linkdesk_owner"
pgbench -i -q -s 10 "host=127.0.0.1 port=$port dbname=pgb user=linkdesk_owner" >/dev/null 2>&1
: >"$tmp/loads"
: >"$tmp/keys"

echo "== ceilings"
pgbench -S -M prepared -c "$conns" -j 2 -T "$secs" -n \
	"host=127.0.0.1 port=$port dbname=pgb user=linkdesk_owner" >"$tmp/pgbench.out" 2>&1
db_ceiling=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$tmp/pgbench.out" | head -n 1)
echo "database ceiling (pgbench -S, $conns clients): $db_ceiling"

echo "== scenario 1 on the small dataset"
start_server bsmall
officer=$(token repairs.officer)
key=s1small; load "1 small: my open tasks (10,000 tasks)" "$officer" "/api/v1/tasks?open=true&per_page=50"
# The forecast's backtest: a year replayed day by day, each day's forecast
# from what was known that day, scored against what happened.
lo_small=$(token link.officer)
cat >"$tmp/backtest.py" <<'PY'
import json, sys
b = json.load(sys.stdin)
deciles = "; ".join("%d, %.2f, %.2f" % (d["n"], d["predicted"], d["observed"])
                    for d in b["deciles"] if d["n"])
print("%d forecasts: Brier %.4f, naive baseline (each area's late rate) %.4f;"
      " by decile (n, mean forecast, observed late): %s"
      % (b["predictions"], b["brier"], b["baseline_brier"], deciles))
PY
backtest() {
	curl -fs -m 3600 -H "Authorization: Bearer $1" \
		"http://127.0.0.1:$hport/api/v1/forecasts/backtest?from=$2&to=$3" |
		/usr/bin/python3 "$tmp/backtest.py" || echo "failed"
}
bt_small=$(backtest "$lo_small" 2024-06-03 2025-05-30)
echo "backtest, small dataset: $bt_small"
stop_server

echo "== the big dataset"
start_server bench
lo=$(token link.officer)
officer=$(token repairs.officer)
director=$(token director)
# The load wrote its rows with the triggers off: the server's start
# queues every sent task's working days and every case's KPI facts
# (sql/032), and its holiday watch, in the background, counts and keeps
# them (a real installation did it as its data came in).  Until then the
# figures are counted from the raw rows: the loads begin once it is done.
t0=$(now)
for _ in $(seq 1 7200); do
	left=$(psql -X -A -t "$su_url dbname=bench" -c "SELECT (SELECT count(*) FROM kpi_case_due) + (SELECT count(*) FROM task_days_due) + (SELECT count(*) FROM complaint_days_due)")
	[ "$left" = 0 ] && break
	sleep 0.5
done
kept_fill=$(elapsed "$t0" "$(now)")
echo "working days and KPI facts kept after the load: $kept_fill"
t0=$(now)
curl -fs -m 3600 -o /dev/null -H "Authorization: Bearer $director" "http://127.0.0.1:$hport/api/v1/kpis?period=2026-Q2" || true
kpis_first=$(elapsed "$t0" "$(now)")
echo "the first figures read: $kpis_first"
# The forecast of every open task, the survival curves built from one read
# of the history (a cold model: the first call after the snapshot moved).
t0=$(now)
curl -fs -o /dev/null -H "Authorization: Bearer $lo" "http://127.0.0.1:$hport/api/v1/forecasts?likely_late=true&limit=50" || true
forecast_cold=$(elapsed "$t0" "$(now)")
t0=$(now)
curl -fs -o /dev/null -H "Authorization: Bearer $lo" "http://127.0.0.1:$hport/api/v1/forecasts?likely_late=true&limit=50" || true
forecast_warm=$(elapsed "$t0" "$(now)")
echo "forecast of every open task: $forecast_cold cold, $forecast_warm warm"
load "HTTP ceiling: /api/v1/ping" "$lo" "/api/v1/ping"
key=s1; load "1: my open tasks" "$officer" "/api/v1/tasks?open=true&per_page=50"
anchor "1 alone: its statements through pgbench" a1 "$officer" "/api/v1/tasks?open=true&per_page=50" - - -
key=s2; load "2: link officer home" "$lo" "/home"
# The generated open cases: the last year's, contiguous ids.
range=$(psql -X -A -t "$su_url dbname=bench" -c "SELECT min(oc.id) || ' ' || max(oc.id) FROM ombudsman_case oc JOIN complaint c ON c.id = oc.complaint_id WHERE c.reference LIKE 'BENCH-%' AND oc.stage <> 'closed'")
export BENCH_LO="${range% *}" BENCH_HI="${range#* }" BENCH_PATH="/api/v1/cases/%d"
key=s3; load "3: case page data" "$lo" "/api/v1/cases/1"
unset BENCH_PATH
anchor "3 alone: its statements through pgbench" a3 "$lo" "/api/v1/cases/$BENCH_LO" "$BENCH_LO" "$BENCH_LO" "$BENCH_HI"
area=$(psql -X -A -t "$su_url dbname=bench" -c "SELECT id FROM service_area WHERE name = 'Bench area 7'")
feed=$(curl -fs -H "Authorization: Bearer $lo" -H 'Content-Type: application/json' \
	-d "{\"scope\": \"area\", \"service_area_id\": $area}" "http://127.0.0.1:$hport/api/v1/feeds" |
	/usr/bin/python3 -c 'import json, sys; u = json.load(sys.stdin)["url"]; print(u[u.index("/feeds/"):])')
etag=$(curl -fsi "http://127.0.0.1:$hport$feed" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
events=$(curl -fs "http://127.0.0.1:$hport$feed" | grep -c '^BEGIN:VEVENT' || true)
load "4a: area feed ($events events)" "$lo" "$feed"
load "4b: area feed, If-None-Match" "$lo" "$feed" -H "If-None-Match: $etag"
load "5a: quarterly KPIs, organisation" "$director" "/api/v1/kpis?period=2026-Q2"
load "5b: quarterly KPIs, one area" "$director" "/api/v1/kpis?period=2026-Q2&service_area_id=$area"
# The write mix sets its tasks in an area of its own: in the feed's, it
# grew the feed from 770 events to about 9,000 (4 MB) before the
# long-running reads, which then read another feed.
warea=$(psql -X -A -t "$su_url dbname=bench" -c "SELECT id FROM service_area WHERE name = 'Bench area 8'")
export BENCH_PATH="/api/v1/cases/%d/correspondence"
export BENCH_BODY="{\"kind\": \"information_request\", \"dated_on\": \"2026-11-23\", \"channel\": \"portal\", \"summary\": \"Bench\", \"tasks\": [{\"title\": \"Bench evidence\", \"service_area_id\": $warea}]}"
key=s6; load "6: write mix (correspondence + task + audit + outbox)" "$lo" "/api/v1/cases/1/correspondence"
anchor "6 alone: its statements through pgbench" a6 "$lo" "/api/v1/cases/$BENCH_LO/correspondence" "$BENCH_LO" "$BENCH_LO" "$BENCH_HI" "$BENCH_BODY"
unset BENCH_PATH BENCH_BODY
# The write ceiling beside it: pgbench's TPC-B, synchronous commit.
pgbench_row "TPC-B write ceiling: pgbench -M prepared -c 8 -j 2" tpcb -- \
	-M prepared -n -c 8 -j 2 -T "$secs" "host=127.0.0.1 port=$port dbname=pgb user=linkdesk_owner"
rss=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server/status")

echo "== batch jobs"
# The scheduler's round after the write mix (the bench's server runs
# none): what cron's remind --once does before the reminder hour, the
# changed cases' working days and KPI facts kept.
keep_cases=$(psql -X -A -t "$su_url dbname=bench" -c "SELECT count(*) FROM kpi_case_due")
t0=$(now)
LINKDESK_DATABASE_URL="host=127.0.0.1 port=$port dbname=bench user=linkdesk" LINKDESK_TODAY=2026-11-23 \
	LINKDESK_NOW=2026-11-23T06:00:00Z "$bin" remind --once --no-mail >"$tmp/keep.log" 2>&1
keep_round=$(elapsed "$t0" "$(now)")
# The write mix's notices to its area's officers, each one row: the round
# made each person's message of them (one statement a thousand notices).
made=$(sed -n 's/.*messages made of notices to several: \([0-9]*\).*/\1/p' "$tmp/keep.log")
t0=$(now)
curl -fs -o /dev/null -H "Authorization: Bearer $director" "http://127.0.0.1:$hport/reports/annual?year=2025-26" || true
annual=$(elapsed "$t0" "$(now)")
# Again, nothing changed since: the figures remembered for the snapshot.
t0=$(now)
curl -fs -o /dev/null -H "Authorization: Bearer $director" "http://127.0.0.1:$hport/reports/annual?year=2025-26" || true
annual_warm=$(elapsed "$t0" "$(now)")
# The year still running (2026-27, as of today), its trend and the orders
# still open.
t0=$(now)
curl -fs -o /dev/null -H "Authorization: Bearer $director" "http://127.0.0.1:$hport/reports/annual" || true
annual_now=$(elapsed "$t0" "$(now)")
t0=$(now)
# Repairs and Maintenance: a tenth of the cases, five tasks each.
repairs=$(psql -X -A -t "$su_url dbname=bench" -c "SELECT id FROM service_area WHERE name = 'Repairs and Maintenance'")
curl -fs -o "$tmp/tasks.xlsx" -H "Authorization: Bearer $lo" "http://127.0.0.1:$hport/api/v1/exports/task-log.xlsx?service_area_id=$repairs" || true
xlsx=$(elapsed "$t0" "$(now)")
xlsx_rows=$(/usr/bin/python3 -c "import openpyxl; print(openpyxl.load_workbook('$tmp/tasks.xlsx', read_only=True).active.max_row - 1)" 2>/dev/null || echo "?")
bt_big=$(backtest "$director" 2024-06-03 2025-05-30)
echo "backtest, big dataset: $bt_big"
# The sweep runs beside the server (idle, its scheduler off), which goes on
# to the end: the reads below are on a server that has run the whole bench.
# At 10:00 on the Monday, after the reminder hour whatever the wall clock
# says (a run before 08:00 London time swept nothing).
sweep_now=2026-11-23T10:00:00Z
t0=$(now)
LINKDESK_DATABASE_URL="host=127.0.0.1 port=$port dbname=bench user=linkdesk" LINKDESK_TODAY=2026-11-23 \
	LINKDESK_NOW=$sweep_now "$bin" remind --once --no-mail >"$tmp/remind.log" 2>&1
sweep=$(elapsed "$t0" "$(now)")
# "reminders queued: N, in M messages; digests queued: D; ...": one
# message a person, listing their tasks reminded.
queued=$(sed -n 's/^reminders queued: \([0-9]*\), in \([0-9]*\) messages; digests queued: \([0-9]*\);.*/\1 reminders in \2 messages, \3 digests/p' "$tmp/remind.log")
# The next sweep, as the scheduler runs it: nothing new is due, the digests
# are sent for the day; what every sweep costs to find that out.
t0=$(now)
LINKDESK_DATABASE_URL="host=127.0.0.1 port=$port dbname=bench user=linkdesk" LINKDESK_TODAY=2026-11-23 \
	LINKDESK_NOW=$sweep_now "$bin" remind --once --no-mail >"$tmp/remind2.log" 2>&1
sweep2=$(elapsed "$t0" "$(now)")

# Every read scenario on the server that has run the whole bench, then on
# one started afresh (empty plan caches, new connections), on the same data.
reads() {
	export BENCH_LO BENCH_HI
	key=${1}1; load "$2 1: my open tasks" "$officer" "/api/v1/tasks?open=true&per_page=50"
	key=${1}2; load "$2 2: link officer home" "$lo" "/home"
	export BENCH_PATH="/api/v1/cases/%d"
	key=${1}3; load "$2 3: case page data" "$lo" "/api/v1/cases/1"
	unset BENCH_PATH
	key=${1}4a; load "$2 4a: area feed" "$lo" "$feed"
	key=${1}4b; load "$2 4b: area feed, If-None-Match" "$lo" "$feed" -H "If-None-Match: $etag"
	key=${1}5a; load "$2 5a: quarterly KPIs, organisation" "$director" "/api/v1/kpis?period=2026-Q2"
	key=${1}5b; load "$2 5b: quarterly KPIs, one area" "$director" "/api/v1/kpis?period=2026-Q2&service_area_id=$area"
}
# Both rounds on a settled database: the sweep just wrote 96,000
# reminders and 5,000 messages, and the autovacuum and checkpoint they
# set off ran through the long-running round alone (0.67 to 0.80 of the
# fresh server in one run), which measured them, not the plan caches.
settle() {
	for _ in $(seq 1 600); do
		busy=$(psql -X -A -t "$su_url dbname=postgres" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")
		[ "$busy" = 0 ] && break
		sleep 0.5
	done
	psql -X -q "$su_url dbname=postgres" -c "CHECKPOINT"
}
echo "== long-running against fresh"
settle
reads long "Long-running server:"
rss_long=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$server/status")
stop_server
settle
start_server bench
reads fresh "Freshly started server:"
stop_server

# The table.
host=$(uname -n)
file="bench/results/$(date +%F)-$host-$cases${BENCH_TAG:+-$BENCH_TAG}.md"
mkdir -p bench/results
{
	echo "# Linkdesk benchmark, $(date +%F)"
	echo
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(. /etc/os-release; echo "$PRETTY_NAME"), PostgreSQL $(psql -X -A -t "$su_url dbname=postgres" -c 'SHOW server_version')."
	echo "Dataset: $(psql -X -A -t "$su_url dbname=bench" -c "SELECT (SELECT count(*) FROM service_area) || ' service areas, ' || (SELECT count(*) FROM app_user) || ' users, ' || (SELECT count(*) FROM ombudsman_case) || ' cases, ' || (SELECT count(*) FROM task) || ' tasks (' || (SELECT count(*) FROM task WHERE status = 'open') || ' open), ' || (SELECT count(*) FROM correspondence) || ' correspondence rows'")."
	echo "Each load: wrk, $conns connections, ${secs} s, API token authentication, keep-alive."
	echo
	echo "| Scenario | Requests/s | p50 ms | p99 ms | Errors | Ratio to the database ceiling |"
	echo "|---|---|---|---|---|---|"
	echo "| Database ceiling: pgbench -S, prepared, $conns clients | $db_ceiling | | | | 1.00 |"
	while read -r line; do
		name=${line% * * * *}
		set -- ${line##"$name" }
		ratio=$(/usr/bin/python3 -c "print(f'{$1 / $db_ceiling:.2f}')")
		echo "| $name | $1 | $2 | $3 | $4 | $ratio |"
	done <"$tmp/loads"
	echo
	echo "| Batch job | Time |"
	echo "|---|---|"
	echo "| Reminder sweep and Monday digests (remind --once --no-mail), first run, everything due: $queued | $sweep |"
	echo "| The next sweep: nothing new due | $sweep2 |"
	echo "| Working days and KPI facts of every case kept after the load (triggers off), by the server's start in the background / the first figures read then | $kept_fill / $kpis_first |"
	echo "| The scheduler's round after the write mix (remind --once before the reminder hour): KPI facts of $keep_cases changed cases kept, ${made:-?} messages made of the write mix's notices | $keep_round |"
	echo "| Annual report page, 2025-26: first read / again, nothing changed | $annual / $annual_warm |"
	echo "| Annual report page, 2026-27 (running, as of today): first read | $annual_now |"
	echo "| XLSX task log, $xlsx_rows rows | $xlsx |"
	echo "| Server peak resident memory (VmHWM) after the loads / at the end of the whole bench | $((rss / 1024)) MB / $((rss_long / 1024)) MB |"
	echo "| Forecast of every open task, likely-late list: the model built (cold) / reused (warm) | $forecast_cold / $forecast_warm |"
	echo
	echo "The targets as ratios, each measured in this run:"
	echo
	echo "| Ratio | Target | Measured |"
	echo "|---|---|---|"
	/usr/bin/python3 - "$tmp/keys" <<-'PY'
	import sys
	k = {}
	for line in open(sys.argv[1]):
	    name, v = line.split()
	    k[name] = float(v)
	def row(label, a, b, target):
	    if k.get(a) and k.get(b):
	        print("| %s | %s | %.2f |" % (label, target, k[a] / k[b]))
	    else:
	        print("| %s | %s | not measured |" % (label, target))
	row("6. Write mix / TPC-B write ceiling", "s6", "tpcb", "≥ 0.25")
	row("6. Write mix / its statements alone", "s6", "a6", "")
	row("1. Open tasks / its statements alone", "s1", "a1", "")
	row("3. Case page / its statements alone", "s3", "a3", "")
	row("1. Open tasks, full size / small dataset", "s1", "s1small", "≥ 0.80")
	row("2. Link officer home / case page data", "s2", "s3", "≥ 1")
	for s, label in (("1", "open tasks"), ("2", "link officer home"),
	                 ("3", "case page data"), ("4a", "area feed"),
	                 ("4b", "area feed, If-None-Match"),
	                 ("5a", "KPIs, organisation"), ("5b", "KPIs, one area")):
	    row("%s. %s: long-running / freshly started server" % (s, label),
	        "long" + s, "fresh" + s, "0.90 to 1.10")
	PY
	echo
	echo "Forecast backtest (the forecast must beat the baseline):"
	echo
	echo "- small dataset ($small cases), June 2024 to May 2025: $bt_small"
	echo "- big dataset ($cases cases), June 2024 to May 2025: $bt_big"
} >"$file"
cat "$file"
echo "written $file"
