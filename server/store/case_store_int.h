/* Helpers shared by the casework store files (server/store only). */
#ifndef CASE_STORE_INT_H
#define CASE_STORE_INT_H

#include "case_store.h"
#include "db.h"

void why_set(struct why *w, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * The area a service-area officer is confined to, as a parameter; NULL for
 * roles that read every area.
 */
const char *area_scope(const struct principal *p, struct db_num *n);

/* Explain an integrity violation by its constraint; returns err. */
enum ld_err why_constraint(struct db *db, enum ld_err err, struct why *why);

/* Commit on success, roll back on failure; returns the outcome. */
enum ld_err finish(struct db *db, enum ld_err err);

/* The case as case_json() builds it for this user. */
enum ld_err case_read(struct db *db, const struct principal *p, int64_t id,
		      char **json);

#endif
