#include "file_store.h"

#include <libpq/libpq-fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store_int.h"
#include "xalloc.h"

struct file_upload {
	struct store *store;
	struct db *db;
	const struct principal *p;
	int64_t task_id, case_id, replaces_id;
	int64_t size, task_total;
	struct file_limits limits;
	unsigned int oid;
	int fd;
};

void file_upload_abort(struct file_upload *u)
{
	if (!u)
		return;
	db_rollback(u->db);
	db_release(u->store, u->db);
	free(u);
}

enum ld_err file_store_upload_begin(struct store *s, const struct principal *p,
				    int64_t task_id, int64_t replaces_id,
				    const struct file_limits *limits,
				    struct file_upload **out, struct why *why)
{
	struct file_upload *u = xcalloc(1, sizeof(*u));
	struct db_num t, r;
	PGresult *res = NULL;
	enum ld_err err;

	u->store = s;
	u->p = p;
	u->task_id = task_id;
	u->replaces_id = replaces_id;
	u->limits = *limits;
	u->fd = -1;
	if ((err = db_acquire(s, &u->db))) {
		free(u);
		return err;
	}
	const char *params[] = {db_num(&t, task_id),
				replaces_id ? db_num(&r, replaces_id) : NULL};
	if ((err = db_begin_as(u->db, p->user_id)))
		goto fail;
	err = db_exec(
		u->db, "upload_task",
		"SELECT t.case_id, t.service_area_id, t.status,"
		" (SELECT coalesce(sum(size), 0) FROM evidence_file f"
		"  WHERE f.task_id = t.id AND f.replaced_at IS NULL"
		"  AND f.id IS DISTINCT FROM $2::bigint),"
		" $2::bigint IS NULL OR EXISTS (SELECT 1 FROM evidence_file"
		"  f WHERE f.id = $2 AND f.task_id = t.id"
		"  AND f.replaced_at IS NULL)"
		" FROM task t WHERE t.id = $1 FOR UPDATE",
		2, params, &res);
	if (err)
		goto fail;
	if (PQntuples(res) == 0) {
		err = LD_ENOTFOUND;
		goto fail;
	}
	u->case_id = db_long(res, 0, 0);
	int64_t area = db_long(res, 0, 1);
	const char *status = PQgetvalue(res, 0, 2);
	u->task_total = db_long(res, 0, 3);
	bool replaces_ok = PQgetvalue(res, 0, 4)[0] == 't';
	if (!principal_sees_all_areas(p) && area != p->service_area_id) {
		err = LD_ENOTFOUND;
		goto fail;
	}
	if (!(p->roles & ROLE_LINK_OFFICER) &&
	    !((p->roles & ROLE_SERVICE_OFFICER) &&
	      area == p->service_area_id)) {
		why_set(why, NULL, "your role cannot add evidence");
		err = LD_EFORBIDDEN;
		goto fail;
	}
	if (strcmp(status, "open") && strcmp(status, "in_progress") &&
	    strcmp(status, "submitted") && strcmp(status, "validated")) {
		why_set(why, NULL, "evidence cannot change once the task is %s",
			status);
		err = LD_ECONFLICT;
		goto fail;
	}
	if (!replaces_ok) {
		why_set(why, "replaces", "not a current file of this task");
		err = LD_EVALIDATION;
		goto fail;
	}
	PQclear(res);
	res = NULL;
	u->oid = lo_creat(u->db->pg, INV_READ | INV_WRITE);
	if (u->oid)
		u->fd = lo_open(u->db->pg, u->oid, INV_WRITE);
	if (!u->oid || u->fd < 0) {
		err = LD_EDB;
		goto fail;
	}
	*out = u;
	return LD_OK;
fail:
	PQclear(res);
	file_upload_abort(u);
	return err;
}

enum ld_err file_upload_write(struct file_upload *u, const void *data,
			      size_t len, struct why *why)
{
	if (u->size + (int64_t)len > u->limits.file_max) {
		why_set(why, "file", "a file may be at most %lld MB",
			(long long)(u->limits.file_max >> 20));
		return LD_ETOOLARGE;
	}
	if (u->task_total + u->size + (int64_t)len > u->limits.task_max) {
		why_set(why, "file",
			"a task's files may be at most %lld MB in all",
			(long long)(u->limits.task_max >> 20));
		return LD_ETOOLARGE;
	}
	if (len && lo_write(u->db->pg, u->fd, data, len) != (int)len)
		return LD_EDB;
	u->size += (int64_t)len;
	return LD_OK;
}

int64_t file_upload_size(const struct file_upload *u)
{
	return u->size;
}

enum ld_err file_upload_finish(struct file_upload *u, const char *name,
			       const char *content_type, const char *sha256_hex,
			       bool resident_detail, const char *status,
			       const char *scan_detail, const char *base_url,
			       char **json, struct why *why)
{
	struct db_num t, c, size, oid, who, rep;
	struct db *db = u->db;
	PGresult *res = NULL;
	enum ld_err err;
	const char *params[] = {db_num(&t, u->task_id),
				db_num(&c, u->case_id),
				name,
				content_type,
				db_num(&size, u->size),
				sha256_hex,
				db_num(&oid, u->oid),
				status,
				scan_detail,
				resident_detail ? "t" : "f",
				db_num(&who, u->p->user_id),
				u->replaces_id ? db_num(&rep, u->replaces_id)
					       : NULL};

	if (lo_close(db->pg, u->fd)) {
		err = LD_EDB;
		goto out;
	}
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
		err = why_constraint(db, err, why);
		goto out;
	}
	int64_t file_id = db_long(res, 0, 0);
	PQclear(res);
	res = NULL;
	const char *revise[] = {params[0], params[10]};
	if ((err = db_exec(db, "evidence_revise",
			   "SELECT evidence_revise($1, $2)", 2, revise, NULL)))
		goto out;
	if (!strcmp(status, "quarantined")) {
		/* The uploader and the link officers are told, by file id. */
		struct db_num fid;
		const char *q[] = {db_num(&fid, file_id), params[1], params[0],
				   params[10], base_url};
		err = db_exec(
			db, "file_quarantined",
			"INSERT INTO outbox (kind, recipient, user_id, case_id,"
			" task_id, subject, body)"
			" SELECT 'file_quarantined', u.email, u.id, $2::bigint,"
			" $3::bigint, 'Evidence file quarantined: ' || o.code "
			"||"
			" ' ' || c.reference,"
			" 'A file uploaded to a task failed its virus scan and"
			" is quarantined: it cannot be downloaded or sent.' ||"
			" E'\\n\\nFile id: ' || $1::text || E'\\nTask: ' ||"
			" t.title || E'\\n\\nOpen it in Linkdesk: ' || "
			"$5::text ||"
			" '/tasks/' || $3::text"
			" FROM app_user u, task t, ombudsman_case c, ombudsman "
			"o"
			" WHERE t.id = $3::bigint AND c.id = $2::bigint"
			" AND o.id = c.ombudsman_id AND u.active"
			" AND (u.id = $4::bigint OR u.id IN (SELECT user_id"
			"  FROM user_role WHERE role = 'link_officer'))",
			5, q, NULL);
		if (err)
			goto out;
	}
	if ((err = task_read(db, u->p, u->task_id, json)))
		goto out;
	err = db_commit(db);
out:
	PQclear(res);
	file_upload_abort(u); /* rolls back only if not committed */
	return err;
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
	struct db_num f, who;
	PGresult *res = NULL;
	const char *params[] = {db_num(&f, c->id)};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;
	err = db_exec(
		db, "file_lock",
		"SELECT t.id, t.service_area_id, t.status FROM evidence_file"
		" f JOIN task t ON t.id = f.task_id WHERE f.id = $1"
		" AND f.replaced_at IS NULL FOR UPDATE OF t",
		1, params, &res);
	if (err)
		goto out;
	if (PQntuples(res) == 0 ||
	    (!principal_sees_all_areas(c->p) &&
	     db_long(res, 0, 1) != c->p->service_area_id)) {
		err = LD_ENOTFOUND;
		goto out;
	}
	if (!(c->p->roles & (ROLE_LINK_OFFICER | ROLE_SERVICE_OFFICER))) {
		why_set(c->why, NULL, "your role cannot change evidence");
		err = LD_EFORBIDDEN;
		goto out;
	}
	const char *status = PQgetvalue(res, 0, 2);
	if (!strcmp(status, "sent") || !strcmp(status, "done") ||
	    !strcmp(status, "cancelled")) {
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

struct file_reader {
	struct store *store;
	struct db *db;
	int fd;
};

enum ld_err file_store_open(struct store *s, const struct principal *p,
			    int64_t file_id, struct file_meta *meta,
			    struct file_reader **out, struct why *why)
{
	struct file_reader *r = xcalloc(1, sizeof(*r));
	struct db_num f;
	PGresult *res = NULL;
	const char *params[] = {db_num(&f, file_id)};
	enum ld_err err;

	r->store = s;
	r->fd = -1;
	if ((err = db_acquire(s, &r->db))) {
		free(r);
		return err;
	}
	if ((err = db_begin(r->db)))
		goto fail;
	err = db_exec(
		r->db, "file_open",
		"SELECT f.name, f.content_type, f.size, f.sha256, f.status,"
		" f.content, f.resident_detail, t.service_area_id"
		" FROM evidence_file f JOIN task t ON t.id = f.task_id"
		" WHERE f.id = $1",
		1, params, &res);
	if (err)
		goto fail;
	if (PQntuples(res) == 0 ||
	    (!principal_sees_all_areas(p) &&
	     db_long(res, 0, 7) != p->service_area_id) ||
	    (PQgetvalue(res, 0, 6)[0] == 't' && !principal_sees_residents(p))) {
		err = LD_ENOTFOUND;
		goto fail;
	}
	const char *status = PQgetvalue(res, 0, 4);
	if (strcmp(status, "available") && strcmp(status, "not_scanned")) {
		why_set(why, NULL, "the file is %s: it cannot be downloaded",
			status);
		err = LD_ECONFLICT;
		goto fail;
	}
	meta->id = file_id;
	snprintf(meta->name, sizeof(meta->name), "%s", PQgetvalue(res, 0, 0));
	snprintf(meta->content_type, sizeof(meta->content_type), "%s",
		 PQgetvalue(res, 0, 1));
	meta->size = db_long(res, 0, 2);
	snprintf(meta->sha256, sizeof(meta->sha256), "%s",
		 PQgetvalue(res, 0, 3));
	r->fd = lo_open(r->db->pg, (unsigned int)db_long(res, 0, 5), INV_READ);
	if (r->fd < 0) {
		err = LD_EDB;
		goto fail;
	}
	PQclear(res);
	*out = r;
	return LD_OK;
fail:
	PQclear(res);
	file_reader_close(r);
	return err;
}

long file_reader_read(struct file_reader *r, void *buf, size_t len)
{
	int n = lo_read(r->db->pg, r->fd, buf,
			len > (1 << 20) ? (1 << 20) : len);
	return n < 0 ? -1 : n;
}

void file_reader_close(struct file_reader *r)
{
	if (!r)
		return;
	db_rollback(r->db); /* read only: nothing to keep */
	db_release(r->store, r->db);
	free(r);
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
	struct db_num t, area;
	PGresult *res;
	const char *params[] = {db_num(&t, c->task_id),
				area_scope(c->p, &area)};
	enum ld_err err = db_exec(
		db, "bundle_check",
		"SELECT t.status, (validation_json(t.id)->>'complete')::boolean"
		" FROM task t WHERE t.id = $1"
		" AND ($2::bigint IS NULL OR t.service_area_id = $2)",
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
	return db_json(
		db, "bundle_manifest",
		"WITH v AS (SELECT * FROM evidence_version WHERE task_id = $1"
		" ORDER BY number DESC LIMIT 1)"
		" SELECT json_build_object('task', json_build_object('id', "
		"t.id,"
		" 'title', t.title), 'case', json_build_object('reference',"
		" c.reference, 'ombudsman', o.code), 'version', v.number,"
		" 'answer', v.answer, 'files', v.files,"
		" 'portal_file_limit', o.portal_file_limit,"
		" 'approvals', (SELECT json_agg(json_build_object('title',"
		"  vt.title, 'by', u.name, 'at', s.at, 'files', s.files)"
		"  ORDER BY vt.position) FROM signoff s"
		"  JOIN validator_title vt ON vt.id = s.validator_title_id"
		"  JOIN app_user u ON u.id = s.user_id"
		"  WHERE s.evidence_version_id = v.id AND s.decision = "
		"'approved'))"
		" FROM v JOIN task t ON t.id = v.task_id"
		" JOIN ombudsman_case c ON c.id = t.case_id"
		" JOIN ombudsman o ON o.id = c.ombudsman_id",
		1, params, c->json);
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
