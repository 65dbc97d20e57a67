#!/bin/sh
# make soak: mixed load on two servers sharing one database for
# SOAK_SECONDS (3600), their resident memory sampled each minute.
# Fails on any request error, any error in the servers' logs, a sanitizer
# report, or memory that keeps growing (the last sample more than 20% and
# 10 MB above the first).  The short sanitizer run:
#   make SANITIZE=address,undefined test-build
#   SOAK_SECONDS=120 sh tests/soak.sh build/san
set -eu
build=${1:-build/rel}
root=$(pwd)
secs=${SOAK_SECONDS:-3600}
bin="$root/$build/linkdesk"
tmp=$(mktemp -d /var/tmp/linkdesk-soak.XXXXXX)
chmod 755 "$tmp"
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
export LD_PGDATA="$tmp/pg" LD_PGPORT="$port"
export LINKDESK_DATABASE_URL="host=127.0.0.1 port=$port dbname=linkdesk user=linkdesk"
export LINKDESK_OWNER_DATABASE_URL="host=127.0.0.1 port=$port dbname=linkdesk user=linkdesk_owner"
export LINKDESK_PASSWORD_HASH=interactive LINKDESK_MAIL_DIR="$tmp/mail"
export ASAN_OPTIONS="detect_leaks=1" LSAN_OPTIONS="suppressions=$root/tests/lsan.supp"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	LD_PGSTOP_MODE=immediate sh "$root/scripts/devdb.sh" stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v wrk >/dev/null || { echo "soak: wrk is missing: make deps-test" >&2; exit 1; }
sh scripts/devdb.sh start
"$bin" migrate >/dev/null 2>&1
"$bin" seed-demo >/dev/null 2>&1
# A council's worth of cases to spread the load over (writes aimed at one
# case would grow it without bound, which no real case does).
psql -X -q "host=127.0.0.1 port=$port user=postgres dbname=linkdesk" \
	-v cases=2000 -v areas=20 -v users=200 -f bench/generate.sql >/dev/null

ports=""
for i in 1 2; do
	p=$(free_port)
	LINKDESK_LISTEN="127.0.0.1:$p" LINKDESK_SCHEDULER_SECONDS=5 \
		"$bin" serve >"$tmp/server-$i.log" 2>&1 &
	pids="$pids $!"
	ports="$ports $p"
done
for p in $ports; do
	for _ in $(seq 1 100); do
		curl -fs "http://127.0.0.1:$p/api/v1/ping" >/dev/null 2>&1 && break
		sleep 0.1
	done
done
first=${ports# }
first=${first%% *}
jar="$tmp/jar"
csrf=$(curl -fs -c "$jar" -H 'Content-Type: application/json' \
	-d '{"email": "link.officer@demo.linkdesk.test", "password": "demo-linkdesk-2026"}' \
	"http://127.0.0.1:$first/api/v1/session" |
	/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
tok=$(curl -fs -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
	-d '{"name": "soak"}' "http://127.0.0.1:$first/api/v1/tokens" |
	/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
range=$(psql -X -A -t "$LINKDESK_DATABASE_URL" -c "SELECT min(id) || ' ' || max(id) FROM ombudsman_case")
# The generated open cases: the last year's, contiguous ids.
open=$(psql -X -A -t "$LINKDESK_DATABASE_URL" -c "SELECT min(oc.id) || ' ' || max(oc.id) FROM ombudsman_case oc JOIN complaint c ON c.id = oc.complaint_id WHERE c.reference LIKE 'BENCH-%' AND oc.stage <> 'closed'")
area=$(psql -X -A -t "$LINKDESK_DATABASE_URL" -c "SELECT min(id) FROM service_area")
export BENCH_LO="${range% *}" BENCH_HI="${range#* }"
body="{\"kind\": \"information_request\", \"dated_on\": \"2026-11-23\", \"channel\": \"portal\", \"summary\": \"Soak\", \"tasks\": [{\"title\": \"Soak evidence\", \"service_area_id\": $area}]}"

# rss PID: resident kB.
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
echo "minute,requests,errors$(for p in $pids; do printf ',rss_kb_%s' "$p"; done)" >"$tmp/samples.csv"
errors=0
requests=0
left=$secs
minute=0
while [ "$left" -gt 0 ]; do
	chunk=$((left < 60 ? left : 60))
	: >"$tmp/wrk.out"
	loads=""
	for p in $ports; do
		BENCH_PATH="/api/v1/cases/%d" wrk -t1 -c16 -d"${chunk}s" --timeout 10s \
			-H "Authorization: Bearer $tok" -s bench/report.lua \
			"http://127.0.0.1:$p/" >>"$tmp/wrk.out" 2>&1 &
		loads="$loads $!"
		wrk -t1 -c8 -d"${chunk}s" --timeout 10s -H "Authorization: Bearer $tok" \
			-s bench/report.lua "http://127.0.0.1:$p/api/v1/tasks?open=true" >>"$tmp/wrk.out" 2>&1 &
		loads="$loads $!"
		BENCH_PATH="/api/v1/cases/%d/correspondence" BENCH_BODY="$body" \
			BENCH_LO="${open% *}" BENCH_HI="${open#* }" \
			wrk -t1 -c2 -d"${chunk}s" --timeout 10s -H "Authorization: Bearer $tok" \
			-s bench/report.lua "http://127.0.0.1:$p/" >>"$tmp/wrk.out" 2>&1 &
		loads="$loads $!"
	done
	for j in $loads; do wait "$j" || true; done
	minute=$((minute + 1))
	r=$(awk '/^BENCH/ {s += $2} END {print int(s)}' "$tmp/wrk.out")
	e=$(awk '/^BENCH/ {s += $5} END {print s + 0}' "$tmp/wrk.out")
	requests=$((requests + r * chunk))
	errors=$((errors + e))
	line="$minute,$((r * chunk)),$e"
	for p in $pids; do line="$line,$(rss "$p")"; done
	echo "$line" >>"$tmp/samples.csv"
	echo "soak minute $minute: $line"
	left=$((left - chunk))
done

status=0
for p in $pids; do kill "$p"; wait "$p" 2>/dev/null || true; done
pids=""
cat "$tmp/samples.csv"
if [ "$errors" -ne 0 ]; then
	echo "soak: $errors request errors"
	status=1
fi
if grep -E ' error |AddressSanitizer|LeakSanitizer|runtime error' "$tmp"/server-*.log; then
	echo "soak: errors in the server logs"
	status=1
fi
# Memory flat: compare the second sample (warm) with the last.
awk -F, 'NR == 3 {for (i = 4; i <= NF; i++) w[i] = $i}
	END {for (i = 4; i <= NF; i++) if ($i > w[i] * 1.2 + 10240) {
		print "soak: resident memory grew from " w[i] " to " $i " kB"; bad = 1 }
	exit bad}' "$tmp/samples.csv" || status=1
echo "soak: about $requests requests over $secs s on two servers, $errors errors"
exit $status
