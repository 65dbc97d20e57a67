/*
 * The three flows of the council's guidance (section 5) through the API,
 * as the people who do them: an investigation, a final determination
 * through to closure, and an escalation.  Then every refused transition,
 * the role boundaries, bad input and concurrent edits.
 *
 * The server runs with LINKDESK_TODAY=2026-11-23 (a Monday) against the
 * demo organisation.
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
#include "buf.h"

static struct itest_server server;
static struct api lo, repairs, housing, asc, v1, v2, v3, director, admin;
static long area_repairs, area_housing;
static int seq;

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&repairs, server.base, "repairs.officer");
	api_signin(&housing, server.base, "housing.officer");
	api_signin(&asc, server.base, "asc.officer");
	api_signin(&v1, server.base, "ad.resident.contacts");
	api_signin(&v2, server.base, "head.disputes");
	api_signin(&v3, server.base, "rx.manager");
	api_signin(&director, server.base, "director");
	api_signin(&admin, server.base, "admin");
	area_repairs = api_area_id(&lo, "Repairs and Maintenance");
	area_housing = api_area_id(&lo, "Housing Management");
	return 0;
}

static int teardown(void **state)
{
	struct api *all[] = {&lo, &repairs, &housing,  &asc,  &v1,
			     &v2, &v3,	    &director, &admin};
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		api_release(all[i]);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* A new complaint in an area, with a resident; returns its id. */
static long new_complaint(long area)
{
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"T-%d-%d\", \"category\": \"Repairs\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-06-01\","
		  " \"summary\": \"Leak not fixed\", \"resident\": {\"name\":"
		  " \"Zebedee Canaryfield\", \"vulnerabilities\": \"COPD\"}}",
		  (int)getpid(), ++seq, area));
	long id = (long)jint(c, "id");
	json_decref(c);
	return id;
}

/* A new HOS case on a new complaint; returns the case JSON. */
static json_t *new_case(long area, const char *ombudsman, const char *ref)
{
	long complaint = new_complaint(area);
	return api_expect(&lo, 201, "POST", "/api/v1/cases",
			  F("{\"complaint_id\": %ld, \"ombudsman\": \"%s\","
			    " \"reference\": \"%s\", \"received_on\":"
			    " \"2026-11-16\"}",
			    complaint, ombudsman, ref));
}

static json_t *task_of(json_t *c, int i)
{
	return json_array_get(json_object_get(c, "tasks"), (size_t)i);
}

static json_t *act(struct api *who, long status, long task, const char *action,
		   const char *extra)
{
	json_t *t =
		api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	return api_expect(
		who, status, "POST", F("/api/v1/tasks/%ld/actions", task),
		F("{\"action\": \"%s\", \"version\": %ld%s%s}", action, version,
		  extra ? ", " : "", extra ? extra : ""));
}

/* Submit, three sign-offs, sent: the evidence route of section 5. */
static void evidence_through(struct api *officer, long task)
{
	json_decref(act(officer, 200, task, "submit",
			"\"answer\": \"Records attached\", \"attachments\":"
			" [\"repairs-log.pdf\"]"));
	json_decref(act(&v1, 200, task, "approve", NULL));
	json_decref(act(&v2, 200, task, "approve", NULL));
	json_t *t = act(&v3, 200, task, "approve", NULL);
	assert_string_equal(jstr(t, "status"), "validated");
	json_decref(t);
	t = act(&lo, 200, task, "send", "\"dated_on\": \"2026-11-23\"");
	assert_string_equal(jstr(t, "status"), "sent");
	json_decref(t);
}

/* How many outbox rows match a condition (SQL). */
static long outbox_count(const char *where)
{
	return api_sql_long(F("SELECT count(*) FROM outbox WHERE %s", where));
}

static void test_investigation(void **state)
{
	(void)state;
	/* A year no other test's references use ("2026" and a number
	 * from its pid: one met this one's). */
	json_t *c = new_case(area_repairs, "HOS", "2019-00101");
	long case_id = (long)jint(c, "id");
	assert_string_equal(jstr(c, "reference"), "201900101");
	assert_string_equal(jstr(c, "stage"), "notified");
	json_decref(c);

	c = api_expect(
		&lo, 201, "POST",
		F("/api/v1/cases/%ld/correspondence", case_id),
		F("{\"kind\": \"information_request\", \"dated_on\":"
		  " \"2026-11-23\", \"channel\": \"portal\", \"summary\":"
		  " \"Evidence requested\", \"tasks\": [{\"title\":"
		  " \"Repair history and damp survey\","
		  " \"service_area_id\": %ld, \"assignee_id\": %ld}]}",
		  area_repairs, repairs.user_id));
	json_t *t = task_of(c, 0);
	long task = (long)jint(t, "id");
	/* 15 working days from Monday 23 November 2026. */
	assert_string_equal(jstr(t, "due_on"), "2026-12-14");
	assert_string_equal(jstr(t, "due_rule"), "working_days:15");
	assert_string_equal(jstr(t, "status"), "open");
	assert_string_equal(jstr(t, "kind"), "information_request");
	json_decref(c);

	/* The assignee is told, with no resident detail. */
	assert_int_equal(outbox_count(F("task_id = %ld AND kind = "
					"'task_assigned' AND recipient = "
					"'repairs.officer@demo.linkdesk.test'",
					task)),
			 1);
	assert_int_equal(outbox_count(F("task_id = %ld AND (body LIKE "
					"'%%Canaryfield%%' OR subject LIKE "
					"'%%Canaryfield%%' OR"
					" outbox_facts_of(outbox) LIKE"
					" '%%Canaryfield%%')",
					task)),
			 0);
	/* What it says is what the sender reads: the task's title. */
	assert_int_equal(outbox_count(F("task_id = %ld AND kind ="
					" 'task_assigned' AND"
					" outbox_facts_of(outbox)::jsonb"
					" ->> 'title' = 'Repair history and"
					" damp survey'",
					task)),
			 1);

	/* The service officer sees it in their open tasks. */
	json_t *mine = api_expect(&repairs, 200, "GET",
				  "/api/v1/tasks?open=true&per_page=200", NULL);
	bool found = false;
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(mine, "items"), i, item) found |=
		jint(item, "id") == task;
	assert_true(found);
	json_decref(mine);

	json_decref(act(&repairs, 200, task, "start", NULL));
	json_decref(act(&repairs, 200, task, "submit",
			"\"answer\": \"Repair log and survey attached\","
			" \"attachments\": [\"log.pdf\", \"survey.pdf\"]"));
	t = act(&v1, 200, task, "approve", NULL);
	assert_string_equal(jstr(t, "status"), "submitted");
	assert_false(json_is_true(
		json_object_get(json_object_get(t, "validation"), "complete")));
	json_decref(t);

	/* Not sent until every required sign-off is in. */
	json_t *refused = act(&lo, 409, task, "send", NULL);
	assert_non_null(
		strstr(jstr(json_object_get(refused, "error"), "message"),
		       "sign-off"));
	json_decref(refused);
	json_decref(act(&v2, 200, task, "approve", NULL));
	t = act(&v3, 200, task, "approve", "\"comment\": \"Content checked\"");
	assert_string_equal(jstr(t, "status"), "validated");
	assert_true(json_is_true(
		json_object_get(json_object_get(t, "validation"), "complete")));
	json_decref(t);
	json_decref(act(&v3, 409, task, "approve", NULL));

	t = act(&lo, 200, task, "send", "\"dated_on\": \"2026-11-24\"");
	assert_string_equal(jstr(t, "status"), "sent");
	assert_string_equal(jstr(t, "sent_on"), "2026-11-24");
	json_decref(t);
	json_decref(api_expect(&lo, 201, "POST",
			       F("/api/v1/cases/%ld/correspondence", case_id),
			       "{\"kind\": \"acknowledgement\", \"dated_on\":"
			       " \"2026-11-25\", \"summary\":"
			       " \"Ombudsman acknowledged receipt\"}"));
	t = act(&lo, 200, task, "complete", NULL);
	assert_string_equal(jstr(t, "status"), "done");
	json_decref(t);

	c = api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld", case_id), NULL);
	json_t *timeline = json_object_get(c, "correspondence");
	const char *kinds[] = {"notification", "information_request",
			       "evidence_submitted", "acknowledgement"};
	assert_int_equal(json_array_size(timeline), 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(jstr(json_array_get(timeline, i), "kind"),
				    kinds[i]);
	assert_string_equal(jstr(json_array_get(timeline, 2), "direction"),
			    "out");
	json_decref(c);
	/* Every change left an audit row with its actor. */
	c = api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld/audit", case_id),
		       NULL);
	assert_true(json_array_size(json_object_get(c, "entries")) >= 10);
	json_decref(c);
}

static void test_determination(void **state)
{
	(void)state;
	json_t *c = new_case(area_housing, "HOS", "202600202");
	long case_id = (long)jint(c, "id");
	json_decref(c);

	/* An LGSCO finding is not a Housing Ombudsman one. */
	api_refused(&lo, 422, "validation_failed", "findings", "POST",
		    F("/api/v1/cases/%ld/determination", case_id),
		    "{\"decided_on\": \"2026-11-02\", \"findings\":"
		    " [{\"element\": \"x\", \"finding\": \"no_fault\"}]}");

	c = api_expect(
		&lo, 201, "POST", F("/api/v1/cases/%ld/determination", case_id),
		F("{\"decided_on\": \"2026-11-02\", \"findings\": ["
		  "{\"element\": \"Handling of repairs\", \"finding\":"
		  " \"maladministration\"},"
		  "{\"element\": \"Complaint handling\", \"finding\":"
		  " \"service_failure\"}],"
		  " \"remedies\": ["
		  "{\"type\": \"order\", \"kind\": \"apology\", "
		  "\"description\":"
		  " \"Apologise in writing\", \"weeks\": 4, "
		  "\"service_area_id\":"
		  " %ld},"
		  "{\"type\": \"order\", \"kind\": \"compensation\","
		  " \"description\": \"Pay 350 pounds\", \"amount_pence\": "
		  "35000,"
		  " \"due_on\": \"2026-11-30\", \"service_area_id\": %ld},"
		  "{\"type\": \"recommendation\", \"kind\": \"training\","
		  " \"description\": \"Train staff on damp\", \"weeks\": 8,"
		  " \"service_area_id\": %ld}]}",
		  area_housing, area_housing, area_housing));
	assert_string_equal(jstr(c, "stage"), "remedies");
	json_t *det = json_object_get(c, "determination");
	assert_true(json_is_true(json_object_get(det, "upheld")));
	assert_int_equal(json_array_size(json_object_get(det, "findings")), 2);
	json_t *remedies = json_object_get(c, "remedies");
	assert_int_equal(json_array_size(remedies), 3);
	/* Four weeks of the report: 28 days.  Eight weeks lands on Monday
	 * 28 December 2026, the Boxing Day substitute. */
	assert_string_equal(jstr(json_array_get(remedies, 0), "due_on"),
			    "2026-11-30");
	assert_int_equal(jint(json_array_get(remedies, 1), "amount_pence"),
			 35000);
	assert_string_equal(jstr(json_array_get(remedies, 2), "due_on"),
			    "2026-12-28");
	assert_string_equal(jstr(json_array_get(remedies, 0), "compliance"),
			    "pending");
	long order1 = (long)jint(json_array_get(remedies, 0), "task_id");
	long order2 = (long)jint(json_array_get(remedies, 1), "task_id");
	long rec = (long)jint(json_array_get(remedies, 2), "task_id");
	json_decref(c);

	/* The SLT director and the head of communications are told. */
	assert_int_equal(outbox_count(F("case_id = %ld AND kind ="
					" 'determination' AND recipient IN"
					" ('director@demo.linkdesk.test',"
					" 'comms@demo.linkdesk.test')",
					case_id)),
			 2);

	api_refused(&lo, 409, "conflict", NULL, "POST",
		    F("/api/v1/cases/%ld/close", case_id),
		    "{\"outcome\": \"orders_satisfied\", \"version\": 2}");

	evidence_through(&housing, order1);
	evidence_through(&housing, order2);
	c = api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld", case_id), NULL);
	assert_string_equal(
		jstr(json_array_get(json_object_get(c, "remedies"), 0),
		     "compliance"),
		"complied_on_time");
	long remedy1 = (long)jint(
		json_array_get(json_object_get(c, "remedies"), 0), "id");
	long remedy2 = (long)jint(
		json_array_get(json_object_get(c, "remedies"), 1), "id");
	json_decref(c);

	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       F("{\"kind\": \"orders_confirmed\", \"dated_on\":"
			 " \"2026-11-25\", \"remedy_ids\": [%ld, %ld]}",
			 remedy1, remedy2));
	assert_string_equal(
		jstr(json_array_get(json_object_get(c, "remedies"), 0),
		     "compliance"),
		"confirmed");
	long version = (long)jint(c, "version");
	json_decref(c);

	/* The recommendation's task is still open. */
	api_refused(&lo, 409, "conflict", NULL, "POST",
		    F("/api/v1/cases/%ld/close", case_id),
		    F("{\"outcome\": \"orders_satisfied\", \"version\": %ld}",
		      version));
	json_decref(act(&lo, 200, rec, "cancel",
			"\"comment\": \"Asked in error\""));
	api_refused(
		&lo, 422, "validation_failed", "outcome", "POST",
		F("/api/v1/cases/%ld/close", case_id),
		F("{\"outcome\": \"no_orders\", \"version\": %ld}", version));
	c = api_expect(
		&lo, 200, "POST", F("/api/v1/cases/%ld/close", case_id),
		F("{\"outcome\": \"orders_satisfied\", \"version\": %ld}",
		  version));
	assert_string_equal(jstr(c, "stage"), "closed");
	assert_string_equal(jstr(c, "closed_on"), "2026-11-23");
	json_decref(c);

	/* Nothing more happens on a closed case. */
	api_refused(
		&lo, 409, "conflict", NULL, "POST",
		F("/api/v1/cases/%ld/determination", case_id),
		"{\"decided_on\": \"2026-11-20\", \"findings\":"
		" [{\"element\": \"x\", \"finding\": \"maladministration\"}]}");
	api_refused(&lo, 409, "conflict", "kind", "POST",
		    F("/api/v1/cases/%ld/correspondence", case_id),
		    "{\"kind\": \"first_chaser\"}");
	api_refused(&lo, 409, "conflict", NULL, "POST",
		    F("/api/v1/tasks/%ld/actions", order1),
		    "{\"action\": \"cancel\", \"version\": 99}");
}

static void test_escalation(void **state)
{
	(void)state;
	json_t *c = new_case(area_repairs, "HOS", "202600303");
	long case_id = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       F("{\"kind\": \"information_request\", \"dated_on\":"
			 " \"2026-10-26\", \"tasks\": [{\"title\": \"Records\","
			 " \"service_area_id\": %ld}]}",
			 area_repairs));
	long task = (long)jint(task_of(c, 0), "id");
	assert_string_equal(jstr(task_of(c, 0), "due_on"), "2026-11-16");
	json_decref(c);
	/*
	 * Unassigned: every active service officer of the area is told (two
	 * in the demo; other tests may have added one, signing in by single
	 * sign-on).
	 */
	long officers = api_sql_long(
		F("SELECT count(*) FROM app_user u JOIN user_role r ON"
		  " r.user_id = u.id AND r.role = 'service_officer' WHERE"
		  " u.active AND u.service_area_id = %ld",
		  area_repairs));
	assert_true(officers >= 2);
	assert_int_equal(
		api_sql_long(F("SELECT count(DISTINCT user_id) FROM"
			       " outbox_person WHERE task_id = %ld AND kind ="
			       " 'task_assigned' AND user_id IN (SELECT u.id"
			       " FROM app_user u JOIN user_role r ON r.user_id"
			       " = u.id AND r.role = 'service_officer' WHERE"
			       " u.active AND u.service_area_id = %ld)",
			       task, area_repairs)),
		officers);
	/* In one notice naming them, until the mail makes their messages. */
	assert_int_equal(outbox_count(F("task_id = %ld AND kind ="
					" 'task_assigned' AND recipients IS"
					" NOT NULL AND cardinality(recipients)"
					" = %ld",
					task, officers)),
			 1);

	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       "{\"kind\": \"first_chaser\", \"revised_due_on\":"
		       " \"2026-11-30\"}");
	assert_string_equal(jstr(task_of(c, 0), "priority"), "high");
	assert_string_equal(jstr(task_of(c, 0), "due_on"), "2026-11-16");
	assert_string_equal(jstr(task_of(c, 0), "revised_due_on"),
			    "2026-11-30");
	json_decref(c);
	assert_int_equal(
		outbox_count(F("case_id = %ld AND kind ="
			       " 'first_chaser' AND recipient IN"
			       " ('head.repairs@demo.linkdesk.test',"
			       " 'resident.contact@demo.linkdesk.test')",
			       case_id)),
		2);
	assert_int_equal(outbox_count(F("case_id = %ld AND recipient ="
					" 'ceo@demo.linkdesk.test'",
					case_id)),
			 0);

	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       "{\"kind\": \"final_chaser\"}");
	assert_string_equal(jstr(task_of(c, 0), "priority"), "urgent");
	json_decref(c);
	assert_int_equal(outbox_count(F("case_id = %ld AND kind ="
					" 'final_chaser' AND recipient ="
					" 'ceo@demo.linkdesk.test'",
					case_id)),
			 1);
	/* No notice names the resident. */
	assert_int_equal(outbox_count(F("case_id = %ld AND (body LIKE"
					" '%%Canaryfield%%' OR"
					" outbox_facts_of(outbox)"
					" LIKE '%%Canaryfield%%')",
					case_id)),
			 0);

	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       F("{\"kind\": \"extension_agreed\", \"revised_due_on\":"
			 " \"2026-12-21\", \"task_ids\": [%ld]}",
			 task));
	assert_string_equal(jstr(task_of(c, 0), "due_on"), "2026-11-16");
	assert_string_equal(jstr(task_of(c, 0), "revised_due_on"),
			    "2026-12-21");
	json_decref(c);
	api_refused(&lo, 422, "validation_failed", "revised_due_on", "POST",
		    F("/api/v1/cases/%ld/correspondence", case_id),
		    "{\"kind\": \"extension_agreed\"}");
	api_refused(&lo, 422, "validation_failed", "task_ids", "POST",
		    F("/api/v1/cases/%ld/correspondence", case_id),
		    "{\"kind\": \"extension_agreed\", \"revised_due_on\":"
		    " \"2026-12-22\", \"task_ids\": [999999]}");
}

static void test_refused_transitions(void **state)
{
	(void)state;
	json_t *c = new_case(area_repairs, "LGSCO", "26-123-456");
	long case_id = (long)jint(c, "id");
	assert_string_equal(jstr(c, "reference"), "26 123 456");
	json_decref(c);
	c = api_expect(
		&lo, 201, "POST",
		F("/api/v1/cases/%ld/correspondence", case_id),
		F("{\"kind\": \"information_request\", \"response_due_on\":"
		  " \"2026-12-04\", \"tasks\": [{\"title\": \"Policy\","
		  " \"service_area_id\": %ld}]}",
		  area_repairs));
	long task = (long)jint(task_of(c, 0), "id");
	/* The LGSCO's own response date is the task's due date. */
	assert_string_equal(jstr(task_of(c, 0), "due_on"), "2026-12-04");
	assert_string_equal(jstr(task_of(c, 0), "due_rule"), "given");
	json_decref(c);

	json_decref(act(&lo, 409, task, "send", NULL));
	json_decref(act(&lo, 409, task, "complete", NULL));
	json_decref(act(&repairs, 403, task, "approve", NULL));
	json_decref(act(&v1, 409, task, "approve", NULL));
	json_decref(act(&v1, 403, task, "submit", "\"answer\": \"x\""));
	json_decref(act(&asc, 404, task, "start", NULL));
	json_decref(act(&repairs, 422, task, "submit", "\"answer\": \"\""));
	json_decref(act(&lo, 200, task, "pause", NULL));
	json_decref(act(&lo, 409, task, "pause", NULL));
	json_t *t =
		act(&lo, 200, task, "resume", "\"dated_on\": \"2026-11-27\"");
	assert_int_equal(jint(t, "paused_days"), 4);
	json_decref(t);
	api_refused(&lo, 412, "precondition_failed", "version", "POST",
		    F("/api/v1/tasks/%ld/actions", task),
		    "{\"action\": \"start\", \"version\": 1}");
	/* The information request moved the case on (core's kinds table). */
	c = api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld", case_id), NULL);
	assert_string_equal(jstr(c, "stage"), "investigation");
	int v = (int)jint(c, "version");
	json_decref(c);
	api_refused(&lo, 409, "conflict", "stage", "POST",
		    F("/api/v1/cases/%ld/stage", case_id),
		    F("{\"stage\": \"closed\", \"version\": %d}", v));
	api_refused(&lo, 409, "conflict", "stage", "POST",
		    F("/api/v1/cases/%ld/stage", case_id),
		    F("{\"stage\": \"investigation\", \"version\": %d}", v));
	c = api_expect(
		&lo, 200, "POST", F("/api/v1/cases/%ld/stage", case_id),
		F("{\"stage\": \"draft_decision\", \"version\": %d}", v));
	json_decref(c);
	api_refused(&lo, 409, "conflict", "stage", "POST",
		    F("/api/v1/cases/%ld/stage", case_id),
		    F("{\"stage\": \"assessment\", \"version\": %d}", v + 1));
	api_refused(&lo, 412, "precondition_failed", "version", "POST",
		    F("/api/v1/cases/%ld/stage", case_id),
		    F("{\"stage\": \"draft_decision\", \"version\": %d}", v));
	/* A duplicate reference per Ombudsman. */
	long complaint = new_complaint(area_repairs);
	api_refused(&lo, 409, "conflict", "reference", "POST", "/api/v1/cases",
		    F("{\"complaint_id\": %ld, \"ombudsman\": \"LGSCO\","
		      " \"reference\": \"26123456\"}",
		      complaint));
}

static void test_roles(void **state)
{
	struct itest_resp r;
	(void)state;
	json_t *c = new_case(area_housing, "HOS", "202600404");
	long case_id = (long)jint(c, "id");
	long complaint = (long)jint(json_object_get(c, "complaint"), "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       F("{\"kind\": \"information_request\", \"tasks\":"
			 " [{\"title\": \"Tenancy file\", \"service_area_id\":"
			 " %ld}]}",
			 area_housing));
	long task = (long)jint(task_of(c, 0), "id");
	json_decref(c);
	/* The link officer sees the resident. */
	c = api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld", case_id), NULL);
	assert_string_equal(
		jstr(json_object_get(json_object_get(c, "complaint"),
				     "resident"),
		     "name"),
		"Zebedee Canaryfield");
	json_decref(c);

	/* Leadership reads everything and changes nothing. */
	c = api_expect(&director, 200, "GET", F("/api/v1/cases/%ld", case_id),
		       NULL);
	assert_true(json_is_null(
		json_object_get(json_object_get(c, "complaint"), "resident")));
	json_decref(c);
	api_call(&director, "POST", "/api/v1/complaints",
		 "{\"reference\": \"X\"}", &r);
	assert_int_equal(r.status, 403);
	assert_null(strstr(r.body, "Canaryfield"));
	assert_int_equal(json_object_size(r.json), 1); /* only "error" */
	itest_resp_release(&r);
	api_refused(&director, 403, "forbidden", NULL, "POST",
		    F("/api/v1/tasks/%ld/actions", task),
		    "{\"action\": \"start\", \"version\": 1}");

	/* Another area's officer: the case does not exist for them. */
	api_call(&repairs, "GET", F("/api/v1/cases/%ld", case_id), NULL, &r);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.body, "Canaryfield"));
	assert_null(strstr(r.body, "202600404"));
	itest_resp_release(&r);
	api_refused(&repairs, 404, "not_found", NULL, "GET",
		    F("/api/v1/tasks/%ld", task), NULL);
	api_refused(&repairs, 404, "not_found", NULL, "GET",
		    F("/api/v1/complaints/%ld", complaint), NULL);
	json_t *list =
		api_expect(&repairs, 200, "GET",
			   F("/api/v1/tasks?case_id=%ld", case_id), NULL);
	assert_int_equal(jint(list, "total"), 0);
	json_decref(list);

	/* The area's own officer: the case, not the resident, unless
	 * granted (housing.officer is). */
	c = api_expect(&housing, 200, "GET", F("/api/v1/cases/%ld", case_id),
		       NULL);
	assert_string_equal(
		jstr(json_object_get(json_object_get(c, "complaint"),
				     "resident"),
		     "name"),
		"Zebedee Canaryfield");
	assert_true(json_is_null(json_object_get(c, "correspondence")));
	json_decref(c);
	struct api head;
	api_signin(&head, server.base, "head.housing");
	c = api_expect(&head, 200, "GET", F("/api/v1/cases/%ld", case_id),
		       NULL);
	assert_true(json_is_null(
		json_object_get(json_object_get(c, "complaint"), "resident")));
	json_decref(c);
	api_release(&head);

	/* Validators read without resident details. */
	c = api_expect(&v1, 200, "GET", F("/api/v1/complaints/%ld", complaint),
		       NULL);
	assert_true(json_is_null(json_object_get(c, "resident")));
	json_decref(c);

	/* Administrators manage, they do not do casework. */
	api_refused(&admin, 403, "forbidden", NULL, "GET", "/api/v1/cases",
		    NULL);
	api_refused(&lo, 403, "forbidden", NULL, "POST", "/api/v1/users", "{}");
	api_refused(&repairs, 403, "forbidden", NULL, "POST",
		    "/api/v1/complaints", "{}");

	/* Refusals are audited. */
	char *out;
	assert_int_equal(api_sql("SELECT count(*) > 0 FROM audit_log WHERE"
				 " action = 'access_refused'",
				 &out),
			 0);
	assert_string_equal(out, "t\n");
	free(out);
}

static void test_bad_input(void **state)
{
	static const struct {
		const char *path, *body, *code, *field;
	} cases[] = {
		{"/api/v1/complaints", "{", "invalid", NULL},
		{"/api/v1/complaints", "{\"reference\": 5}", "invalid",
		 "reference"},
		{"/api/v1/complaints",
		 "{\"reference\": \"R\", \"category\": \"C\","
		 " \"service_area_id\": 1, \"received_on\": \"2026-02-30\"}",
		 "invalid", "received_on"},
		{"/api/v1/complaints",
		 "{\"reference\": \"R\", \"category\": \"C\","
		 " \"service_area_id\": 999999, \"received_on\": "
		 "\"2026-02-03\"}",
		 "validation_failed", "service_area_id"},
		{"/api/v1/complaints",
		 "{\"reference\": \"R\", \"category\": \"C\","
		 " \"service_area_id\": 1, \"received_on\": \"2026-02-03\","
		 " \"resident\": {\"name\": \"\"}}",
		 "invalid", "resident.name"},
		{"/api/v1/complaints",
		 "{\"reference\": \"R\", \"reference\": \"S\"}", "invalid",
		 NULL},
		{"/api/v1/complaints",
		 "{\"reference\": \"R\", \"category\": \"C\","
		 " \"service_area_id\": 1, \"received_on\": \"2026-02-03\","
		 " \"colour\": \"red\"}",
		 "invalid", "colour"},
		{"/api/v1/cases",
		 "{\"complaint_id\": 1, \"ombudsman\": \"HOS\", \"reference\":"
		 " \"12345\"}",
		 "invalid", "reference"},
		{"/api/v1/cases",
		 "{\"complaint_id\": 1, \"ombudsman\": \"PHSO\", \"reference\":"
		 " \"12345\"}",
		 "validation_failed", "ombudsman"},
		{"/api/v1/cases",
		 "{\"complaint_id\": -4, \"ombudsman\": \"HOS\", \"reference\":"
		 " \"202612345\"}",
		 "invalid", "complaint_id"},
		{"/api/v1/cases",
		 "{\"complaint_id\": 999999, \"ombudsman\": \"HOS\","
		 " \"reference\": \"202612345\"}",
		 "validation_failed", "complaint_id"},
		{"/api/v1/cases/1/correspondence", "{\"kind\": \"letter\"}",
		 "invalid", "kind"},
		{"/api/v1/cases/1/correspondence",
		 "{\"kind\": \"information_request\"}", "validation_failed",
		 "tasks"},
		{"/api/v1/cases/1/correspondence",
		 "{\"kind\": \"information_request\", \"tasks\": [{\"title\":"
		 " \"x\", \"service_area_id\": 1, \"weeks\": -2}]}",
		 "invalid", "tasks[0].weeks"},
		{"/api/v1/cases/1/correspondence",
		 "{\"kind\": \"other\", \"dated_on\": \"yesterday\"}",
		 "invalid", "dated_on"},
		{"/api/v1/cases/1/correspondence",
		 "{\"kind\": \"other\", \"summary\": 12}", "invalid",
		 "summary"},
		{"/api/v1/cases/1/determination",
		 "{\"decided_on\": \"2026-11-02\", \"findings\": []}",
		 "invalid", "findings"},
		{"/api/v1/cases/1/determination",
		 "{\"decided_on\": \"2026-11-02\", \"findings\": [{\"element\":"
		 " \"x\", \"finding\": \"maladministration\"}], \"remedies\":"
		 " [{\"type\": \"order\", \"kind\": \"compensation\","
		 " \"description\": \"pay\", \"amount_pence\": -5,"
		 " \"service_area_id\": 1}]}",
		 "invalid", "remedies[0].amount_pence"},
		{"/api/v1/cases/1/determination",
		 "{\"decided_on\": \"2026-11-02\", \"findings\": [{\"element\":"
		 " \"x\", \"finding\": \"maladministration\"}], \"remedies\":"
		 " [{\"type\": \"order\", \"kind\": \"compensation\","
		 " \"description\": \"pay\", \"amount_pence\":"
		 " 99999999999999, \"service_area_id\": 1}]}",
		 "invalid", "remedies[0].amount_pence"},
		{"/api/v1/cases/1/determination",
		 "{\"decided_on\": \"2026-11-02\", \"findings\": [{\"element\":"
		 " \"x\", \"finding\": \"maladministration\"}], \"remedies\":"
		 " [{\"type\": \"order\", \"kind\": \"unicorns\","
		 " \"description\": \"x\", \"service_area_id\": 1}]}",
		 "invalid", "remedies[0].kind"},
		{"/api/v1/cases/1/stage", "{\"stage\": \"investigation\"}",
		 "invalid", "version"},
		{"/api/v1/tasks/1/actions",
		 "{\"action\": \"fly\", \"version\": 1}", "invalid", "action"},
		{"/api/v1/tasks/1/actions",
		 "{\"action\": \"submit\", \"version\": 1, \"attachments\": "
		 "[3]}",
		 "invalid", "attachments"},
	};
	char *before, *after;
	(void)state;
	assert_int_equal(
		api_sql("SELECT (SELECT count(*) FROM complaint) || '/'"
			" || (SELECT count(*) FROM ombudsman_case) ||"
			" '/' || (SELECT count(*) FROM task) || '/' ||"
			" (SELECT count(*) FROM correspondence)",
			&before),
		0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long status = !strcmp(cases[i].code, "invalid") ? 400 : 422;
		api_refused(&lo, status, cases[i].code, cases[i].field, "POST",
			    cases[i].path, cases[i].body);
	}
	/* An overlong string. */
	char *big = malloc(5000);
	memset(big, 'x', 4999);
	big[4999] = '\0';
	api_refused(&lo, 400, "invalid", "summary", "POST",
		    "/api/v1/cases/1/correspondence",
		    F("{\"kind\": \"other\", \"summary\": \"%s\"}", big));
	free(big);
	assert_int_equal(
		api_sql("SELECT (SELECT count(*) FROM complaint) || '/'"
			" || (SELECT count(*) FROM ombudsman_case) ||"
			" '/' || (SELECT count(*) FROM task) || '/' ||"
			" (SELECT count(*) FROM correspondence)",
			&after),
		0);
	assert_string_equal(before, after); /* nothing stored */
	free(before);
	free(after);
}

static void test_concurrent_edits(void **state)
{
	(void)state;
	json_t *c = new_case(area_repairs, "HOS", "202600505");
	long case_id = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       F("{\"kind\": \"information_request\", \"tasks\":"
			 " [{\"title\": \"Gas safety record\","
			 " \"service_area_id\": %ld}]}",
			 area_repairs));
	long task = (long)jint(task_of(c, 0), "id");
	long version = (long)jint(task_of(c, 0), "version");
	json_decref(c);

	struct api lo2;
	api_signin(&lo2, server.base, "link.officer2");
	json_t *t = api_expect(&lo, 200, "PATCH", F("/api/v1/tasks/%ld", task),
			       F("{\"version\": %ld, \"assignee_id\": %ld}",
				 version, repairs.user_id));
	assert_int_equal(jint(t, "version"), version + 1);
	json_decref(t);
	api_refused(&lo2, 412, "precondition_failed", "version", "PATCH",
		    F("/api/v1/tasks/%ld", task),
		    F("{\"version\": %ld, \"priority\": \"urgent\"}", version));
	t = api_expect(&lo, 200, "GET", F("/api/v1/tasks/%ld", task), NULL);
	assert_string_equal(jstr(t, "priority"),
			    "normal"); /* not overwritten */
	assert_string_equal(jstr(json_object_get(t, "assignee"), "name"),
			    "Dan Price");
	json_decref(t);
	api_release(&lo2);
}

/* SQL as the role that owns the schema (test_roles tries the server's). */
static int owner_sql(const char *sql, char **out)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -t -A -v ON_ERROR_STOP=1 "
		 "\"$LINKDESK_OWNER_DATABASE_URL\" -c \"%s\" 2>&1",
		 sql);
	return itest_sh(cmd, out);
}

static void test_audit_is_append_only(void **state)
{
	char *out;
	(void)state;
	/* Even the owner, whom privileges do not stop, meets the trigger. */
	assert_int_not_equal(
		owner_sql("UPDATE audit_log SET action = 'x'", &out), 0);
	assert_non_null(strstr(out, "append-only"));
	free(out);
	assert_int_not_equal(owner_sql("DELETE FROM audit_log", &out), 0);
	assert_non_null(strstr(out, "append-only"));
	free(out);
	assert_int_not_equal(owner_sql("TRUNCATE audit_log", &out), 0);
	assert_non_null(strstr(out, "append-only"));
	free(out);
	/* Task changes carry their actor; resident details never
	 * appear. */
	assert_int_equal(api_sql("SELECT count(*) = 0 FROM audit_log l"
				 " JOIN ombudsman_case c ON c.id = l.case_id"
				 " WHERE c.reference LIKE '2026%' AND"
				 " l.entity IN ('task', 'correspondence')"
				 " AND l.actor_id IS NULL",
				 &out),
			 0);
	assert_string_equal(out, "t\n");
	free(out);
	assert_int_equal(api_sql("SELECT count(*) FROM audit_log WHERE"
				 " before::text LIKE '%Canaryfield%' OR"
				 " after::text LIKE '%Canaryfield%'",
				 &out),
			 0);
	assert_string_equal(out, "0\n");
	free(out);
}

/*
 * Home's lists are rendered once for every link officer (h_pages.c), its
 * top for each reader: a link officer who also leads sees their own
 * navigation, and the next reader does not get it from the lists kept.
 */
/* Home's body in page: after the Inbox line, to the end of <main>. */
static char *home_body(const char *page)
{
	const char *inbox = strstr(page, "id=\"inbox-waiting\"");
	assert_non_null(inbox);
	const char *from = strstr(inbox, "<div class=\"govuk-grid-row\">");
	const char *to = from ? strstr(from, "</main>") : NULL;
	assert_non_null(to);
	return strndup(from, (size_t)(to - from));
}

static void test_home_top_is_each_readers(void **state)
{
	(void)state;
	struct api lo2;
	api_signin(&lo2, server.base, "link.officer2");
	api_exec(F("INSERT INTO user_role (user_id, role) VALUES (%ld, "
		   "'leadership')",
		   lo2.user_id));
	struct api *readers[] = {&lo, &lo2, &lo};
	char *pages[3];
	for (int i = 0; i < 3; i++)
		pages[i] = api_page_body(readers[i], "/home", 200);
	api_exec(F("DELETE FROM user_role WHERE user_id = %ld AND role = "
		   "'leadership'",
		   lo2.user_id));
	api_release(&lo2);
	const char *nav = "href=\"/leadership\"";
	for (int i = 0; i < 3; i++)
		assert_int_equal(api_occurrences(pages[i], nav), i == 1);
	/* Below the top, every list is the same bytes for both readers. */
	char *first = home_body(pages[0]), *second = home_body(pages[1]);
	assert_non_null(strstr(first, "Overdue"));
	assert_non_null(strstr(first, "id=\"likely-late\""));
	assert_string_equal(first, second);
	free(first);
	free(second);
	for (int i = 0; i < 3; i++)
		free(pages[i]);
}

/*
 * The link officer's home lists the first 10 of each list with the true
 * total and a link to the list's pages, which hold every one in order; the
 * task list's total and pages agree with the database.
 */
static void test_home_is_bounded(void **state)
{
	(void)state;
	/* Read before the change: the home must not be remembered past it. */
	struct itest_resp r;
	api_call(&lo, "GET", "/home", NULL, &r);
	assert_int_equal(r.status, 200);
	itest_resp_release(&r);
	json_t *c = new_case(area_repairs, "HOS", "2026-00990");
	long case_id = (long)jint(c, "id");
	json_decref(c);
	struct buf body;
	buf_init(&body, 1 << 16);
	buf_printf(&body, "{\"kind\": \"information_request\", \"dated_on\":"
			  " \"2026-10-01\", \"channel\": \"portal\","
			  " \"summary\": \"Many asks\", \"tasks\": [");
	for (int i = 0; i < 60; i++)
		buf_printf(&body,
			   "%s{\"title\": \"Item %d\", \"service_area_id\":"
			   " %ld, \"due_on\": \"2026-11-%02d\"}",
			   i ? ", " : "", i, area_repairs, 2 + i % 18);
	buf_addstr(&body, "]}");
	json_decref(api_expect(&lo, 201, "POST",
			       F("/api/v1/cases/%ld/correspondence", case_id),
			       buf_str(&body)));
	buf_release(&body);

	long overdue = api_sql_long(
		"SELECT count(*) FROM task t WHERE status IN ('open',"
		" 'in_progress', 'submitted', 'validated') AND paused_on IS "
		"NULL"
		" AND coalesce(revised_due_on, due_on) < '2026-11-23'");
	assert_true(overdue >= 60);
	api_call(&lo, "GET", "/home", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(
		r.body, F("Showing the first 10 of %ld. <a class=\"govuk-link\""
			  " href=\"/home/overdue\">See all %ld<span",
			  overdue, overdue)));
	/* Ten rows in the overdue table, whatever the other lists hold. */
	char *table = strdup(strstr(r.body, "aria-label=\"Overdue\""));
	*strstr(table, "</table>") = '\0';
	assert_int_equal(api_occurrences(table, "data-label=\"Task\""), 10);
	free(table);
	itest_resp_release(&r);
	/* Every one on the list's pages, most overdue first. */
	char *ids = NULL;
	assert_int_equal(
		api_sql("SELECT string_agg(t.id::text, ' ' ORDER BY"
			" coalesce(t.revised_due_on, t.due_on), t.id) FROM "
			"task t"
			" WHERE status IN ('open', 'in_progress', 'submitted',"
			" 'validated') AND paused_on IS NULL AND"
			" coalesce(revised_due_on, due_on) < '2026-11-23'",
			&ids),
		0);
	json_t *want = json_array();
	for (char *tok = strtok(ids, " \n"); tok; tok = strtok(NULL, " \n"))
		json_array_append_new(want, json_integer(atol(tok)));
	free(ids);
	assert_int_equal((long)json_array_size(want), overdue);
	api_pages_hold(&lo, "/home/overdue", "tasks", want);
	json_decref(want);
	char *all = api_page_body(&lo, "/home/overdue", 200);
	assert_non_null(strstr(all, F("Overdue <span class=\"govuk-caption-m"
				      " app-count\">%ld</span></h1>",
				      overdue)));
	assert_non_null(strstr(all, "class=\"govuk-back-link\""));
	free(all);
	/* The areas the most overdue first: home the first 10, the areas'
	 * page every one with open work; more than 10 of them, whatever
	 * other test files made. */
	for (int a = 0; a < 11; a++)
		api_area_tasks(F("Bounded area %d", a), a + 1, "2026-11-02",
			       "date '2027-06-01' + g"); /* none overdue */
	const char *open = "status IN ('open', 'in_progress', 'submitted',"
			   " 'validated')";
	const char *late = "paused_on IS NULL AND coalesce(revised_due_on,"
			   " due_on) < '2026-11-23'";
	char *first = NULL;
	assert_int_equal(
		api_sql(F("SELECT a.name FROM task t JOIN service_area a ON"
			  " a.id = t.service_area_id WHERE a.active AND %s"
			  " GROUP BY a.id ORDER BY count(*) FILTER (WHERE %s)"
			  " DESC, count(*) DESC, a.name, a.id LIMIT 1",
			  open, late),
			&first),
		0);
	first[strcspn(first, "\n")] = '\0';
	long areas = api_sql_long(
		F("SELECT count(DISTINCT t.service_area_id) FROM task t JOIN"
		  " service_area a ON a.id = t.service_area_id WHERE a.active"
		  " AND %s",
		  open));
	char *home = api_page_body(&lo, "/home", 200);
	const char *by_area = strstr(home, ">By service area<");
	assert_non_null(by_area);
	assert_non_null(strstr(by_area,
			       F("<tbody class=\"govuk-table__body\"><tr"
				 " class=\"govuk-table__row\"><th scope=\"row\""
				 " class=\"govuk-table__header\">%s</th>",
				 first)));
	assert_int_equal(api_occurrences(by_area, "<th scope=\"row\""),
			 areas < 10 ? areas : 10);
	assert_true(areas > 10);
	assert_non_null(strstr(home, F("<a class=\"govuk-link\""
				       " href=\"/home/areas\">See all %ld"
				       " service areas</a>",
				       areas)));
	free(home);
	char *all_areas = api_page_body(&lo, "/home/areas", 200);
	assert_int_equal(api_occurrences(all_areas, "<th scope=\"row\""),
			 areas < 50 ? areas : 50);
	assert_non_null(strstr(all_areas, F(">%s</th>", first)));
	free(all_areas);
	free(first);
	free(api_page_body(&lo, "/home/areas?page=2x", 400));
	free(api_page_body(&lo, "/home/areas?page=1000", 404));
	/* The other lists have pages of their own, each its own list, for
	 * the link officer only. */
	static const struct {
		const char *path, *h1;
	} lists[] = {
		{"/home/due-soon", "<h1 class=\"govuk-heading-l\">Due in the"
				   " next 3 working days <span"},
		{"/home/awaiting-validation",
		 "<h1 class=\"govuk-heading-l\">Evidence awaiting validation"
		 " <span"},
		{"/home/ready-to-send", "<h1 class=\"govuk-heading-l\">"
					"Validated, ready to send <span"},
	};
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		char *list = api_page_body(&lo, lists[l].path, 200);
		assert_non_null(strstr(list, lists[l].h1));
		free(list);
		free(api_page_body(&repairs, lists[l].path, 403));
	}
	free(api_page_body(&repairs, "/home/overdue", 403));
	free(api_page_body(&repairs, "/home/areas", 403));

	json_t *page = api_expect(
		&lo, 200, "GET",
		"/api/v1/tasks?overdue=true&per_page=20&page=2", NULL);
	assert_int_equal(jint(page, "total"), overdue);
	assert_int_equal(jint(page, "page"), 2);
	json_t *items = json_object_get(page, "items");
	assert_int_equal(json_array_size(items), 20);
	/* Most overdue first, across the pages. */
	const char *prev = "";
	size_t i;
	json_t *t;
	json_array_foreach(items, i, t)
	{
		const char *due = jstr(t, "effective_due_on");
		assert_true(strcmp(prev, due) <= 0);
		prev = due;
	}
	json_decref(page);
}

/*
 * A change answers with what it changed, not the whole case: the case's
 * head and the parts it made, an answer that does not grow with the
 * case's history (issue 18).
 */
static void test_change_answers(void **state)
{
	struct itest_resp r;
	size_t first = 0;
	(void)state;
	json_t *c = new_case(area_repairs, "HOS", "202600909");
	long case_id = (long)jint(c, "id");
	long version = (long)jint(c, "version");
	json_decref(c);
	for (int i = 0; i < 6; i++) {
		api_call(&lo, "POST",
			 F("/api/v1/cases/%ld/correspondence", case_id),
			 F("{\"kind\": \"information_request\", \"tasks\":"
			   " [{\"title\": \"Records %d\","
			   " \"service_area_id\": %ld}]}",
			   i, area_repairs),
			 &r);
		assert_int_equal(r.status, 201);
		c = r.json;
		assert_int_equal(jint(c, "id"), case_id);
		assert_int_equal(jint(c, "version"), version + 1 + i);
		assert_string_equal(jstr(c, "stage"), "investigation");
		assert_string_equal(jstr(c, "status"), "open");
		assert_int_equal(
			json_array_size(json_object_get(c, "correspondence")),
			1);
		assert_string_equal(
			jstr(json_array_get(
				     json_object_get(c, "correspondence"), 0),
			     "kind"),
			"information_request");
		assert_int_equal(json_array_size(json_object_get(c, "tasks")),
				 1);
		assert_string_equal(jstr(task_of(c, 0), "title"),
				    F("Records %d", i));
		assert_null(json_object_get(c, "audit"));
		assert_null(json_object_get(c, "complaint"));
		assert_null(json_object_get(c, "remedies"));
		/* The same size however much the case has behind it. */
		if (!i)
			first = strlen(r.body);
		assert_true(strlen(r.body) < first + 16);
		itest_resp_release(&r);
	}
	/* A stage change answers with the case's head alone. */
	c = api_expect(&lo, 200, "POST", F("/api/v1/cases/%ld/stage", case_id),
		       F("{\"stage\": \"draft_decision\", \"version\": %ld}",
			 version + 6));
	assert_int_equal(jint(c, "version"), version + 7);
	assert_string_equal(jstr(c, "stage"), "draft_decision");
	assert_null(json_object_get(c, "tasks"));
	assert_null(json_object_get(c, "correspondence"));
	json_decref(c);
	/* The whole case is still there for whoever reads it. */
	c = api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld", case_id), NULL);
	assert_int_equal(json_array_size(json_object_get(c, "tasks")), 6);
	assert_int_equal(json_array_size(json_object_get(c, "correspondence")),
			 7);
	json_decref(c);
}

/* The audit trail by page, newest first, every entry once. */
static void test_audit_pages(void **state)
{
	(void)state;
	json_t *c = new_case(area_repairs, "HOS", "202600910");
	long case_id = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", case_id),
		       F("{\"kind\": \"information_request\", \"tasks\":"
			 " [{\"title\": \"Damp survey\","
			 " \"service_area_id\": %ld}]}",
			 area_repairs));
	long task = (long)jint(task_of(c, 0), "id");
	json_decref(c);
	/* Counted up to the first page's newest entry: the mail may add one
	 * (the messages made of the task's notice) while it pages. */
	long seen = 0, before = 0, last = 0, newest = 0;
	while (1) {
		c = api_expect(
			&director, 200, "GET",
			before ? F("/api/v1/cases/%ld/audit?limit=3"
				   "&before=%ld",
				   case_id, before)
			       : F("/api/v1/cases/%ld/audit?limit=3", case_id),
			NULL);
		json_t *entries = json_object_get(c, "entries"), *e;
		size_t i;
		assert_true(json_array_size(entries) <= 3);
		json_array_foreach(entries, i, e)
		{
			long id = (long)jint(e, "id");
			assert_true(!last || id < last); /* newest first */
			last = id;
			if (!newest)
				newest = id;
			seen++;
		}
		json_t *next = json_object_get(c, "next_before");
		if (json_is_null(next)) {
			json_decref(c);
			break;
		}
		assert_int_equal(json_integer_value(next), last);
		before = last;
		json_decref(c);
	}
	long total = api_sql_long(F("SELECT count(*) FROM audit_log WHERE "
				    "case_id = %ld AND id <= %ld",
				    case_id, newest));
	assert_true(total > 3);
	assert_int_equal(seen, total);
	/* The default page is the newest 50 at most. */
	c = api_expect(&lo, 200, "GET", F("/api/v1/cases/%ld/audit", case_id),
		       NULL);
	long shown = (long)json_array_size(json_object_get(c, "entries"));
	assert_true(shown >= (total < 50 ? total : 50) && shown <= 50);
	json_decref(c);
	api_refused(&lo, 400, "invalid", "limit", "GET",
		    F("/api/v1/cases/%ld/audit?limit=0", case_id), NULL);
	api_refused(&lo, 400, "invalid", "limit", "GET",
		    F("/api/v1/cases/%ld/audit?limit=201", case_id), NULL);
	api_refused(&lo, 400, "invalid", "before", "GET",
		    F("/api/v1/cases/%ld/audit?before=x", case_id), NULL);
	api_refused(&lo, 404, "not_found", NULL, "GET",
		    "/api/v1/cases/999999999/audit", NULL);
	/* Service-area officers do not read audit trails. */
	api_refused(&repairs, 403, "forbidden", NULL, "GET",
		    F("/api/v1/cases/%ld/audit", case_id), NULL);

	/* The notice of the task to its area's officers: one audit entry
	 * naming each message, none of its facts. */
	long sent = api_sql_long(F("SELECT count(*) FROM outbox_person WHERE"
				   " task_id = %ld AND kind = 'task_assigned'",
				   task));
	assert_true(sent >= 1);
	/* The change's own (the mail's, when it makes their messages of
	 * the notice, has no actor). */
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM audit_log WHERE"
					" entity = 'outbox' AND case_id = %ld"
					" AND after->>'task_id' = '%ld' AND"
					" actor_id IS NOT NULL",
					case_id, task)),
			 1);
	assert_int_equal(
		api_sql_long(F("SELECT (after->>'count')::int FROM audit_log"
			       " WHERE entity = 'outbox' AND case_id = %ld"
			       " AND after->>'task_id' = '%ld' AND actor_id"
			       " IS NOT NULL",
			       case_id, task)),
		sent);
	/* Every message, and every notice, named by an audit row. */
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM outbox o WHERE o.task_id ="
			       " %ld AND NOT EXISTS (SELECT 1 FROM audit_log l"
			       " WHERE l.entity = 'outbox' AND l.case_id = %ld"
			       " AND l.after->'to' @> jsonb_build_array(CASE"
			       " WHEN o.recipients IS NULL THEN"
			       " jsonb_build_object('id', o.id, 'user_id',"
			       " o.user_id, 'recipient', o.recipient) ELSE"
			       " jsonb_build_object('id', o.id, 'user_ids',"
			       " to_jsonb(o.recipients)) END))",
			       task, case_id)),
		0);
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM audit_log WHERE"
					" entity = 'outbox' AND case_id = %ld"
					" AND (after ? 'facts' OR after ?"
					" 'body' OR after::text LIKE"
					" '%%Damp survey%%')",
					case_id)),
			 0);
}

/* The case list's filters and pages agree with the database. */
static void test_case_list_filters(void **state)
{
	(void)state;
	json_decref(new_case(area_repairs, "HOS", "2026-00771"));
	json_decref(new_case(area_housing, "HOS", "2026-00772"));
	static const struct {
		const char *query, *where;
	} cases[] = {
		{"q=0077", "c.reference ILIKE '%0077%' OR cp.reference ILIKE"
			   " '%0077%'"},
		{"stage=notified&ombudsman=HOS",
		 "c.stage = 'notified' AND o.code = 'HOS'"},
		{"open=true", "c.stage <> 'closed'"},
		{"ombudsman=LGSCO", "o.code = 'LGSCO'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *l = api_expect(
			&lo, 200, "GET",
			F("/api/v1/cases?%s&per_page=200", cases[i].query),
			NULL);
		long want = api_sql_long(
			F("SELECT count(*) FROM ombudsman_case c JOIN ombudsman"
			  " o ON o.id = c.ombudsman_id JOIN complaint cp ON"
			  " cp.id = c.complaint_id WHERE %s",
			  cases[i].where));
		assert_int_equal(jint(l, "total"), want);
		assert_int_equal(json_array_size(json_object_get(l, "items")),
				 want);
		json_decref(l);
	}
	/* A service officer's list: the cases with a task in their area. */
	json_t *l = api_expect(&repairs, 200, "GET", "/api/v1/cases", NULL);
	assert_int_equal(jint(l, "total"),
			 api_sql_long(F("SELECT count(DISTINCT case_id) FROM"
					" task WHERE service_area_id = %ld",
					area_repairs)));
	json_decref(l);
	/* Pages: newest first, no case twice. */
	json_t *p1 =
		api_expect(&lo, 200, "GET", "/api/v1/cases?per_page=3", NULL);
	json_t *p2 = api_expect(&lo, 200, "GET",
				"/api/v1/cases?per_page=3&page=2", NULL);
	json_t *a = json_array_get(json_object_get(p1, "items"), 2);
	json_t *b = json_array_get(json_object_get(p2, "items"), 0);
	assert_true(strcmp(jstr(a, "received_on"), jstr(b, "received_on")) >=
		    0);
	assert_int_not_equal(jint(a, "id"), jint(b, "id"));
	assert_int_equal(jint(p2, "page"), 2);
	json_decref(p1);
	json_decref(p2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_investigation),
		cmocka_unit_test(test_determination),
		cmocka_unit_test(test_escalation),
		cmocka_unit_test(test_refused_transitions),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_concurrent_edits),
		cmocka_unit_test(test_audit_is_append_only),
		cmocka_unit_test(test_home_is_bounded),
		cmocka_unit_test(test_home_top_is_each_readers),
		cmocka_unit_test(test_case_list_filters),
		cmocka_unit_test(test_change_answers),
		cmocka_unit_test(test_audit_pages),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc =
		cmocka_run_group_tests_name("workflow", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
