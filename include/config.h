/*
 * Every setting of the server, read once from the environment at start-up.
 * The table in server/config.c is the one place each is declared, with its
 * default, bounds and description; `linkdesk serve --help` prints it.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "ld_err.h"

struct config {
	char *database_url;
	char *listen; /* "address:port" */
	char *base_url;
	char *division;
	long threads;
	long db_pool;
	long max_body;
	long conn_timeout;
	long per_ip_connections;
	long conn_memory;
	long max_connections;
	long session_idle;
	long session_max;
	char *password_hash; /* "moderate" or "interactive" */
	char *today;	     /* "" or a fixed YYYY-MM-DD */
	char *now;	     /* "" or a fixed RFC 3339 time (tests) */
	char *clamd;	     /* "" or clamd's socket path or host:port */
	long file_max;
	long task_files_max;
	long retention_days;
	char *smtp_url; /* "" : write .eml files to mail_dir instead */
	char *smtp_from;
	char *mail_organizer; /* "Name <address>" or "" */
	char *smtp_user;
	char *smtp_password;
	char *smtp_tls; /* try, require, off */
	long smtp_timeout;
	char *mail_dir;
	long mail_attempts;
	long mail_retry;
	long reminder_days;
	long reminder_working_days;
	long reminder_hour;
	long nearly_overdue_days;
	long scheduler_seconds;
	long scheduler;
	char *web_dir;
	char *owner_database_url;
	long statement_timeout; /* ms */
	long lock_timeout;	/* ms */
	long hash_threads;
	long hash_queue;
	long work_threads;
	long work_queue;
	long bundle_threads;
	long bundle_queue;
	long head_timeout; /* seconds */
	char *spool_dir;
	long require_scan;
	char *trusted_proxies; /* "" or "addr,addr" */
	long late_risk_percent;
	char *oidc_issuer; /* "": no single sign-on */
	char *oidc_client_id;
	char *oidc_client_secret; /* sensitive: never printed or logged */
	char *oidc_client_secret_file;
	char *oidc_scopes;
	char *oidc_email_claim;
	char *oidc_groups_claim;
	char *oidc_group_roles; /* "group=role[:qualifier];..." */
	long oidc_create_users;
	long oidc_clock_skew; /* seconds */
	long password_admins_only;
	char *imap_url; /* "": no polling */
	char *imap_user;
	char *imap_password; /* sensitive: never printed or logged */
	char *imap_password_file;
	char *imap_bearer_file;
	char *imap_folder;
	char *imap_handled_folder;
	long imap_timeout; /* seconds */
	long imap_batch;
	long evidence_mail_max; /* bytes */
};

/*
 * Fill cfg from the environment (getenv), applying defaults.  On a bad value
 * returns LD_EINVAL and writes a one-line reason into why.
 */
enum ld_err config_load(struct config *cfg, char *why, size_t whylen);
void config_release(struct config *cfg);

/*
 * Today in Europe/London, or LINKDESK_TODAY's day when it is set (tests and
 * demos only; config_load() has refused a malformed one).  The one clock
 * the server, the scheduler, the command line and the demo read.
 */
int32_t config_today(const struct config *cfg);

/* Print every setting with its default and description. */
void config_print_help(FILE *out);

#endif
