/* Administration: service areas, users, positions, recipients, holidays. */
#include <stdlib.h>
#include <string.h>

#include "admin_store.h"
#include "app.h"
#include "arena.h"
#include "buf.h"
#include "date.h"
#include "handlers.h"
#include "holiday_feed.h"
#include "input.h"
#include "utf8.h"
#include "secret.h"
#include "store.h"

#define LIST_HANDLER(handler, call)                                            \
	enum ld_err handler(struct request *req)                               \
	{                                                                      \
		char *json = NULL;                                             \
		enum ld_err err = call(req->app->store, &json);                \
		return reply_result(req, err, json, NULL, 200);                \
	}

LIST_HANDLER(h_areas, admin_store_areas)
LIST_HANDLER(h_users, admin_store_users)
LIST_HANDLER(h_ombudsmen, admin_store_ombudsmen)
LIST_HANDLER(h_validator_titles, admin_store_validator_titles)
LIST_HANDLER(h_positions, admin_store_positions)
LIST_HANDLER(h_recipients, admin_store_recipients)

/* An id field that may be null (-> 0) or absent (-> -1, unchanged). */
static enum ld_err nullable_id(struct request *req, json_t *body,
			       const char *field, int64_t *out)
{
	json_t *v = input_field(req, body, field);
	long long n;
	*out = -1;
	if (!v)
		return LD_OK;
	if (json_is_null(v)) {
		*out = 0;
		return LD_OK;
	}
	enum ld_err err = input_int(req, body, field, 1, INT64_MAX, true, &n);
	if (!err)
		*out = n;
	return err;
}

enum ld_err admin_area_in(struct request *req, json_t *body, bool adding,
			  struct area_in *in)
{
	static const char *const fields[] = {"name", "head_of_service_id",
					     "slt_director_id", "digest_daily",
					     NULL};
	bool daily = false;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	in->digest_daily = -1;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_string(req, body, "name", 120, adding, &in->name)) ||
	    (err = nullable_id(req, body, "head_of_service_id",
			       &in->head_id)) ||
	    (err = nullable_id(req, body, "slt_director_id",
			       &in->director_id)) ||
	    (err = input_bool(req, body, "digest_daily", false, &daily)))
		return err;
	if (input_field(req, body, "digest_daily"))
		in->digest_daily = daily;
	if (adding) {
		in->head_id = in->head_id < 0 ? 0 : in->head_id;
		in->director_id = in->director_id < 0 ? 0 : in->director_id;
	}
	return LD_OK;
}

static enum ld_err area_save(struct request *req, int64_t id)
{
	struct area_in in;
	struct why why = {0};
	json_t *body;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = admin_area_in(req, body, !id, &in)))
		return err;
	err = admin_store_area_save(req->app->store, &req->who, id, in.name,
				    in.head_id, in.director_id, in.digest_daily,
				    &json, &why);
	return reply_result(req, err, json, &why, id ? 200 : 201);
}

enum ld_err h_area_add(struct request *req)
{
	return area_save(req, 0);
}

enum ld_err h_area_update(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	return err ? err : area_save(req, id);
}

/* roles as a PostgreSQL array literal of known role names. */
static enum ld_err roles_field(struct request *req, json_t *body,
			       const char **out)
{
	json_t *arr, *v;
	size_t i;
	struct buf b;
	enum ld_err err = input_array(req, body, "roles", 5, &arr);
	*out = NULL;
	if (err || !arr)
		return err;
	buf_init(&b, 200);
	buf_addch(&b, '{');
	json_array_foreach(arr, i, v)
	{
		int r = workflow_lookup(role_names, json_string_value(v));
		if (r < 0) {
			buf_release(&b);
			return request_fail(req, LD_EINVAL, "roles",
					    "roles are link_officer, "
					    "service_officer, validator, "
					    "leadership, administrator");
		}
		buf_printf(&b, "%s%s", i ? "," : "", role_names[r]);
	}
	buf_addch(&b, '}');
	*out = arena_strdup(req->arena, buf_str(&b));
	buf_release(&b);
	return LD_OK;
}

enum ld_err admin_user_in(struct request *req, json_t *body, bool adding,
			  struct user_in *in, const char **password)
{
	static const char *const fields[] = {"email",
					     "name",
					     "job_title",
					     "service_area_id",
					     "validator_title_id",
					     "resident_access",
					     "active",
					     "roles",
					     "password",
					     "version",
					     NULL};
	bool flag;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	*password = NULL;
	in->resident_access = in->active = -1;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_string(req, body, "email", 254, adding, &in->email)) ||
	    (err = input_string(req, body, "name", 120, adding, &in->name)) ||
	    (err = input_string(req, body, "job_title", 120, false,
				&in->job_title)) ||
	    (err = nullable_id(req, body, "service_area_id",
			       &in->service_area_id)) ||
	    (err = nullable_id(req, body, "validator_title_id",
			       &in->validator_title_id)) ||
	    (err = roles_field(req, body, &in->roles)) ||
	    (err = input_string(req, body, "password", 1024, false, password)))
		return err;
	if (input_field(req, body, "resident_access")) {
		if ((err = input_bool(req, body, "resident_access", true,
				      &flag)))
			return err;
		in->resident_access = flag;
	}
	if (input_field(req, body, "active")) {
		if ((err = input_bool(req, body, "active", true, &flag)))
			return err;
		in->active = flag;
	}
	if (!adding && (err = input_version(req, body, &in->version)))
		return err;
	/* A change may leave the name out, but not empty it. */
	if (in->name && !*in->name)
		return request_fail(req, LD_EINVAL, "name",
				    "name must not be empty");
	if (in->email && !strchr(in->email, '@'))
		return request_fail(req, LD_EINVAL, "email",
				    "email must be an address");
	if (*password &&
	    utf8_chars(*password, strlen(*password)) < PASSWORD_MIN_CHARS)
		return request_fail(req, LD_EVALIDATION, "password",
				    "a password has at least %d characters",
				    PASSWORD_MIN_CHARS);
	if (adding) {
		in->service_area_id =
			in->service_area_id < 0 ? 0 : in->service_area_id;
		in->validator_title_id =
			in->validator_title_id < 0 ? 0 : in->validator_title_id;
	}
	return LD_OK;
}

enum ld_err admin_user_hash(struct request *req, const char *password,
			    struct user_in *in)
{
	char hash[SECRET_PWHASH_LEN];
	if (secret_password_hash(
		    password,
		    !strcmp(req->app->cfg.password_hash, "interactive"), hash))
		return LD_EINTERNAL;
	in->password_hash = arena_strdup(req->arena, hash);
	return LD_OK;
}

/*
 * Add (id 0) or change a user.  With a password the handler checks the body,
 * then hands the request to the hashing pool, where on_pool runs this again
 * with hash_here set to make the hash and store the user: the slow hash
 * never holds an HTTP thread.
 */
static enum ld_err user_save(struct request *req, int64_t id, bool hash_here,
			     enum ld_err (*on_pool)(struct request *))
{
	struct user_in in;
	const char *password;
	struct why why = {0};
	json_t *body;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = admin_user_in(req, body, !id, &in, &password)))
		return err;
	if (password && !hash_here)
		return request_defer(req, req->app->hash_pool, on_pool);
	if (password && (err = admin_user_hash(req, password, &in)))
		return err;
	err = admin_store_user_save(req->app->store, &req->who, id, &in, &json,
				    &why);
	if (err == LD_ENOTFOUND && id)
		return request_fail(req, LD_EPRECONDITION, "version",
				    "no such user, or changed by someone else: "
				    "reload it");
	if (err == LD_ENOTFOUND)
		return request_fail(req, LD_ECONFLICT, "email",
				    "a user has this email");
	return reply_result(req, err, json, &why, id ? 200 : 201);
}

static enum ld_err user_add_hashed(struct request *req)
{
	return user_save(req, 0, true, NULL);
}

enum ld_err h_user_add(struct request *req)
{
	return user_save(req, 0, false, user_add_hashed);
}

static enum ld_err user_update_hashed(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	return err ? err : user_save(req, id, true, NULL);
}

enum ld_err h_user_update(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	return err ? err : user_save(req, id, false, user_update_hashed);
}

enum ld_err admin_position_in(struct request *req, json_t *body,
			      int64_t *user_id)
{
	static const char *const fields[] = {"user_id", NULL};
	enum ld_err err;
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = nullable_id(req, body, "user_id", user_id)))
		return err;
	if (*user_id < 0)
		return request_fail(req, LD_EINVAL, "user_id",
				    "user_id is required (null to vacate)");
	return LD_OK;
}

enum ld_err h_position_set(struct request *req)
{
	int64_t user_id;
	struct why why = {0};
	json_t *body;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = admin_position_in(req, body, &user_id)))
		return err;
	err = admin_store_position_set(req->app->store, &req->who,
				       req->params[0], user_id, &json, &why);
	return reply_result(req, err, json, &why, 200);
}

const char *const admin_recipient_events[] = {"first_chaser", "final_chaser",
					      "determination",
					      "sanction_notice", NULL};
const char *const admin_recipient_kinds[] = {"head_of_service", "slt_director",
					     "position",	"link_officers",
					     "address",		NULL};

enum ld_err admin_recipient_in(struct request *req, json_t *body,
			       struct recipient_in *in)
{
	static const char *const fields[] = {"event", "kind", "position",
					     "address", NULL};
	int event = 0, kind = 0;
	enum ld_err err;

	memset(in, 0, sizeof(*in));
	if ((err = input_known_fields(req, body, fields)) ||
	    (err = input_enum(req, body, "event", admin_recipient_events, true,
			      &event)) ||
	    (err = input_enum(req, body, "kind", admin_recipient_kinds, true,
			      &kind)) ||
	    (err = input_string(
		     req, body, "position", 40,
		     !strcmp(admin_recipient_kinds[kind], "position"),
		     &in->position)) ||
	    (err = input_string(req, body, "address", 254,
				!strcmp(admin_recipient_kinds[kind], "address"),
				&in->address)))
		return err;
	in->event = admin_recipient_events[event];
	in->kind = admin_recipient_kinds[kind];
	return LD_OK;
}

enum ld_err h_recipient_add(struct request *req)
{
	struct recipient_in in;
	struct why why = {0};
	json_t *body;
	char *json = NULL;
	enum ld_err err;

	if ((err = request_json(req, &body)) ||
	    (err = admin_recipient_in(req, body, &in)))
		return err;
	err = admin_store_recipient_add(req->app->store, &req->who, in.event,
					in.kind, in.position, in.address, &json,
					&why);
	if (err == LD_EVALIDATION)
		return request_fail(req, err, NULL,
				    "the position must exist, the address "
				    "must be an email address, and only their "
				    "own kinds take them");
	return reply_result(req, err, json, &why, 201);
}

enum ld_err h_recipient_delete(struct request *req)
{
	int64_t id;
	enum ld_err err = request_id(req, 0, &id);
	if (!err)
		err = admin_store_recipient_delete(req->app->store, &req->who,
						   id);
	if (err)
		return err;
	reply_json(req, 200, json_pack("{s:I}", "deleted", (json_int_t)id));
	return LD_OK;
}

enum ld_err h_outbox(struct request *req)
{
	static const char *const statuses[] = {"queued",  "sent",    "failed",
					       "dropped", "pending", "split",
					       NULL};
	const char *status = request_query(req, "status");
	char *json = NULL;
	if (status && workflow_lookup(statuses, status) < 0)
		return request_fail(req, LD_EINVAL, "status",
				    "status is queued, sent, failed, dropped, "
				    "pending or split");
	/* Separate statements: the order arguments are evaluated is not
	 * defined, and json must be read after the store has set it. */
	enum ld_err err = admin_store_outbox(req->app->store, status, &json);
	return reply_result(req, err, json, NULL, 200);
}

/*
 * POST /api/v1/holidays/import[?force=true]: the GOV.UK feed as the body.
 * The answer lists each day added, changed and removed.
 */
enum ld_err h_holidays_import(struct request *req)
{
	static const char *const kinds[] = {"added", "changed", "removed"};
	struct holiday_feed feed;
	struct holiday_plan plan;
	char why[256];
	const char *force = request_query(req, "force");
	if (force && strcmp(force, "true") && strcmp(force, "false"))
		return request_fail(req, LD_EINVAL, "force",
				    "force is true or false");
	enum ld_err err =
		holiday_feed_parse(req->body.ptr ? req->body.ptr : "",
				   req->body.len, &feed, why, sizeof(why));
	if (err)
		return request_fail(req, LD_EINVAL, NULL, "%s", why);
	err = holiday_store_import(req->app->store, &feed,
				   force && !strcmp(force, "true"), &plan);
	holiday_feed_release(&feed);
	if (err == LD_EVALIDATION)
		err = request_fail(req, err, "force",
				   "refused, nothing changed: %s (if the "
				   "file is right, send force=true)",
				   plan.refusal);
	else if (!err)
		err = app_reload_calendar(req->app);
	if (err) {
		holiday_plan_release(&plan);
		return err;
	}
	json_t *changes = json_array();
	for (size_t i = 0; i < plan.n; i++) {
		char day[DATE_STRLEN];
		date_format(plan.changes[i].day, day);
		json_array_append_new(
			changes,
			json_pack("{s:s, s:s, s:s, s:s}", "change",
				  kinds[plan.changes[i].kind], "division",
				  plan.changes[i].division, "day", day, "title",
				  plan.changes[i].title));
	}
	reply_json(req, 200,
		   json_pack("{s:i, s:i, s:i, s:i, s:i, s:s, s:o}", "imported",
			     plan.added + plan.changed, "added", plan.added,
			     "changed", plan.changed, "removed", plan.removed,
			     "division_years", plan.years, "forced",
			     plan.refusal, "changes", changes));
	holiday_plan_release(&plan);
	return LD_OK;
}
