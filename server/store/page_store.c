#include "page_store.h"

#include <stdio.h>

#include "case_store_int.h"

enum ld_err page_store_home(struct store *s, int32_t today, int32_t horizon,
			    int shown, char **json)
{
	struct db_date t, h;
	struct db_num n;
	const char *params[] = {db_date(&t, today), db_date(&h, horizon),
				db_num(&n, shown)};
	char key[80];
	snprintf(key, sizeof(key), "home %s %s %s", params[0], params[1],
		 params[2]);
	return db_run_json_memo(s, key, "home", "SELECT home_json($1, $2, $3)",
				3, params, json);
}

enum ld_err page_store_home_tasks(struct store *s, const char *list,
				  int32_t today, int32_t horizon, size_t offset,
				  size_t limit, char **json)
{
	struct db_date t, h;
	struct db_num o, l;
	const char *params[] = {list, db_date(&t, today), db_date(&h, horizon),
				db_num(&o, (int64_t)offset),
				db_num(&l, (int64_t)limit)};
	char key[128];
	snprintf(key, sizeof(key), "home_tasks %s %s %s %s %s", params[0],
		 params[1], params[2], params[3], params[4]);
	return db_run_json_memo(
		s, key, "home_tasks",
		"SELECT home_tasks_page_json($1, $2, $3, $4, $5)", 5, params,
		json);
}

enum ld_err page_store_my_tasks(struct store *s, const struct principal *p,
				char **json)
{
	struct db_num u, a, scope;
	const char *params[] = {db_num(&u, p->user_id),
				db_num(&a, p->service_area_id),
				area_scope(p, &scope)};
	return db_run_json(s, "my_tasks", "SELECT my_tasks_json($1, $2, $3)", 3,
			   params, json);
}

enum ld_err page_store_validation(struct store *s, const struct principal *p,
				  char **json)
{
	struct db_num t;
	const char *params[] = {db_num(&t, p->validator_title_id)};
	return db_run_json(s, "validation_queue",
			   "SELECT validation_queue_json($1)", 1, params, json);
}

enum ld_err page_store_complaints(struct store *s, char **json)
{
	return db_run_json(
		s, "complaints",
		"SELECT coalesce(json_agg(json_build_object('id', c.id,"
		" 'reference', c.reference, 'category', c.category) ORDER BY"
		" c.id DESC), '[]') FROM (SELECT * FROM complaint ORDER BY id"
		" DESC LIMIT 500) c",
		0, NULL, json);
}

enum ld_err page_store_assignees(struct store *s, char **json)
{
	return db_run_json(
		s, "assignees",
		"SELECT coalesce(json_agg(json_build_object('id', u.id, 'name',"
		" u.name, 'area', a.name) ORDER BY a.name, u.name), '[]')"
		" FROM app_user u JOIN service_area a ON a.id = "
		"u.service_area_id"
		" WHERE u.active AND EXISTS (SELECT 1 FROM user_role r WHERE"
		" r.user_id = u.id AND r.role = 'service_officer')",
		0, NULL, json);
}
