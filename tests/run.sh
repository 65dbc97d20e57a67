#!/bin/sh
# The whole test suite, as `make test` runs it:
#   - a throwaway PostgreSQL cluster on a free port in a temporary folder,
#     removed afterwards whatever the outcome;
#   - the cmocka unit tests of core/, then the black-box tests of the
#     server over HTTP, all built with AddressSanitizer and UBSan;
#   - the formatting check.
# The last line is "N passed, N failed".
set -u
build=${1:-build/san}
root=$(pwd)
tmp=$(mktemp -d /var/tmp/linkdesk-test.XXXXXX)
chmod 755 "$tmp"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

export LD_PGDATA="$tmp/pg" LD_PGPORT="$port" LD_PGFAST=1
clamd_pid=""
cleanup() {
	[ -z "$clamd_pid" ] || kill "$clamd_pid" 2>/dev/null
	LD_PGSTOP_MODE=immediate sh "$root/scripts/devdb.sh" stop >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
failures=""

if ! sh scripts/devdb.sh start; then
	echo "test cluster did not start"
	echo "0 passed, 1 failed"
	exit 1
fi

# The server's role, and the role that owns the schema (migrate, and tests
# that change the schema under the server).
export LINKDESK_DATABASE_URL="host=127.0.0.1 port=$port dbname=linkdesk user=linkdesk"
export LINKDESK_OWNER_DATABASE_URL="host=127.0.0.1 port=$port dbname=linkdesk user=linkdesk_owner"
export LINKDESK_BIN="$root/$build/linkdesk"
export LINKDESK_TEST_TMP="$tmp"
export LINKDESK_TEST_DBCTL="env LD_PGDATA=$LD_PGDATA LD_PGPORT=$port LD_PGFAST=1 sh $root/scripts/devdb.sh"
export LINKDESK_ROOT="$root"
# Debian's own Python, where python3-aiosmtpd and python3-icalendar live.
export LINKDESK_TEST_PYTHON=/usr/bin/python3
# Every call of the HTTP tests and its answer, for the API contract check.
export LINKDESK_API_LOG="$tmp/api.log"
export ASAN_OPTIONS="abort_on_error=0:detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"

# A real clamd for the evidence tests, with a signature database of its
# own: freshclam cannot reach its servers from here, so the EICAR test
# file's MD5 signature is all it knows.
if command -v clamd >/dev/null 2>&1; then
	mkdir -p "$tmp/clamav/db"
	printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >"$tmp/clamav/eicar.com"
	sigtool --md5 "$tmp/clamav/eicar.com" >"$tmp/clamav/db/eicar.hdb"
	cat >"$tmp/clamav/clamd.conf" <<CONF
LocalSocket $tmp/clamav/clamd.sock
DatabaseDirectory $tmp/clamav/db
Foreground yes
LogFile $tmp/clamav/clamd.log
StreamMaxLength 100M
CONF
	[ "$(id -u)" = 0 ] && echo "User root" >>"$tmp/clamav/clamd.conf"
	clamd -c "$tmp/clamav/clamd.conf" >/dev/null 2>&1 &
	clamd_pid=$!
	for _ in $(seq 1 100); do
		[ -S "$tmp/clamav/clamd.sock" ] && break
		sleep 0.1
	done
	export LINKDESK_TEST_CLAMD="$tmp/clamav/clamd.sock"
fi

# Tests sign in often: interactive Argon2id limits keep that quick.
export LINKDESK_PASSWORD_HASH=interactive
# The demo is as of one fixed day, whatever day the suite runs on: the tests
# fix their servers' today (mostly 2026-11-23) against demo dates set then.
export LINKDESK_TEST_DEMO_DAY=2026-12-01
if ! "$LINKDESK_BIN" migrate >"$tmp/migrate.log" 2>&1 ||
	! LINKDESK_TODAY=$LINKDESK_TEST_DEMO_DAY "$LINKDESK_BIN" seed-demo \
		>>"$tmp/migrate.log" 2>&1; then
	cat "$tmp/migrate.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# Run one cmocka binary and add its counts; a crash counts as a failure.
run_cmocka() {
	out="$tmp/$(basename "$1").out"
	"$1" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test(s), listed.*/\1/p' "$out" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "$1 exited with status $rc"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures="$failures $(basename "$1")"
}

# Seconds each tier took, printed at the end.
tier_start=$(date +%s)
tiers=""
tier_done() {
	now=$(date +%s)
	tiers="$tiers $1 $((now - tier_start))s,"
	tier_start=$now
}

# Every cmocka binary of a tier (ONLY picks by name), then its time.
run_tier() {
	for t in "$build"/tests/"$1"/test_*; do
		case "$t" in *.d | *.o) continue ;; esac
		case "$t" in *${ONLY:-}*) ;; *) continue ;; esac
		[ -x "$t" ] || continue
		echo "== $t"
		run_cmocka "$t"
	done
	tier_done "$2"
}

run_tier unit unit
# The store's calls against the suite's database, no server between.
run_tier store store
run_tier http HTTP

# The API contract: docs/openapi.json against the route table, and every
# answer the HTTP tests logged against it, with those of the routes they
# call only with requests of their own (tests/openapi/).
case openapi in *${ONLY:-}*) contract=1 ;; *) contract="" ;; esac
if [ -n "$contract" ] || [ -f "$LINKDESK_API_LOG" ]; then
	echo "== openapi"
	/usr/bin/python3 tests/openapi/probe.py "$LINKDESK_API_LOG"
	probed=$?
	if /usr/bin/python3 tests/openapi/check.py --log "$LINKDESK_API_LOG" &&
		[ "$probed" -eq 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures="$failures openapi"
	fi
fi
# Every command's JSON face refuses the catalogue's bad bodies, naming the
# field, and keeps nothing (it starts from the whole run's logged calls).
if [ -z "${ONLY:-}" ] || [ "${ONLY}" = catalogue ]; then
	echo "== catalogue"
	if /usr/bin/python3 tests/openapi/catalogue.py "$LINKDESK_API_LOG"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures="$failures catalogue"
	fi
fi
tier_done openapi

# Fuzz targets, a few seconds each: a smoke run (make fuzz runs longer).
for t in build/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	case "$t" in *${ONLY:-}*) ;; *) continue ;; esac
	n=$(basename "$t" | sed 's/^fuzz_//')
	echo "== $t"
	mkdir -p "$tmp/corpus-$n"
	if "$t" -max_total_time=3 -timeout=10 "$tmp/corpus-$n" "tests/fuzz/corpus/$n" \
		>"$tmp/fuzz-$n.log" 2>&1; then
		tail -n 1 "$tmp/fuzz-$n.log"
		passed=$((passed + 1))
	else
		tail -n 40 "$tmp/fuzz-$n.log"
		failed=$((failed + 1))
		failures="$failures fuzz_$n"
	fi
done

tier_done fuzz
echo "== browser"
if [ -n "${ONLY:-}" ] && [ "${ONLY}" != browser ]; then
	echo "skipped (ONLY=$ONLY)"
elif command -v node >/dev/null 2>&1 && [ -x /usr/bin/chromium ]; then
	export LINKDESK_TEST_ARTIFACTS="$root/build/test-artifacts"
	rm -rf "$LINKDESK_TEST_ARTIFACTS"
	out="$tmp/browser.out"
	# The browser tests drive the release build: ASan's checks are for C.
	LINKDESK_BIN="$root/build/rel/linkdesk" node --test --test-reporter=tap \
		tests/browser/ >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$out" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -eq 0 ] || failures="$failures browser"
else
	echo "node or chromium missing"
	failed=$((failed + 1))
	failures="$failures browser"
fi

tier_done browser
echo "== format"
if make --no-print-directory format-check; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
	failures="$failures format"
fi

tier_done format
echo "tier times:${tiers%,}"
if [ -n "$failures" ]; then
	# The servers' own logs say what the client could not.
	for log in "$tmp"/server-*.log; do
		[ -f "$log" ] || continue
		if grep -q "ERROR\|error\|runtime error" "$log"; then
			echo "== $log"
			grep -B2 -A30 "ERROR\|runtime error" "$log" | head -60
		fi
	done
	echo "failed:$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
