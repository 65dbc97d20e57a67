#!/bin/sh
# The layers, checked by what each file includes (make format-check runs
# this; it prints every breach and fails if there is one):
#   core/     pure domain logic: no store, HTTP, mail, scheduler or server
#             header, no libpq, libmicrohttpd or libcurl;
#   store     only server/store/ includes libpq or the store's db.h, and it
#             includes nothing of HTTP;
#   mail, scheduler, scanner, inbox, OpenID Connect: nothing of HTTP;
#   http      the request library (http.c, input.c) includes nothing of the
#             router (router.c, auth.c) or the resources (h_*.c, page.c);
#   sql       a function of sql/functions/ is defined there, once.
# The server's own headers are every include/*.h not made for core/.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0

# The headers core/ may include: its own (include/NAME.h for core/NAME.c)
# and those they need (ld_err.h, for one, has no .c of its own).
core_headers=" $(for f in core/*.c; do basename "$f" .c; done | tr '\n' ' ')"
core_headers="$core_headers ld_err xalloc arena buf "

includes() { # FILE: the quoted and <> includes, one a line
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]\([^">]*\)[">].*/\1/p' "$1"
}

breach() {
	echo "layers: $1 includes $2: $3"
	bad=1
}

for f in core/*.c $(for c in core/*.c; do h=include/$(basename "$c" .c).h; [ -f "$h" ] && echo "$h"; done); do
	for inc in $(includes "$f"); do
		case "$inc" in
		libpq-fe.h | microhttpd.h | curl/curl.h)
			breach "$f" "$inc" "core reaches no database, HTTP or network" ;;
		*/* | *[!a-z0-9_.]*) ;;
		*.h)
			name=${inc%.h}
			[ -f "include/$inc" ] || continue
			case "$core_headers" in
			*" $name "*) ;;
			*) breach "$f" "$inc" "core includes only core headers" ;;
			esac ;;
		esac
	done
done

for f in server/*.c server/*/*.c include/*.h; do
	case "$f" in server/store/*) continue ;; esac
	for inc in $(includes "$f"); do
		case "$inc" in
		libpq-fe.h | db.h)
			breach "$f" "$inc" "only the store speaks to PostgreSQL" ;;
		esac
	done
done

# The HTTP layer's headers: include/NAME.h of each server/http/NAME.c,
# and the handlers' and libmicrohttpd's.
http_headers=" handlers.h microhttpd.h $(for c in server/http/*.c; do
	h=$(basename "$c" .c).h; [ -f "include/$h" ] && echo "$h"; done | tr '\n' ' ')"
for f in server/store/*.c server/store/*.h server/mail/*.c server/sched/*.c \
	server/scan/*.c server/inbox/*.c server/auth/*.c; do
	[ -f "$f" ] || continue
	for inc in $(includes "$f"); do
		case "$http_headers" in
		*" $inc "*) breach "$f" "$inc" "this layer knows nothing of HTTP" ;;
		esac
	done
done

# HTTP: the request library (one request, its body, its reply) is below
# the router, which is below the resources: it includes none of them.
for f in server/http/http.c server/http/http_error.c server/http/input.c include/http.h include/input.h; do
	for inc in $(includes "$f"); do
		case "$inc" in
		router.h | page.h | handlers.h | view.h)
			breach "$f" "$inc" "the request library knows no router, page or handler" ;;
		esac
	done
done

# SQL: a function of sql/functions/ is written there once, and no
# migration after the move (026) defines it again.
defined() { # FILES: the names of the functions they define, one a line
	sed -n 's/^CREATE \(OR REPLACE \)\{0,1\}FUNCTION \([a-z_]*\)(.*/\2/p' "$@"
}
for name in $(defined sql/functions/*.sql | sort | uniq -d); do
	echo "layers: $name is defined twice in sql/functions/"
	bad=1
done
for f in sql/[0-9][0-9][0-9]_*.sql; do
	n=$(basename "$f" | sed 's/^0*\([0-9]*\)_.*/\1/')
	[ "$n" -gt 26 ] || continue
	for name in $(defined "$f"); do
		if defined sql/functions/*.sql | grep -qx "$name"; then
			echo "layers: $f defines $name, which lives in sql/functions/"
			bad=1
		fi
	done
done

[ "$bad" -eq 0 ] && echo "layers: every include keeps to its layer"
exit "$bad"
