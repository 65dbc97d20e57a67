/*
 * OpenID Connect single sign-on: the authorization code flow with PKCE as a
 * confidential client.
 *
 * The client (server/auth/oidc.c) speaks to the provider with libcurl and
 * checks ID tokens with libcjose: discovery from the issuer's
 * /.well-known/openid-configuration (kept an hour), the JWKS (kept a day,
 * fetched again when a token names a kid it does not hold), the code
 * exchange.  It never touches the database, so a caller holds no
 * connection while it waits on the network; every function may be called
 * from any thread.  Strings it returns live in the arena it is given.
 *
 * The store (server/store/oidc_store.c) keeps the sign-ins begun and not
 * yet back (one use each), the identities the provider knows users by, and
 * makes the sign-in itself in one transaction with its audit rows.
 */
#ifndef OIDC_H
#define OIDC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ld_err.h"
#include "secret.h"

struct arena;
struct store;

/* Is single sign-on configured (an issuer and a client id)? */
bool oidc_enabled(const struct config *cfg);

/* The endpoints discovery gives; end_session is NULL when there is none. */
struct oidc_endpoints {
	const char *authorization;
	const char *token;
	const char *end_session;
};

/*
 * The provider's endpoints, from the cached discovery document or (on a
 * miss) the network.  On failure why holds a sentence for the log.
 */
enum ld_err oidc_endpoints(const struct config *cfg, struct arena *a,
			   struct oidc_endpoints *out, char *why,
			   size_t whylen);

/* The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)). */
void oidc_pkce_challenge(const char *verifier, char out[SECRET_TOKEN_LEN]);

/* The authorization request's address (in a). */
const char *oidc_authorize_url(const struct config *cfg, struct arena *a,
			       const struct oidc_endpoints *ep,
			       const char *redirect_uri, const char *state,
			       const char *nonce, const char *challenge);

/*
 * Exchange an authorization code (with its PKCE verifier) at the token
 * endpoint, authenticating with the client secret; *id_token (in a) is the
 * ID token of the answer, not yet checked.  LD_EUNAUTHORISED when the
 * provider refuses the code, with its error in why.
 */
enum ld_err oidc_exchange(const struct config *cfg, struct arena *a,
			  const struct oidc_endpoints *ep,
			  const char *redirect_uri, const char *code,
			  const char *verifier, const char **id_token,
			  char *why, size_t whylen);

/*
 * Check an ID token: its signature against the provider's JWKS with an
 * asymmetric algorithm (RS, PS or ES; never none or HS), then iss, aud (and
 * azp), exp, iat and nbf within LINKDESK_OIDC_CLOCK_SKEW of now, and nonce.
 * On success *claims is a new reference to its claims; LD_EUNAUTHORISED
 * with a sentence in why otherwise.
 */
enum ld_err oidc_verify(const struct config *cfg, const char *id_token,
			const char *nonce, int64_t now, json_t **claims,
			char *why, size_t whylen);

/* The roles the provider's groups give (LINKDESK_OIDC_GROUP_ROLES). */
struct oidc_roles {
	bool map;	      /* false: leave the user's roles as they are */
	const char *roles[5]; /* role names, as user_role spells them */
	int nroles;
	const char *area;  /* service area name, or NULL */
	const char *title; /* validator title, or NULL */
};

/*
 * Map a groups claim (an array of strings, one string, or NULL when the
 * token has none) through mapping, "group=role[:area or title];...".
 * out->map is false when mapping is empty or the claim is absent.  LD_EINVAL
 * with why when mapping is malformed.  Strings in a.
 */
enum ld_err oidc_map_groups(const char *mapping, json_t *groups,
			    struct arena *a, struct oidc_roles *out, char *why,
			    size_t whylen);

/* The store ------------------------------------------------------------ */

/* Record a sign-in sent to the provider (ten minutes, one use). */
enum ld_err oidc_store_begin(struct store *s,
			     const unsigned char state_hash[SECRET_HASH_LEN],
			     const unsigned char browser_hash[SECRET_HASH_LEN],
			     const char *nonce, const char *verifier);

/*
 * Take (delete) the sign-in whose state has this hash: LD_ENOTFOUND when
 * there is none, it was used, or it has expired.
 */
enum ld_err oidc_store_take(struct store *s,
			    const unsigned char state_hash[SECRET_HASH_LEN],
			    unsigned char browser_hash[SECRET_HASH_LEN],
			    char nonce[SECRET_TOKEN_LEN],
			    char verifier[SECRET_TOKEN_LEN]);

/* One sign-in the provider vouched for. */
struct oidc_signin {
	const char *issuer, *sub;
	const char *email; /* NULL: match by sub only */
	const char *name;
	const struct oidc_roles *roles;
	bool create; /* LINKDESK_OIDC_CREATE_USERS */
	const char *ip, *user_agent;
	const unsigned char *token_hash; /* the new session's */
	const char *csrf;
	long max_age;
	const char *id_token;
};

/*
 * Sign in (sql/024_oidc.sql's oidc_sign_in): find or create the user, set
 * their roles from the groups, open a session, all audited, in one
 * transaction.  LD_EFORBIDDEN with the reason in refusal (and its audit row
 * written) when the user may not sign in.
 */
enum ld_err oidc_store_signin(struct store *s, const struct oidc_signin *in,
			      int64_t *user_id, char refusal[256]);

/* Record a refused OIDC sign-in in the audit log (user_id 0: unknown). */
enum ld_err oidc_store_refused(struct store *s, int64_t user_id,
			       const char *why, const char *ip);

/*
 * Take the ID token a session began with, for the provider's end-session
 * endpoint at sign-out (free() it; it is removed from the store); NULL for
 * a session signed in with a password.
 */
enum ld_err oidc_store_session_token(struct store *s, int64_t session_id,
				     char **id_token);

/* Is the active user user_id an administrator? */
enum ld_err oidc_store_is_admin(struct store *s, int64_t user_id, bool *admin);

#endif
