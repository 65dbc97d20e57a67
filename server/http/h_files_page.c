/* The task page's upload, beside the API's (h_files.c). */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "arena.h"
#include "file_store.h"
#include "handlers.h"
#include "page.h"

/* Why an upload was refused, in words beside its file input. */
static void upload_words(struct request *req, enum ld_err err, struct why *why)
{
	const char *text = page_upload_reason(
		req, err, why->msg[0] ? why->msg : req->err_message, "file");
	const char *replaces = request_query(req, "replaces");
	int64_t file;
	/* A replacement's reason goes beside its own file input. */
	why->field = replaces && page_positive_id(replaces, &file)
			     ? arena_printf(req->arena, "replace-%lld",
					    (long long)file)
			     : "file";
	snprintf(why->msg, sizeof(why->msg), "%s", text);
}

enum ld_err page_upload_refused(struct request *req, enum ld_err err)
{
	struct why why = {0};
	int64_t id;
	if (req->route->handler == h_page_inbox_upload)
		return inbox_upload_refused(req, err);
	if (req->route->handler == h_page_brand_logo)
		return brand_logo_refused(req, err);
	if (req->route->handler != h_page_upload || ld_err_transient(err) ||
	    err == LD_ENOTFOUND || request_id(req, 0, &id))
		return err;
	upload_words(req, err, &why);
	return page_task(req, id, NULL, &why, err);
}

/* An upload from the task page: the same stream, then back to the task. */
static enum ld_err page_upload_store(struct request *req)
{
	char *json = NULL;
	struct why why = {0};
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = file_upload_complete(req, &json, &why);
	free(json);
	if (err == LD_ENOTFOUND || ld_err_transient(err))
		return err;
	if (err) {
		/* The decoder's refusal (no file, not the type it is named)
		 * is in the request, the store's in why: shown by the file
		 * field either way. */
		upload_words(req, err, &why);
		return page_task(req, id, NULL, &why, err);
	}
	return page_redirect(
		req,
		arena_printf(req->arena, "/tasks/%lld?done=%s", (long long)id,
			     request_query(req, "replaces") ? "replaced"
							    : "uploaded"));
}

/* Scanned and stored on the work pool, as the API's upload is. */
enum ld_err h_page_upload(struct request *req)
{
	return request_defer(req, req->app->work_pool, page_upload_store);
}

/*
 * POST /tasks/{id}/files/{file}/remove: DELETE /api/v1/files/{file} from
 * the task page, then back to the task the store says the file was on.
 */
enum ld_err h_page_file_remove(struct request *req)
{
	char *json = NULL;
	struct why why = {0};
	int64_t id, file;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = request_id(req, 1, &file);
	if (err)
		return err;
	err = file_store_remove(req->app->store, &req->who, file, &json, &why);
	json_t *task = err ? NULL : page_parsed(json);
	if (err == LD_ENOTFOUND || ld_err_transient(err))
		return err;
	if (err)
		return page_task(req, id, NULL, &why, err);
	if (task)
		id = json_integer_value(json_object_get(task, "id"));
	json_decref(task);
	return page_redirect(req, arena_printf(req->arena,
					       "/tasks/%lld?done=removed",
					       (long long)id));
}
