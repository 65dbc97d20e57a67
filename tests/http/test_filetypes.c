/*
 * Uploads recognised by libmagic: a ZIP archive renamed .docx or .xlsx is
 * refused (422, the file field named), while real Word and Excel files
 * (tests/data/files) and Linkdesk's own XLSX export are accepted.
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
static struct api lo;
static long area_housing;

static int setup(void **state)
{
	static const char *const env[] = {"LINKDESK_TODAY=2026-11-23",
					  "LINKDESK_SCHEDULER=0", NULL};
	(void)state;
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	area_housing = api_area_id(&lo, "Housing Management");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_release(&lo);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

static long new_task(void)
{
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"FT-%d\", \"category\": \"ASB\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-05-01\"}",
		  (int)getpid(), area_housing));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"8%08d\"}",
			 complaint, (int)(getpid() % 100000000)));
	long cid = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST",
		       F("/api/v1/cases/%ld/correspondence", cid),
		       F("{\"kind\": \"information_request\", \"tasks\":"
			 " [{\"title\": \"Tenancy file\", \"service_area_id\":"
			 " %ld}]}",
			 area_housing));
	long task = (long)jint(json_array_get(json_object_get(c, "tasks"), 0),
			       "id");
	json_decref(c);
	return task;
}

/* Upload a file of tests/data/files (or bytes) named name: the status. */
static long upload(long task, const char *name, const char *fixture,
		   const void *bytes, size_t len, char **body)
{
	char url[512], csrf[128], path[512];
	struct curl_slist *h = NULL;
	curl_mime *mime = curl_mime_init(lo.h);
	curl_mimepart *part = curl_mime_addpart(mime);
	size_t n = 0;
	long status = 0;

	curl_mime_name(part, "file");
	if (fixture) {
		snprintf(path, sizeof(path), "%s/tests/data/files/%s",
			 getenv("LINKDESK_ROOT"), fixture);
		curl_mime_filedata(part, path);
	} else {
		curl_mime_data(part, bytes, len);
	}
	curl_mime_filename(part, name);
	snprintf(url, sizeof(url), "%s/api/v1/tasks/%ld/files", lo.base, task);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", lo.csrf);
	h = curl_slist_append(h, csrf);
	char *headers = NULL;
	size_t hn = 0;
	FILE *bf = open_memstream(body, &n);
	FILE *hf = open_memstream(&headers, &hn);
	curl_easy_setopt(lo.h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(lo.h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(lo.h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(lo.h, CURLOPT_WRITEFUNCTION, NULL);
	curl_easy_setopt(lo.h, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(lo.h, CURLOPT_URL, url);
	curl_easy_setopt(lo.h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(lo.h, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(lo.h, CURLOPT_WRITEDATA, bf);
	curl_easy_setopt(lo.h, CURLOPT_HEADERDATA, hf);
	if (curl_easy_perform(lo.h) == CURLE_OK)
		curl_easy_getinfo(lo.h, CURLINFO_RESPONSE_CODE, &status);
	fclose(bf);
	fclose(hf);
	free(headers);
	curl_easy_setopt(lo.h, CURLOPT_HEADERDATA, NULL);
	curl_easy_setopt(lo.h, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(lo.h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(lo.h, CURLOPT_WRITEDATA, NULL);
	curl_slist_free_all(h);
	curl_mime_free(mime);
	return status;
}

static void expect_upload(long task, const char *name, const char *fixture,
			  const void *bytes, size_t len, long status)
{
	char *body = NULL;
	long got = upload(task, name, fixture, bytes, len, &body);
	if (got != status)
		fail_msg("%s: %ld, want %ld: %s", name, got, status, body);
	if (status == 422) {
		json_t *j = json_loads(body, 0, NULL);
		json_t *e = json_object_get(j, "error");
		assert_string_equal(jstr(e ? e : j, "field"), "file");
		assert_non_null(strstr(body, "do not match"));
		json_decref(j);
	}
	free(body);
}

static void test_office_files(void **state)
{
	(void)state;
	long task = new_task();
	expect_upload(task, "Tenancy.docx", "archive.zip", NULL, 0, 422);
	expect_upload(task, "Rent account.xlsx", "archive.zip", NULL, 0, 422);
	expect_upload(task, "Dressed.docx", "dressed.zip", NULL, 0, 422);
	expect_upload(task, "Sheet.docx", "sheet.xlsx", NULL, 0, 422);
	expect_upload(task, "Tenancy letter.docx", "word.docx", NULL, 0, 201);
	expect_upload(task, "Rent account.xlsx", "sheet.xlsx", NULL, 0, 201);

	/* Linkdesk's own spreadsheet, sent back as evidence. */
	struct itest_resp r;
	api_call(&lo, "GET", "/api/v1/exports/task-log.xlsx", NULL, &r);
	assert_int_equal(r.status, 200);
	expect_upload(task, "Task log.xlsx", NULL, r.body, r.len, 201);
	itest_resp_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_office_files),
	};
	return cmocka_run_group_tests_name("filetypes", tests, setup, teardown);
}
