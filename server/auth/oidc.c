/*
 * The OpenID Connect client: discovery, the JWKS, the code exchange and the
 * ID token's checks.  JOSE is libcjose's (the JWS parsed, its signature
 * verified against a JWK); HTTP is libcurl's.  No database here.
 */
#include "oidc.h"

#include <curl/curl.h>
#include <cjose/cjose.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arena.h"
#include "buf.h"
#include "log.h"
#include "xalloc.h"

/* The most a provider's answer may hold. */
#define OIDC_BODY_MAX (1024 * 1024)
/* Seconds one call to the provider may take. */
#define OIDC_TIMEOUT  10L
#define DISCOVERY_TTL 3600
#define JWKS_TTL      86400
/* The oldest an ID token may be when it arrives, besides the skew. */
#define IAT_MAX_AGE 600

bool oidc_enabled(const struct config *cfg)
{
	return cfg->oidc_issuer[0] && cfg->oidc_client_id[0];
}

/*
 * What the provider told us, shared by every thread: the discovery
 * document and the key set, each with when it was fetched.
 */
static struct {
	pthread_mutex_t lock;
	json_t *discovery;
	time_t discovery_at;
	json_t *jwks;
	time_t jwks_at;
} cache = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL, 0};

static void fail(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/*
 * Only https, except to this machine (a provider on loopback, as in the
 * tests): a token or a key set must not cross a network in the clear.
 */
static bool url_allowed(const char *url)
{
	static const char *const local[] = {
		"http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:",
		"http://localhost/", "http://[::1]:",	  "http://[::1]/"};
	if (!url)
		return false;
	if (!strncasecmp(url, "https://", 8))
		return true;
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (!strncasecmp(url, local[i], strlen(local[i])))
			return true;
	return false;
}

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	if (buf_add(arg, data, size * n))
		return 0; /* over the cap: curl stops with an error */
	return size * n;
}

/*
 * One request to the provider: GET, or POST of a form when form is set,
 * with an Authorization header when auth is set.  *json is the answer
 * parsed (a new reference) whatever its status.
 */
static enum ld_err fetch(const char *url, const char *form, const char *auth,
			 long *status, json_t **json, char *why, size_t whylen)
{
	struct buf body;
	struct curl_slist *headers = NULL;
	enum ld_err err = LD_OK;
	CURL *h;

	*json = NULL;
	*status = 0;
	if (!url_allowed(url)) {
		fail(why, whylen, "the provider's address %s is not https",
		     url ? url : "(none)");
		return LD_EINVAL;
	}
	h = curl_easy_init();
	if (!h)
		return LD_EINTERNAL;
	buf_init(&body, OIDC_BODY_MAX);
	headers = curl_slist_append(headers, "Accept: application/json");
	if (auth)
		headers = curl_slist_append(headers, auth);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, OIDC_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, OIDC_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	if (form)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	CURLcode rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		fail(why, whylen, "the provider could not be reached at %s: %s",
		     url, curl_easy_strerror(rc));
		err = LD_EIO;
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	*json = json_loadb(body.ptr ? body.ptr : "", body.len, 0, NULL);
	if (!*json || !json_is_object(*json)) {
		fail(why, whylen,
		     "the provider's answer from %s (%ld) is not "
		     "a JSON object",
		     url, *status);
		json_decref(*json);
		*json = NULL;
		err = LD_EIO;
	}
out:
	buf_release(&body);
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	return err;
}

/* The discovery document, a new reference. */
static enum ld_err discovery(const struct config *cfg, json_t **out, char *why,
			     size_t whylen)
{
	time_t now = time(NULL);
	json_t *doc;
	long status;
	enum ld_err err;

	pthread_mutex_lock(&cache.lock);
	*out = cache.discovery && now - cache.discovery_at < DISCOVERY_TTL
		       ? json_deep_copy(cache.discovery)
		       : NULL;
	pthread_mutex_unlock(&cache.lock);
	if (*out)
		return LD_OK;

	struct buf url;
	buf_init(&url, 2048);
	size_t n = strlen(cfg->oidc_issuer);
	if (buf_printf(&url, "%.*s/.well-known/openid-configuration",
		       (int)(n && cfg->oidc_issuer[n - 1] == '/' ? n - 1 : n),
		       cfg->oidc_issuer)) {
		buf_release(&url);
		return LD_ETOOLARGE;
	}
	err = fetch(buf_str(&url), NULL, NULL, &status, &doc, why, whylen);
	buf_release(&url);
	if (err)
		return err;
	const char *issuer = json_string_value(json_object_get(doc, "issuer"));
	if (status != 200 || !issuer || strcmp(issuer, cfg->oidc_issuer)) {
		fail(why, whylen,
		     "discovery at %s answered %ld with issuer %s, not the "
		     "configured one",
		     cfg->oidc_issuer, status, issuer ? issuer : "(none)");
		json_decref(doc);
		return LD_EIO;
	}
	pthread_mutex_lock(&cache.lock);
	json_decref(cache.discovery);
	cache.discovery = json_deep_copy(doc);
	cache.discovery_at = now;
	pthread_mutex_unlock(&cache.lock);
	*out = doc;
	return LD_OK;
}

static const char *doc_string(json_t *doc, const char *key, struct arena *a)
{
	const char *v = json_string_value(json_object_get(doc, key));
	return v ? arena_strdup(a, v) : NULL;
}

enum ld_err oidc_endpoints(const struct config *cfg, struct arena *a,
			   struct oidc_endpoints *out, char *why, size_t whylen)
{
	json_t *doc;
	enum ld_err err = discovery(cfg, &doc, why, whylen);
	if (err)
		return err;
	out->authorization = doc_string(doc, "authorization_endpoint", a);
	out->token = doc_string(doc, "token_endpoint", a);
	out->end_session = doc_string(doc, "end_session_endpoint", a);
	json_decref(doc);
	if (!url_allowed(out->authorization) || !url_allowed(out->token) ||
	    (out->end_session && !url_allowed(out->end_session))) {
		fail(why, whylen,
		     "discovery gave no https authorization or token endpoint");
		return LD_EIO;
	}
	return LD_OK;
}

void oidc_pkce_challenge(const char *verifier, char out[SECRET_TOKEN_LEN])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)verifier,
			   strlen(verifier));
	sodium_bin2base64(out, SECRET_TOKEN_LEN, digest, sizeof(digest),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Percent-encode a value for a query string or a form (in a). */
static const char *esc(struct arena *a, const char *v)
{
	char *e = curl_easy_escape(NULL, v, 0);
	const char *out = arena_strdup(a, e ? e : "");
	curl_free(e);
	return out;
}

const char *oidc_authorize_url(const struct config *cfg, struct arena *a,
			       const struct oidc_endpoints *ep,
			       const char *redirect_uri, const char *state,
			       const char *nonce, const char *challenge)
{
	return arena_printf(
		a,
		"%s%cresponse_type=code&client_id=%s&redirect_uri=%s"
		"&scope=%s&state=%s&nonce=%s&code_challenge=%s"
		"&code_challenge_method=S256",
		ep->authorization, strchr(ep->authorization, '?') ? '&' : '?',
		esc(a, cfg->oidc_client_id), esc(a, redirect_uri),
		esc(a, cfg->oidc_scopes), esc(a, state), esc(a, nonce),
		esc(a, challenge));
}

/*
 * The client secret: LINKDESK_OIDC_CLIENT_SECRET, else the first line of
 * LINKDESK_OIDC_CLIENT_SECRET_FILE, read at each sign-in so that a new
 * secret needs no restart.
 */
static enum ld_err client_secret(const struct config *cfg, struct arena *a,
				 const char **out, char *why, size_t whylen)
{
	char line[1024];
	if (cfg->oidc_client_secret[0]) {
		*out = cfg->oidc_client_secret;
		return LD_OK;
	}
	FILE *f = cfg->oidc_client_secret_file[0]
			  ? fopen(cfg->oidc_client_secret_file, "r")
			  : NULL;
	if (!f) {
		fail(why, whylen,
		     "no client secret: set LINKDESK_OIDC_CLIENT_SECRET_FILE "
		     "to a readable file");
		return LD_EINVAL;
	}
	bool got = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (!got || !line[0]) {
		fail(why, whylen, "the client secret file %s is empty",
		     cfg->oidc_client_secret_file);
		return LD_EINVAL;
	}
	*out = arena_strdup(a, line);
	sodium_memzero(line, sizeof(line));
	return LD_OK;
}

enum ld_err oidc_exchange(const struct config *cfg, struct arena *a,
			  const struct oidc_endpoints *ep,
			  const char *redirect_uri, const char *code,
			  const char *verifier, const char **id_token,
			  char *why, size_t whylen)
{
	const char *secret;
	json_t *answer;
	long status;
	enum ld_err err = client_secret(cfg, a, &secret, why, whylen);
	if (err)
		return err;
	/*
	 * client_secret_basic, as RFC 6749 2.3.1 says: the id and the secret
	 * form-encoded, then joined and base64-encoded.
	 */
	const char *pair = arena_printf(a, "%s:%s", esc(a, cfg->oidc_client_id),
					esc(a, secret));
	size_t plen = strlen(pair);
	size_t b64len =
		sodium_base64_encoded_len(plen, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = arena_alloc(a, b64len);
	sodium_bin2base64(b64, b64len, (const unsigned char *)pair, plen,
			  sodium_base64_VARIANT_ORIGINAL);
	const char *auth = arena_printf(a, "Authorization: Basic %s", b64);
	const char *form = arena_printf(
		a,
		"grant_type=authorization_code&code=%s&redirect_uri=%s"
		"&code_verifier=%s",
		esc(a, code), esc(a, redirect_uri), esc(a, verifier));
	err = fetch(ep->token, form, auth, &status, &answer, why, whylen);
	if (err)
		return err;
	const char *tok =
		json_string_value(json_object_get(answer, "id_token"));
	if (status != 200 || !tok) {
		const char *e =
			json_string_value(json_object_get(answer, "error"));
		const char *d = json_string_value(
			json_object_get(answer, "error_description"));
		fail(why, whylen, "the provider refused the code (%ld): %s%s%s",
		     status, e ? e : "no ID token", d ? ": " : "", d ? d : "");
		json_decref(answer);
		return LD_EUNAUTHORISED;
	}
	*id_token = arena_strdup(a, tok);
	json_decref(answer);
	return LD_OK;
}

/* The JWKS, fetched now (jwks_uri from discovery) into the cache. */
static enum ld_err jwks_refresh(const struct config *cfg, char *why,
				size_t whylen)
{
	json_t *doc, *set;
	long status;
	enum ld_err err = discovery(cfg, &doc, why, whylen);
	if (err)
		return err;
	const char *uri = json_string_value(json_object_get(doc, "jwks_uri"));
	err = fetch(uri, NULL, NULL, &status, &set, why, whylen);
	json_decref(doc);
	if (err)
		return err;
	if (status != 200 || !json_is_array(json_object_get(set, "keys"))) {
		fail(why, whylen,
		     "the provider's key set answered %ld without "
		     "keys",
		     status);
		json_decref(set);
		return LD_EIO;
	}
	pthread_mutex_lock(&cache.lock);
	json_decref(cache.jwks);
	cache.jwks = set;
	cache.jwks_at = time(NULL);
	pthread_mutex_unlock(&cache.lock);
	return LD_OK;
}

/*
 * The signing key named kid (or, with no kid, the only one of its type) of
 * the cached set, imported by cjose; NULL when the set has none or is
 * stale.  kty is "RSA" or "EC".
 */
static cjose_jwk_t *jwks_find(const char *kid, const char *kty)
{
	cjose_jwk_t *found = NULL;
	int matches = 0;
	size_t i;
	json_t *k;

	pthread_mutex_lock(&cache.lock);
	if (!cache.jwks || time(NULL) - cache.jwks_at >= JWKS_TTL)
		goto out;
	json_array_foreach(json_object_get(cache.jwks, "keys"), i, k)
	{
		const char *use = json_string_value(json_object_get(k, "use"));
		const char *t = json_string_value(json_object_get(k, "kty"));
		const char *id = json_string_value(json_object_get(k, "kid"));
		if (!t || strcmp(t, kty) || (use && strcmp(use, "sig")) ||
		    (kid && (!id || strcmp(id, kid))))
			continue;
		matches++;
		if (found)
			continue;
		char *text = json_dumps(k, JSON_COMPACT);
		cjose_err e;
		found = text ? cjose_jwk_import(text, strlen(text), &e) : NULL;
		free(text);
	}
	/* Without a kid, a choice between keys would be a guess. */
	if (!kid && matches > 1 && found) {
		cjose_jwk_release(found);
		found = NULL;
	}
out:
	pthread_mutex_unlock(&cache.lock);
	return found;
}

/* The key type an algorithm needs; NULL for one we never accept. */
static const char *alg_kty(const char *alg)
{
	static const char *const rsa[] = {"RS256", "RS384", "RS512",
					  "PS256", "PS384", "PS512"};
	static const char *const ec[] = {"ES256", "ES384", "ES512"};
	for (size_t i = 0; alg && i < sizeof(rsa) / sizeof(rsa[0]); i++)
		if (!strcmp(alg, rsa[i]))
			return "RSA";
	for (size_t i = 0; alg && i < sizeof(ec) / sizeof(ec[0]); i++)
		if (!strcmp(alg, ec[i]))
			return "EC";
	return NULL;
}

static bool aud_has(json_t *aud, const char *client_id)
{
	size_t i;
	json_t *v;
	if (json_is_string(aud))
		return !strcmp(json_string_value(aud), client_id);
	json_array_foreach(aud, i, v)
	{
		if (json_is_string(v) &&
		    !strcmp(json_string_value(v), client_id))
			return true;
	}
	return false;
}

/* The claims' checks, after the signature's. */
static enum ld_err check_claims(const struct config *cfg, json_t *c,
				const char *nonce, int64_t now, char *why,
				size_t whylen)
{
	const char *iss = json_string_value(json_object_get(c, "iss"));
	const char *sub = json_string_value(json_object_get(c, "sub"));
	const char *azp = json_string_value(json_object_get(c, "azp"));
	const char *got = json_string_value(json_object_get(c, "nonce"));
	json_t *aud = json_object_get(c, "aud");
	json_t *exp = json_object_get(c, "exp"),
	       *iat = json_object_get(c, "iat");
	json_t *nbf = json_object_get(c, "nbf");
	int64_t skew = cfg->oidc_clock_skew;

	if (!iss || strcmp(iss, cfg->oidc_issuer)) {
		fail(why, whylen, "the ID token's issuer is %s, not %s",
		     iss ? iss : "missing", cfg->oidc_issuer);
		return LD_EUNAUTHORISED;
	}
	if (!aud_has(aud, cfg->oidc_client_id) ||
	    (json_is_array(aud) && json_array_size(aud) > 1 && !azp) ||
	    (azp && strcmp(azp, cfg->oidc_client_id))) {
		fail(why, whylen,
		     "the ID token is not for this client "
		     "(audience)");
		return LD_EUNAUTHORISED;
	}
	if (!json_is_number(exp) || !json_is_number(iat)) {
		fail(why, whylen, "the ID token has no exp or iat");
		return LD_EUNAUTHORISED;
	}
	if ((int64_t)json_number_value(exp) + skew <= now) {
		fail(why, whylen, "the ID token has expired");
		return LD_EUNAUTHORISED;
	}
	if ((int64_t)json_number_value(iat) > now + skew ||
	    (json_is_number(nbf) &&
	     (int64_t)json_number_value(nbf) > now + skew)) {
		fail(why, whylen,
		     "the ID token is not valid yet (iat or nbf "
		     "in the future)");
		return LD_EUNAUTHORISED;
	}
	if ((int64_t)json_number_value(iat) < now - skew - IAT_MAX_AGE) {
		fail(why, whylen, "the ID token was issued too long ago");
		return LD_EUNAUTHORISED;
	}
	if (!got || !secret_equal(got, nonce)) {
		fail(why, whylen, "the ID token's nonce is not this sign-in's");
		return LD_EUNAUTHORISED;
	}
	if (!sub || !*sub || strlen(sub) > 255) {
		fail(why, whylen, "the ID token has no usable sub");
		return LD_EUNAUTHORISED;
	}
	return LD_OK;
}

enum ld_err oidc_verify(const struct config *cfg, const char *id_token,
			const char *nonce, int64_t now, json_t **claims,
			char *why, size_t whylen)
{
	cjose_err e;
	cjose_jwk_t *jwk = NULL;
	uint8_t *plain;
	size_t plain_len;
	enum ld_err err = LD_EUNAUTHORISED;

	*claims = NULL;
	cjose_jws_t *jws = cjose_jws_import(id_token, strlen(id_token), &e);
	if (!jws) {
		fail(why, whylen, "the ID token is not a JWS: %s", e.message);
		return LD_EUNAUTHORISED;
	}
	cjose_header_t *hdr = cjose_jws_get_protected(jws);
	const char *alg = cjose_header_get(hdr, CJOSE_HDR_ALG, &e);
	const char *kid = cjose_header_get(hdr, CJOSE_HDR_KID, &e);
	const char *kty = alg_kty(alg);
	if (!kty) {
		fail(why, whylen,
		     "the ID token is signed with %s, which is "
		     "not accepted",
		     alg ? alg : "no algorithm");
		goto out;
	}
	jwk = jwks_find(kid, kty);
	if (!jwk) {
		/* A new key, or none fetched yet: fetch the set once. */
		if ((err = jwks_refresh(cfg, why, whylen)))
			goto out;
		err = LD_EUNAUTHORISED;
		jwk = jwks_find(kid, kty);
	}
	if (!jwk) {
		fail(why, whylen,
		     "the ID token is signed by a key (kid %s) "
		     "the provider does not publish",
		     kid ? kid : "none");
		goto out;
	}
	if (!cjose_jws_verify(jws, jwk, &e)) {
		fail(why, whylen,
		     "the ID token's signature does not verify: %s", e.message);
		goto out;
	}
	if (!cjose_jws_get_plaintext(jws, &plain, &plain_len, &e)) {
		fail(why, whylen, "the ID token has no payload");
		goto out;
	}
	*claims = json_loadb((const char *)plain, plain_len, 0, NULL);
	if (!json_is_object(*claims)) {
		fail(why, whylen,
		     "the ID token's payload is not a JSON object");
		goto out;
	}
	err = check_claims(cfg, *claims, nonce, now, why, whylen);
out:
	if (err) {
		json_decref(*claims);
		*claims = NULL;
	}
	if (jwk)
		cjose_jwk_release(jwk);
	cjose_jws_release(jws);
	return err;
}

static bool group_in(json_t *groups, const char *name, size_t len)
{
	size_t i;
	json_t *g;
	if (json_is_string(groups)) {
		/* One string: one group, or several separated by spaces. */
		const char *s = json_string_value(groups);
		while (*s) {
			size_t n = strcspn(s, " ");
			if (n == len && !strncmp(s, name, len))
				return true;
			s += n + (s[n] == ' ');
		}
		return false;
	}
	json_array_foreach(groups, i, g)
	{
		const char *v = json_string_value(g);
		if (v && strlen(v) == len && !strncmp(v, name, len))
			return true;
	}
	return false;
}

enum ld_err oidc_map_groups(const char *mapping, json_t *groups,
			    struct arena *a, struct oidc_roles *out, char *why,
			    size_t whylen)
{
	static const char *const known[] = {"link_officer", "service_officer",
					    "validator", "leadership",
					    "administrator"};
	memset(out, 0, sizeof(*out));
	if (!mapping || !*mapping)
		return LD_OK;
	/* Check the whole setting, whatever the groups, so a mistake shows. */
	for (const char *p = mapping; *p;) {
		size_t n = strcspn(p, ";");
		const char *eq = memchr(p, '=', n);
		if (n == 0) {
			p++;
			continue;
		}
		if (!eq || eq == p) {
			fail(why, whylen,
			     "LINKDESK_OIDC_GROUP_ROLES: \"%.*s\" is not "
			     "group=role",
			     (int)n, p);
			return LD_EINVAL;
		}
		const char *role = eq + 1, *end = p + n;
		const char *colon = memchr(role, ':', (size_t)(end - role));
		size_t rlen = (size_t)((colon ? colon : end) - role);
		int r = -1;
		for (int k = 0; k < 5; k++)
			if (strlen(known[k]) == rlen &&
			    !strncmp(known[k], role, rlen))
				r = k;
		if (r < 0) {
			fail(why, whylen,
			     "LINKDESK_OIDC_GROUP_ROLES: \"%.*s\" is not a "
			     "role "
			     "(link_officer, service_officer, validator, "
			     "leadership, administrator)",
			     (int)rlen, role);
			return LD_EINVAL;
		}
		if (colon && r != 1 && r != 2) {
			fail(why, whylen,
			     "LINKDESK_OIDC_GROUP_ROLES: only service_officer "
			     "takes an area and validator a title");
			return LD_EINVAL;
		}
		if (groups && group_in(groups, p, (size_t)(eq - p))) {
			bool have = false;
			for (int k = 0; k < out->nroles; k++)
				have |= !strcmp(out->roles[k], known[r]);
			if (!have)
				out->roles[out->nroles++] = known[r];
			const char *q =
				colon ? arena_strndup(a, colon + 1,
						      (size_t)(end - colon - 1))
				      : NULL;
			if (q && r == 1 && !out->area)
				out->area = q;
			if (q && r == 2 && !out->title)
				out->title = q;
		}
		p = end + (*end == ';');
	}
	out->map = groups != NULL;
	return LD_OK;
}
