/*
 * The administrator's pages and everyone's account page, driven as a
 * browser drives them (urlencoded forms with the session's CSRF token):
 * the same decoders and commands as the API, every refusal of a form at
 * once, nothing lost or half-saved.
 *
 * The server runs with LINKDESK_TODAY=2026-11-23 against the demo
 * organisation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"

static struct itest_server server;
static struct api admin;

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&admin, server.base, "admin");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&admin);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* A page request as a's browser: a form POST (fields given) or a GET. */
static void page(struct api *a, const char *path, const char *fields,
		 struct itest_resp *r)
{
	static const char *const form[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL};
	char url[1024];
	snprintf(url, sizeof(url), "%s%s", a->base, path);
	if (!fields) {
		itest_request(a->h, "GET", url, NULL, NULL, r);
		return;
	}
	size_t n = strlen(fields) + 100;
	char *body = malloc(n);
	snprintf(body, n, "%s%scsrf_token=%s", fields, *fields ? "&" : "",
		 a->csrf);
	itest_request(a->h, "POST", url, body, form, r);
	free(body);
}

/* A form that must be accepted: 303 to where. */
static void accepted(struct api *a, const char *path, const char *fields,
		     const char *where)
{
	struct itest_resp r;
	page(a, path, fields, &r);
	if (r.status != 303)
		fail_msg("%s %.200s: %ld, want 303: %.3000s", path, fields,
			 r.status, r.body);
	const char *loc = itest_resp_header(&r, "Location");
	if (where && (!loc || !strstr(loc, where)))
		fail_msg("%s: went to %s, want %s", path, loc ? loc : "(none)",
			 where);
	itest_resp_release(&r);
}

/*
 * A form refused with status, whose error summary links to each of the
 * NULL-terminated ids (all at once) and says text; the page is left in r.
 */
static void refused(struct api *a, const char *path, const char *fields,
		    long status, const char *const *ids, const char *text,
		    struct itest_resp *r)
{
	page(a, path, fields, r);
	if (r->status != status)
		fail_msg("%s %.200s: %ld, want %ld: %.3000s", path, fields,
			 r->status, status, r->body);
	if (!strstr(r->body, "govuk-error-summary"))
		fail_msg("%s: no error summary: %.3000s", path, r->body);
	for (int i = 0; ids && ids[i]; i++) {
		char link[80];
		snprintf(link, sizeof(link), "href=\"#%s\"", ids[i]);
		if (!strstr(r->body, link))
			fail_msg("%s %.200s: the summary does not link to #%s: "
				 "%.4000s",
				 path, fields, ids[i], r->body);
	}
	if (text && !strstr(r->body, text))
		fail_msg("%s: the page does not say \"%s\": %.4000s", path,
			 text, r->body);
}

/* A name no other run or test uses, in one of 16 buffers of its own (F's
 * rotate faster). */
static const char *unique(const char *stem)
{
	static char b[16][80];
	static int seq;
	char *out = b[seq % 16];
	snprintf(out, sizeof(b[0]), "%s-%d-%d", stem, (int)getpid(), ++seq);
	return out;
}

/* The demo domain's email address of a unique user, kept as long as who. */
static const char *email_of(const char *who)
{
	static char b[16][120];
	static int n;
	char *out = b[n++ % 16];
	snprintf(out, sizeof(b[0]), "%s@demo.linkdesk.test", who);
	return out;
}

static long user_id_of(const char *email)
{
	return api_sql_long(
		F("SELECT id FROM app_user WHERE email = '%s'", email));
}

/*
 * The Add user form keeps everything after a refusal (a validator stayed
 * a validator: the role was once reset to service-area officer) and shows
 * every refusal at once; a validator given the title they sign as then
 * has a validation home, not "You have no validator title to sign as".
 */
static void test_add_validator(void **state)
{
	struct itest_resp r;
	(void)state;
	const char *who = unique("validator");
	const char *email = email_of(who);
	long title = api_sql_long("SELECT id FROM validator_title WHERE title"
				  " = 'Head of Dispute Resolutions'");
	assert_true(title > 0);

	/* Not an administrator: no form. */
	struct api lo;
	api_signin(&lo, server.base, "link.officer");
	page(&lo, "/admin/users/new", NULL, &r);
	assert_int_equal(r.status, 403);
	itest_resp_release(&r);
	api_release(&lo);

	page(&admin, "/admin/users/new", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Service-area officer"));
	assert_null(strstr(r.body, ">service_officer<"));
	itest_resp_release(&r);

	/* No name, an email without @, a short password: all three at once,
	 * and the role and title kept. */
	static const char *const three[] = {"name", "email", "password", NULL};
	refused(&admin, "/admin/users",
		F("name=&email=nobody&role=validator&validator_title_id=%ld"
		  "&password=short",
		  title),
		400, three, "Enter the user&#39;s full name", &r);
	assert_non_null(strstr(r.body, "value=\"validator\" checked"));
	assert_non_null(strstr(r.body, F("value=\"%ld\" selected", title)));
	assert_non_null(strstr(r.body, "value=\"nobody\""));
	assert_non_null(strstr(r.body, "Enter an email address in the correct"
				       " format"));
	itest_resp_release(&r);
	assert_int_equal(user_id_of(email), 0);

	/* A made-up role is refused in words, not codes. */
	static const char *const role[] = {"role", NULL};
	refused(&admin, "/admin/users",
		F("name=V&email=%s&role=overlord&password=long+enough+password",
		  email),
		400, role, "Choose roles from the list", &r);
	assert_null(strstr(r.body, "link_officer, service_officer"));
	itest_resp_release(&r);

	accepted(&admin, "/admin/users",
		 F("name=Vera+Lidator&email=%s&role=validator"
		   "&validator_title_id=%ld&password=%s",
		   email, title, DEMO_PASSWORD),
		 "/admin?done=user");
	long id = user_id_of(email);
	assert_true(id > 0);
	assert_int_equal(api_sql_long(F("SELECT validator_title_id FROM"
					" app_user WHERE id = %ld",
					id)),
			 title);
	page(&admin, "/admin?done=user", NULL, &r);
	assert_non_null(strstr(r.body, "User added."));
	assert_non_null(strstr(r.body, "Vera Lidator"));
	assert_non_null(strstr(r.body, "Head of Dispute Resolutions"));
	itest_resp_release(&r);

	struct api v;
	api_signin(&v, server.base, who);
	page(&v, "/validation", NULL, &r);
	if (r.status != 200)
		fail_msg("validation home: %ld %.2000s", r.status, r.body);
	assert_null(strstr(r.body, "no validator title"));
	itest_resp_release(&r);
	api_release(&v);

	/* The same email again is refused beside the email. */
	static const char *const mail[] = {"email", NULL};
	refused(&admin, "/admin/users",
		F("name=Again&email=%s&role=validator&password=%s", email,
		  DEMO_PASSWORD),
		409, mail, "A user already has this email address", &r);
	itest_resp_release(&r);
}

/*
 * Changing a user: name, roles and area saved in one go; a stale version
 * refused (someone else saved first) and nothing lost; deactivating ends
 * their sessions at once and stops sign-in; reactivating lets them back.
 */
static void test_change_user(void **state)
{
	struct itest_resp r;
	(void)state;
	const char *who = unique("changer");
	const char *email = email_of(who);
	accepted(&admin, "/admin/users",
		 F("name=Carl+Change&email=%s&role=service_officer&password=%s",
		   email, DEMO_PASSWORD),
		 "/admin?done=user");
	long id = user_id_of(email);
	long area = api_area_id(&admin, "Housing Management");
	long version = api_sql_long(
		F("SELECT version FROM app_user WHERE id = %ld", id));

	page(&admin, F("/admin/users/%ld", id), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "value=\"Carl Change\""));
	assert_non_null(strstr(r.body, "value=\"service_officer\" checked"));
	itest_resp_release(&r);

	/* An empty name and a bad email: both shown, the change not made. */
	static const char *const two[] = {"name", "email", NULL};
	refused(&admin, F("/admin/users/%ld", id),
		F("version=%ld&name=&email=bad&role=link_officer", version),
		400, two, NULL, &r);
	assert_non_null(strstr(r.body, "value=\"link_officer\" checked"));
	itest_resp_release(&r);

	accepted(&admin, F("/admin/users/%ld", id),
		 F("version=%ld&name=Carla+Change&email=%s&role=link_officer"
		   "&role=leadership&service_area_id=%ld&resident_access=true",
		   version, email, area),
		 "/admin?done=changed");
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM app_user u"
					" WHERE id = %ld AND name = 'Carla"
					" Change' AND service_area_id = %ld"
					" AND resident_access",
					id, area)),
			 1);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM user_role WHERE"
					" user_id = %ld AND role IN"
					" ('link_officer', 'leadership')",
					id)),
			 2);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM user_role WHERE"
					" user_id = %ld",
					id)),
			 2);

	/* The API's twin refuses an emptied name in its decoder, as the form
	 * does (it once reached the table's CHECK and said nothing useful). */
	api_refused(&admin, 400, "invalid", "name", "PATCH",
		    F("/api/v1/users/%ld", id),
		    F("{\"name\": \"\", \"version\": %ld}", version + 1));

	/* Another user's email address: refused beside the email. */
	static const char *const taken[] = {"email", NULL};
	refused(&admin, F("/admin/users/%ld", id),
		F("version=%ld&name=Carla+Change&email=admin%%40demo.linkdesk."
		  "test&role=link_officer",
		  version + 1),
		409, taken, "A user already has this email address", &r);
	itest_resp_release(&r);

	/* The version the form was opened with is stale now. */
	static const char *const stale[] = {"name", NULL};
	refused(&admin, F("/admin/users/%ld", id),
		F("version=%ld&name=Old+Form&email=%s&role=link_officer",
		  version, email),
		409, stale, "Someone else changed this user", &r);
	assert_non_null(strstr(r.body, "value=\"Old Form\""));
	itest_resp_release(&r);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM app_user WHERE"
					" id = %ld AND name = 'Carla Change'",
					id)),
			 1);

	/* Deactivated: their open session ends, and they cannot sign in. */
	struct api u;
	api_signin(&u, server.base, who);
	version = api_sql_long(
		F("SELECT version FROM app_user WHERE id = %ld", id));
	accepted(&admin, F("/admin/users/%ld/active", id),
		 F("active=false&version=%ld", version), "/admin?done=off");
	api_call(&u, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 401);
	itest_resp_release(&r);
	api_release(&u);
	page(&admin, F("/admin/users/%ld", id), NULL, &r);
	assert_non_null(strstr(r.body, "Reactivate user"));
	itest_resp_release(&r);
	page(&admin, "/admin", NULL, &r);
	assert_non_null(strstr(r.body, "Deactivated"));
	itest_resp_release(&r);

	/* A stale deactivation form does nothing. */
	static const char *const act[] = {"active", NULL};
	refused(&admin, F("/admin/users/%ld/active", id),
		F("active=true&version=%ld", version), 409, act, NULL, &r);
	itest_resp_release(&r);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM app_user WHERE id = %ld"
			       " AND active",
			       id)),
		0);

	accepted(&admin, F("/admin/users/%ld/active", id),
		 F("active=true&version=%ld", version + 1), "/admin?done=on");
	api_signin(&u, server.base, who);
	api_release(&u);
}

/* Service areas: added with a head of service, renamed, kept unique. */
static void test_areas(void **state)
{
	struct itest_resp r;
	(void)state;
	const char *name = unique("Area");
	long head = user_id_of("head.repairs@demo.linkdesk.test");
	static const char *const nameless[] = {"area_name", NULL};
	refused(&admin, "/admin/areas",
		F("area_name=&head_of_service_id=%ld", head), 400, nameless,
		"Enter the service area", &r);
	assert_non_null(strstr(r.body, F("value=\"%ld\" selected", head)));
	itest_resp_release(&r);

	accepted(&admin, "/admin/areas",
		 F("area_name=%s&head_of_service_id=%ld&slt_director_id=", name,
		   head),
		 "/admin?done=area");
	long id = api_sql_long(
		F("SELECT id FROM service_area WHERE name = '%s'"
		  " AND head_of_service_id = %ld AND slt_director_id IS NULL",
		  name, head));
	assert_true(id > 0);
	page(&admin, "/admin", NULL, &r);
	assert_non_null(strstr(r.body, name));
	assert_non_null(strstr(r.body, "Grace Mensah"));
	itest_resp_release(&r);

	page(&admin, F("/admin/areas/%ld", id), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, F("value=\"%s\"", name)));
	itest_resp_release(&r);

	/* Renamed to a name another area has: refused beside the name. */
	refused(&admin, F("/admin/areas/%ld", id),
		"area_name=Housing+Management&head_of_service_id="
		"&digest_daily=true",
		409, nameless, "A service area already has this name", &r);
	itest_resp_release(&r);
	const char *renamed = unique("Renamed");
	accepted(&admin, F("/admin/areas/%ld", id),
		 F("area_name=%s&head_of_service_id=&slt_director_id=%ld"
		   "&digest_daily=true",
		   renamed, head),
		 "/admin?done=area_saved");
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM service_area"
					" WHERE id = %ld AND name = '%s' AND"
					" head_of_service_id IS NULL AND"
					" slt_director_id = %ld AND"
					" digest_daily",
					id, renamed, head)),
			 1);
}

/* Positions and who is told of what. */
static void test_positions_and_recipients(void **state)
{
	struct itest_resp r;
	(void)state;
	long ceo = user_id_of("ceo@demo.linkdesk.test");
	long lo = user_id_of("link.officer@demo.linkdesk.test");
	assert_true(ceo > 0 && lo > 0);
	accepted(&admin, "/admin/positions/head_of_communications",
		 F("user_id=%ld", lo), "/admin?done=position");
	assert_int_equal(api_sql_long("SELECT user_id FROM position WHERE"
				      " code = 'head_of_communications'"),
			 lo);
	accepted(&admin, "/admin/positions/head_of_communications",
		 "user_id=", "/admin?done=position");
	assert_int_equal(api_sql_long("SELECT count(*) FROM position WHERE"
				      " code = 'head_of_communications' AND"
				      " user_id IS NULL"),
			 1);
	page(&admin, "/admin/positions/no_such_position", "user_id=", &r);
	assert_int_equal(r.status, 404);
	itest_resp_release(&r);
	accepted(&admin, "/admin/positions/head_of_communications",
		 F("user_id=%ld", user_id_of("comms@demo.linkdesk.test")),
		 "/admin?done=position");

	long before = api_sql_long("SELECT count(*) FROM notice_recipient");
	static const char *const nothing[] = {"event", NULL};
	refused(&admin, "/admin/recipients", "", 400, nothing,
		"Choose when they are told", &r);
	itest_resp_release(&r);
	static const char *const address[] = {"address", NULL};
	refused(&admin, "/admin/recipients",
		"event=final_chaser&kind=address&address=not-an-address", 422,
		address, "Enter an email address in the correct format", &r);
	assert_non_null(strstr(r.body, "value=\"not-an-address\""));
	itest_resp_release(&r);
	assert_int_equal(api_sql_long("SELECT count(*) FROM notice_recipient"),
			 before);

	const char *to = email_of(unique("told"));
	accepted(&admin, "/admin/recipients",
		 F("event=final_chaser&kind=address&address=%s"
		   "&position=chief_executive",
		   to),
		 "/admin?done=told");
	long id = api_sql_long(
		F("SELECT id FROM notice_recipient WHERE address = '%s' AND"
		  " position_code IS NULL AND event = 'final_chaser'",
		  to));
	assert_true(id > 0);
	page(&admin, "/admin", NULL, &r);
	assert_non_null(strstr(r.body, to));
	assert_null(strstr(r.body, ">final_chaser<"));
	itest_resp_release(&r);
	accepted(&admin, F("/admin/recipients/%ld/remove", id), "",
		 "/admin?done=untold");
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM notice_recipient"
					" WHERE id = %ld",
					id)),
			 0);
}

/* Failed mail: shown with its reason, and sent again by the API's retry. */
static void test_failed_mail(void **state)
{
	struct itest_resp r;
	(void)state;
	const char *subject = unique("Undelivered");
	char *out = NULL;
	assert_int_equal(
		api_sql(F("INSERT INTO outbox (kind, recipient, subject, body,"
			  " status, attempts, last_error) VALUES ('notice',"
			  " 'nobody@example.org', '%s', 'x', 'failed', 5,"
			  " '550 mailbox unavailable') RETURNING id",
			  subject),
			&out),
		0);
	long id = strtol(out, NULL, 10);
	free(out);
	page(&admin, "/admin", NULL, &r);
	assert_non_null(strstr(r.body, subject));
	assert_non_null(strstr(r.body, "550 mailbox unavailable"));
	assert_non_null(strstr(r.body, F("/admin/mail/%ld/retry", id)));
	itest_resp_release(&r);
	accepted(&admin, F("/admin/mail/%ld/retry", id), "",
		 "/admin?done=retry");
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE"
					" id = %ld AND status = 'queued'",
					id)),
			 1);
	/* Again: it is no longer failed. */
	static const char *const gone[] = {"failed-mail", NULL};
	refused(&admin, F("/admin/mail/%ld/retry", id), "", 409, gone,
		"no longer waiting", &r);
	itest_resp_release(&r);
}

/*
 * Any user's account: a token made on the page is shown once, works as a
 * bearer token, and is revoked there; another session is signed out.
 */
static void test_account(void **state)
{
	struct itest_resp r;
	(void)state;
	struct api me, other;
	api_signin(&me, server.base, "repairs.officer");
	api_signin(&other, server.base, "repairs.officer");

	page(&me, "/account", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Service-area officer"));
	assert_non_null(strstr(r.body, "This session"));
	itest_resp_release(&r);

	static const char *const both[] = {"token_name", NULL};
	refused(&me, "/account/tokens", "token_name=&expires_in_days=30", 400,
		both, "Enter a name for the token", &r);
	itest_resp_release(&r);
	static const char *const days[] = {"expires_in_days", NULL};
	refused(&me, "/account/tokens", "token_name=Script&expires_in_days=0",
		400, days, "The number of days must be from 1 to 3650", &r);
	assert_non_null(strstr(r.body, "value=\"Script\""));
	itest_resp_release(&r);
	/* Both wrong: both said at once. */
	static const char *const two[] = {"token_name", "expires_in_days",
					  NULL};
	refused(&me, "/account/tokens", "token_name=&expires_in_days=0", 400,
		two, "The number of days must be from 1 to 3650", &r);
	assert_non_null(strstr(r.body, "Enter a name for the token"));
	itest_resp_release(&r);

	const char *name = unique("Report script");
	page(&me, "/account/tokens",
	     F("token_name=%s&expires_in_days=30", name), &r);
	assert_int_equal(r.status, 201);
	const char *at = strstr(r.body, "id=\"new-token\">");
	assert_non_null(at);
	char token[80];
	assert_int_equal(
		sscanf(at + strlen("id=\"new-token\">"), "%79[^<]", token), 1);
	assert_non_null(strstr(r.body, name));
	assert_null(strstr(itest_resp_header(&r, "Location")
				   ? itest_resp_header(&r, "Location")
				   : "",
			   token));
	itest_resp_release(&r);

	struct api bearer = {0};
	bearer.h = curl_easy_init();
	snprintf(bearer.base, sizeof(bearer.base), "%s", server.base);
	snprintf(bearer.bearer, sizeof(bearer.bearer), "%s", token);
	api_call(&bearer, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);

	/* Shown once: never again on the account page. */
	page(&me, "/account", NULL, &r);
	assert_non_null(strstr(r.body, name));
	assert_null(strstr(r.body, token));
	itest_resp_release(&r);

	long tid = api_sql_long(
		F("SELECT id FROM api_token WHERE name = '%s'", name));
	accepted(&me, F("/account/tokens/%ld/revoke", tid), "",
		 "/account?done=revoked");
	api_call(&bearer, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 401);
	itest_resp_release(&r);
	api_release(&bearer);

	/* Someone else's token is not theirs to revoke. */
	long others = api_sql_long(
		"SELECT coalesce(min(id), 0) FROM api_token WHERE user_id <>"
		" (SELECT id FROM app_user WHERE email ="
		" 'repairs.officer@demo.linkdesk.test') AND revoked_at IS "
		"NULL");
	if (others) {
		page(&me, F("/account/tokens/%ld/revoke", others), "", &r);
		assert_int_equal(r.status, 404);
		itest_resp_release(&r);
	}

	long sid = api_sql_long(
		"SELECT max(id) FROM session WHERE user_id = (SELECT id FROM"
		" app_user WHERE email = 'repairs.officer@demo.linkdesk.test')"
		" AND ended_at IS NULL");
	accepted(&me, F("/account/sessions/%ld/end", sid), "",
		 "/account?done=ended");
	api_call(&other, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 401);
	itest_resp_release(&r);
	api_call(&me, "GET", "/api/v1/me", NULL, &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	api_release(&other);
	api_release(&me);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_validator),
		cmocka_unit_test(test_change_user),
		cmocka_unit_test(test_areas),
		cmocka_unit_test(test_positions_and_recipients),
		cmocka_unit_test(test_failed_mail),
		cmocka_unit_test(test_account),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
