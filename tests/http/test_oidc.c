/*
 * Single sign-on through a real OpenID provider (oidc-provider from npm,
 * tests/oidc/provider.mjs) on loopback: the whole code flow with PKCE, and
 * each refusal: a wrong or reused state, another browser, a replayed code,
 * a token signed by a key the provider does not publish, an expired token,
 * the wrong audience or nonce, a deactivated user, a group mapping that
 * changes a role at the next sign-in; passwords for administrators only;
 * sign-out through the provider's end-session endpoint.
 *
 * The server's public address is a name of its own (BASE), so that it is
 * known before the server picks its port: the test carries the browser from
 * the provider back to the real address itself.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"

#define BASE "http://sso.linkdesk.test"
#define MAPPING                                                                \
	"LINKDESK_OIDC_GROUP_ROLES=linkdesk-link-officers=link_officer;"       \
	"linkdesk-directors=leadership;"                                       \
	"repairs-team=service_officer:Repairs and Maintenance"

static struct itest_server server;
static pid_t provider_pid;
static char issuer[64];

static void provider_start(void)
{
	int port = itest_free_port();
	const char *root = getenv("LINKDESK_ROOT");
	char script[512], portstr[16];
	snprintf(issuer, sizeof(issuer), "http://127.0.0.1:%d", port);
	snprintf(script, sizeof(script), "%s/tests/oidc/provider.mjs",
		 root ? root : ".");
	snprintf(portstr, sizeof(portstr), "%d", port);
	pid_t parent = getpid();
	provider_pid = fork();
	if (provider_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		if (root && chdir(root))
			_exit(127);
		execlp("node", "node", script, portstr,
		       BASE "/sign-in/oidc/callback",
		       BASE "/sign-in?signed_out=1", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		struct itest_resp r;
		itest_request(NULL, "GET",
			      F("%s/.well-known/openid-configuration", issuer),
			      NULL, NULL, &r);
		long st = r.status;
		itest_resp_release(&r);
		if (st == 200)
			return;
		usleep(50 * 1000);
	}
	fail_msg("the OpenID provider did not start on %s", issuer);
}

static int setup(void **state)
{
	static char iss[100], secret[600];
	(void)state;
	provider_start();
	const char *tmp = getenv("LINKDESK_TEST_TMP");
	char path[512];
	snprintf(path, sizeof(path), "%s/oidc-secret", tmp ? tmp : "/tmp");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("linkdesk-test-secret\n", f);
	fclose(f);
	snprintf(iss, sizeof(iss), "LINKDESK_OIDC_ISSUER=%s", issuer);
	snprintf(secret, sizeof(secret), "LINKDESK_OIDC_CLIENT_SECRET_FILE=%s",
		 path);
	const char *env[] = {"LINKDESK_BASE_URL=" BASE,
			     iss,
			     "LINKDESK_OIDC_CLIENT_ID=linkdesk",
			     secret,
			     MAPPING,
			     "LINKDESK_OIDC_CREATE_USERS=1",
			     NULL};
	itest_server_start(&server, env);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	int rc = itest_server_stop(&server);
	if (provider_pid > 0) {
		kill(provider_pid, SIGTERM);
		waitpid(provider_pid, NULL, 0);
	}
	assert_int_equal(rc, 0);
	return 0;
}

/* Tell the provider something (its test-only routes). */
static void provider_post(const char *path, const char *json)
{
	struct itest_resp r;
	static const char *const headers[] = {"Content-Type: application/json",
					      NULL};
	itest_request(NULL, "POST", F("%s%s", issuer, path), json, headers, &r);
	if (r.status != 200)
		fail_msg("provider %s: %ld %s", path, r.status, r.body);
	itest_resp_release(&r);
}

static void provider_account(const char *sub, const char *email,
			     const char *groups)
{
	provider_post("/test/accounts",
		      F("{\"sub\": \"%s\", \"email\": \"%s\", \"name\": "
			"\"Test Person\", \"groups\": %s}",
			sub, email, groups));
}

/* A browser: its own cookie jar for both sites. */
static CURL *browser(void)
{
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");
	return h;
}

/* An absolute address for a Location, with BASE as the server's. */
static const char *absolute(const char *loc, const char *origin)
{
	if (!strncmp(loc, BASE, strlen(BASE)))
		return F("%s%s", server.base, loc + strlen(BASE));
	if (loc[0] == '/')
		return F("%s%s", origin, loc);
	return F("%s", loc);
}

/*
 * Begin a sign-in in browser h and sign in at the provider as email; the
 * address the provider sends the browser back to (on the real server),
 * not yet visited, in out.
 */
static void to_callback(CURL *h, const char *email, char *out, size_t len)
{
	struct itest_resp r;
	char url[4096];
	itest_request(h, "GET", F("%s/sign-in/oidc", server.base), NULL, NULL,
		      &r);
	if (r.status != 303)
		fail_msg("start: %ld %s", r.status, r.body);
	snprintf(url, sizeof(url), "%s", itest_resp_header(&r, "Location"));
	itest_resp_release(&r);
	assert_non_null(strstr(url, "code_challenge_method=S256"));
	assert_non_null(strstr(url, "nonce="));
	for (int hop = 0; hop < 10; hop++) {
		bool login = strstr(url, "/interaction/") != NULL;
		itest_request(h, login ? "POST" : "GET", url,
			      login ? F("email=%s", email) : NULL, NULL, &r);
		const char *loc = itest_resp_header(&r, "Location");
		if (r.status < 300 || r.status > 399 || !loc)
			fail_msg("at the provider %s: %ld %s", url, r.status,
				 r.body);
		bool back = !strncmp(loc, BASE, strlen(BASE));
		snprintf(url, sizeof(url), "%s", absolute(loc, issuer));
		itest_resp_release(&r);
		if (back) {
			snprintf(out, len, "%s", url);
			return;
		}
	}
	fail_msg("the provider never sent the browser back");
}

/* Visit the callback; the response in r (release it). */
static void callback(CURL *h, const char *url, struct itest_resp *r)
{
	itest_request(h, "GET", url, NULL, NULL, r);
}

/* The signed-in user of browser h as /api/v1/me says (decref it). */
static json_t *me(CURL *h)
{
	struct itest_resp r;
	itest_request(h, "GET", F("%s/api/v1/me", server.base), NULL, NULL, &r);
	if (r.status != 200)
		fail_msg("me: %ld %s", r.status, r.body);
	json_t *out = json_incref(r.json);
	itest_resp_release(&r);
	return out;
}

/* Sign in all the way as email; the response of the callback in r. */
static void signin(CURL *h, const char *email, struct itest_resp *r)
{
	char url[4096];
	to_callback(h, email, url, sizeof(url));
	callback(h, url, r);
}

static long audit_count(const char *action)
{
	return api_sql_long(F(
		"SELECT count(*) FROM audit_log WHERE action = '%s'", action));
}

static const char *roles_of(json_t *m)
{
	char *s = json_dumps(json_object_get(m, "roles"), JSON_COMPACT);
	const char *out = F("%s", s ? s : "");
	free(s);
	return out;
}

static void test_signin_page_offers_sso_first(void **state)
{
	struct itest_resp r;
	(void)state;
	itest_request(NULL, "GET", F("%s/sign-in", server.base), NULL, NULL,
		      &r);
	assert_int_equal(r.status, 200);
	const char *button =
		strstr(r.body, "Sign in with Demo Borough Council");
	const char *password = strstr(r.body, "name=\"password\"");
	assert_non_null(button);
	assert_non_null(strstr(r.body, "href=\"/sign-in/oidc\""));
	assert_non_null(password);
	assert_true(button < password);
	itest_resp_release(&r);
}

static void test_signin_as_link_officer(void **state)
{
	struct itest_resp r;
	CURL *h = browser();
	(void)state;
	long before = audit_count("oidc_signin");
	signin(h, "link.officer@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 200);
	/* The session is the password sign-in's: same cookie, same flags. */
	const char *cookie = strstr(r.headers, "ld_session=");
	assert_non_null(cookie);
	assert_non_null(strstr(cookie, "HttpOnly; SameSite=Strict"));
	assert_non_null(strstr(r.body, "http-equiv=\"refresh\""));
	itest_resp_release(&r);
	json_t *m = me(h);
	assert_string_equal(jstr(m, "email"),
			    "link.officer@demo.linkdesk.test");
	assert_string_equal(roles_of(m), "[\"link_officer\"]");
	assert_true(strlen(jstr(m, "csrf_token")) > 20);
	json_decref(m);
	assert_int_equal(audit_count("oidc_signin"), before + 1);
	/* The sub is recorded, for this issuer. */
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM oidc_identity i JOIN "
			       "app_user u ON u.id = i.user_id WHERE i.sub = "
			       "'officer-1' AND u.email = "
			       "'link.officer@demo.linkdesk.test' AND "
			       "i.issuer = '%s'",
			       issuer)),
		1);
	curl_easy_cleanup(h);
}

static void test_signin_as_director_and_sign_out_at_provider(void **state)
{
	struct itest_resp r;
	CURL *h = browser();
	(void)state;
	signin(h, "director@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	json_t *m = me(h);
	assert_string_equal(roles_of(m), "[\"leadership\"]");
	char csrf[64];
	snprintf(csrf, sizeof(csrf), "%s", jstr(m, "csrf_token"));
	json_decref(m);

	const char *headers[] = {F("X-CSRF-Token: %s", csrf),
				 "Content-Type: application/x-www-form-"
				 "urlencoded",
				 NULL};
	itest_request(h, "POST", F("%s/sign-out", server.base), "", headers,
		      &r);
	/* A page that moves on to the provider (a form may not redirect to
	 * another site under the pages' form-action 'self'). */
	assert_int_equal(r.status, 200);
	const char *loc = strstr(r.body, "content=\"0;url=");
	assert_non_null(loc);
	loc += strlen("content=\"0;url=");
	assert_true(!strncmp(loc, F("%s/session/end?", issuer),
			     strlen(issuer) + 13));
	assert_non_null(strstr(loc, "id_token_hint=ey"));
	assert_non_null(strstr(loc, "&amp;post_logout_redirect_uri="));
	assert_non_null(strstr(r.headers, "ld_session=; "));
	itest_resp_release(&r);
	/* The Linkdesk session is over whatever the provider does next. */
	itest_request(h, "GET", F("%s/api/v1/me", server.base), NULL, NULL, &r);
	assert_int_equal(r.status, 401);
	itest_resp_release(&r);
	curl_easy_cleanup(h);
}

static void test_wrong_state_refused(void **state)
{
	struct itest_resp r;
	char url[4096];
	CURL *h = browser();
	(void)state;
	long before = audit_count("oidc_refused");
	to_callback(h, "link.officer@demo.linkdesk.test", url, sizeof(url));
	char *st = strstr(url, "state=");
	assert_non_null(st);
	st[6] = st[6] == 'A' ? 'B' : 'A';
	callback(h, url, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "was not begun here"));
	assert_null(strstr(r.headers, "ld_session="));
	itest_resp_release(&r);
	assert_int_equal(audit_count("oidc_refused"), before + 1);
	curl_easy_cleanup(h);
}

static void test_other_browser_refused(void **state)
{
	struct itest_resp r;
	char url[4096];
	CURL *a = browser(), *b = browser();
	(void)state;
	to_callback(a, "link.officer@demo.linkdesk.test", url, sizeof(url));
	callback(b, url, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "begun in another browser"));
	itest_resp_release(&r);
	/* The state was used up by the attempt: the right browser too is
	 * refused now. */
	callback(a, url, &r);
	assert_int_equal(r.status, 400);
	itest_resp_release(&r);
	curl_easy_cleanup(a);
	curl_easy_cleanup(b);
}

static void test_replayed_code_refused(void **state)
{
	struct itest_resp r;
	char url[4096], again[4096];
	CURL *h = browser();
	(void)state;
	to_callback(h, "link.officer@demo.linkdesk.test", url, sizeof(url));
	callback(h, url, &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	/* The same answer twice: its state is spent. */
	callback(h, url, &r);
	assert_int_equal(r.status, 400);
	itest_resp_release(&r);
	/* The old code with a new sign-in's state and cookie: the provider
	 * refuses it (used, and the PKCE verifier is another's). */
	to_callback(h, "link.officer@demo.linkdesk.test", again, sizeof(again));
	const char *code = strstr(url, "code="), *st = strstr(again, "state=");
	assert_non_null(code);
	assert_non_null(st);
	size_t clen = strcspn(code, "&"), slen = strcspn(st, "&");
	callback(h,
		 F("%s/sign-in/oidc/callback?%.*s&%.*s", server.base, (int)clen,
		   code, (int)slen, st),
		 &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "refused the code"));
	assert_null(strstr(r.headers, "ld_session="));
	itest_resp_release(&r);
	curl_easy_cleanup(h);
}

/* A sign-in whose ID token the provider re-mints in mode: refused. */
static void refused_token(const char *mode, const char *reason)
{
	struct itest_resp r;
	CURL *h = browser();
	long before = audit_count("oidc_refused");
	provider_post("/test/mode", F("{\"mode\": \"%s\"}", mode));
	signin(h, "link.officer@demo.linkdesk.test", &r);
	if (r.status != 401 || !strstr(r.body, reason))
		fail_msg("%s: %ld, wanted 401 saying %s:\n%s", mode, r.status,
			 reason, r.body);
	assert_null(strstr(r.headers, "ld_session="));
	itest_resp_release(&r);
	assert_int_equal(audit_count("oidc_refused"), before + 1);
	curl_easy_cleanup(h);
}

static void test_unknown_key_refused(void **state)
{
	(void)state;
	refused_token("unknown_key", "the provider does not publish");
}

static void test_expired_token_refused(void **state)
{
	(void)state;
	refused_token("expired", "has expired");
}

static void test_wrong_audience_refused(void **state)
{
	(void)state;
	refused_token("wrong_aud", "not for this client");
}

static void test_wrong_nonce_refused(void **state)
{
	(void)state;
	refused_token("wrong_nonce", "nonce is not this sign-in");
}

static void test_clock_skew_allowed(void **state)
{
	struct itest_resp r;
	CURL *h = browser();
	(void)state;
	/* Expired 30 s ago by the provider's clock: within the 120 s allowed
	 * for clocks that differ (an hour ago is not: test_expired). */
	provider_post("/test/mode", "{\"mode\": \"recently_expired\"}");
	signin(h, "link.officer@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	curl_easy_cleanup(h);
}

static void test_provider_error_and_mix_up_refused(void **state)
{
	struct itest_resp r;
	char url[4096];
	CURL *h = browser();
	(void)state;
	/* The provider says no (the person cancelled, say). */
	to_callback(h, "link.officer@demo.linkdesk.test", url, sizeof(url));
	const char *st = strstr(url, "state=");
	assert_non_null(st);
	callback(h,
		 F("%s/sign-in/oidc/callback?error=access_denied&%.*s",
		   server.base, (int)strcspn(st, "&"), st),
		 &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "the provider answered access_denied"));
	itest_resp_release(&r);
	/* An answer naming another issuer (RFC 9207: a mix-up). */
	to_callback(h, "link.officer@demo.linkdesk.test", url, sizeof(url));
	char *iss = strstr(url, "iss=");
	assert_non_null(iss);
	iss[4] = 'X';
	callback(h, url, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "another provider"));
	itest_resp_release(&r);
	curl_easy_cleanup(h);
}

static void test_bad_mapping_refused(void **state)
{
	static char iss[100];
	struct itest_server keep = server, s2;
	struct itest_resp r;
	CURL *h = browser();
	(void)state;
	snprintf(iss, sizeof(iss), "LINKDESK_OIDC_ISSUER=%s", issuer);
	const char *env[] = {
		"LINKDESK_BASE_URL=" BASE,
		iss,
		"LINKDESK_OIDC_CLIENT_ID=linkdesk",
		"LINKDESK_OIDC_CLIENT_SECRET=linkdesk-test-secret",
		"LINKDESK_OIDC_GROUP_ROLES=linkdesk-directors=boss",
		NULL};
	itest_server_start(&s2, env);
	server = s2; /* the browser goes back to this one */
	signin(h, "director@demo.linkdesk.test", &r);
	server = keep;
	assert_int_equal(r.status, 500);
	assert_non_null(strstr(r.body, "group mapping is misconfigured"));
	itest_resp_release(&r);
	char *log = itest_server_log(&s2);
	assert_non_null(strstr(log, "\"boss\" is not a role"));
	free(log);
	assert_int_equal(itest_server_stop(&s2), 0);
	curl_easy_cleanup(h);
}

static void test_rotated_key_fetched(void **state)
{
	struct itest_resp r;
	CURL *h = browser();
	(void)state;
	provider_post("/test/rotate", "{}");
	signin(h, "link.officer@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	curl_easy_cleanup(h);
}

static void test_deactivated_user_refused(void **state)
{
	struct itest_resp r;
	CURL *h = browser();
	char *out;
	(void)state;
	assert_int_equal(
		api_sql("WITH u AS (INSERT INTO app_user (email, name, active)"
			" VALUES ('gone.officer@demo.linkdesk.test', 'Gone',"
			" false) RETURNING id) INSERT INTO user_role"
			" SELECT id, 'link_officer' FROM u",
			&out),
		0);
	free(out);
	provider_account("gone-1", "gone.officer@demo.linkdesk.test",
			 "[\"linkdesk-link-officers\"]");
	signin(h, "gone.officer@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "deactivated"));
	assert_null(strstr(r.headers, "ld_session="));
	itest_resp_release(&r);
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM audit_log a JOIN app_user u"
			     " ON u.id = a.entity_id WHERE a.action ="
			     " 'oidc_refused' AND u.email ="
			     " 'gone.officer@demo.linkdesk.test'"),
		1);
	curl_easy_cleanup(h);
}

static void test_group_mapping_changes_role(void **state)
{
	struct itest_resp r;
	CURL *h = browser();
	(void)state;
	/* Created at first sign-in, from the mapping. */
	provider_account("mover-1", "mover@demo.linkdesk.test",
			 "[\"linkdesk-directors\", \"unrelated\"]");
	signin(h, "mover@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	json_t *m = me(h);
	assert_string_equal(roles_of(m), "[\"leadership\"]");
	json_decref(m);
	long changes = audit_count("oidc_roles_changed");

	/* The provider moves them; the next sign-in follows. */
	provider_account("mover-1", "mover@demo.linkdesk.test",
			 "[\"repairs-team\"]");
	curl_easy_cleanup(h);
	h = browser();
	signin(h, "mover@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	m = me(h);
	assert_string_equal(roles_of(m), "[\"service_officer\"]");
	assert_string_equal(jstr(json_object_get(m, "service_area"), "name"),
			    "Repairs and Maintenance");
	json_decref(m);
	assert_int_equal(audit_count("oidc_roles_changed"), changes + 1);

	/* Groups that map to nothing: refused, roles left alone. */
	provider_account("mover-1", "mover@demo.linkdesk.test",
			 "[\"unrelated\"]");
	curl_easy_cleanup(h);
	h = browser();
	signin(h, "mover@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "no Linkdesk role"));
	itest_resp_release(&r);
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM user_role r JOIN app_user u"
			     " ON u.id = r.user_id WHERE u.email ="
			     " 'mover@demo.linkdesk.test' AND r.role ="
			     " 'service_officer'"),
		1);
	curl_easy_cleanup(h);
}

static void test_unknown_email_refused(void **state)
{
	struct itest_resp r;
	CURL *h = browser();
	(void)state;
	/* No account, and groups that give no role: nothing is created. */
	provider_account("stranger-1", "stranger@example.org", "[]");
	signin(h, "stranger@example.org", &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "no Linkdesk account"));
	itest_resp_release(&r);
	assert_int_equal(api_sql_long("SELECT count(*) FROM app_user WHERE"
				      " email = 'stranger@example.org'"),
			 0);
	curl_easy_cleanup(h);
}

static void test_sub_found_after_email_changes(void **state)
{
	struct itest_resp r;
	CURL *h = browser();
	(void)state;
	provider_account("renamed-1", "renamed.before@demo.linkdesk.test",
			 "[\"linkdesk-directors\"]");
	signin(h, "renamed.before@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	json_t *m = me(h);
	long long id = jint(m, "id");
	json_decref(m);
	provider_account("renamed-1", "renamed.after@demo.linkdesk.test",
			 "[\"linkdesk-directors\"]");
	curl_easy_cleanup(h);
	h = browser();
	signin(h, "renamed.after@demo.linkdesk.test", &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	m = me(h);
	assert_int_equal(jint(m, "id"), id);
	json_decref(m);
	curl_easy_cleanup(h);
}

static void test_passwords_for_administrators_only(void **state)
{
	static char iss[100];
	struct itest_server s2;
	struct itest_resp r;
	static const char *const json[] = {"Content-Type: application/json",
					   NULL};
	(void)state;
	snprintf(iss, sizeof(iss), "LINKDESK_OIDC_ISSUER=%s", issuer);
	const char *env[] = {"LINKDESK_BASE_URL=" BASE, iss,
			     "LINKDESK_OIDC_CLIENT_ID=linkdesk",
			     "LINKDESK_PASSWORD_ADMINS_ONLY=1", NULL};
	itest_server_start(&s2, env);
	itest_request(NULL, "POST", F("%s/api/v1/session", s2.base),
		      "{\"email\": \"link.officer@demo.linkdesk.test\", "
		      "\"password\": \"" DEMO_PASSWORD "\"}",
		      json, &r);
	assert_int_equal(r.status, 403);
	assert_string_equal(jstr(json_object_get(r.json, "error"), "field"),
			    "email");
	assert_null(strstr(r.headers, "ld_session="));
	itest_resp_release(&r);
	itest_request(NULL, "POST", F("%s/api/v1/session", s2.base),
		      "{\"email\": \"admin@demo.linkdesk.test\", "
		      "\"password\": \"" DEMO_PASSWORD "\"}",
		      json, &r);
	assert_int_equal(r.status, 201);
	itest_resp_release(&r);
	itest_request(NULL, "GET", F("%s/sign-in", s2.base), NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(
		strstr(r.body, "Administrators: sign in with a password"));
	itest_resp_release(&r);
	assert_int_equal(itest_server_stop(&s2), 0);
}

static void test_provider_unreachable(void **state)
{
	struct itest_server s2;
	struct itest_resp r;
	static char iss[100];
	(void)state;
	snprintf(iss, sizeof(iss), "LINKDESK_OIDC_ISSUER=http://127.0.0.1:%d",
		 itest_free_port());
	const char *env[] = {iss, "LINKDESK_OIDC_CLIENT_ID=linkdesk", NULL};
	itest_server_start(&s2, env);
	itest_request(NULL, "GET", F("%s/sign-in/oidc", s2.base), NULL, NULL,
		      &r);
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(r.body, "could not be reached"));
	itest_resp_release(&r);
	/* Without single sign-on there is nothing there. */
	assert_int_equal(itest_server_stop(&s2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signin_page_offers_sso_first),
		cmocka_unit_test(test_signin_as_link_officer),
		cmocka_unit_test(
			test_signin_as_director_and_sign_out_at_provider),
		cmocka_unit_test(test_wrong_state_refused),
		cmocka_unit_test(test_other_browser_refused),
		cmocka_unit_test(test_replayed_code_refused),
		cmocka_unit_test(test_unknown_key_refused),
		cmocka_unit_test(test_expired_token_refused),
		cmocka_unit_test(test_wrong_audience_refused),
		cmocka_unit_test(test_wrong_nonce_refused),
		cmocka_unit_test(test_clock_skew_allowed),
		cmocka_unit_test(test_provider_error_and_mix_up_refused),
		cmocka_unit_test(test_bad_mapping_refused),
		cmocka_unit_test(test_rotated_key_fetched),
		cmocka_unit_test(test_deactivated_user_refused),
		cmocka_unit_test(test_group_mapping_changes_role),
		cmocka_unit_test(test_unknown_email_refused),
		cmocka_unit_test(test_sub_found_after_email_changes),
		cmocka_unit_test(test_passwords_for_administrators_only),
		cmocka_unit_test(test_provider_unreachable),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
