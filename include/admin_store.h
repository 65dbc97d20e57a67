/*
 * The administrator's configuration: service areas, users and roles,
 * positions, recipients of notices, the Ombudsmen.  JSON in, JSON out: the
 * handlers have checked every field; the store writes it in one transaction
 * with its audit rows.
 */
#ifndef ADMIN_STORE_H
#define ADMIN_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "case_store.h"
#include "principal.h"

struct store;

enum ld_err admin_store_areas(struct store *s, char **json);
enum ld_err admin_store_area_save(struct store *s, const struct principal *p,
				  int64_t id, const char *name, int64_t head_id,
				  int64_t director_id, int digest_daily,
				  char **json, struct why *why);

/* A service area's fields as the API decodes them (admin_area_in). */
struct area_in {
	const char *name;    /* NULL: unchanged */
	int64_t head_id;     /* 0: none, -1: unchanged */
	int64_t director_id; /* 0: none, -1: unchanged */
	int digest_daily;    /* -1: unchanged */
};

/* Who is told of an event, as the API decodes it (admin_recipient_in). */
struct recipient_in {
	const char *event, *kind;
	const char *position, *address; /* NULL unless of their kind */
};

struct user_in {
	const char *email, *name, *job_title;
	int64_t service_area_id;    /* 0: none, -1: unchanged */
	int64_t validator_title_id; /* 0: none, -1: unchanged */
	int resident_access;	    /* -1: unchanged */
	int active;		    /* -1: unchanged */
	const char *roles;	    /* "{a,b}" or NULL: unchanged */
	const char *password_hash;  /* NULL: unchanged */
	int version;
};

enum ld_err admin_store_users(struct store *s, char **json);
/*
 * Add (id 0) or change a user, then list the users as JSON (free() it).
 * Setting a password, deactivating or reactivating ends all the user's
 * sessions and revokes their API tokens, in the same transaction.
 */
enum ld_err admin_store_user_save(struct store *s, const struct principal *p,
				  int64_t id, const struct user_in *in,
				  char **json, struct why *why);

enum ld_err admin_store_ombudsmen(struct store *s, char **json);
enum ld_err admin_store_validator_titles(struct store *s, char **json);
enum ld_err admin_store_positions(struct store *s, char **json);
enum ld_err admin_store_position_set(struct store *s, const struct principal *p,
				     const char *code, int64_t user_id,
				     char **json, struct why *why);
enum ld_err admin_store_recipients(struct store *s, char **json);
enum ld_err admin_store_recipient_add(struct store *s,
				      const struct principal *p,
				      const char *event, const char *kind,
				      const char *position, const char *address,
				      char **json, struct why *why);
enum ld_err admin_store_recipient_delete(struct store *s,
					 const struct principal *p, int64_t id);

/* The outbox, newest first, for administrators. */
enum ld_err admin_store_outbox(struct store *s, const char *status,
			       char **json);

#endif
