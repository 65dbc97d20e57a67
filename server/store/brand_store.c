/* The organisation's brand: two settings and the logo (sql/029_brand.sql). */
#include "brand_store.h"

#include <stdlib.h>
#include <string.h>

#include "brand.h"
#include "case_store_int.h"
#include "xalloc.h"

enum ld_err brand_store_get(struct store *s, char **json)
{
	return db_run_json(
		s, "brand",
		"SELECT json_build_object("
		" 'name', coalesce((SELECT value FROM setting WHERE name ="
		"  'organisation_name'), 'Linkdesk'),"
		" 'colour', coalesce((SELECT value FROM setting WHERE name ="
		"  'brand_colour'), '" BRAND_COLOUR_DEFAULT "'),"
		" 'has_logo', EXISTS (SELECT 1 FROM brand_logo),"
		" 'version', (SELECT floor(extract(epoch FROM max(t)))::bigint"
		"  FROM (SELECT updated_at FROM setting WHERE name IN"
		"   ('organisation_name', 'brand_colour')"
		"   UNION ALL SELECT updated_at FROM brand_logo) AS x(t)))",
		0, NULL, json);
}

struct set_ctx {
	int64_t actor;
	const char *name, *colour;
	const char *type;
	const unsigned char *bytes;
	size_t len;
};

static enum ld_err set(struct db *db, void *arg)
{
	struct set_ctx *c = arg;
	const char *params[] = {c->name, c->colour};
	enum ld_err err = db_begin_as(db, c->actor);
	if (!err)
		err = db_exec(
			db, "brand_set",
			"INSERT INTO setting (name, value, description) VALUES"
			" ('organisation_name', $1, 'name shown on the"
			" dashboard'), ('brand_colour', $2, 'colour of the"
			" dashboard''s header, #rrggbb')"
			" ON CONFLICT (name) DO UPDATE SET value ="
			" excluded.value, updated_at = now()"
			" WHERE setting.value <> excluded.value",
			2, params, NULL);
	return finish(db, err);
}

enum ld_err brand_store_set(struct store *s, int64_t actor_id, const char *name,
			    const char *colour)
{
	struct set_ctx c = {actor_id, name, colour, NULL, NULL, 0};
	return db_run(s, set, &c);
}

static enum ld_err set_logo(struct db *db, void *arg)
{
	struct set_ctx *c = arg;
	enum ld_err err = db_begin_as(db, c->actor);
	if (err)
		return finish(db, err);
	if (!c->bytes) {
		err = db_exec(db, "brand_logo_remove", "DELETE FROM brand_logo",
			      0, NULL, NULL);
		return finish(db, err);
	}
	/* bytea's hex input: "\x" and two digits a byte. */
	char *hex = xmalloc(2 + 2 * c->len + 1);
	static const char digits[] = "0123456789abcdef";
	hex[0] = '\\';
	hex[1] = 'x';
	for (size_t i = 0; i < c->len; i++) {
		hex[2 + 2 * i] = digits[c->bytes[i] >> 4];
		hex[3 + 2 * i] = digits[c->bytes[i] & 15];
	}
	hex[2 + 2 * c->len] = '\0';
	const char *params[] = {c->type, hex};
	err = db_exec(db, "brand_logo_set",
		      "INSERT INTO brand_logo (id, content_type, bytes)"
		      " VALUES (1, $1, $2::bytea) ON CONFLICT (id) DO UPDATE"
		      " SET content_type = excluded.content_type,"
		      " bytes = excluded.bytes, updated_at = now()",
		      2, params, NULL);
	free(hex);
	return finish(db, err);
}

enum ld_err brand_store_set_logo(struct store *s, int64_t actor_id,
				 const char *content_type,
				 const unsigned char *bytes, size_t len)
{
	struct set_ctx c = {actor_id, NULL, NULL, content_type, bytes, len};
	return db_run(s, set_logo, &c);
}

struct logo_ctx {
	const char **type;
	unsigned char **bytes;
	size_t *len;
};

static enum ld_err logo(struct db *db, void *arg)
{
	struct logo_ctx *c = arg;
	PGresult *res;
	enum ld_err err = db_exec(db, "brand_logo",
				  "SELECT content_type, bytes FROM brand_logo",
				  0, NULL, &res);
	if (err)
		return err;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	/* Only the two types the table allows are ever served. */
	*c->type = !strcmp(PQgetvalue(res, 0, 0), "image/png")
			   ? "image/png"
			   : "image/svg+xml";
	size_t n = 0;
	unsigned char *raw = PQunescapeBytea(
		(const unsigned char *)PQgetvalue(res, 0, 1), &n);
	PQclear(res);
	if (!raw)
		return LD_EDB;
	*c->bytes = xmalloc(n ? n : 1);
	memcpy(*c->bytes, raw, n);
	PQfreemem(raw);
	*c->len = n;
	return LD_OK;
}

enum ld_err brand_store_logo(struct store *s, const char **content_type,
			     unsigned char **bytes, size_t *len)
{
	struct logo_ctx c = {content_type, bytes, len};
	*bytes = NULL;
	return db_run(s, logo, &c);
}
