/*
 * The outbox and what fills it on a schedule: delivery claims, reminders,
 * the overdue digest, calendar feeds.  Claims are made in the database
 * (FOR UPDATE SKIP LOCKED and unique keys), never in memory, so several
 * servers can share the work and each message goes once.
 */
#ifndef MAIL_STORE_H
#define MAIL_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"
#include "secret.h"

struct store;

struct outbox_msg {
	int64_t id;
	int64_t task_id; /* 0: none */
	int attempts;
	char *recipient;
	char *subject;
	char *body;
	char *invite; /* JSON text or NULL */
};

/*
 * Claim up to limit queued messages that are due, leasing each until
 * now + retry * 2^attempts seconds (capped at an hour): a message whose
 * sender dies is tried again after its lease, with the same Message-ID.
 */
enum ld_err outbox_store_claim(struct store *s, int limit, long retry,
			       struct outbox_msg **out, int *n);
void outbox_msgs_free(struct outbox_msg *msgs, int n);

enum ld_err outbox_store_sent(struct store *s, int64_t id);

/* Record a failed try; after max_attempts the message is failed for good. */
enum ld_err outbox_store_failed(struct store *s, int64_t id, const char *why,
				int max_attempts);

/* An administrator sends a failed message again. */
enum ld_err outbox_store_retry(struct store *s, const struct principal *p,
			       int64_t id);

/* The distinct days open tasks were set on (for reminder slots). */
enum ld_err remind_store_set_days(struct store *s, int32_t **days, int *n);

/*
 * Queue one reminder per task for its latest slot: slots_json maps each
 * set_on day to the slot day due by today ([{"set_on", "slot"}]).  Marks
 * overdue tasks.  *queued counts reminders queued now.
 */
enum ld_err remind_store_sweep(struct store *s, int32_t today,
			       const char *slots_json, const char *base_url,
			       int *queued);

/*
 * The overdue and nearly-overdue digest for today: every service area on
 * Mondays, daily areas on other days, and the link officers' digest of
 * everything.  Each (area, day) goes once.
 */
enum ld_err remind_store_digest(struct store *s, int32_t today, int32_t horizon,
				bool monday, const char *base_url, int *queued);

/* Feeds ----------------------------------------------------------------- */

enum ld_err feed_store_create(struct store *s, const struct principal *p,
			      const char *scope, int64_t area_id,
			      const unsigned char hash[SECRET_HASH_LEN],
			      char **json, struct why *why);
enum ld_err feed_store_list(struct store *s, const struct principal *p,
			    char **json);
enum ld_err feed_store_revoke(struct store *s, const struct principal *p,
			      int64_t id);

struct feed_task {
	int64_t id;
	int32_t due;
	int64_t stamp; /* last change, Unix seconds */
	int version;
	char title[301];
	char case_ref[64];
};

/*
 * The open tasks a feed shows, nearest first; LD_ENOTFOUND for an unknown
 * or revoked token, or an owner no longer entitled to it.  free() *tasks.
 */
enum ld_err feed_store_tasks(struct store *s,
			     const unsigned char hash[SECRET_HASH_LEN],
			     struct feed_task **tasks, int *n, char *name,
			     size_t namelen);

#endif
