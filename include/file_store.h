/*
 * Evidence files in PostgreSQL large objects.  No connection is held while
 * bytes move to or from a client: an upload is spooled to a local file
 * first and stored in one short transaction once whole (one cut off leaves
 * nothing behind); a download is copied out to a spool the same way.
 */
#ifndef FILE_STORE_H
#define FILE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"

struct store;

struct file_limits {
	int64_t file_max; /* bytes in one file */
	int64_t task_max; /* bytes a task's files hold, old versions too */
};

/*
 * Before an upload's body is read (nothing is held or locked): may this user
 * add evidence to the task (404 for another area's, 403 for a role that may
 * not, 409 once sent)?  replaces_id (0: none) is a current file of the same
 * task that the new one replaces.  *stored is what the task's files hold
 * already, for file_limits_check() while the body arrives.
 */
enum ld_err file_store_upload_check(struct store *s, const struct principal *p,
				    int64_t task_id, int64_t replaces_id,
				    int64_t *stored, struct why *why);

/* LD_ETOOLARGE (with why) when size bytes more break a limit. */
enum ld_err file_limits_check(const struct file_limits *limits, int64_t stored,
			      int64_t size, struct why *why);

/* A file received whole into a spool file, to be stored. */
struct file_new {
	int64_t task_id, replaces_id; /* replaces_id 0: none */
	const char *name, *content_type, *sha256_hex;
	int64_t size;
	bool resident_detail;
	const char *status; /* pending, available, quarantined, not_scanned */
	const char *scan_detail;
	int fd; /* the spool, read from offset 0 */
};

/*
 * Store a spooled file in one short transaction: lock the task (waiting at
 * most the lock timeout), check the rules and limits again, copy the bytes
 * into a large object, record the file, revise a submitted answer's version
 * and queue a notice when quarantined.  *json is the task as
 * task_detail_json shows it.
 */
enum ld_err file_store_add(struct store *s, const struct principal *p,
			   const struct file_new *f,
			   const struct file_limits *limits, char **json,
			   struct why *why);

/* Remove a file from its task's current set (as the user). */
enum ld_err file_store_remove(struct store *s, const struct principal *p,
			      int64_t file_id, char **json, struct why *why);

struct file_meta {
	int64_t id;
	int64_t size;
	char name[201];
	char content_type[120];
	char sha256[65];
};

/*
 * Copy a file this user may download into fd, in one short read-only
 * transaction, so that no connection is held while a client reads it: 404
 * when not visible (another area, or resident details not entitled), 409
 * when quarantined, pending or removed.  p NULL: the scheduler's own read
 * of any file with contents (to scan it).
 */
enum ld_err file_store_copy(struct store *s, const struct principal *p,
			    int64_t file_id, struct file_meta *meta, int fd,
			    struct why *why);

/*
 * Claim up to max files waiting for a scan (pending) for five minutes, so
 * another server takes others; those tried longest ago first.
 */
enum ld_err file_store_pending(struct store *s, int64_t *ids, int max, int *n);

/*
 * clamd could not scan this file (an error of the file's own): try it
 * again later, later each time, and after ten tries leave it pending.
 */
enum ld_err file_store_scan_failed(struct store *s, int64_t file_id,
				   const char *detail);

/*
 * Record a pending file's scan: available, or quarantined with the
 * signature (the uploader and link officers are told).
 */
enum ld_err file_store_scanned(struct store *s, int64_t file_id, bool infected,
			       const char *signature);

/*
 * The validated evidence of a task, for a bundle: its version's files (each
 * copied in turn with file_store_copy by id), who approved when, and
 * held_back: the ids of files holding resident details that this reader
 * may not have, as JSON.  409 until the task is validated.
 */
enum ld_err file_store_bundle_manifest(struct store *s,
				       const struct principal *p,
				       int64_t task_id, char **json,
				       struct why *why);

/*
 * Retention: files of cases closed more than days ago that still have
 * contents.  With dry_run, list them (JSON); otherwise remove the contents,
 * keeping the metadata and hashes, and audit each.
 */
enum ld_err file_store_retention(struct store *s, int days, bool dry_run,
				 int32_t today, char **json, int *count);

#endif
