/*
 * Sign-in, sessions and API tokens in PostgreSQL.  Secrets are looked up by
 * their SHA-256, never stored; the slow password hash runs only at sign-in,
 * on the hashing pool.  Every function may be called from any thread.
 */
#ifndef AUTH_STORE_H
#define AUTH_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "ld_err.h"
#include "principal.h"
#include "secret.h"

struct store;

/*
 * The seconds a sign-in for email from ip must wait; 0 when it may go ahead.
 * Failures are counted per account and address together, so failures from
 * one address never hold the right password back from another: after 5
 * failures of a pair in the last hour (since its last success) each further
 * attempt waits 15 seconds after the last failure, doubling with each
 * failure up to 15 minutes.  An address with 50 failures in 15 minutes, for
 * any accounts, waits until the oldest of them is 15 minutes old (a ceiling
 * on trying many accounts).
 */
enum ld_err auth_store_signin_wait(struct store *s, const char *email,
				   const char *ip, long *wait);

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

/*
 * The principal of an unrevoked API token.  LD_ENOTFOUND for an unknown or
 * revoked token, LD_EUNAUTHORISED for one past its expiry.
 */
enum ld_err auth_store_token(struct store *s,
			     const unsigned char hash[SECRET_HASH_LEN],
			     struct principal *out);

/* End a session (sign-out), or one of the user's own sessions by id. */
enum ld_err auth_store_end_session(struct store *s, int64_t user_id,
				   int64_t session_id);

/* The user, roles and open sessions as JSON (free() it). */
enum ld_err auth_store_me(struct store *s, const struct principal *p,
			  char **json);

/*
 * Store a new API token of the user, as JSON (free() it).  expires is a Unix
 * time or 0 for none.  parent_id is the token the request was made with (0
 * with a session): the new token then expires no later than its parent,
 * whatever expires says, and is revoked with it.
 */
enum ld_err auth_store_create_token(struct store *s, int64_t user_id,
				    int64_t parent_id, int64_t expires,
				    const char *name,
				    const unsigned char hash[SECRET_HASH_LEN],
				    char **json);
/* The user's unrevoked tokens, expired ones included, as JSON. */
enum ld_err auth_store_list_tokens(struct store *s, int64_t user_id,
				   char **json);
/* Revoke one of the user's tokens and every token made with it. */
enum ld_err auth_store_revoke_token(struct store *s, int64_t user_id,
				    int64_t token_id);

/* Record a refused request in the audit log. */
enum ld_err auth_store_audit_refusal(struct store *s, int64_t user_id,
				     const char *what);

/*
 * Set a password hash for users matching an email pattern (LIKE), ending
 * each one's sessions and revoking their API tokens.
 */
enum ld_err auth_store_set_passwords(struct store *s, const char *pattern,
				     const char *hash, int *changed);

#endif
