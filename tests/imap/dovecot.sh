#!/bin/sh
# A Dovecot of the inbox tests' own, on loopback, with one user whose
# Maildir the tests fill:
#   dovecot.sh start DIR PORT USER PASSWORD [INTROSPECT_PORT]
#                                 (prints nothing; the Maildir is DIR/mail/USER)
#   dovecot.sh stop DIR
# The folders are INBOX and Handled; plain-text logins (no TLS) on
# 127.0.0.1 only.  With INTROSPECT_PORT, XOAUTH2 logins too, their bearer
# tokens checked at http://127.0.0.1:INTROSPECT_PORT (tests/imap/introspect.py).
set -eu
cmd=$1
dir=$2
case "$cmd" in
start)
	port=$3 user=$4 pass=$5 introspect=${6:-}
	mechanisms="plain login"
	oauth=""
	if [ -n "$introspect" ]; then
		mechanisms="plain login xoauth2"
		cat >"$dir/oauth2.conf.ext" <<OAUTH
introspection_mode = post
introspection_url = http://127.0.0.1:$introspect/introspect
username_attribute = username
active_attribute = active
active_value = true
OAUTH
		oauth="passdb {
  driver = oauth2
  mechanisms = xoauth2
  args = $dir/oauth2.conf.ext
}"
	fi
	mkdir -p "$dir/run" "$dir/state" "$dir/mail/$user/new" "$dir/mail/$user/cur" "$dir/mail/$user/tmp"
	me=$(id -un)
	uid=$(id -u)
	if [ "$uid" = 0 ]; then
		# Dovecot will not hand a mailbox to root: the mail is the
		# dovecot user's, as on a real server.
		owner=dovecot
		chown -R dovecot:dovecot "$dir/mail"
		chmod 755 "$dir"
		internal=dovecot
		login=dovenull
	else
		owner=$me
		internal=$me
		login=$me
	fi
	printf '%s:{PLAIN}%s\n' "$user" "$pass" >"$dir/passwd"
	cat >"$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
instance_name = linkdesk-test-$port
log_path = $dir/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = $mechanisms
default_internal_user = $internal
default_internal_group = $(id -gn "$internal")
default_login_user = $login
first_valid_uid = 0
mail_location = maildir:$dir/mail/%u
namespace inbox {
  inbox = yes
  separator = /
  mailbox Handled {
    auto = create
  }
}
$oauth
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=$owner gid=$(id -gn "$owner") home=$dir/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
CONF
	dovecot -c "$dir/dovecot.conf"
	for _ in $(seq 1 100); do
		if /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
			exit 0
		fi
		sleep 0.1
	done
	cat "$dir/dovecot.log" >&2 || true
	exit 1
	;;
stop)
	dovecot -c "$dir/dovecot.conf" stop 2>/dev/null || true
	;;
esac
