/*
 * Sign-in, sessions and API tokens in PostgreSQL.  Secrets are looked up by
 * their SHA-256, never stored; the slow password hash runs only at sign-in.
 */
#ifndef AUTH_STORE_H
#define AUTH_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"
#include "secret.h"

struct store;

/* Failed sign-ins in the last 15 minutes: 5 per account, 20 per address. */
enum ld_err auth_store_rate_limited(struct store *s, const char *email,
				    const char *ip, bool *limited);

/* The password hash of an active user; LD_ENOTFOUND otherwise. */
enum ld_err auth_store_find_user(struct store *s, const char *email,
				 int64_t *user_id,
				 char hash[SECRET_PWHASH_LEN]);

/*
 * Record a sign-in attempt and its audit row; on success also open a session
 * (a fresh token every time) lasting at most max_age seconds.
 */
enum ld_err auth_store_signin(struct store *s, const char *email,
			      const char *ip, const char *user_agent,
			      int64_t user_id, bool success,
			      const unsigned char token_hash[SECRET_HASH_LEN],
			      const char *csrf, long max_age);

/*
 * The principal of a live session, touching its last use.  LD_ENOTFOUND for
 * an unknown token, LD_EUNAUTHORISED for one that has expired (idle for
 * more than idle seconds, or past its absolute end).
 */
enum ld_err auth_store_session(struct store *s,
			       const unsigned char hash[SECRET_HASH_LEN],
			       long idle, struct principal *out);

/* The principal of an unrevoked API token; LD_ENOTFOUND otherwise. */
enum ld_err auth_store_token(struct store *s,
			     const unsigned char hash[SECRET_HASH_LEN],
			     struct principal *out);

/* End a session (sign-out), or one of the user's own sessions by id. */
enum ld_err auth_store_end_session(struct store *s, int64_t user_id,
				   int64_t session_id);

/* The user, roles and open sessions as JSON (free() it). */
enum ld_err auth_store_me(struct store *s, const struct principal *p,
			  char **json);

enum ld_err auth_store_create_token(struct store *s, int64_t user_id,
				    const char *name,
				    const unsigned char hash[SECRET_HASH_LEN],
				    char **json);
enum ld_err auth_store_list_tokens(struct store *s, int64_t user_id,
				   char **json);
enum ld_err auth_store_revoke_token(struct store *s, int64_t user_id,
				    int64_t token_id);

/* Record a refused request in the audit log. */
enum ld_err auth_store_audit_refusal(struct store *s, int64_t user_id,
				     const char *what);

/* Set a password hash for users matching an email pattern (LIKE). */
enum ld_err auth_store_set_passwords(struct store *s, const char *pattern,
				     const char *hash, int *changed);

#endif
