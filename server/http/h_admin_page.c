/*
 * The administration pages beside the API's (h_admin.c): users, service
 * areas, positions and who is told of what, failed mail, bank holidays.
 * Each form builds the API's JSON body and goes through the API's decoder
 * and store command; nothing here decides what is allowed.
 */
#include <ctype.h>
#include <string.h>

#include "admin_store.h"
#include "app.h"
#include "arena.h"
#include "handlers.h"
#include "holiday_feed.h"
#include "mail_store.h"
#include "page.h"
#include "store.h"
#include "view.h"

/* What a form shares ---------------------------------------------------- */

/* A store list as JSON, or an empty array when it could not be read. */
static json_t *listed(enum ld_err (*list)(struct store *, char **),
		      struct request *req)
{
	char *text = NULL;
	json_t *j = list(req->app->store, &text) ? NULL : page_parsed(text);
	return j ? j : json_array();
}

/* Every value of a form field that may repeat (ticked checkboxes). */
static json_t *field_values(json_t *form, const char *name)
{
	json_t *v = json_object_get(form, name), *out = json_array();
	size_t i;
	json_t *e;
	if (json_is_string(v))
		json_array_append(out, v);
	json_array_foreach(v, i, e) if (json_is_string(e))
		json_array_append(out, e);
	return out;
}

/* Does the array of strings hold s? */
static bool holds(json_t *arr, const char *s)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i,
			   e) if (s && json_is_string(e) &&
				  !strcmp(json_string_value(e), s)) return true;
	return false;
}

/* Mark the member of each element of list whose key equals chosen. */
static void mark(json_t *list, const char *key, const char *chosen)
{
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		json_t *v = json_object_get(o, key);
		char num[24];
		const char *s = json_string_value(v);
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
				 (long long)json_integer_value(v));
			s = num;
		}
		json_object_set_new(
			o, "selected",
			json_boolean(s && chosen && !strcmp(s, chosen)));
	}
}

/* A number member of a JSON object as text ("" when null or absent). */
static const char *num_text(struct request *req, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v)
		       ? arena_printf(req->arena, "%lld",
				      (long long)json_integer_value(v))
		       : "";
}

/* The roles a form offers, in core's words, the likeliest first. */
static json_t *role_choices(json_t *ticked)
{
	static const enum role order[] = {ROLE_SERVICE_OFFICER,
					  ROLE_LINK_OFFICER, ROLE_VALIDATOR,
					  ROLE_LEADERSHIP, ROLE_ADMINISTRATOR};
	json_t *choices = json_array();
	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		int bit = __builtin_ctz((unsigned)order[k]);
		json_array_append_new(choices,
				      json_pack("{s:s, s:s, s:b, s:b}", "value",
						role_names[bit], "label",
						role_titles[bit], "checked",
						holds(ticked, role_names[bit]),
						"first", k == 0));
	}
	return choices;
}

const char *page_roles_text(struct request *req, json_t *roles)
{
	const char *out = "";
	size_t i;
	json_t *r;
	json_array_foreach(roles, i, r)
	{
		int k = workflow_lookup(role_names, json_string_value(r));
		out = arena_printf(req->arena, "%s%s%s", out, i ? ", " : "",
				   k >= 0 ? role_titles[k]
					  : json_string_value(r));
	}
	return out;
}

/* The active users, for choosing a head of service or a position holder. */
static json_t *active_users(struct request *req, json_t *users,
			    const char *chosen)
{
	json_t *out = json_array();
	size_t i;
	json_t *u;
	json_array_foreach(users, i,
			   u) if (json_is_true(json_object_get(u, "active")))
		json_array_append_new(
			out,
			json_pack("{s:O, s:O}", "id", json_object_get(u, "id"),
				  "name", json_object_get(u, "name")));
	mark(out, "id", chosen);
	(void)req;
	return out;
}

json_t *page_ctx_done(struct request *req, const char *title,
		      const char *current, const char *const *flashes)
{
	json_t *ctx = page_ctx(req, title, current);
	const char *done = request_query(req, "done");
	for (int i = 0; done && flashes[i]; i += 2)
		if (!strcmp(done, flashes[i]))
			json_object_set_new(ctx, "flash",
					    json_string(flashes[i + 1]));
	return ctx;
}

/* A form's choice of an id: a number, or null for none chosen. */
static void body_id(json_t *body, const char *key, const char *text)
{
	if (*text)
		form_body_number(body, key, text);
	else
		json_object_set_new(body, key, json_null());
}

/*
 * After a store command of a form: true, with *out set, when it is settled
 * (done: a redirect to `to`; a transient failure: the error page); false
 * when the form is to be shown again with the refusal.
 */
static bool settled(struct request *req, json_t *ctx, enum ld_err err,
		    const char *to, enum ld_err *out)
{
	if (err && !ld_err_transient(err))
		return false;
	json_decref(ctx);
	*out = err ? err : page_redirect(req, to);
	return true;
}

/* Administration -------------------------------------------------------- */

/* What each recipient kind means, in words. */
static const char *kind_words(const char *kind)
{
	static const char *const words[] = {
		"head_of_service",
		"The head of service of the task's area",
		"slt_director",
		"The SLT director of the task's area",
		"position",
		"Whoever holds a position",
		"link_officers",
		"The link officers",
		"address",
		"An email address",
		NULL};
	for (int i = 0; kind && words[i]; i += 2)
		if (!strcmp(words[i], kind))
			return words[i + 1];
	return kind ? kind : "";
}

static json_t *labelled(const char *const *names,
			const char *(*words)(const char *), const char *chosen)
{
	json_t *out = json_array();
	for (int i = 0; names[i]; i++)
		json_array_append_new(
			out,
			json_pack("{s:s, s:s, s:b, s:b}", "value", names[i],
				  "label", words(names[i]), "selected",
				  chosen && !strcmp(chosen, names[i]), "first",
				  i == 0));
	return out;
}

static enum ld_err admin_page(struct request *req, json_t *ctx,
			      unsigned int status, json_t *form)
{
	json_t *users = listed(admin_store_users, req);
	json_t *areas = listed(admin_store_areas, req);
	json_t *positions = listed(admin_store_positions, req);
	json_t *recipients = listed(admin_store_recipients, req);
	json_t *failed = json_array();
	char *text = NULL;
	if (!admin_store_outbox(req->app->store, "failed", &text)) {
		json_decref(failed);
		failed = page_parsed(text);
		failed = failed ? failed : json_array();
	}
	size_t i;
	json_t *o;
	json_array_foreach(users, i, o)
	{
		json_object_set_new(o, "roles_text",
				    json_string(page_roles_text(
					    req, json_object_get(o, "roles"))));
		json_int_t area = json_integer_value(
			json_object_get(o, "service_area_id"));
		size_t k;
		json_t *a;
		json_array_foreach(
			areas, k,
			a) if (json_integer_value(json_object_get(a, "id")) ==
			       area)
			json_object_set(o, "area_name",
					json_object_get(a, "name"));
	}
	json_array_foreach(recipients, i, o)
	{
		const char *pos =
			json_string_value(json_object_get(o, "position"));
		const char *who = kind_words(
			json_string_value(json_object_get(o, "kind")));
		size_t k;
		json_t *p;
		json_array_foreach(
			positions, k,
			p) if (pos &&
			       !strcmp(pos, json_string_value(json_object_get(
						    p, "code")))) who =
			arena_printf(
				req->arena, "Whoever is %s",
				json_string_value(json_object_get(p, "title")));
		if (json_is_string(json_object_get(o, "address")))
			who = json_string_value(json_object_get(o, "address"));
		json_object_set_new(o, "event_label",
				    json_string(view_label(json_string_value(
					    json_object_get(o, "event")))));
		json_object_set_new(o, "who", json_string(who));
	}
	json_array_foreach(positions, i, o)
	{
		json_t *holder = json_object_get(o, "holder");
		json_object_set_new(
			o, "people",
			active_users(req, users, num_text(req, holder, "id")));
	}
	json_array_foreach(failed, i, o)
	{
		const char *why =
			json_string_value(json_object_get(o, "last_error"));
		json_object_set_new(
			o, "reason",
			json_string(why && *why ? why : "No reason was given"));
	}
	json_t *events = json_array();
	for (int k = 0; admin_recipient_events[k]; k++)
		json_array_append_new(
			events, json_pack("{s:s, s:s, s:b}", "value",
					  admin_recipient_events[k], "label",
					  view_label(admin_recipient_events[k]),
					  "selected",
					  !strcmp(page_field(form, "event"),
						  admin_recipient_events[k])));
	json_t *kinds = labelled(admin_recipient_kinds, kind_words,
				 page_field(form, "kind"));
	json_t *pos_choices = json_deep_copy(positions);
	mark(pos_choices, "code", page_field(form, "position"));
	json_object_set_new(
		ctx, "area_heads",
		active_users(req, users,
			     page_field(form, "head_of_service_id")));
	json_object_set_new(
		ctx, "area_directors",
		active_users(req, users, page_field(form, "slt_director_id")));
	json_object_set_new(ctx, "users", users);
	json_object_set_new(ctx, "areas", areas);
	json_object_set_new(ctx, "positions", positions);
	json_object_set_new(ctx, "position_choices", pos_choices);
	json_object_set_new(ctx, "recipients", recipients);
	json_object_set_new(ctx, "events", events);
	json_object_set_new(ctx, "kinds", kinds);
	json_object_set_new(ctx, "has_failed",
			    json_boolean(json_array_size(failed) > 0));
	json_object_set_new(ctx, "failed_mail", failed);
	json_object_set_new(ctx, "form",
			    json_pack("{s:s, s:s}", "area_name",
				      page_field(form, "area_name"), "address",
				      page_field(form, "address")));
	return page_render(req, status, "admin", ctx);
}

enum ld_err h_page_admin(struct request *req)
{
	static const char *const flashes[] = {
		"holidays",
		"Bank holidays imported.",
		"user",
		"User added.",
		"changed",
		"The user's details have been saved.",
		"off",
		"The user has been deactivated: their sessions "
		"and API tokens have ended.",
		"on",
		"The user has been reactivated: they can sign in "
		"again.",
		"area",
		"Service area added.",
		"area_saved",
		"The service area has been saved.",
		"position",
		"The position's holder has been saved.",
		"told",
		"Added to who is told.",
		"untold",
		"Removed from who is told.",
		"retry",
		"The message will be sent again in the next "
		"minute.",
		NULL};
	return admin_page(
		req, page_ctx_done(req, "Administration", "/admin", flashes),
		200, NULL);
}

/* Users ----------------------------------------------------------------- */

static const struct form_input user_inputs[] = {
	{"name", "name", "The full name", "Enter the user's full name"},
	{"email", "email", "The email address", "Enter an email address"},
	{"job_title", "job_title", "The job title", NULL},
	{"roles", "role", NULL, NULL},
	{"service_area_id", "service_area_id", NULL, "Choose a service area"},
	{"validator_title_id", "validator_title_id", NULL, NULL},
	{"password", "password", "The password", "Enter a password"},
	{"version", "name", NULL, NULL},
	{NULL, NULL, NULL, NULL}};

/* Where the API's words name codes, the form's. */
static const char *const user_plain[] = {
	"roles", "Choose roles from the list", "email",
	"Enter an email address in the correct format, like "
	"name@example.org",
	NULL};

struct user_decoded {
	struct user_in in;
	const char *password;
	bool adding;
};

static enum ld_err user_decoder(struct request *req, json_t *body, void *out)
{
	struct user_decoded *d = out;
	enum ld_err err =
		admin_user_in(req, body, d->adding, &d->in, &d->password);
	/* Required on the form that adds: the API lets a change leave it
	 * out. */
	if (!err && d->adding && (!d->password || !*d->password))
		err = request_fail(req, LD_EVALIDATION, "password",
				   "password is required");
	return err;
}

/*
 * The user form (adding: id 0) as the API's body, decoded by the API's
 * decoder; false with every refusal in ctx.
 */
static bool user_fields(struct request *req, json_t *form, json_t *ctx,
			struct user_decoded *d, unsigned int *status)
{
	json_t *body = form_body(req);
	static const char *const texts[] = {"name", "email", "job_title",
					    "password", NULL};
	json_t *roles = field_values(form, "role");
	for (int i = 0; texts[i]; i++)
		if (strcmp(texts[i], "password") || !d->adding ||
		    *page_field(form, "password"))
			json_object_set_new(
				body, texts[i],
				json_string(page_field(form, texts[i])));
	if (!d->adding && !*page_field(form, "password"))
		json_object_del(body, "password");
	json_object_set_new(body, "roles", roles);
	static const char *const ids[] = {"service_area_id",
					  "validator_title_id", NULL};
	for (int i = 0; ids[i]; i++)
		body_id(body, ids[i], page_field(form, ids[i]));
	json_object_set_new(
		body, "resident_access",
		json_boolean(
			!strcmp(page_field(form, "resident_access"), "true")));
	if (!d->adding)
		form_body_number(body, "version", page_field(form, "version"));
	struct refusals r;
	if (!form_decode(req, body, user_decoder, d, &r))
		return true;
	*status = form_show_refusals(req, ctx, user_inputs, NULL, 0, &r,
				     user_plain);
	return false;
}

/* A stored user as the form that would save it unchanged. */
static json_t *user_as_form(struct request *req, json_t *user)
{
	json_t *form = json_pack(
		"{s:O, s:s, s:s, s:s, s:s}", "role",
		json_object_get(user, "roles"), "service_area_id",
		num_text(req, user, "service_area_id"), "validator_title_id",
		num_text(req, user, "validator_title_id"), "version",
		num_text(req, user, "version"), "resident_access",
		json_is_true(json_object_get(user, "resident_access")) ? "true"
								       : "");
	static const char *const texts[] = {"name", "email", "job_title", NULL};
	for (int i = 0; texts[i]; i++)
		json_object_set(form, texts[i],
				json_object_get(user, texts[i]));
	return form;
}

/*
 * The add or change form: values are what was typed (form), or the user
 * as stored (user) when the form is first shown.
 */
static enum ld_err user_page(struct request *req, json_t *ctx, json_t *form,
			     json_t *user, unsigned int status)
{
	json_t *areas = listed(admin_store_areas, req);
	json_t *titles = listed(admin_store_validator_titles, req);
	json_t *shown = user ? user_as_form(req, user) : json_incref(form);
	json_t *roles = field_values(shown, "role");
	const char *area = page_field(shown, "service_area_id");
	const char *title = page_field(shown, "validator_title_id");
	bool access = !strcmp(page_field(shown, "resident_access"), "true");
	json_object_set_new(ctx, "values",
			    json_pack("{s:s, s:s, s:s, s:s}", "name",
				      page_field(shown, "name"), "email",
				      page_field(shown, "email"), "job_title",
				      page_field(shown, "job_title"), "version",
				      page_field(shown, "version")));
	mark(areas, "id", area);
	mark(titles, "id", title);
	json_object_set_new(ctx, "role_choices", role_choices(roles));
	json_decref(roles);
	json_object_set_new(ctx, "areas", areas);
	json_object_set_new(ctx, "titles", titles);
	json_object_set_new(ctx, "resident_access", json_boolean(access));
	json_object_set_new(ctx, "back", json_string("/admin"));
	json_object_set_new(ctx, "password_min",
			    json_integer(PASSWORD_MIN_CHARS));
	json_decref(shown);
	return page_render(req, status, "admin_user", ctx);
}

/* The stored user of the page's id, or NULL (json_decref it). */
static json_t *stored_user(struct request *req, int64_t id)
{
	json_t *users = listed(admin_store_users, req), *found = NULL;
	size_t i;
	json_t *u;
	json_array_foreach(
		users, i, u) if (json_integer_value(json_object_get(u, "id")) ==
				 id) found = json_incref(u);
	json_decref(users);
	return found;
}

static json_t *user_ctx(struct request *req, int64_t id, json_t *user)
{
	const char *name =
		user ? json_string_value(json_object_get(user, "name")) : NULL;
	json_t *ctx = page_ctx(
		req,
		id ? arena_printf(req->arena, "Change %s", name ? name : "user")
		   : "Add a user",
		"/admin");
	json_object_set_new(
		ctx, "action",
		json_string(id ? arena_printf(req->arena, "/admin/users/%lld",
					      (long long)id)
			       : "/admin/users"));
	json_object_set_new(ctx, "adding", json_boolean(!id));
	if (user) {
		json_object_set_new(ctx, "user_id", json_integer(id));
		json_object_set(ctx, "user_active",
				json_object_get(user, "active"));
		json_object_set(ctx, "user_version",
				json_object_get(user, "version"));
	}
	return ctx;
}

enum ld_err h_page_admin_user_new(struct request *req)
{
	return user_page(req, user_ctx(req, 0, NULL), NULL, NULL, 200);
}

enum ld_err h_page_admin_user_edit(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	json_t *user = stored_user(req, id);
	if (!user)
		return LD_ENOTFOUND;
	err = user_page(req, user_ctx(req, id, user), NULL, user, 200);
	json_decref(user);
	return err;
}

/* The store's answer to a user saved: a redirect, or the form again. */
static enum ld_err user_saved(struct request *req, int64_t id, json_t *ctx,
			      json_t *form, enum ld_err err, const char *done)
{
	if (settled(req, ctx, err,
		    arena_printf(req->arena, "/admin?done=%s", done), &err))
		return err;
	if (err == LD_ENOTFOUND && id)
		page_field_error(ctx, "name",
				 "Someone else changed this user while you "
				 "were editing: check the details and try "
				 "again");
	else if (err == LD_ENOTFOUND || err == LD_ECONFLICT)
		/* Adding: no row inserted; changing: the unique index. */
		page_field_error(ctx, "email",
				 "A user already has this email address");
	else
		page_field_error(ctx, "name", "The user could not be saved");
	/* 409 as the API answers both (a user has this email; changed by
	 * someone else). */
	return user_page(req, ctx, form, NULL,
			 err == LD_ENOTFOUND ? 409 : http_status(err));
}

static enum ld_err user_post(struct request *req, bool on_pool);

/* The second run, on the hash pool: the password hashed, the user saved. */
static enum ld_err user_post_hashed(struct request *req)
{
	return user_post(req, true);
}

/*
 * The user form saved.  With a password typed it runs twice: on the HTTP
 * thread, which checks the form and hands the request to the hash pool,
 * and there, where it hashes and saves.
 */
static enum ld_err user_post(struct request *req, bool on_pool)
{
	json_t *form = page_form(req);
	int64_t id = 0;
	struct user_decoded d = {0};
	struct why why = {0};
	unsigned int status = 400;
	char *json = NULL;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	if (req->nparams && request_id(req, 0, &id))
		return LD_ENOTFOUND;
	d.adding = !id;
	json_t *user = id ? stored_user(req, id) : NULL;
	if (id && !user)
		return LD_ENOTFOUND;
	json_t *ctx = user_ctx(req, id, user);
	json_decref(user);
	if (!user_fields(req, form, ctx, &d, &status))
		return user_page(req, ctx, form, NULL, status);
	if (d.password && *d.password && !on_pool) {
		json_decref(ctx);
		return request_defer(req, req->app->hash_pool,
				     user_post_hashed);
	}
	enum ld_err err = LD_OK;
	if (d.password && *d.password)
		err = admin_user_hash(req, d.password, &d.in);
	if (!err)
		err = admin_store_user_save(req->app->store, &req->who, id,
					    &d.in, &json, &why);
	free(json);
	return user_saved(req, id, ctx, form, err, id ? "changed" : "user");
}

enum ld_err h_page_admin_user(struct request *req)
{
	return user_post(req, false);
}

enum ld_err h_page_admin_user_post(struct request *req)
{
	return user_post(req, false);
}

/* Deactivate or reactivate: active=true|false and the version seen. */
enum ld_err h_page_admin_user_active(struct request *req)
{
	json_t *form = page_form(req);
	int64_t id;
	struct user_decoded d = {0};
	struct why why = {0};
	char *json = NULL;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	json_t *body = form_body(req);
	bool on = !strcmp(page_field(form, "active"), "true");
	json_object_set_new(body, "active", json_boolean(on));
	form_body_number(body, "version", page_field(form, "version"));
	err = admin_user_in(req, body, false, &d.in, &d.password);
	if (!err)
		err = admin_store_user_save(req->app->store, &req->who, id,
					    &d.in, &json, &why);
	free(json);
	if (err && !ld_err_transient(err)) {
		json_t *user = stored_user(req, id);
		if (!user)
			return LD_ENOTFOUND;
		json_t *ctx = user_ctx(req, id, user);
		page_field_error(ctx, "active",
				 "Someone else changed this user: check the "
				 "details and try again");
		err = user_page(req, ctx, NULL, user, 409);
		json_decref(user);
		return err;
	}
	return err ? err
		   : page_redirect(req,
				   on ? "/admin?done=on" : "/admin?done=off");
}

/* Service areas --------------------------------------------------------- */

static const struct form_input area_inputs[] = {
	{"name", "area_name", "The name", "Enter the service area's name"},
	{"head_of_service_id", "head_of_service_id", NULL, NULL},
	{"slt_director_id", "slt_director_id", NULL, NULL},
	{"digest_daily", "digest_daily", NULL, NULL},
	{NULL, NULL, NULL, NULL}};

static enum ld_err area_decoder(struct request *req, json_t *body, void *out)
{
	/* The form that adds has no daily digest's box. */
	return admin_area_in(req, body, !json_object_get(body, "digest_daily"),
			     out);
}

/* The area form as the API's body; false with every refusal in ctx. */
static bool area_fields(struct request *req, json_t *form, json_t *ctx,
			bool adding, struct area_in *in, unsigned int *status)
{
	json_t *body = form_body(req);
	json_object_set_new(body, "name",
			    json_string(page_field(form, "area_name")));
	static const char *const ids[] = {"head_of_service_id",
					  "slt_director_id", NULL};
	for (int i = 0; ids[i]; i++)
		body_id(body, ids[i], page_field(form, ids[i]));
	if (!adding)
		json_object_set_new(
			body, "digest_daily",
			json_boolean(!strcmp(page_field(form, "digest_daily"),
					     "true")));
	struct refusals r;
	if (!form_decode(req, body, area_decoder, in, &r))
		return true;
	*status = form_show_refusals(req, ctx, area_inputs, NULL, 0, &r, NULL);
	return false;
}

/* The store's refusal of an area, beside the name. */
static void area_refused(json_t *ctx, enum ld_err err)
{
	page_field_error(ctx, "area_name",
			 err == LD_ECONFLICT || err == LD_EVALIDATION
				 ? "A service area already has this name"
				 : "The service area could not be saved");
}

/* The change form of one area: typed values (form) or the stored ones. */
static enum ld_err area_page(struct request *req, int64_t id, json_t *ctx,
			     json_t *form, unsigned int status)
{
	json_t *areas = listed(admin_store_areas, req), *area = NULL;
	json_t *users = listed(admin_store_users, req);
	size_t i;
	json_t *a;
	json_array_foreach(areas, i, a) if (json_integer_value(json_object_get(
						    a, "id")) == id) area = a;
	if (!area) {
		json_decref(areas);
		json_decref(users);
		json_decref(ctx);
		return LD_ENOTFOUND;
	}
	const char *name, *head, *director;
	bool daily;
	if (form) {
		name = page_field(form, "area_name");
		head = page_field(form, "head_of_service_id");
		director = page_field(form, "slt_director_id");
		daily = !strcmp(page_field(form, "digest_daily"), "true");
	} else {
		name = json_string_value(json_object_get(area, "name"));
		head = num_text(req, json_object_get(area, "head_of_service"),
				"id");
		director = num_text(req, json_object_get(area, "slt_director"),
				    "id");
		daily = json_is_true(json_object_get(area, "digest_daily"));
	}
	json_object_set_new(ctx, "area_id", json_integer(id));
	json_object_set_new(ctx, "values",
			    json_pack("{s:s, s:b}", "area_name",
				      name ? name : "", "digest_daily", daily));
	json_object_set_new(ctx, "heads", active_users(req, users, head));
	json_object_set_new(ctx, "directors",
			    active_users(req, users, director));
	json_object_set_new(ctx, "back", json_string("/admin#areas"));
	json_decref(areas);
	json_decref(users);
	return page_render(req, status, "admin_area", ctx);
}

enum ld_err h_page_admin_area(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (err)
		return err;
	return area_page(req, id,
			 page_ctx(req, "Change a service area", "/admin"), NULL,
			 200);
}

/*
 * Add (id 0, from the administration page, shown again there when
 * refused) or change a service area (its own page).
 */
static enum ld_err area_post(struct request *req, int64_t id)
{
	json_t *form = page_form(req);
	struct area_in in;
	struct why why = {0};
	unsigned int status = 400;
	char *json = NULL;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *ctx = id ? page_ctx(req, "Change a service area", "/admin")
			 : page_ctx(req, "Administration", "/admin");
	enum ld_err err = LD_OK;
	if (area_fields(req, form, ctx, !id, &in, &status)) {
		err = admin_store_area_save(req->app->store, &req->who, id,
					    in.name, in.head_id, in.director_id,
					    in.digest_daily, &json, &why);
		free(json);
		if (err == LD_ENOTFOUND && id) { /* the area has gone */
			json_decref(ctx);
			return err;
		}
		if (settled(req, ctx, err,
			    id ? "/admin?done=area_saved" : "/admin?done=area",
			    &err))
			return err;
		area_refused(ctx, err);
		status = http_status(err);
	}
	return id ? area_page(req, id, ctx, form, status)
		  : admin_page(req, ctx, status, form);
}

enum ld_err h_page_admin_area_add(struct request *req)
{
	return area_post(req, 0);
}

enum ld_err h_page_admin_area_post(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	return err ? err : area_post(req, id);
}

/* Positions and who is told --------------------------------------------- */

enum ld_err h_page_admin_position(struct request *req)
{
	json_t *form = page_form(req);
	int64_t user_id;
	struct why why = {0};
	char *json = NULL;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *body = form_body(req);
	body_id(body, "user_id", page_field(form, "user_id"));
	enum ld_err err = admin_position_in(req, body, &user_id);
	if (!err)
		err = admin_store_position_set(req->app->store, &req->who,
					       req->params[0], user_id, &json,
					       &why);
	free(json);
	if (err == LD_ENOTFOUND || ld_err_transient(err))
		return err;
	if (err) {
		json_t *ctx = page_ctx(req, "Administration", "/admin");
		page_field_error(
			ctx,
			arena_printf(req->arena, "holder-%s", req->params[0]),
			"Choose a person from the list, or nobody");
		return admin_page(req, ctx, http_status(err), form);
	}
	return page_redirect(req, "/admin?done=position");
}

static const struct form_input recipient_inputs[] = {
	{"event", "event", NULL, "Choose when they are told"},
	{"kind", "kind", NULL, "Choose who is told"},
	{"position", "position", NULL, "Choose the position"},
	{"address", "address", "The email address", "Enter an email address"},
	{NULL, NULL, NULL, NULL}};

static const char *const recipient_plain[] = {
	"event", "Choose when they are told", "kind", "Choose who is told",
	NULL};

static enum ld_err recipient_decoder(struct request *req, json_t *body,
				     void *out)
{
	return admin_recipient_in(req, body, out);
}

enum ld_err h_page_admin_recipient_add(struct request *req)
{
	json_t *form = page_form(req);
	struct recipient_in in;
	struct why why = {0};
	char *json = NULL;
	if (!form)
		return request_fail(req, LD_EINVAL, NULL,
				    "The form is malformed.");
	json_t *body = form_body(req);
	const char *kind = page_field(form, "kind");
	static const char *const fields[] = {"event", "kind", NULL};
	for (int i = 0; fields[i]; i++)
		if (*page_field(form, fields[i]))
			json_object_set_new(
				body, fields[i],
				json_string(page_field(form, fields[i])));
	/* Each is revealed under its own kind: only that kind sends it. */
	if (!strcmp(kind, "position") || !strcmp(kind, "address"))
		json_object_set_new(body, kind,
				    json_string(page_field(form, kind)));
	json_t *ctx = page_ctx(req, "Administration", "/admin");
	struct refusals r;
	enum ld_err err = form_decode(req, body, recipient_decoder, &in, &r);
	if (err)
		return admin_page(req, ctx,
				  form_show_refusals(req, ctx, recipient_inputs,
						     NULL, 0, &r,
						     recipient_plain),
				  form);
	err = admin_store_recipient_add(req->app->store, &req->who, in.event,
					in.kind, in.position, in.address, &json,
					&why);
	free(json);
	if (settled(req, ctx, err, "/admin?done=told#recipients", &err))
		return err;
	if (in.address)
		page_field_error(ctx, "address",
				 "Enter an email address in the correct "
				 "format, like name@example.org");
	else
		page_field_error(ctx, "kind",
				 "They are told of this already, or the "
				 "position no longer exists");
	return admin_page(req, ctx, http_status(err), form);
}

enum ld_err h_page_admin_recipient_remove(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = admin_store_recipient_delete(req->app->store, &req->who,
						   id);
	return err ? err : page_redirect(req, "/admin?done=untold#recipients");
}

/* Mail ------------------------------------------------------------------ */

enum ld_err h_page_admin_mail_retry(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = outbox_store_retry(req->app->store, &req->who, id);
	if (err == LD_ENOTFOUND) {
		json_t *ctx = page_ctx(req, "Administration", "/admin");
		page_field_error(ctx, "failed-mail",
				 "That message is no longer waiting to be "
				 "sent again: it may have been sent already");
		return admin_page(req, ctx, 409, NULL);
	}
	return err ? err : page_redirect(req, "/admin?done=retry#failed-mail");
}

/* Bank holidays --------------------------------------------------------- */

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
		return admin_page(req, ctx, 400, form);
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
		return admin_page(req, ctx, 422, form);
	}
	holiday_plan_release(&plan);
	if (!err)
		err = app_reload_calendar(req->app);
	return err ? err : page_redirect(req, "/admin?done=holidays");
}
