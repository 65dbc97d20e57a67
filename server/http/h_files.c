/*
 * Evidence files: streamed upload (multipart, through libmicrohttpd's post
 * processor) into a spool while hashing, then scanned and stored on the
 * work pool; download and the bundle for the Ombudsman spooled the same
 * way; removal.  No database connection waits on a client's bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "app.h"
#include "arena.h"
#include "buf.h"
#include "clamd.h"
#include "file_store.h"
#include "filetype.h"
#include "handlers.h"
#include "log.h"
#include "spool.h"

struct upload {
	struct MHD_PostProcessor *pp;
	int fd; /* the spool */
	int64_t task_id, replaces_id;
	int64_t size, stored;
	struct file_limits limits;
	crypto_hash_sha256_state sha;
	unsigned char head[FILETYPE_HEAD];
	size_t head_len;
	char name[FILENAME_MAX_LEN];
	bool got_file;
	bool resident_detail;
	char csrf[64]; /* a page's token, as its field arrives */
	enum ld_err err;
	struct why why;
};

/* On the HTTP thread: the bytes go to the spool, nothing else. */
static enum MHD_Result upload_chunk(void *cls, enum MHD_ValueKind kind,
				    const char *key, const char *filename,
				    const char *content_type,
				    const char *transfer_encoding,
				    const char *data, uint64_t off, size_t size)
{
	struct request *req = cls;
	struct upload *u = req->upload;
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;

	if (!strcmp(key, "csrf_token") && req->csrf_in_body)
		return request_upload_token(req, u->csrf, sizeof(u->csrf), data,
					    off, size)
			       ? MHD_YES
			       : MHD_NO;
	/* The page's box for a file holding resident details. */
	if (!strcmp(key, "resident_detail") && off == 0) {
		u->resident_detail |= size == 4 && !memcmp(data, "true", 4);
		return MHD_YES;
	}
	if (strcmp(key, "file"))
		return MHD_YES; /* other fields are ignored */
	/* No file chosen: the browser sends an empty part with no name. */
	if (off == 0 && size == 0 && (!filename || !*filename))
		return MHD_YES;
	/* Not one byte of a page's file before its token is checked. */
	if (req->csrf_in_body && !req->csrf_ok) {
		u->err = LD_EFORBIDDEN;
		snprintf(u->why.msg, sizeof(u->why.msg),
			 "missing or wrong CSRF token: reload the page and "
			 "try again");
		return MHD_NO;
	}
	if (off == 0) {
		if (u->got_file) {
			u->err = LD_EINVAL;
			req->upload_refusal = UPLOAD_MANY_FILES;
			u->why.field = "file";
			snprintf(u->why.msg, sizeof(u->why.msg),
				 "send one file per upload");
			return MHD_NO;
		}
		u->got_file = true;
		filename_sanitise(filename ? filename : "file", u->name);
	}
	if ((u->err = file_limits_check(&u->limits, u->stored,
					u->size + (int64_t)size, &u->why))) {
		if (u->size + (int64_t)size > u->limits.file_max)
			req->upload_refusal = UPLOAD_TOO_LARGE;
		return MHD_NO;
	}
	if (u->head_len < sizeof(u->head)) {
		size_t take = sizeof(u->head) - u->head_len;
		take = take < size ? take : size;
		memcpy(u->head + u->head_len, data, take);
		u->head_len += take;
	}
	crypto_hash_sha256_update(&u->sha, (const unsigned char *)data, size);
	if (size && write(u->fd, data, size) != (ssize_t)size) {
		u->err = spool_failed();
		log_warn("cannot write an upload's spool file");
		return MHD_NO;
	}
	u->size += (int64_t)size;
	return MHD_YES;
}

/*
 * Before the body: may this user add evidence here?  A refused upload costs
 * one short read; an allowed one holds no connection while it arrives.
 */
static enum ld_err upload_begin(struct request *req)
{
	struct upload *u = arena_calloc(req->arena, 1, sizeof(*u));
	const char *replaces = request_query(req, "replaces");
	const char *resident = request_query(req, "resident_detail");
	struct why why = {0};
	enum ld_err err;

	u->fd = -1;
	u->limits = (struct file_limits){req->app->cfg.file_max,
					 req->app->cfg.task_files_max};
	if ((err = request_id(req, 0, &u->task_id)))
		return err;
	if (replaces) {
		char *end;
		errno = 0;
		u->replaces_id = strtoll(replaces, &end, 10);
		if (errno || *end || u->replaces_id <= 0)
			return request_fail(req, LD_EINVAL, "replaces",
					    "replaces must be a file id");
	}
	u->resident_detail = resident && !strcmp(resident, "true");
	err = file_store_upload_check(req->app->store, &req->who, u->task_id,
				      u->replaces_id, &u->stored, &why);
	if (err)
		return why.msg[0] ? request_fail(req, err, why.field, "%s",
						 why.msg)
				  : err;
	u->pp = MHD_create_post_processor(req->conn, 64 * 1024, upload_chunk,
					  req);
	if (!u->pp) {
		req->upload_refusal = UPLOAD_NOT_MULTIPART;
		return request_fail(req, LD_EINVAL, "file",
				    "send the file as multipart/form-data in a "
				    "field named file");
	}
	crypto_hash_sha256_init(&u->sha);
	req->upload = u;
	if ((u->fd = spool_open(req->app->cfg.spool_dir)) < 0)
		return spool_failed();
	return LD_OK;
}

static enum ld_err upload_data(struct request *req, const char *data,
			       size_t len)
{
	struct upload *u = req->upload;
	if (MHD_post_process(u->pp, data, len) == MHD_YES)
		return LD_OK;
	if (u->err)
		return request_fail(req, u->err, u->why.field, "%s",
				    u->why.msg[0] ? u->why.msg
						  : "the file could not be "
						    "stored");
	req->upload_refusal = UPLOAD_NOT_MULTIPART;
	return request_fail(req, LD_EINVAL, "file",
			    "the multipart body is malformed");
}

static void upload_abort(struct request *req)
{
	struct upload *u = req->upload;
	if (!u)
		return;
	if (u->pp)
		MHD_destroy_post_processor(u->pp);
	if (u->fd >= 0)
		close(u->fd);
	req->upload = NULL;
}

const struct upload_ops file_upload_ops = {upload_begin, upload_data,
					   upload_abort};

/*
 * The body of an upload is complete and spooled: check its type, scan it,
 * store it.  Slow work: on a pool thread (request_defer), never an HTTP one.
 */
enum ld_err file_upload_complete(struct request *req, char **json,
				 struct why *why)
{
	struct upload *u = req->upload;
	const char *content_type, *why_type;
	char signature[200] = "", hex[65];
	unsigned char digest[crypto_hash_sha256_BYTES];

	if (!u->got_file) {
		req->upload_refusal = UPLOAD_NO_FILE;
		return request_fail(req, LD_EINVAL, "file",
				    "no file: send it in a field named file");
	}
	if (filetype_detect(u->name, u->head, u->head_len, &content_type,
			    &why_type))
		return request_fail(req, LD_EVALIDATION, "file", "%s: %s",
				    u->name, why_type);
	crypto_hash_sha256_final(&u->sha, digest);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	struct file_new f = {.task_id = u->task_id,
			     .replaces_id = u->replaces_id,
			     .name = u->name,
			     .content_type = content_type,
			     .sha256_hex = hex,
			     .size = u->size,
			     .resident_detail = u->resident_detail,
			     .status = "not_scanned",
			     .scan_detail = signature,
			     .fd = u->fd};
	if (req->app->cfg.clamd[0]) {
		bool infected = false;
		/* Unreachable: stored as pending, scanned by the scheduler. */
		f.status = "pending";
		if (!clamd_scan_fd(req->app->cfg.clamd, u->fd, &infected,
				   signature, sizeof(signature)))
			f.status = infected ? "quarantined" : "available";
		if (infected)
			log_warn("upload to task %lld quarantined: %s",
				 (long long)u->task_id, signature);
	}
	struct file_limits limits = u->limits;
	return file_store_add(req->app->store, &req->who, &f, &limits, json,
			      why);
}

static enum ld_err upload_store(struct request *req)
{
	char *json = NULL;
	struct why why = {0};
	enum ld_err err = file_upload_complete(req, &json, &why);
	return reply_result(req, err, json, &why, 201);
}

/* POST /api/v1/tasks/{id}/files: the body is complete. */
enum ld_err h_file_upload(struct request *req)
{
	return request_defer(req, req->app->work_pool, upload_store);
}

/* An attachment header safe for any name: ASCII fallback plus RFC 5987. */
static const char *disposition(struct request *req, const char *name)
{
	struct buf b;
	buf_init(&b, 2048);
	buf_addstr(&b, "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		buf_addch(&b,
			  (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
				  ? '_'
				  : (char)*p);
	buf_addstr(&b, "\"; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			buf_addch(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	const char *out = arena_strdup(req->arena, buf_str(&b));
	buf_release(&b);
	return out;
}

/*
 * On the work pool: copy the file to a spool in one short transaction, then
 * serve the spool, so a slow reader holds no database connection.
 */
static enum ld_err download_spool(struct request *req)
{
	struct file_meta meta;
	struct why why = {0};
	int64_t id;
	enum ld_err err;
	int fd;

	if ((err = request_id(req, 0, &id)))
		return err;
	if ((fd = spool_open(req->app->cfg.spool_dir)) < 0)
		return spool_failed();
	err = file_store_copy(req->app->store, &req->who, id, &meta, fd, &why);
	if (err) {
		close(fd);
		return reply_result(req, err, NULL, &why, 200);
	}
	struct MHD_Response *resp =
		MHD_create_response_from_fd64((uint64_t)meta.size, fd);
	if (!resp) {
		close(fd);
		return LD_EINTERNAL;
	}
	reply_response(req, 200, arena_strdup(req->arena, meta.content_type),
		       resp);
	reply_header(req, "Content-Disposition", disposition(req, meta.name));
	reply_header(req, "ETag",
		     arena_printf(req->arena, "\"%s\"", meta.sha256));
	reply_header(req, "X-Linkdesk-SHA256",
		     arena_strdup(req->arena, meta.sha256));
	return LD_OK;
}

enum ld_err h_file_download(struct request *req)
{
	return request_defer(req, req->app->work_pool, download_spool);
}

enum ld_err h_file_remove(struct request *req)
{
	struct why why = {0};
	char *json = NULL;
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = file_store_remove(req->app->store, &req->who, id, &json,
					&why);
	return reply_result(req, err, json, &why, 200);
}

/* Copy one stored file into an open stdio file. */
static enum ld_err copy_out(struct request *req, int64_t id, FILE *out,
			    struct why *why)
{
	struct file_meta meta;
	if (fflush(out))
		return LD_EIO;
	return file_store_copy(req->app->store, &req->who, id, &meta,
			       fileno(out), why);
}

/* Is file id one the manifest holds back from this reader? */
static bool held_back(json_t *manifest, json_int_t id)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(manifest, "held_back"), i, v)
	{
		if (json_integer_value(v) == id)
			return true;
	}
	return false;
}

/*
 * GET /api/v1/tasks/{id}/bundle: the validated version's files as one ZIP
 * with manifest.json (names, sizes, hashes, who approved when).  Each file is
 * copied to a temporary file first, so memory stays small whatever the size.
 */
static enum ld_err bundle(struct request *req)
{
	char *dir = arena_printf(req->arena, "%s/linkdesk-bundle-XXXXXX",
				 req->app->cfg.spool_dir);
	struct why why = {0};
	char *manifest_text = NULL;
	json_t *manifest = NULL, *files, *f, *warnings;
	zip_t *zip = NULL;
	int64_t task_id;
	size_t i;
	int fd = -1;
	enum ld_err err;

	if ((err = request_id(req, 0, &task_id)))
		return err;
	if ((err = file_store_bundle_manifest(req->app->store, &req->who,
					      task_id, &manifest_text, &why)))
		return reply_result(req, err, NULL, &why, 200);
	manifest = json_loads(manifest_text, 0, NULL);
	free(manifest_text);
	if (!manifest || !mkdtemp(dir)) {
		json_decref(manifest);
		return LD_EIO;
	}
	char *zip_path = arena_printf(req->arena, "%s/bundle.zip", dir);
	zip = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, NULL);
	files = json_object_get(manifest, "files");
	warnings = json_array();
	json_int_t limit = json_integer_value(
		json_object_get(manifest, "portal_file_limit"));
	err = zip ? LD_OK : LD_EIO;
	json_array_foreach(files, i, f)
	{
		if (err)
			break;
		json_int_t id = json_integer_value(json_object_get(f, "id"));
		if (held_back(manifest, id)) {
			json_array_append_new(
				warnings,
				json_sprintf("file %zu holds resident details"
					     " and is left out: a link officer"
					     " can make the whole bundle",
					     i + 1));
			continue;
		}
		char *part = arena_printf(req->arena, "%s/%zu", dir, i);
		FILE *out = fopen(part, "wb");
		if (!out) {
			err = LD_EIO;
			break;
		}
		err = copy_out(req, id, out, &why);
		if (fclose(out) && !err)
			err = spool_failed();
		const char *name =
			json_string_value(json_object_get(f, "name"));
		/* Numbered, so two files of one name cannot collide. */
		char *entry = arena_printf(req->arena, "%02zu-%s", i + 1, name);
		zip_source_t *src =
			err ? NULL : zip_source_file(zip, part, 0, -1);
		if (!err && (!src || zip_file_add(zip, entry, src,
						  ZIP_FL_ENC_UTF_8) < 0)) {
			zip_source_free(src);
			err = LD_EIO;
		}
		json_int_t size =
			json_integer_value(json_object_get(f, "size"));
		if (limit > 0 && size > limit)
			json_array_append_new(
				warnings,
				json_sprintf(
					"%s is over the Ombudsman portal's "
					"limit of %lld MB",
					name, (long long)(limit >> 20)));
	}
	json_object_set_new(manifest, "warnings", warnings);
	json_object_del(manifest, "held_back");
	if (!err) {
		char *text = json_dumps(manifest, JSON_INDENT(2));
		zip_source_t *src =
			zip_source_buffer(zip, text, strlen(text), 1);
		if (!src)
			free(text); /* else the source owns it */
		if (!src || zip_file_add(zip, "manifest.json", src,
					 ZIP_FL_ENC_UTF_8) < 0) {
			zip_source_free(src);
			err = LD_EIO;
		}
	}
	if (!err && zip_close(zip) < 0) {
		zip_discard(zip); /* a failed close leaves it open */
		err = LD_EIO;
	} else if (err && zip) {
		zip_discard(zip);
	}
	if (!err)
		fd = open(zip_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st)) {
		close(fd);
		fd = -1;
	}
	/* The open descriptor keeps the ZIP readable once its name is gone. */
	for (i = 0; i < json_array_size(files); i++)
		unlink(arena_printf(req->arena, "%s/%zu", dir, i));
	unlink(zip_path);
	rmdir(dir);
	size_t nwarn = json_array_size(warnings);
	json_decref(manifest);
	if (err || fd < 0)
		return reply_result(req, err ? err : LD_EIO, NULL, &why, 200);
	struct MHD_Response *resp =
		MHD_create_response_from_fd((size_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return LD_EINTERNAL;
	}
	reply_response(req, 200, "application/zip", resp);
	reply_header(
		req, "Content-Disposition",
		arena_printf(req->arena,
			     "attachment; filename=\"task-%lld-evidence.zip\"",
			     (long long)task_id));
	if (nwarn)
		reply_header(req, "X-Linkdesk-Warnings",
			     arena_printf(req->arena, "%zu", nwarn));
	return LD_OK;
}

enum ld_err h_bundle(struct request *req)
{
	return request_defer(req, req->app->bundle_pool, bundle);
}
