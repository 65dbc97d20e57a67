#include "admin_store.h"

#include <string.h>

#include "case_store_int.h"

#define AREAS_SQL                                                              \
	"SELECT coalesce(json_agg(json_build_object('id', a.id, 'name',"       \
	" a.name, 'head_of_service', user_ref(a.head_of_service_id),"          \
	" 'slt_director', user_ref(a.slt_director_id), 'digest_daily',"        \
	" a.digest_daily, 'active', a.active, 'version', a.version)"           \
	" ORDER BY a.name), '[]') FROM service_area a"

#define USERS_SQL                                                              \
	"SELECT coalesce(json_agg(json_build_object('id', u.id, 'email',"      \
	" u.email, 'name', u.name, 'job_title', u.job_title,"                  \
	" 'service_area_id', u.service_area_id, 'validator_title',"            \
	" (SELECT title FROM validator_title WHERE id = "                      \
	"u.validator_title_id),"                                               \
	" 'validator_title_id', u.validator_title_id,"                         \
	" 'resident_access', u.resident_access, 'active', u.active,"           \
	" 'roles', ARRAY(SELECT role FROM user_role WHERE user_id = u.id"      \
	" ORDER BY role), 'version', u.version) ORDER BY u.name), '[]')"       \
	" FROM app_user u"

#define POSITIONS_SQL                                                          \
	"SELECT coalesce(json_agg(json_build_object('code', code, 'title',"    \
	" title, 'holder', user_ref(user_id)) ORDER BY code), '[]')"           \
	" FROM position"

#define RECIPIENTS_SQL                                                         \
	"SELECT coalesce(json_agg(json_build_object('id', id, 'event', event," \
	" 'kind', kind, 'position', position_code, 'address', address)"        \
	" ORDER BY event, id), '[]') FROM notice_recipient"

/*
 * One change as the user, then the list it belongs to, in one transaction.
 * A change that touches no row is LD_ENOTFOUND.
 */
struct change_ctx {
	const struct principal *p;
	const char *name, *sql;
	int n;
	const char *const *params;
	const char *list_sql;
	char **json;
	struct why *why;
};

static enum ld_err change(struct db *db, void *arg)
{
	struct change_ctx *c = arg;
	PGresult *res;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;
	err = db_exec(db, c->name, c->sql, c->n, c->params, &res);
	if (err) {
		err = why_constraint(db, err, c->why);
		goto out;
	}
	if (PQntuples(res) == 0)
		err = LD_ENOTFOUND;
	PQclear(res);
	if (!err && c->json)
		err = db_json(db, "list", c->list_sql, 0, NULL, c->json);
out:
	return finish(db, err);
}

static enum ld_err change_then_list(struct store *s, const struct principal *p,
				    const char *name, const char *sql, int n,
				    const char *const *params,
				    const char *list_sql, char **json,
				    struct why *why)
{
	struct why unused = {0};
	struct change_ctx c = {p,      name,	 sql,  n,
			       params, list_sql, json, why ? why : &unused};
	return db_run(s, change, &c);
}

enum ld_err admin_store_areas(struct store *s, char **json)
{
	return db_run_json(s, "areas", AREAS_SQL, 0, NULL, json);
}

enum ld_err admin_store_area_save(struct store *s, const struct principal *p,
				  int64_t id, const char *name, int64_t head_id,
				  int64_t director_id, int digest_daily,
				  char **json, struct why *why)
{
	struct db_num i, head, dir;
	const char *params[] = {id ? db_num(&i, id) : NULL,
				name,
				head_id > 0 ? db_num(&head, head_id) : NULL,
				director_id > 0 ? db_num(&dir, director_id)
						: NULL,
				digest_daily < 0 ? NULL
				: digest_daily	 ? "t"
						 : "f",
				head_id < 0 ? "t" : "f",
				director_id < 0 ? "t" : "f"};
	if (id)
		return change_then_list(
			s, p, "area_update",
			"UPDATE service_area SET name = coalesce($2, name),"
			" head_of_service_id = CASE WHEN $6 THEN"
			"  head_of_service_id ELSE $3::bigint END,"
			" slt_director_id = CASE WHEN $7 THEN slt_director_id"
			"  ELSE $4::bigint END,"
			" digest_daily = coalesce($5::boolean, digest_daily),"
			" version = version + 1 WHERE id = $1 RETURNING id",
			7, params, AREAS_SQL, json, why);
	return change_then_list(
		s, p, "area_insert",
		"INSERT INTO service_area (name, head_of_service_id,"
		" slt_director_id, digest_daily)"
		" SELECT $2, $3, $4, coalesce($5::boolean, false)"
		" WHERE $1::bigint IS NULL AND $6 <> '' AND $7 <> ''"
		" RETURNING id",
		7, params, AREAS_SQL, json, why);
}

enum ld_err admin_store_users(struct store *s, char **json)
{
	return db_run_json(s, "users", USERS_SQL, 0, NULL, json);
}

enum ld_err admin_store_user_save(struct store *s, const struct principal *p,
				  int64_t id, const struct user_in *in,
				  char **json, struct why *why)
{
	struct db_num i, area, title, version;
	const char *tri[] = {NULL, "f", "t"};
	const char *params[] = {
		id ? db_num(&i, id) : NULL,
		in->email,
		in->name,
		in->job_title,
		in->service_area_id > 0 ? db_num(&area, in->service_area_id)
					: NULL,
		in->service_area_id < 0 ? "t" : "f",
		in->validator_title_id > 0
			? db_num(&title, in->validator_title_id)
			: NULL,
		in->validator_title_id < 0 ? "t" : "f",
		tri[in->resident_access + 1],
		tri[in->active + 1],
		in->roles,
		in->password_hash,
		in->version ? db_num(&version, in->version) : NULL};
	/*
	 * One statement: the user row, then its roles replaced when given.
	 * A stale version matches no row, which the handler reports as 412.
	 * A new password, or a change of active, ends every session and API
	 * token of the user: what was signed in before starts again from the
	 * new password, and reactivating revives nothing.
	 */
	return change_then_list(
		s, p, id ? "user_update" : "user_insert",
		"WITH u AS ("
		" INSERT INTO app_user (email, name, job_title, "
		"service_area_id,"
		"  validator_title_id, resident_access, active, password_hash)"
		" SELECT $2, $3, coalesce($4, ''), $5::bigint, $7::bigint,"
		"  coalesce($9::boolean, false), coalesce($10::boolean, true), "
		"$12"
		" WHERE $1::bigint IS NULL AND $6::boolean IS NOT NULL"
		" AND $8::boolean IS NOT NULL"
		" AND $13::int IS NULL"
		" ON CONFLICT DO NOTHING RETURNING id),"
		" v AS (UPDATE app_user SET email = coalesce($2, email),"
		"  name = coalesce($3, name), job_title = coalesce($4, "
		"job_title),"
		"  service_area_id = CASE WHEN $6::boolean THEN service_area_id"
		"   ELSE $5::bigint END,"
		"  validator_title_id = CASE WHEN $8::boolean THEN"
		"   validator_title_id"
		"   ELSE $7::bigint END,"
		"  resident_access = coalesce($9::boolean, resident_access),"
		"  active = coalesce($10::boolean, active),"
		"  password_hash = coalesce($12, password_hash),"
		"  version = version + 1"
		"  WHERE id = $1 AND version = $13::int RETURNING id),"
		" target AS (SELECT id FROM u UNION ALL SELECT id FROM v),"
		" gone AS (DELETE FROM user_role WHERE $11::text[] IS NOT NULL"
		"  AND user_id IN (SELECT id FROM target)"
		"  AND NOT role = ANY($11::text[])),"
		" added AS (INSERT INTO user_role (user_id, role)"
		"  SELECT target.id, r FROM target, unnest($11::text[]) r"
		"  ON CONFLICT DO NOTHING),"
		" prior AS (SELECT id, active FROM app_user WHERE id = $1),"
		" ends AS (SELECT v.id FROM v JOIN prior USING (id)"
		"  WHERE $12::text IS NOT NULL"
		"  OR coalesce($10::boolean, prior.active) <> prior.active),"
		" ended AS (UPDATE session SET ended_at = now()"
		"  WHERE user_id IN (SELECT id FROM ends) AND ended_at IS "
		"NULL),"
		" revoked AS (UPDATE api_token SET revoked_at = now()"
		"  WHERE user_id IN (SELECT id FROM ends)"
		"  AND revoked_at IS NULL),"
		" told AS (INSERT INTO audit_log (actor_id, action, entity,"
		"  entity_id, detail) SELECT audit_actor(), 'signins_ended',"
		"  'app_user', id, CASE WHEN $12::text IS NOT NULL"
		"  THEN 'password reset' ELSE 'activated or deactivated' END"
		"  FROM ends)"
		" SELECT id FROM target",
		13, params, USERS_SQL, json, why);
}

enum ld_err admin_store_ombudsmen(struct store *s, char **json)
{
	return db_run_json(
		s, "ombudsmen",
		"SELECT coalesce(json_agg(json_build_object('id', id, 'code', "
		"code,"
		" 'name', name, 'reference_mask', reference_mask,"
		" 'reference_example', reference_example, 'evidence_days',"
		" evidence_days, 'submission_channel', submission_channel,"
		" 'sanction_name', sanction_name, 'sanction_types',"
		" sanction_types, 'portal_file_limit', portal_file_limit,"
		" 'findings', findings) ORDER BY id), '[]')"
		" FROM ombudsman",
		0, NULL, json);
}

enum ld_err admin_store_validator_titles(struct store *s, char **json)
{
	return db_run_json(
		s, "validator_titles",
		"SELECT coalesce(json_agg(json_build_object('id', id, 'title',"
		" title, 'required', required) ORDER BY position, id), '[]')"
		" FROM validator_title",
		0, NULL, json);
}

enum ld_err admin_store_positions(struct store *s, char **json)
{
	return db_run_json(s, "positions", POSITIONS_SQL, 0, NULL, json);
}

enum ld_err admin_store_position_set(struct store *s, const struct principal *p,
				     const char *code, int64_t user_id,
				     char **json, struct why *why)
{
	struct db_num u;
	const char *params[] = {code, user_id ? db_num(&u, user_id) : NULL};
	return change_then_list(s, p, "position_set",
				"UPDATE position SET user_id = $2"
				" WHERE code = $1 RETURNING code",
				2, params, POSITIONS_SQL, json, why);
}

enum ld_err admin_store_recipients(struct store *s, char **json)
{
	return db_run_json(s, "recipients", RECIPIENTS_SQL, 0, NULL, json);
}

enum ld_err admin_store_recipient_add(struct store *s,
				      const struct principal *p,
				      const char *event, const char *kind,
				      const char *position, const char *address,
				      char **json, struct why *why)
{
	const char *params[] = {event, kind, position, address};
	return change_then_list(s, p, "recipient_add",
				"INSERT INTO notice_recipient (event, kind,"
				" position_code, address)"
				" VALUES ($1, $2, $3, $4) RETURNING id",
				4, params, RECIPIENTS_SQL, json, why);
}

enum ld_err admin_store_recipient_delete(struct store *s,
					 const struct principal *p, int64_t id)
{
	struct db_num i;
	const char *params[] = {db_num(&i, id)};
	return change_then_list(s, p, "recipient_delete",
				"DELETE FROM notice_recipient WHERE id = $1"
				" RETURNING id",
				1, params, NULL, NULL, NULL);
}

enum ld_err admin_store_outbox(struct store *s, const char *status, char **json)
{
	const char *params[] = {status};
	return db_run_json(
		s, "outbox",
		"SELECT coalesce(json_agg(json_build_object('id', id, 'kind', "
		"kind,"
		" 'recipient', recipient, 'subject', subject, 'status', status,"
		" 'attempts', attempts, 'last_error', last_error, 'created_at',"
		" created_at, 'sent_at', sent_at, 'case_id', case_id, "
		"'task_id',"
		" task_id, 'recipients', recipients) ORDER BY id DESC), '[]')"
		" FROM (SELECT * FROM outbox"
		" WHERE coalesce(status = $1, status <> 'split')"
		" ORDER BY id DESC"
		" LIMIT 500) o",
		1, params, json);
}
