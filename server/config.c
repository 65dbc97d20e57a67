#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "xalloc.h"

enum config_type { CONFIG_STRING, CONFIG_LONG };

struct config_def {
	const char *name;
	enum config_type type;
	const char *def;
	long min;
	long max;
	size_t offset;
	const char *help;
};

/*
 * The embedded cluster of `make run` listens on 127.0.0.1:55432 with a
 * `linkdesk` role; left unset, everything points there.
 */
static const struct config_def config_defs[] = {
	{"LINKDESK_DATABASE_URL", CONFIG_STRING,
	 "host=127.0.0.1 port=55432 dbname=linkdesk user=linkdesk", 0, 0,
	 offsetof(struct config, database_url),
	 "libpq connection string or URI of the application database"},
	{"LINKDESK_LISTEN", CONFIG_STRING, "127.0.0.1:8080", 0, 0,
	 offsetof(struct config, listen), "address:port the server listens on"},
	{"LINKDESK_BASE_URL", CONFIG_STRING, "http://localhost:8080", 0, 0,
	 offsetof(struct config, base_url),
	 "public address of the dashboard, used in emails and feeds"},
	{"LINKDESK_HOLIDAY_DIVISION", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, division),
	 "bank-holiday division (england-and-wales, scotland, "
	 "northern-ireland): `linkdesk migrate` makes it the database's, "
	 "which every reader then uses; empty keeps the database's"},
	{"LINKDESK_THREADS", CONFIG_LONG, "4", 1, 256,
	 offsetof(struct config, threads), "HTTP worker threads"},
	{"LINKDESK_DB_POOL", CONFIG_LONG, "8", 1, 512,
	 offsetof(struct config, db_pool), "PostgreSQL connections at most"},
	{"LINKDESK_MAX_BODY", CONFIG_LONG, "1048576", 1024, 1073741824,
	 offsetof(struct config, max_body),
	 "largest JSON request body in bytes (413 beyond)"},
	{"LINKDESK_CONN_TIMEOUT", CONFIG_LONG, "30", 1, 3600,
	 offsetof(struct config, conn_timeout),
	 "seconds an idle or slow connection is kept"},
	{"LINKDESK_PER_IP_CONNECTIONS", CONFIG_LONG, "256", 1, 100000,
	 offsetof(struct config, per_ip_connections),
	 "connections at once from one address"},
	{"LINKDESK_CONN_MEMORY", CONFIG_LONG, "65536", 8192, 16777216,
	 offsetof(struct config, conn_memory),
	 "bytes per connection for headers (431 beyond)"},
	{"LINKDESK_MAX_CONNECTIONS", CONFIG_LONG, "1024", 1, 100000,
	 offsetof(struct config, max_connections),
	 "connections at once in all"},
	{"LINKDESK_SESSION_IDLE", CONFIG_LONG, "1800", 60, 86400,
	 offsetof(struct config, session_idle),
	 "seconds of inactivity that end a session"},
	{"LINKDESK_SESSION_MAX", CONFIG_LONG, "43200", 300, 604800,
	 offsetof(struct config, session_max),
	 "seconds after sign-in that end a session however active"},
	{"LINKDESK_PASSWORD_HASH", CONFIG_STRING, "moderate", 0, 0,
	 offsetof(struct config, password_hash),
	 "Argon2id limits for new password hashes: moderate, or interactive "
	 "(tests only)"},
	{"LINKDESK_TODAY", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, today),
	 "a fixed date for today (tests and demos only; empty: the clock)"},
	{"LINKDESK_CLAMD", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, clamd),
	 "clamd's socket path or host:port for virus scanning (empty: files "
	 "are marked not scanned)"},
	{"LINKDESK_FILE_MAX", CONFIG_LONG, "20971520", 1024, 1073741824,
	 offsetof(struct config, file_max),
	 "largest evidence file in bytes (the HOS portal's 20 MB)"},
	{"LINKDESK_TASK_FILES_MAX", CONFIG_LONG, "209715200", 1024, 10737418240,
	 offsetof(struct config, task_files_max),
	 "most bytes a task's evidence files may hold, removed and replaced "
	 "versions included"},
	{"LINKDESK_RETENTION_DAYS", CONFIG_LONG, "2190", 0, 36500,
	 offsetof(struct config, retention_days),
	 "days after a case closes that its files' contents are kept"},
	{"LINKDESK_SMTP_URL", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, smtp_url),
	 "smtp://host:port (or smtps://) of the mail server; empty: messages "
	 "are written as .eml files to LINKDESK_MAIL_DIR"},
	{"LINKDESK_SMTP_FROM", CONFIG_STRING, "linkdesk@localhost", 0, 0,
	 offsetof(struct config, smtp_from), "the sender address"},
	{"LINKDESK_SMTP_USER", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, smtp_user), "SMTP user name (empty: none)"},
	{"LINKDESK_SMTP_PASSWORD", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, smtp_password), "SMTP password"},
	{"LINKDESK_SMTP_TLS", CONFIG_STRING, "try", 0, 0,
	 offsetof(struct config, smtp_tls), "STARTTLS: try, require or off"},
	{"LINKDESK_SMTP_TIMEOUT", CONFIG_LONG, "60", 1, 3600,
	 offsetof(struct config, smtp_timeout),
	 "seconds one message may take; then it is retried later"},
	{"LINKDESK_MAIL_DIR", CONFIG_STRING, "var/mail", 0, 0,
	 offsetof(struct config, mail_dir),
	 "where messages go as .eml files when no SMTP server is set"},
	{"LINKDESK_MAIL_ATTEMPTS", CONFIG_LONG, "8", 1, 100,
	 offsetof(struct config, mail_attempts),
	 "tries before a message is marked failed"},
	{"LINKDESK_MAIL_RETRY_SECONDS", CONFIG_LONG, "60", 1, 3600,
	 offsetof(struct config, mail_retry),
	 "first wait before a retry; doubles each time, at most an hour"},
	{"LINKDESK_REMINDER_DAYS", CONFIG_LONG, "3", 1, 60,
	 offsetof(struct config, reminder_days),
	 "days between reminders of an open task"},
	{"LINKDESK_REMINDER_WORKING_DAYS", CONFIG_LONG, "0", 0, 1,
	 offsetof(struct config, reminder_working_days),
	 "1: count reminder days as working days; 0: calendar days"},
	{"LINKDESK_REMINDER_HOUR", CONFIG_LONG, "8", 0, 23,
	 offsetof(struct config, reminder_hour),
	 "hour of the day (Europe/London) reminders and digests go from"},
	{"LINKDESK_NEARLY_OVERDUE_DAYS", CONFIG_LONG, "3", 0, 60,
	 offsetof(struct config, nearly_overdue_days),
	 "working days ahead that count as nearly overdue"},
	{"LINKDESK_SCHEDULER_SECONDS", CONFIG_LONG, "30", 1, 3600,
	 offsetof(struct config, scheduler_seconds),
	 "seconds between the scheduler's rounds"},
	{"LINKDESK_SCHEDULER", CONFIG_LONG, "1", 0, 1,
	 offsetof(struct config, scheduler),
	 "1: serve runs the scheduler (reminders, digests, mail); 0: cron "
	 "runs linkdesk remind --once"},
	{"LINKDESK_OWNER_DATABASE_URL", CONFIG_STRING,
	 "host=127.0.0.1 port=55432 dbname=linkdesk user=linkdesk_owner", 0, 0,
	 offsetof(struct config, owner_database_url),
	 "connection of the role that owns the schema: linkdesk migrate uses "
	 "it; the server runs as LINKDESK_DATABASE_URL's role"},
	{"LINKDESK_STATEMENT_TIMEOUT", CONFIG_LONG, "30000", 100, 3600000,
	 offsetof(struct config, statement_timeout),
	 "milliseconds one statement may run on the server's connections "
	 "(503 beyond)"},
	{"LINKDESK_LOCK_TIMEOUT", CONFIG_LONG, "5000", 10, 600000,
	 offsetof(struct config, lock_timeout),
	 "milliseconds a statement waits for a row lock (503 beyond)"},
	{"LINKDESK_HASH_THREADS", CONFIG_LONG, "2", 1, 64,
	 offsetof(struct config, hash_threads),
	 "threads for password hashing (each Argon2id takes 256 MiB)"},
	{"LINKDESK_HASH_QUEUE", CONFIG_LONG, "16", 1, 10000,
	 offsetof(struct config, hash_queue),
	 "sign-ins waiting for a hashing thread (503 with Retry-After "
	 "beyond)"},
	{"LINKDESK_WORK_THREADS", CONFIG_LONG, "2", 1, 64,
	 offsetof(struct config, work_threads),
	 "threads for slow work off the HTTP threads: scanning and storing "
	 "uploads, spooling downloads and bundles"},
	{"LINKDESK_WORK_QUEUE", CONFIG_LONG, "64", 1, 10000,
	 offsetof(struct config, work_queue),
	 "slow jobs waiting for a thread (503 with Retry-After beyond)"},
	{"LINKDESK_BUNDLE_THREADS", CONFIG_LONG, "1", 1, 16,
	 offsetof(struct config, bundle_threads),
	 "threads that make evidence bundles (ZIPs of a task's files), apart "
	 "from other slow work so that bundles cannot crowd out uploads"},
	{"LINKDESK_BUNDLE_QUEUE", CONFIG_LONG, "8", 1, 1000,
	 offsetof(struct config, bundle_queue),
	 "bundles waiting for a thread (503 with Retry-After beyond)"},
	{"LINKDESK_HEAD_TIMEOUT", CONFIG_LONG, "15", 1, 3600,
	 offsetof(struct config, head_timeout),
	 "seconds a client has to send a whole request head, however it "
	 "trickles"},
	{"LINKDESK_SPOOL_DIR", CONFIG_STRING, "/var/tmp", 0, 0,
	 offsetof(struct config, spool_dir),
	 "where uploads and downloads are spooled (unlinked temporary "
	 "files)"},
	{"LINKDESK_REQUIRE_SCAN", CONFIG_LONG, "0", 0, 1,
	 offsetof(struct config, require_scan),
	 "1: files not scanned clean cannot be validated or sent"},
	{"LINKDESK_TRUSTED_PROXIES", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, trusted_proxies),
	 "comma-separated addresses of reverse proxies whose "
	 "X-Forwarded-For is believed (empty: none)"},
	{"LINKDESK_MAIL_ORGANIZER", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, mail_organizer),
	 "\"Name <address>\" of a mailbox people read: the ORGANIZER of "
	 "invites and the Reply-To of every message (empty: Linkdesk at "
	 "LINKDESK_SMTP_FROM, no Reply-To)"},
	{"LINKDESK_NOW", CONFIG_STRING, "", 0, 0, offsetof(struct config, now),
	 "a fixed time (RFC 3339) for the scheduler's clock: whether "
	 "reminders are due yet (tests only; empty: the clock)"},
	{"LINKDESK_LATE_RISK_PERCENT", CONFIG_LONG, "50", 1, 100,
	 offsetof(struct config, late_risk_percent),
	 "an open task forecast at least this likely (percent) to be late "
	 "is listed as likely to be late"},
	{"LINKDESK_OIDC_ISSUER", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, oidc_issuer),
	 "OpenID Connect issuer (https://login.microsoftonline.com/TENANT/v2.0"
	 " for Entra ID); empty: no single sign-on"},
	{"LINKDESK_OIDC_CLIENT_ID", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, oidc_client_id),
	 "the client (application) id registered at the provider"},
	{"LINKDESK_OIDC_CLIENT_SECRET", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, oidc_client_secret),
	 "the client secret, from the environment (or use the _FILE setting)"},
	{"LINKDESK_OIDC_CLIENT_SECRET_FILE", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, oidc_client_secret_file),
	 "a file whose first line is the client secret (read at each sign-in)"},
	{"LINKDESK_OIDC_SCOPES", CONFIG_STRING, "openid email profile", 0, 0,
	 offsetof(struct config, oidc_scopes), "scopes asked of the provider"},
	{"LINKDESK_OIDC_EMAIL_CLAIM", CONFIG_STRING, "email", 0, 0,
	 offsetof(struct config, oidc_email_claim),
	 "the ID token claim holding the email that matches a Linkdesk user "
	 "(preferred_username or upn for Entra ID)"},
	{"LINKDESK_OIDC_GROUPS_CLAIM", CONFIG_STRING, "groups", 0, 0,
	 offsetof(struct config, oidc_groups_claim),
	 "the ID token claim listing the user's groups (or app roles: roles)"},
	{"LINKDESK_OIDC_GROUP_ROLES", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, oidc_group_roles),
	 "group=role[:area or validator title];... : roles set from the "
	 "groups at each sign-in (empty: roles are Linkdesk's own)"},
	{"LINKDESK_OIDC_CREATE_USERS", CONFIG_LONG, "0", 0, 1,
	 offsetof(struct config, oidc_create_users),
	 "1: create a user at first sign-in when their groups give a role"},
	{"LINKDESK_OIDC_CLOCK_SKEW", CONFIG_LONG, "120", 0, 600,
	 offsetof(struct config, oidc_clock_skew),
	 "seconds of clock difference allowed in an ID token's exp and iat"},
	{"LINKDESK_PASSWORD_ADMINS_ONLY", CONFIG_LONG, "0", 0, 1,
	 offsetof(struct config, password_admins_only),
	 "1: only administrators sign in with a password (everyone else by "
	 "single sign-on)"},
	{"LINKDESK_IMAP_URL", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, imap_url),
	 "the shared Ombudsman mailbox the scheduler reads (imaps://host or "
	 "imap://host:port); empty: no polling, only imports"},
	{"LINKDESK_IMAP_USER", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, imap_user), "the mailbox's user name"},
	{"LINKDESK_IMAP_PASSWORD", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, imap_password),
	 "the mailbox's password (or use a _FILE setting)"},
	{"LINKDESK_IMAP_PASSWORD_FILE", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, imap_password_file),
	 "a file whose first line is the password (read at each poll)"},
	{"LINKDESK_IMAP_BEARER_FILE", CONFIG_STRING, "", 0, 0,
	 offsetof(struct config, imap_bearer_file),
	 "a file whose first line is an OAuth2 access token, sent with "
	 "XOAUTH2 instead of a password (Exchange Online, Gmail); read at "
	 "each poll, so whatever renews it just rewrites the file"},
	{"LINKDESK_IMAP_FOLDER", CONFIG_STRING, "INBOX", 0, 0,
	 offsetof(struct config, imap_folder), "the folder read"},
	{"LINKDESK_IMAP_HANDLED_FOLDER", CONFIG_STRING, "Linkdesk", 0, 0,
	 offsetof(struct config, imap_handled_folder),
	 "the folder a message is moved to once taken in (it must exist)"},
	{"LINKDESK_IMAP_TIMEOUT", CONFIG_LONG, "60", 1, 3600,
	 offsetof(struct config, imap_timeout),
	 "seconds one IMAP exchange may take"},
	{"LINKDESK_IMAP_BATCH", CONFIG_LONG, "20", 1, 1000,
	 offsetof(struct config, imap_batch),
	 "messages taken in at most per scheduler round"},
	{"LINKDESK_EVIDENCE_MAIL_MAX", CONFIG_LONG, "10485760", 1024,
	 1073741824, offsetof(struct config, evidence_mail_max),
	 "bytes of files one email of evidence to the Ombudsman may carry "
	 "(beyond, emailing is refused with the reason)"},
	{"LINKDESK_WEB_DIR", CONFIG_STRING, "web", 0, 0,
	 offsetof(struct config, web_dir),
	 "the dashboard's files: static/ and vendor/assets/ (make web)"},
};

#define NCONFIG (sizeof(config_defs) / sizeof(config_defs[0]))

enum ld_err config_load(struct config *cfg, char *why, size_t whylen)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NCONFIG; i++) {
		const struct config_def *d = &config_defs[i];
		const char *v = getenv(d->name);
		char *target = (char *)cfg + d->offset;

		if (!v || !*v)
			v = d->def;
		if (d->type == CONFIG_STRING) {
			*(char **)target = xstrdup(v);
			continue;
		}
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (errno || end == v || *end || n < d->min || n > d->max) {
			snprintf(
				why, whylen,
				"invalid %s \"%s\": a whole number from %ld to "
				"%ld is needed",
				d->name, v, d->min, d->max);
			config_release(cfg);
			return LD_EINVAL;
		}
		*(long *)target = n;
	}
	if (strcmp(cfg->smtp_tls, "try") && strcmp(cfg->smtp_tls, "require") &&
	    strcmp(cfg->smtp_tls, "off")) {
		snprintf(
			why, whylen,
			"invalid LINKDESK_SMTP_TLS \"%s\": try, require or off",
			cfg->smtp_tls);
		config_release(cfg);
		return LD_EINVAL;
	}
	int32_t day;
	if (cfg->today[0] && date_parse(cfg->today, &day)) {
		snprintf(why, whylen, "LINKDESK_TODAY must be YYYY-MM-DD");
		config_release(cfg);
		return LD_EINVAL;
	}
	if (strcmp(cfg->password_hash, "moderate") &&
	    strcmp(cfg->password_hash, "interactive")) {
		snprintf(why, whylen,
			 "invalid LINKDESK_PASSWORD_HASH \"%s\": moderate or "
			 "interactive",
			 cfg->password_hash);
		config_release(cfg);
		return LD_EINVAL;
	}
	return LD_OK;
}

int32_t config_today(const struct config *cfg)
{
	int32_t day;
	if (cfg->today[0] && date_parse(cfg->today, &day) == LD_OK)
		return day;
	return date_from_unix_london((int64_t)time(NULL));
}

void config_release(struct config *cfg)
{
	for (size_t i = 0; i < NCONFIG; i++) {
		if (config_defs[i].type != CONFIG_STRING)
			continue;
		char **p = (char **)((char *)cfg + config_defs[i].offset);
		free(*p);
		*p = NULL;
	}
}

void config_print_help(FILE *out)
{
	fprintf(out, "Settings (environment variables):\n");
	for (size_t i = 0; i < NCONFIG; i++)
		fprintf(out, "  %-28s %s\n  %-28s default: %s\n",
			config_defs[i].name, config_defs[i].help, "",
			config_defs[i].def);
}
