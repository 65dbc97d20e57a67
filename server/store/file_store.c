#include "file_store.h"

#include <libpq/libpq-fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case_store_int.h"
#include "spool.h"
#include "log.h"
#include "workflow.h"
#include "xalloc.h"

/*
 * The rules for adding a file to a task, read (and with lock, locked) in
 * the caller's transaction: visible to the user, a role that may add
 * evidence, a task still open to evidence, a current file to replace.
 * *stored is every byte the task's files hold in the database, removed and
 * replaced versions included, since their contents are kept.
 */
#define UPLOAD_RULES                                                           \
	"SELECT t.case_id, t.service_area_id, t.status,"                       \
	" (SELECT coalesce(sum(size), 0) FROM evidence_file f"                 \
	"  WHERE f.task_id = t.id AND f.content IS NOT NULL),"                 \
	" $2::bigint IS NULL OR EXISTS (SELECT 1 FROM evidence_file f"         \
	"  WHERE f.id = $2 AND f.task_id = t.id AND f.replaced_at IS NULL),"   \
	" task_visible($3, t.service_area_id)"                                 \
	" FROM task t WHERE t.id = $1"

static enum ld_err upload_rules(struct db *db, const struct principal *p,
				int64_t task_id, int64_t replaces_id, bool lock,
				int64_t *case_id, int64_t *stored,
				struct why *why)
{
	struct db_num t, r, scope;
	PGresult *res = NULL;
	const char *params[] = {db_num(&t, task_id),
				replaces_id ? db_num(&r, replaces_id) : NULL,
				area_scope(p, &scope)};
	/*
	 * Locked first, then read: a statement that waits for the lock keeps
	 * the snapshot it began with, so a sum taken in it would miss the
	 * files that concurrent uploads stored meanwhile, and the cap with
	 * them.
	 */
	enum ld_err err =
		lock ? db_exec(db, "upload_task_lock",
			       "SELECT 1 FROM task WHERE id = $1 FOR UPDATE", 1,
			       params, NULL)
		     : LD_OK;
	if (!err)
		err = db_exec(db, "upload_task", UPLOAD_RULES, 3, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		err = LD_ENOTFOUND;
		goto out;
	}
	*case_id = db_long(res, 0, 0);
	int64_t area = db_long(res, 0, 1);
	const char *status = PQgetvalue(res, 0, 2);
	*stored = db_long(res, 0, 3);
	if (PQgetvalue(res, 0, 5)[0] != 't') {
		err = LD_ENOTFOUND;
		goto out;
	}
	if (!principal_may_add_evidence(p, area)) {
		why_set(why, NULL, "your role cannot add evidence");
		err = LD_EFORBIDDEN;
		goto out;
	}
	int st = workflow_lookup(task_status_names, status);
	if (st < 0 || !workflow_task_evidence_open((enum task_status)st)) {
		why_set(why, NULL, "evidence cannot change once the task is %s",
			status);
		err = LD_ECONFLICT;
		goto out;
	}
	if (PQgetvalue(res, 0, 4)[0] != 't') {
		why_set(why, "replaces", "not a current file of this task");
		err = LD_EVALIDATION;
	}
out:
	PQclear(res);
	return err;
}

enum ld_err file_limits_check(const struct file_limits *limits, int64_t stored,
			      int64_t size, struct why *why)
{
	if (size > limits->file_max) {
		why_set(why, "file", "a file may be at most %lld MB",
			(long long)(limits->file_max >> 20));
		return LD_ETOOLARGE;
	}
	if (stored + size > limits->task_max) {
		why_set(why, "file",
			"a task's files may be at most %lld MB in all, removed "
			"and replaced versions included (%lld MB stored)",
			(long long)(limits->task_max >> 20),
			(long long)(stored >> 20));
		return LD_ETOOLARGE;
	}
	return LD_OK;
}

struct check_ctx {
	const struct principal *p;
	int64_t task_id, replaces_id, *stored;
	struct why *why;
};

static enum ld_err upload_check(struct db *db, void *arg)
{
	struct check_ctx *c = arg;
	int64_t case_id;
	return upload_rules(db, c->p, c->task_id, c->replaces_id, false,
			    &case_id, c->stored, c->why);
}

enum ld_err file_store_upload_check(struct store *s, const struct principal *p,
				    int64_t task_id, int64_t replaces_id,
				    int64_t *stored, struct why *why)
{
	struct check_ctx c = {p, task_id, replaces_id, stored, why};
	return db_run(s, upload_check, &c);
}

/*
 * A large-object call failed: an outage when the connection went (the
 * unit may be tried again), else the database's own error, logged.
 */
static enum ld_err lo_failed(struct db *db, const char *what)
{
	if (PQstatus(db->pg) != CONNECTION_OK) {
		db->lost = true;
		return LD_EUNAVAILABLE;
	}
	log_error("large object %s failed: %.*s", what,
		  (int)strcspn(PQerrorMessage(db->pg), "\n"),
		  PQerrorMessage(db->pg));
	return LD_EDB;
}

/* Copy the spooled file into a new large object; its oid in *oid. */
static enum ld_err spool_to_object(struct db *db, int fd, int64_t size,
				   unsigned int *oid)
{
	char chunk[256 * 1024];
	int64_t done = 0;
	int lo;

	*oid = lo_creat(db->pg, INV_READ | INV_WRITE);
	if (!*oid || (lo = lo_open(db->pg, *oid, INV_WRITE)) < 0)
		return lo_failed(db, "create");
	while (done < size) {
		ssize_t n = pread(fd, chunk, sizeof(chunk), (off_t)done);
		if (n <= 0)
			return LD_EIO;
		if (lo_write(db->pg, lo, chunk, (size_t)n) != (int)n)
			return lo_failed(db, "write");
		done += n;
	}
	return lo_close(db->pg, lo) ? lo_failed(db, "close") : LD_OK;
}

/*
 * Tell the uploader and the link officers, by file id, of a quarantine:
 * the facts, which the sender says in words from the
 * mail_file_quarantined templates (no file name: it may hold resident
 * details).
 */
static enum ld_err queue_quarantine_notice(struct db *db, int64_t file_id)
{
	struct db_num fid;
	const char *q[] = {db_num(&fid, file_id)};
	return db_exec(
		db, "file_quarantined",
		"INSERT INTO outbox (kind, recipient, user_id, case_id,"
		" task_id, facts)"
		" SELECT 'file_quarantined', u.email, u.id, f.case_id,"
		" f.task_id, jsonb_build_object('file_id', f.id, 'task_id',"
		" f.task_id, 'case_id', f.case_id, 'title', t.title,"
		" 'ombudsman', o.code, 'case_reference', c.reference)"
		" FROM evidence_file f JOIN task t ON t.id = f.task_id"
		" JOIN ombudsman_case c ON c.id = f.case_id"
		" JOIN ombudsman o ON o.id = c.ombudsman_id, app_user u"
		" WHERE f.id = $1::bigint AND u.active"
		" AND (u.id = f.uploaded_by OR u.id IN (SELECT user_id"
		"  FROM user_role WHERE role = 'link_officer'))",
		1, q, NULL);
}

struct add_ctx {
	const struct principal *p;
	const struct file_new *f;
	const struct file_limits *limits;
	char **json;
	struct why *why;
};

static enum ld_err add_file(struct db *db, void *arg)
{
	struct add_ctx *c = arg;
	const struct file_new *f = c->f;
	struct db_num t, cs, size, oidn, who, rep;
	int64_t case_id, stored;
	unsigned int oid = 0;
	PGresult *res = NULL;
	enum ld_err err = db_begin_as(db, c->p->user_id);

	/*
	 * The bytes go in first, before the task is locked, so uploads to
	 * one task wait for each other only as long as the checks take; a
	 * refusal rolls the large object back with the rest.
	 */
	if (err || (err = spool_to_object(db, f->fd, f->size, &oid)) ||
	    (err = upload_rules(db, c->p, f->task_id, f->replaces_id, true,
				&case_id, &stored, c->why)) ||
	    (err = file_limits_check(c->limits, stored, f->size, c->why)))
		goto out;
	const char *params[] = {db_num(&t, f->task_id),
				db_num(&cs, case_id),
				f->name,
				f->content_type,
				db_num(&size, f->size),
				f->sha256_hex,
				db_num(&oidn, oid),
				f->status,
				f->scan_detail,
				f->resident_detail ? "t" : "f",
				db_num(&who, c->p->user_id),
				f->replaces_id ? db_num(&rep, f->replaces_id)
					       : NULL};
	err = db_exec(
		db, "file_insert",
		"WITH old AS (UPDATE evidence_file SET replaced_at = now()"
		"  WHERE id = $12::bigint),"
		" f AS (INSERT INTO evidence_file (task_id, case_id, name,"
		"  content_type, size, sha256, content, status, scan_detail,"
		"  resident_detail, uploaded_by, replaces_id)"
		"  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
		"  $12) RETURNING id)"
		" SELECT id FROM f",
		12, params, &res);
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	int64_t file_id = db_long(res, 0, 0);
	const char *revise[] = {params[0], params[10]};
	if ((err = db_exec(db, "evidence_revise",
			   "SELECT evidence_revise($1, $2)", 2, revise, NULL)))
		goto out;
	if (!strcmp(f->status, "quarantined") &&
	    (err = queue_quarantine_notice(db, file_id)))
		goto out;
	err = task_read(db, c->p, f->task_id, c->json);
out:
	PQclear(res);
	return finish(db, err);
}

enum ld_err file_store_add(struct store *s, const struct principal *p,
			   const struct file_new *f,
			   const struct file_limits *limits, char **json,
			   struct why *why)
{
	struct add_ctx c = {p, f, limits, json, why};
	return db_run(s, add_file, &c);
}

struct remove_ctx {
	const struct principal *p;
	int64_t id;
	char **json;
	struct why *why;
};

static enum ld_err remove_file(struct db *db, void *arg)
{
	struct remove_ctx *c = arg;
	struct db_num f, who, scope;
	PGresult *res = NULL;
	const char *params[] = {db_num(&f, c->id), area_scope(c->p, &scope)};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;
	err = db_exec(
		db, "file_lock",
		"SELECT t.id, t.service_area_id, t.status FROM evidence_file"
		" f JOIN task t ON t.id = f.task_id WHERE f.id = $1"
		" AND f.replaced_at IS NULL"
		" AND task_visible($2, t.service_area_id) FOR UPDATE OF t",
		2, params, &res);
	if (err)
		goto out;
	if (PQntuples(res) == 0) {
		err = LD_ENOTFOUND;
		goto out;
	}
	if (!principal_may_add_evidence(c->p, db_long(res, 0, 1))) {
		why_set(c->why, NULL, "your role cannot change evidence");
		err = LD_EFORBIDDEN;
		goto out;
	}
	const char *status = PQgetvalue(res, 0, 2);
	int st = workflow_lookup(task_status_names, status);
	if (st < 0 || !workflow_task_evidence_open((enum task_status)st)) {
		why_set(c->why, NULL,
			"evidence cannot change once the task is %s", status);
		err = LD_ECONFLICT;
		goto out;
	}
	struct db_num t;
	const char *tp[] = {db_num(&t, db_long(res, 0, 0)),
			    db_num(&who, c->p->user_id)};
	if ((err = db_exec(db, "file_remove",
			   "UPDATE evidence_file SET replaced_at = now()"
			   " WHERE id = $1",
			   1, params, NULL)) ||
	    (err = db_exec(db, "evidence_revise",
			   "SELECT evidence_revise($1, $2)", 2, tp, NULL)))
		goto out;
	err = task_read(db, c->p, db_long(res, 0, 0), c->json);
out:
	PQclear(res);
	return finish(db, err);
}

enum ld_err file_store_remove(struct store *s, const struct principal *p,
			      int64_t file_id, char **json, struct why *why)
{
	struct remove_ctx c = {p, file_id, json, why};
	return db_run(s, remove_file, &c);
}

/* A file's row as a download needs it; *oid 0 when not readable. */
static enum ld_err open_row(struct db *db, int64_t file_id,
			    const struct principal *p, struct file_meta *meta,
			    unsigned int *oid, struct why *why)
{
	struct db_num f, scope;
	PGresult *res = NULL;
	const char *params[] = {db_num(&f, file_id),
				p ? area_scope(p, &scope) : NULL};
	enum ld_err err = db_exec(
		db, "file_open",
		"SELECT f.name, f.content_type, f.size, f.sha256, f.status,"
		" f.content, f.resident_detail"
		" FROM evidence_file f JOIN task t ON t.id = f.task_id"
		" WHERE f.id = $1 AND task_visible($2, t.service_area_id)",
		2, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0 || (p && PQgetvalue(res, 0, 6)[0] == 't' &&
				    !principal_sees_residents(p))) {
		err = LD_ENOTFOUND;
		goto out;
	}
	const char *status = PQgetvalue(res, 0, 4);
	if (p && !workflow_file_downloadable(status)) {
		why_set(why, NULL, "the file is %s: it cannot be downloaded",
			status);
		err = LD_ECONFLICT;
		goto out;
	}
	if (PQgetisnull(res, 0, 5)) {
		why_set(why, NULL, "the file's contents were removed");
		err = LD_ECONFLICT;
		goto out;
	}
	meta->id = file_id;
	snprintf(meta->name, sizeof(meta->name), "%s", PQgetvalue(res, 0, 0));
	snprintf(meta->content_type, sizeof(meta->content_type), "%s",
		 PQgetvalue(res, 0, 1));
	meta->size = db_long(res, 0, 2);
	snprintf(meta->sha256, sizeof(meta->sha256), "%s",
		 PQgetvalue(res, 0, 3));
	*oid = (unsigned int)db_long(res, 0, 5);
out:
	PQclear(res);
	return err;
}

struct copy_ctx {
	const struct principal *p;
	int64_t file_id;
	struct file_meta *meta;
	int fd;
	struct why *why;
};

/* Read only, in a transaction of its own for the large object. */
static enum ld_err copy_file(struct db *db, void *arg)
{
	struct copy_ctx *c = arg;
	char chunk[256 * 1024];
	unsigned int oid;
	int64_t done = 0;
	int lo, n = 0;
	enum ld_err err = db_begin(db);

	if (err ||
	    (err = open_row(db, c->file_id, c->p, c->meta, &oid, c->why)))
		goto out;
	if ((lo = lo_open(db->pg, oid, INV_READ)) < 0) {
		err = lo_failed(db, "open");
		goto out;
	}
	while ((n = lo_read(db->pg, lo, chunk, sizeof(chunk))) > 0) {
		if (write(c->fd, chunk, (size_t)n) != n) {
			err = spool_failed();
			goto out;
		}
		done += n;
	}
	if (n < 0)
		err = lo_failed(db, "read");
	else if (done != c->meta->size)
		err = LD_EDB;
out:
	db_rollback(db); /* nothing to keep */
	return err;
}

enum ld_err file_store_copy(struct store *s, const struct principal *p,
			    int64_t file_id, struct file_meta *meta, int fd,
			    struct why *why)
{
	struct copy_ctx c = {p, file_id, meta, fd, why};
	return db_run(s, copy_file, &c);
}

/* Tries of one file before it is left pending for a person to look at. */
#define SCAN_TRIES_MAX "10"

struct pending_ctx {
	int64_t *ids;
	int max, *n;
};

/*
 * Claim pending files for a few minutes (SKIP LOCKED: two servers take
 * different ones), those not tried recently first.
 */
static enum ld_err pending(struct db *db, void *arg)
{
	struct pending_ctx *c = arg;
	struct db_num max;
	PGresult *res;
	const char *params[] = {db_num(&max, c->max)};
	enum ld_err err =
		db_exec(db, "files_pending",
			"UPDATE evidence_file SET scan_claimed_until = now() +"
			" interval '5 minutes' WHERE id IN (SELECT id FROM"
			" evidence_file WHERE status = 'pending' AND content "
			"IS NOT NULL"
			" AND scan_tries < " SCAN_TRIES_MAX
			" AND (scan_claimed_until IS NULL OR "
			"scan_claimed_until < now())"
			" ORDER BY scan_claimed_until NULLS FIRST, id LIMIT $1"
			" FOR UPDATE SKIP LOCKED) RETURNING id",
			1, params, &res);
	if (err)
		return err;
	*c->n = PQntuples(res);
	for (int i = 0; i < *c->n; i++)
		c->ids[i] = db_long(res, i, 0);
	PQclear(res);
	return LD_OK;
}

enum ld_err file_store_pending(struct store *s, int64_t *ids, int max, int *n)
{
	struct pending_ctx c = {ids, max, n};
	*n = 0;
	return db_run(s, pending, &c);
}

struct scan_failed_ctx {
	int64_t id;
	const char *detail;
};

static enum ld_err scan_failed(struct db *db, void *arg)
{
	struct scan_failed_ctx *c = arg;
	struct db_num id;
	const char *params[] = {db_num(&id, c->id), c->detail};
	return db_exec(db, "file_scan_failed",
		       "UPDATE evidence_file SET scan_tries = scan_tries + 1,"
		       " scan_claimed_until = now() + (scan_tries + 1) *"
		       " interval '10 minutes', scan_detail = $2"
		       " WHERE id = $1 AND status = 'pending'",
		       2, params, NULL);
}

enum ld_err file_store_scan_failed(struct store *s, int64_t file_id,
				   const char *detail)
{
	struct scan_failed_ctx c = {file_id, detail};
	return db_run(s, scan_failed, &c);
}

struct scanned_ctx {
	int64_t id;
	bool infected;
	const char *signature;
};

static enum ld_err scanned(struct db *db, void *arg)
{
	struct scanned_ctx *c = arg;
	struct db_num id;
	PGresult *res = NULL;
	const char *params[] = {db_num(&id, c->id),
				c->infected ? "quarantined" : "available",
				c->signature};
	enum ld_err err = db_begin(db);
	if (err || (err = db_exec(db, "file_scanned",
				  "UPDATE evidence_file SET status = $2,"
				  " scan_detail = $3 WHERE id = $1"
				  " AND status = 'pending'",
				  3, params, &res)))
		goto out;
	/* Another server may have recorded it first: tell once. */
	if (db_affected(res) && c->infected)
		err = queue_quarantine_notice(db, c->id);
out:
	PQclear(res);
	return finish(db, err);
}

enum ld_err file_store_scanned(struct store *s, int64_t file_id, bool infected,
			       const char *signature)
{
	struct scanned_ctx c = {file_id, infected, signature};
	return db_run(s, scanned, &c);
}

struct manifest_ctx {
	const struct principal *p;
	int64_t task_id;
	char **json;
	struct why *why;
};

static enum ld_err manifest(struct db *db, void *arg)
{
	struct manifest_ctx *c = arg;
	struct db_num t, scope;
	PGresult *res;
	const char *params[] = {db_num(&t, c->task_id),
				area_scope(c->p, &scope)};
	enum ld_err err = db_exec(
		db, "bundle_check",
		"SELECT t.status, (validation_json(t.id)->>'complete')::boolean"
		" FROM task t WHERE t.id = $1"
		" AND task_visible($2, t.service_area_id)",
		2, params, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	bool complete = PQgetvalue(res, 0, 1)[0] == 't';
	const char *status = PQgetvalue(res, 0, 0);
	bool ready = complete &&
		     (!strcmp(status, "validated") || !strcmp(status, "sent") ||
		      !strcmp(status, "done"));
	PQclear(res);
	if (!ready) {
		why_set(c->why, NULL,
			"a bundle is made only from evidence every "
			"validator has signed off");
		return LD_ECONFLICT;
	}
	const char *shown[] = {params[0], residents_param(c->p)};
	return db_json(
		db, "bundle_manifest",
		"WITH v AS (SELECT * FROM evidence_version WHERE task_id = $1"
		" ORDER BY number DESC LIMIT 1)"
		" SELECT json_build_object('task', json_build_object('id', "
		"t.id,"
		" 'title', t.title), 'case', json_build_object('reference',"
		" c.reference, 'ombudsman', o.code), 'version', v.number,"
		" 'answer', v.answer, 'files', files_shown(v.files, $2),"
		" 'portal_file_limit', o.portal_file_limit,"
		" 'held_back', (SELECT coalesce(json_agg(f.id), '[]')"
		"  FROM evidence_file f WHERE NOT $2 AND f.resident_detail"
		"  AND f.id IN (SELECT (e->>'id')::bigint"
		"  FROM jsonb_array_elements(v.files) e)),"
		" 'approvals', (SELECT json_agg(json_build_object('title',"
		"  vt.title, 'by', u.name, 'at', s.at, 'files',"
		"  files_shown(s.files, $2))"
		"  ORDER BY vt.position) FROM signoff s"
		"  JOIN validator_title vt ON vt.id = s.validator_title_id"
		"  JOIN app_user u ON u.id = s.user_id"
		"  WHERE s.evidence_version_id = v.id AND s.decision = "
		"'approved'))"
		" FROM v JOIN task t ON t.id = v.task_id"
		" JOIN ombudsman_case c ON c.id = t.case_id"
		" JOIN ombudsman o ON o.id = c.ombudsman_id",
		2, shown, c->json);
}

enum ld_err file_store_bundle_manifest(struct store *s,
				       const struct principal *p,
				       int64_t task_id, char **json,
				       struct why *why)
{
	struct manifest_ctx c = {p, task_id, json, why};
	return db_run(s, manifest, &c);
}

struct retention_ctx {
	int days;
	bool dry_run;
	int32_t today;
	char **json;
	int count;
};

static enum ld_err retention(struct db *db, void *arg)
{
	struct retention_ctx *c = arg;
	struct db_num days;
	struct db_date today;
	PGresult *res = NULL;
	const char *params[] = {db_num(&days, c->days),
				db_date(&today, c->today),
				c->dry_run ? "t" : "f"};
	enum ld_err err = db_begin(db);
	if (err)
		goto out;
	/*
	 * lo_unlink runs only when not a dry run; the row keeps its name, size
	 * and hash, and the audit trigger records the change.
	 */
	err = db_exec(
		db, "retention",
		"WITH due AS (SELECT f.id, f.content, f.name, f.size, f.sha256,"
		"  c.reference, c.closed_on FROM evidence_file f"
		"  JOIN ombudsman_case c ON c.id = f.case_id"
		"  WHERE c.stage = 'closed' AND f.content IS NOT NULL"
		"  AND c.closed_on < $2::date - $1::int FOR UPDATE OF f),"
		" gone AS (UPDATE evidence_file f SET content = NULL,"
		"  status = 'removed' FROM due WHERE f.id = due.id AND NOT $3"
		"  AND lo_unlink(due.content) = 1 RETURNING f.id)"
		" SELECT coalesce(json_agg(json_build_object('id', id, 'name',"
		" name, 'size', size, 'sha256', sha256, 'case', reference,"
		" 'closed_on', closed_on) ORDER BY id), '[]'), count(*),"
		" (SELECT count(*) FROM gone) FROM due",
		3, params, &res);
	if (err)
		goto out;
	*c->json = xstrdup(PQgetvalue(res, 0, 0));
	c->count = (int)db_long(res, 0, c->dry_run ? 1 : 2);
	err = db_commit(db);
out:
	PQclear(res);
	if (err)
		db_rollback(db);
	return err;
}

enum ld_err file_store_retention(struct store *s, int days, bool dry_run,
				 int32_t today, char **json, int *count)
{
	struct retention_ctx c = {days, dry_run, today, json, 0};
	enum ld_err err = db_run(s, retention, &c);
	*count = c.count;
	return err;
}
