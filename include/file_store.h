/*
 * Evidence files in PostgreSQL large objects.  An upload holds one pooled
 * connection and one transaction from its first byte to its last, so an
 * upload that is cut off leaves nothing behind.  Reads stream the same way.
 */
#ifndef FILE_STORE_H
#define FILE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"

struct store;
struct file_upload;
struct file_reader;

struct file_limits {
	int64_t file_max; /* bytes in one file */
	int64_t task_max; /* bytes in a task's current files */
};

/*
 * Begin an upload to a task: check the user may add evidence to it (404 for
 * another area's, 403 for a role that may not, 409 once sent), open the
 * transaction and a large object.  replaces_id (0: none) is a current file
 * of the same task that the new one replaces.
 */
enum ld_err file_store_upload_begin(struct store *s, const struct principal *p,
				    int64_t task_id, int64_t replaces_id,
				    const struct file_limits *limits,
				    struct file_upload **out, struct why *why);

/* Append bytes; LD_ETOOLARGE (with why) past a limit. */
enum ld_err file_upload_write(struct file_upload *u, const void *data,
			      size_t len, struct why *why);

/* Bytes written so far. */
int64_t file_upload_size(const struct file_upload *u);

/*
 * Record the file (status: pending, available, quarantined or
 * not_scanned), revise a submitted answer's version, queue a notice when
 * quarantined, and commit.  *json is the task as task_detail_json shows it.
 * The upload is freed whatever the outcome.
 */
enum ld_err file_upload_finish(struct file_upload *u, const char *name,
			       const char *content_type, const char *sha256_hex,
			       bool resident_detail, const char *status,
			       const char *scan_detail, const char *base_url,
			       char **json, struct why *why);

/* Roll back and free; NULL is a no-op. */
void file_upload_abort(struct file_upload *u);

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
 * Open a file to read if this user may download it: 404 when not visible
 * (another area, or resident details not entitled), 409 when quarantined,
 * pending or removed.
 */
enum ld_err file_store_open(struct store *s, const struct principal *p,
			    int64_t file_id, struct file_meta *meta,
			    struct file_reader **out, struct why *why);

/* Read up to len bytes; 0 at the end, -1 on error. */
long file_reader_read(struct file_reader *r, void *buf, size_t len);
void file_reader_close(struct file_reader *r);

/*
 * The validated evidence of a task, for a bundle: its version's files (each
 * opened in turn with file_store_open by id) and who approved when, as
 * JSON.  409 until the task is validated.
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
