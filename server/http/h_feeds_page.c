/* The calendar page: the feeds of h_feeds.c, made and revoked by form. */
#include <string.h>

#include "app.h"
#include "arena.h"
#include "handlers.h"
#include "mail_store.h"
#include "page.h"
#include "workflow.h"

/* Calendar -------------------------------------------------------------- */

static enum ld_err calendar_page(struct request *req, json_t *created)
{
	char *text = NULL;
	enum ld_err err = feed_store_list(req->app->store, &req->who, &text);
	json_t *feeds = err ? NULL : page_parsed(text);
	if (!feeds) {
		json_decref(created);
		return err ? err : LD_EINTERNAL;
	}
	size_t i;
	json_t *f;
	json_array_foreach(feeds, i, f)
	{
		const char *scope =
			json_string_value(json_object_get(f, "scope"));
		json_object_set_new(
			f, "scope_label",
			!strcmp(scope, "mine") ? json_string("My tasks")
			: !strcmp(scope, "all")
				? json_string("Every open deadline")
				: json_sprintf(
					  "Tasks of %s",
					  json_string_value(json_object_get(
						  json_object_get(
							  f, "service_area"),
						  "name"))));
	}
	json_t *ctx = page_ctx(req, "Calendar", "/calendar");
	json_object_set_new(ctx, "has_feeds",
			    json_boolean(json_array_size(feeds) > 0));
	json_object_set_new(ctx, "feeds", feeds);
	json_object_set_new(ctx, "area_choice",
			    json_boolean(req->who.service_area_id > 0));
	json_object_set_new(ctx, "area_name", json_string("your service area"));
	json_object_set_new(ctx, "all_choice",
			    json_boolean(page_has_role(
				    req, ROLE_LINK_OFFICER | ROLE_LEADERSHIP)));
	if (created)
		json_object_set_new(ctx, "new_feed", created);
	return page_render(req, 200, "calendar", ctx);
}

enum ld_err h_page_calendar(struct request *req)
{
	return calendar_page(req, NULL);
}

enum ld_err h_page_calendar_post(struct request *req)
{
	json_t *form = page_form(req);
	char token[SECRET_TOKEN_LEN], *json = NULL;
	unsigned char hash[SECRET_HASH_LEN];
	struct why why = {0};
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	const char *scope = page_field(form, "scope");
	int64_t area = 0;
	if (!strcmp(scope, "area"))
		area = req->who.service_area_id;
	else if (strcmp(scope, "all"))
		scope = "mine";
	secret_token(token);
	secret_hash(token, hash);
	enum ld_err err = feed_store_create(req->app->store, &req->who, scope,
					    area, hash, &json, &why);
	free(json);
	if (err)
		return request_fail(req, err, NULL, "%s",
				    why.msg[0] ? why.msg : "Not possible");
	const char *base = req->app->cfg.base_url;
	const char *rest = strstr(base, "://");
	/* Shown on this page once; only the hash is kept. */
	return calendar_page(
		req,
		json_pack("{s:s, s:s}", "url",
			  arena_printf(req->arena, "%s/feeds/%s.ics", base,
				       token),
			  "webcal_url",
			  arena_printf(req->arena, "webcal://%s/feeds/%s.ics",
				       rest ? rest + 3 : base, token)));
}

enum ld_err h_page_calendar_revoke(struct request *req)
{
	int64_t id;
	enum ld_err err = feeds_revoke(req, &id);
	return err ? err : page_redirect(req, "/calendar");
}
