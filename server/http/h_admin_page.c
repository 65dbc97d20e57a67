/* The administration page's forms, beside the API's (h_admin.c). */
#include <string.h>

#include "admin_store.h"
#include "app.h"
#include "arena.h"
#include "handlers.h"
#include "holiday_feed.h"
#include "page.h"
#include "store.h"
#include "view.h"

/* Administration -------------------------------------------------------- */

static enum ld_err admin_page(struct request *req, json_t *ctx,
			      unsigned int status)
{
	/* The likeliest first: most new users are service-area officers. */
	static const enum role order[] = {ROLE_SERVICE_OFFICER,
					  ROLE_LINK_OFFICER, ROLE_VALIDATOR,
					  ROLE_LEADERSHIP, ROLE_ADMINISTRATOR};
	char *text = NULL;
	json_t *users = admin_store_users(req->app->store, &text)
				? json_array()
				: page_parsed(text);
	json_t *areas = admin_store_areas(req->app->store, &text)
				? json_array()
				: page_parsed(text);
	json_t *recipients = admin_store_recipients(req->app->store, &text)
				     ? json_array()
				     : page_parsed(text);
	json_t *failed = admin_store_outbox(req->app->store, "failed", &text)
				 ? json_array()
				 : page_parsed(text);
	size_t i;
	json_t *o;
	json_array_foreach(users, i, o)
	{
		struct buf b;
		json_t *r;
		size_t k;
		buf_init(&b, 200);
		json_array_foreach(json_object_get(o, "roles"), k, r)
			buf_printf(&b, "%s%s", k ? ", " : "",
				   json_string_value(r));
		json_object_set_new(o, "roles_text", json_string(buf_str(&b)));
		buf_release(&b);
	}
	json_array_foreach(recipients, i, o)
		json_object_set_new(o, "event_label",
				    json_string(view_label(json_string_value(
					    json_object_get(o, "event")))));
	json_t *choices = json_array();
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		int bit = __builtin_ctz((unsigned)order[k]);
		json_array_append_new(choices,
				      json_pack("{s:s, s:s}", "value",
						role_names[bit], "label",
						role_titles[bit]));
	}
	json_object_set_new(ctx, "users", users);
	json_object_set_new(ctx, "areas", areas);
	json_object_set_new(ctx, "recipients", recipients);
	json_object_set_new(ctx, "failed_mail", failed);
	json_object_set_new(ctx, "role_choices", choices);
	return page_render(req, status, "admin", ctx);
}

enum ld_err h_page_admin(struct request *req)
{
	json_t *ctx = page_ctx(req, "Administration", "/admin");
	const char *done = request_query(req, "done");
	if (done)
		json_object_set_new(
			ctx, "flash",
			json_string(!strcmp(done, "holidays")
					    ? "Bank holidays imported."
					    : "User added."));
	return admin_page(req, ctx, 200);
}

/*
 * The new user of the administration form, checked with the API's limits
 * (input_string: characters, no control characters); false with the
 * page's errors in ctx otherwise.
 */
/*
 * The new-user form as the API's body, decoded by the API's own decoder
 * (admin_user_in): the same limits and refusals, each shown beside its
 * field.  NULL with the errors in ctx when refused.
 */
static bool admin_user_fields(struct request *req, json_t *form, json_t *ctx,
			      struct user_in *in, const char **password)
{
	static const struct {
		const char *field, *missing;
	} inputs[] = {
		{"name", "Enter the user's full name"},
		{"email", "Enter an email address"},
		{"password", "Enter a password of at least 12 characters"},
		{"roles", "Choose a role"},
		{"service_area_id", "Choose a service area"},
	};
	json_t *body = form_body(req);
	const char *role = page_field(form, "role");
	json_object_set_new(ctx, "values",
			    json_pack("{s:s, s:s, s:s}", "name",
				      page_field(form, "name"), "email",
				      page_field(form, "email"), "role", role));
	static const char *const texts[] = {"name", "email", "password", NULL};
	for (int i = 0; texts[i]; i++)
		json_object_set_new(body, texts[i],
				    json_string(page_field(form, texts[i])));
	json_object_set_new(body, "roles", json_pack("[s]", role));
	form_body_number(body, "service_area_id",
			 page_field(form, "service_area_id"));
	enum ld_err err = admin_user_in(req, body, true, in, password);
	/* Required on the form: the API lets a change leave it out. */
	if (!err && (!*password || !**password))
		err = request_fail(req, LD_EVALIDATION, "password",
				   "a password is needed");
	if (!err)
		return true;
	const char *field = req->err_field ? req->err_field : "name";
	const char *msg = NULL;
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		if (!strcmp(inputs[i].field, field))
			msg = inputs[i].missing;
	page_field_error(ctx, strcmp(field, "roles") ? field : "role",
			 msg ? msg : req->err_message);
	return false;
}

/* Hashing the password (slow by design) and saving, on the hash pool. */
static enum ld_err admin_user_save(struct request *req)
{
	json_t *form = page_form(req);
	struct user_in in;
	struct why why = {0};
	const char *password;
	char *json = NULL;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *ctx = page_ctx(req, "Administration", "/admin");
	if (!admin_user_fields(req, form, ctx, &in, &password))
		return admin_page(req, ctx, 400);
	enum ld_err err = admin_user_hash(req, password, &in);
	if (err) {
		json_decref(ctx);
		return err;
	}
	err = admin_store_user_save(req->app->store, &req->who, 0, &in, &json,
				    &why);
	free(json);
	if (!err) {
		json_decref(ctx);
		return page_redirect(req, "/admin?done=user");
	}
	page_field_error(ctx, "email",
			 err == LD_ENOTFOUND ? "A user has this email"
					     : "The user could not be added");
	return admin_page(req, ctx, 400);
}

enum ld_err h_page_admin_user(struct request *req)
{
	json_t *form = page_form(req);
	struct user_in in;
	const char *password;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *ctx = page_ctx(req, "Administration", "/admin");
	if (!admin_user_fields(req, form, ctx, &in, &password))
		return admin_page(req, ctx, 400);
	json_decref(ctx);
	return request_defer(req, req->app->hash_pool, admin_user_save);
}

enum ld_err h_page_admin_holidays(struct request *req)
{
	json_t *form = page_form(req);
	struct holiday_feed feed;
	struct holiday_plan plan;
	char why[256];
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	const char *text = page_field(form, "feed");
	bool force = !strcmp(page_field(form, "force"), "true");
	if (holiday_feed_parse(text, strlen(text), &feed, why, sizeof(why))) {
		json_t *ctx = page_ctx(req, "Administration", "/admin");
		page_field_error(ctx, "feed",
				 arena_printf(req->arena,
					      "The file is not GOV.UK's "
					      "bank-holidays.json: %s",
					      why));
		return admin_page(req, ctx, 400);
	}
	enum ld_err err =
		holiday_store_import(req->app->store, &feed, force, &plan);
	holiday_feed_release(&feed);
	if (err == LD_EVALIDATION) {
		json_t *ctx = page_ctx(req, "Administration", "/admin");
		page_field_error(ctx, "feed",
				 arena_printf(req->arena,
					      "Nothing was imported: %s. If "
					      "the file is right, tick "
					      "\u201cImport anyway\u201d.",
					      plan.refusal));
		holiday_plan_release(&plan);
		return admin_page(req, ctx, 422);
	}
	holiday_plan_release(&plan);
	if (!err)
		err = app_reload_calendar(req->app);
	return err ? err : page_redirect(req, "/admin?done=holidays");
}
