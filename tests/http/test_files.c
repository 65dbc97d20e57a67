/*
 * Evidence files against a real clamd: upload, download, replace, sign-off
 * on the exact bytes, a change voiding sign-offs, the bundle checked byte for
 * byte, oversize and wrong types refused with nothing stored, EICAR
 * quarantined, another area's officer answered 404, an interrupted upload
 * leaving nothing, and retention.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include <cmocka.h>

#include "api.h"

#define EICAR                                                                  \
	"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+"  \
	"H*"
#define FILE_MAX 200000

static struct itest_server server;
static struct api lo, housing, repairs, head, v1, v2, v3;
static long area_housing;

static int setup(void **state)
{
	static char clamd[600], max[64];
	const char *env[] = {"LINKDESK_TODAY=2026-11-23", clamd, max, NULL};
	(void)state;
	const char *sock = getenv("LINKDESK_TEST_CLAMD");
	if (!sock)
		fail_msg("no clamd: the evidence tests need clamav-daemon");
	snprintf(clamd, sizeof(clamd), "LINKDESK_CLAMD=%s", sock);
	snprintf(max, sizeof(max), "LINKDESK_FILE_MAX=%d", FILE_MAX);
	itest_server_start(&server, env);
	api_signin(&lo, server.base, "link.officer");
	api_signin(&housing, server.base, "housing.officer");
	api_signin(&repairs, server.base, "repairs.officer");
	api_signin(&head, server.base, "head.housing");
	api_signin(&v1, server.base, "ad.resident.contacts");
	api_signin(&v2, server.base, "head.disputes");
	api_signin(&v3, server.base, "rx.manager");
	json_t *areas =
		api_expect(&lo, 200, "GET", "/api/v1/service-areas", NULL);
	size_t i;
	json_t *a;
	json_array_foreach(
		areas, i, a) if (!strcmp(jstr(a, "name"), "Housing Management"))
		area_housing = (long)jint(a, "id");
	json_decref(areas);
	return 0;
}

static int teardown(void **state)
{
	struct api *all[] = {&lo, &housing, &repairs, &head, &v1, &v2, &v3};
	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		api_release(all[i]);
	assert_int_equal(itest_server_stop(&server), 0);
	return 0;
}

/* A Housing task on a new HOS case; returns the task id. */
static long new_task(long *case_id)
{
	static int seq;
	json_t *c = api_expect(
		&lo, 201, "POST", "/api/v1/complaints",
		F("{\"reference\": \"F-%d-%d\", \"category\": \"ASB\","
		  " \"service_area_id\": %ld, \"received_on\": \"2026-05-01\"}",
		  (int)getpid(), ++seq, area_housing));
	long complaint = (long)jint(c, "id");
	json_decref(c);
	c = api_expect(&lo, 201, "POST", "/api/v1/cases",
		       F("{\"complaint_id\": %ld, \"ombudsman\": \"HOS\","
			 " \"reference\": \"2027%05d\"}",
			 complaint, (int)(getpid() % 1000) * 10 + seq));
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
	if (case_id)
		*case_id = cid;
	return task;
}

/* Upload bytes as a multipart file field; returns the response. */
static void upload(struct api *a, long task, const char *query,
		   const char *name, const void *data, size_t len,
		   struct itest_resp *r)
{
	char url[512], csrf[128];
	struct curl_slist *h = NULL;
	curl_mime *mime = curl_mime_init(a->h);
	curl_mimepart *part = curl_mime_addpart(mime);
	struct {
		char *p;
		size_t n;
	} body = {0}, hdr = {0};

	curl_mime_name(part, "file");
	curl_mime_filename(part, name);
	curl_mime_data(part, data, len);
	snprintf(url, sizeof(url), "%s/api/v1/tasks/%ld/files%s", a->base, task,
		 query ? query : "");
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", a->csrf);
	h = curl_slist_append(h, csrf);
	memset(r, 0, sizeof(*r));
	FILE *bf = open_memstream(&body.p, &body.n);
	FILE *hf = open_memstream(&hdr.p, &hdr.n);
	curl_easy_setopt(a->h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(a->h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(a->h, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(a->h, CURLOPT_WRITEFUNCTION, NULL);
	curl_easy_setopt(a->h, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(a->h, CURLOPT_URL, url);
	curl_easy_setopt(a->h, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(a->h, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(a->h, CURLOPT_WRITEDATA, bf);
	curl_easy_setopt(a->h, CURLOPT_HEADERDATA, hf);
	if (curl_easy_perform(a->h) == CURLE_OK)
		curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &r->status);
	fclose(bf);
	fclose(hf);
	r->body = body.p;
	r->len = body.n;
	r->headers = hdr.p;
	r->json = json_loadb(r->body, r->len, 0, NULL);
	curl_easy_setopt(a->h, CURLOPT_MIMEPOST, NULL);
	curl_easy_setopt(a->h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(a->h, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(a->h, CURLOPT_HEADERDATA, NULL);
	curl_slist_free_all(h);
	curl_mime_free(mime);
}

static json_t *upload_ok(struct api *a, long task, const char *query,
			 const char *name, const void *data, size_t len)
{
	struct itest_resp r;
	upload(a, task, query, name, data, len, &r);
	if (r.status != 201)
		fail_msg("upload %s: %ld %s", name, r.status, r.body);
	json_t *j = json_incref(r.json);
	itest_resp_release(&r);
	return j;
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char d[32];
	crypto_hash_sha256(d, data, len);
	sodium_bin2hex(out, 65, d, 32);
}

/* The current file of a task JSON with this name. */
static json_t *file_named(json_t *task, const char *name)
{
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(task, "files"), i,
			   f) if (!strcmp(jstr(f, "name"), name)) return f;
	return NULL;
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

static const char pdf1[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
			   "trailer << /Root 1 0 R >>\n%%EOF\n";
static const char pdf2[] = "%PDF-1.7\nrepair log, second edition\n%%EOF\n";
static const char note[] = "Call log: 12 March, 2 April, 9 May.\n";

static void test_upload_download_replace(void **state)
{
	char hex[65];
	(void)state;
	long task = new_task(NULL);
	json_t *t = upload_ok(&housing, task, NULL, "../../etc/Repair log.pdf",
			      pdf1, sizeof(pdf1) - 1);
	json_t *f = file_named(t, "Repair log.pdf"); /* path stripped */
	assert_non_null(f);
	sha256_hex(pdf1, sizeof(pdf1) - 1, hex);
	assert_string_equal(jstr(f, "sha256"), hex);
	assert_int_equal(jint(f, "size"), sizeof(pdf1) - 1);
	assert_string_equal(jstr(f, "status"), "available"); /* scanned */
	assert_string_equal(jstr(f, "content_type"), "application/pdf");
	long id = (long)jint(f, "id");
	json_decref(t);

	struct itest_resp r;
	api_call(&housing, "GET", F("/api/v1/files/%ld", id), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, sizeof(pdf1) - 1);
	assert_memory_equal(r.body, pdf1, sizeof(pdf1) - 1);
	assert_non_null(strstr(itest_resp_header(&r, "Content-Disposition"),
			       "attachment; filename=\"Repair log.pdf\""));
	assert_string_equal(itest_resp_header(&r, "X-Content-Type-Options"),
			    "nosniff");
	itest_resp_release(&r);

	t = upload_ok(&housing, task, F("?replaces=%ld", id), "Repair log.pdf",
		      pdf2, sizeof(pdf2) - 1);
	assert_int_equal(json_array_size(json_object_get(t, "files")), 1);
	assert_int_not_equal(jint(file_named(t, "Repair log.pdf"), "id"), id);
	json_decref(t);
	/* The replaced file is kept, not current. */
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM evidence_file WHERE"
			       " id = %ld AND replaced_at IS NOT NULL",
			       id)),
		1);
}

static void test_signoff_on_exact_bytes(void **state)
{
	char hex1[65], hex2[65];
	(void)state;
	long task = new_task(NULL);
	json_decref(upload_ok(&housing, task, NULL, "log.pdf", pdf1,
			      sizeof(pdf1) - 1));
	json_decref(act(&housing, 200, task, "submit",
			"\"answer\": \"Log attached\""));
	json_decref(act(&v1, 200, task, "approve", NULL));
	json_decref(act(&v2, 200, task, "approve", NULL));
	json_t *t = act(&v3, 200, task, "approve", NULL);
	assert_string_equal(jstr(t, "status"), "validated");
	json_decref(t);

	/* A change after sign-off: a new version, the sign-offs void. */
	t = upload_ok(&housing, task, NULL, "calls.txt", note,
		      sizeof(note) - 1);
	assert_string_equal(jstr(t, "status"), "submitted");
	json_t *val = json_object_get(t, "validation");
	assert_int_equal(jint(val, "version"), 2);
	assert_false(json_is_true(json_object_get(val, "complete")));
	json_decref(t);
	api_refused(
		&lo, 409, "conflict", "action", "POST",
		F("/api/v1/tasks/%ld/actions", task),
		F("{\"action\": \"send\", \"version\": %ld}",
		  (long)api_sql_long(
			  F("SELECT version FROM task WHERE id = %ld", task))));
	json_decref(act(&v1, 200, task, "approve", NULL));
	json_decref(act(&v2, 200, task, "approve", NULL));
	json_decref(act(&v3, 200, task, "approve", NULL));

	/* The bundle holds exactly the approved bytes. */
	struct itest_resp r;
	api_call(&lo, "GET", F("/api/v1/tasks/%ld/bundle", task), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(itest_resp_header(&r, "Content-Type"),
			    "application/zip");
	zip_error_t zerr;
	zip_source_t *src = zip_source_buffer_create(r.body, r.len, 0, &zerr);
	zip_t *zip = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	assert_non_null(zip);
	assert_int_equal(zip_get_num_entries(zip, 0), 3);
	const char *names[] = {"01-log.pdf", "02-calls.txt"};
	const char *bodies[] = {pdf1, note};
	size_t lens[] = {sizeof(pdf1) - 1, sizeof(note) - 1};
	for (int i = 0; i < 2; i++) {
		char buf[512];
		zip_file_t *zf = zip_fopen(zip, names[i], 0);
		assert_non_null(zf);
		zip_int64_t n = zip_fread(zf, buf, sizeof(buf));
		assert_int_equal(n, lens[i]);
		assert_memory_equal(buf, bodies[i], lens[i]);
		zip_fclose(zf);
	}
	char mbuf[8192];
	zip_file_t *mf = zip_fopen(zip, "manifest.json", 0);
	zip_int64_t mn = zip_fread(mf, mbuf, sizeof(mbuf) - 1);
	zip_fclose(mf);
	mbuf[mn] = '\0';
	json_t *m = json_loads(mbuf, 0, NULL);
	assert_non_null(m);
	sha256_hex(pdf1, sizeof(pdf1) - 1, hex1);
	sha256_hex(note, sizeof(note) - 1, hex2);
	json_t *files = json_object_get(m, "files");
	assert_string_equal(jstr(json_array_get(files, 0), "sha256"), hex1);
	assert_string_equal(jstr(json_array_get(files, 1), "sha256"), hex2);
	assert_int_equal(jint(m, "version"), 2);
	json_t *approvals = json_object_get(m, "approvals");
	assert_int_equal(json_array_size(approvals), 3);
	/* Each approval names the files it covered, by hash. */
	assert_string_equal(
		jstr(json_array_get(
			     json_object_get(json_array_get(approvals, 0),
					     "files"),
			     1),
		     "sha256"),
		hex2);
	json_decref(m);
	zip_close(zip);
	itest_resp_release(&r);

	json_t *sent = act(&lo, 200, task, "send", NULL);
	assert_int_equal(jint(sent, "sent_version"), 2);
	json_decref(sent);
	/* Once sent, the evidence is fixed. */
	struct itest_resp late;
	upload(&housing, task, NULL, "late.txt", note, sizeof(note) - 1, &late);
	assert_int_equal(late.status, 409);
	itest_resp_release(&late);
}

/* A name that is not UTF-8 is stored made valid, never refused by SQL. */
static void test_name_not_utf8(void **state)
{
	(void)state;
	long task = new_task(NULL);
	json_t *t = upload_ok(&housing, task, NULL, "caf\xff.pdf", pdf1,
			      sizeof(pdf1) - 1);
	assert_non_null(file_named(t, "caf_.pdf"));
	json_decref(t);
}

static void test_refused_uploads_store_nothing(void **state)
{
	(void)state;
	long task = new_task(NULL);
	long before = api_sql_long("SELECT count(*) FROM evidence_file");
	long objects =
		api_sql_long("SELECT count(*) FROM pg_largeobject_metadata");
	struct itest_resp r;

	char *big = malloc(FILE_MAX + 10);
	memcpy(big, "%PDF-", 5);
	memset(big + 5, 'a', FILE_MAX + 5);
	upload(&housing, task, NULL, "huge.pdf", big, FILE_MAX + 10, &r);
	free(big);
	assert_int_equal(r.status, 413);
	assert_string_equal(itest_error_code(&r), "too_large");
	itest_resp_release(&r);

	upload(&housing, task, NULL, "setup.exe", "MZ\x90\x00", 4, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "only PDF, Word, Excel"));
	itest_resp_release(&r);
	upload(&housing, task, NULL, "fake.pdf", note, sizeof(note) - 1, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(strstr(r.body, "do not match"));
	itest_resp_release(&r);
	upload(&housing, task, NULL, "binary.txt", "a\0b", 3, &r);
	assert_int_equal(r.status, 422);
	itest_resp_release(&r);
	/*
	 * A name that is not UTF-8, quoted in the refusal: it once made the
	 * error's JSON impossible and the server abort.
	 */
	upload(&housing, task, NULL, "x.exe\xc3", "MZ\x90\x00", 4, &r);
	assert_int_equal(r.status, 422);
	assert_non_null(r.json);
	itest_resp_release(&r);

	/* Another area's officer cannot see the task at all. */
	upload(&repairs, task, NULL, "x.pdf", pdf1, sizeof(pdf1) - 1, &r);
	assert_int_equal(r.status, 404);
	itest_resp_release(&r);
	/* Validators sign off evidence; they do not add it. */
	upload(&v1, task, NULL, "x.pdf", pdf1, sizeof(pdf1) - 1, &r);
	assert_int_equal(r.status, 403);
	itest_resp_release(&r);

	assert_int_equal(api_sql_long("SELECT count(*) FROM evidence_file"),
			 before);
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM pg_largeobject_metadata"),
		objects);
}

/* Active link officers now (other test files add users). */
static long link_officers(void)
{
	return api_sql_long("SELECT count(*) FROM app_user u JOIN user_role r"
			    " ON r.user_id = u.id WHERE u.active AND"
			    " r.role = 'link_officer'");
}

/* The entries of a bundle as a reader gets it; the response kept in r. */
static zip_t *bundle_of(struct api *a, long task, struct itest_resp *r)
{
	zip_error_t zerr;
	api_call(a, "GET", F("/api/v1/tasks/%ld/bundle", task), NULL, r);
	assert_int_equal(r->status, 200);
	zip_source_t *src = zip_source_buffer_create(r->body, r->len, 0, &zerr);
	zip_t *zip = zip_open_from_source(src, ZIP_RDONLY, &zerr);
	assert_non_null(zip);
	return zip;
}

/*
 * A reader refused resident details gets the bundle without the file that
 * holds them, told so, its name not shown; a link officer gets it whole.
 */
static void test_bundle_holds_back_resident_files(void **state)
{
	struct itest_resp r;
	(void)state;
	long task = new_task(NULL);
	json_decref(upload_ok(&lo, task, "?resident_detail=true",
			      "Mrs Jones letter.pdf", pdf1, sizeof(pdf1) - 1));
	json_decref(upload_ok(&housing, task, NULL, "log.pdf", pdf2,
			      sizeof(pdf2) - 1));
	json_decref(act(&housing, 200, task, "submit", "\"answer\": \"x\""));
	json_decref(act(&v1, 200, task, "approve", NULL));
	json_decref(act(&v2, 200, task, "approve", NULL));
	json_decref(act(&v3, 200, task, "approve", NULL));

	zip_t *zip = bundle_of(&lo, task, &r);
	assert_int_equal(zip_get_num_entries(zip, 0), 3);
	zip_close(zip);
	itest_resp_release(&r);

	zip = bundle_of(&head, task, &r);
	assert_int_equal(zip_get_num_entries(zip, 0), 2);
	assert_null(zip_fopen(zip, "01-Mrs Jones letter.pdf", 0));
	zip_file_t *kept = zip_fopen(zip, "02-log.pdf", 0);
	assert_non_null(kept);
	zip_fclose(kept);
	assert_string_equal(itest_resp_header(&r, "X-Linkdesk-Warnings"), "1");
	char mbuf[8192];
	zip_file_t *mf = zip_fopen(zip, "manifest.json", 0);
	zip_int64_t mn = zip_fread(mf, mbuf, sizeof(mbuf) - 1);
	zip_fclose(mf);
	mbuf[mn] = '\0';
	assert_null(strstr(mbuf, "Jones"));
	assert_non_null(strstr(mbuf, "holds resident details"));
	assert_null(strstr(mbuf, "held_back"));
	zip_close(zip);
	itest_resp_release(&r);
}

static void test_eicar_quarantined(void **state)
{
	(void)state;
	long case_id;
	long task = new_task(&case_id);
	json_t *t = upload_ok(&housing, task, NULL, "eicar.txt", EICAR,
			      strlen(EICAR));
	json_t *f = file_named(t, "eicar.txt");
	assert_string_equal(jstr(f, "status"), "quarantined");
	long id = (long)jint(f, "id");
	json_decref(t);
	api_refused(&housing, 409, "conflict", NULL, "GET",
		    F("/api/v1/files/%ld", id), NULL);
	api_refused(&lo, 409, "conflict", NULL, "GET",
		    F("/api/v1/files/%ld", id), NULL);
	json_decref(act(&housing, 409, task, "submit", "\"answer\": \"x\""));
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM evidence_file WHERE"
			       " id = %ld AND scan_detail ILIKE"
			       " '%%Eicar%%'",
			       id)),
		1);
	/* The uploader and every link officer are told. */
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE"
					" kind = 'file_quarantined' AND"
					" task_id = %ld",
					task)),
			 1 + link_officers());
	/* Removing it lets the work go on. */
	json_decref(api_expect(&housing, 200, "DELETE",
			       F("/api/v1/files/%ld", id), NULL));
	json_decref(act(&housing, 200, task, "submit", "\"answer\": \"x\""));
}

static void test_access(void **state)
{
	(void)state;
	long task = new_task(NULL);
	json_t *t = upload_ok(&lo, task, "?resident_detail=true", "letter.pdf",
			      pdf1, sizeof(pdf1) - 1);
	long private_id = (long)jint(file_named(t, "letter.pdf"), "id");
	json_decref(t);
	t = upload_ok(&housing, task, NULL, "log.pdf", pdf2, sizeof(pdf2) - 1);
	long plain_id = (long)jint(file_named(t, "log.pdf"), "id");
	json_decref(t);
	/* Resident details: the link officer and a granted officer only. */
	json_decref(api_expect(&lo, 200, "GET",
			       F("/api/v1/files/%ld", private_id), NULL));
	json_decref(api_expect(&housing, 200, "GET",
			       F("/api/v1/files/%ld", private_id), NULL));
	api_refused(&head, 404, "not_found", NULL, "GET",
		    F("/api/v1/files/%ld", private_id), NULL);
	json_decref(api_expect(&head, 200, "GET",
			       F("/api/v1/files/%ld", plain_id), NULL));
	/* Another area's officer: 404, and no name in the body. */
	struct itest_resp r;
	api_call(&repairs, "GET", F("/api/v1/files/%ld", plain_id), NULL, &r);
	assert_int_equal(r.status, 404);
	assert_null(strstr(r.body, "log.pdf"));
	itest_resp_release(&r);
	api_refused(&repairs, 404, "not_found", NULL, "DELETE",
		    F("/api/v1/files/%ld", plain_id), NULL);
	/* No bundle before validation. */
	api_refused(&lo, 409, "conflict", NULL, "GET",
		    F("/api/v1/tasks/%ld/bundle", task), NULL);
}

static void test_interrupted_upload(void **state)
{
	(void)state;
	long task = new_task(NULL);
	long before = api_sql_long("SELECT count(*) FROM evidence_file");
	long objects =
		api_sql_long("SELECT count(*) FROM pg_largeobject_metadata");
	struct sockaddr_in sa = {0};
	char head_buf[2048], chunk[8192];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)server.port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* The session cookie of the housing officer, from the database is
	 * not possible: sign in afresh on this socket's behalf. */
	struct api a;
	api_signin(&a, server.base, "housing.officer");
	struct curl_slist *cookies = NULL;
	curl_easy_getinfo(a.h, CURLINFO_COOKIELIST, &cookies);
	const char *cookie = strrchr(cookies->data, '\t') + 1;
	int n = snprintf(head_buf, sizeof(head_buf),
			 "POST /api/v1/tasks/%ld/files HTTP/1.1\r\n"
			 "Host: 127.0.0.1\r\nCookie: ld_session=%s\r\n"
			 "X-CSRF-Token: %s\r\n"
			 "Content-Type: multipart/form-data; boundary=XyZ\r\n"
			 "Content-Length: 150000\r\n\r\n"
			 "--XyZ\r\nContent-Disposition: form-data;"
			 " name=\"file\"; filename=\"cut.pdf\"\r\n"
			 "Content-Type: application/pdf\r\n\r\n%%PDF-1.4\n",
			 task, cookie, a.csrf);
	assert_int_equal(send(fd, head_buf, (size_t)n, 0), n);
	memset(chunk, 'b', sizeof(chunk));
	for (int i = 0; i < 5; i++)
		assert_int_equal(send(fd, chunk, sizeof(chunk), 0),
				 (ssize_t)sizeof(chunk));
	usleep(300 * 1000);
	close(fd); /* cut off mid-body */
	curl_slist_free_all(cookies);
	api_release(&a);
	/* The server notices and rolls back; give it a moment. */
	for (int i = 0; i < 50 && api_sql_long("SELECT count(*) FROM"
					       " pg_stat_activity WHERE state ="
					       " 'idle in transaction'") > 0;
	     i++)
		usleep(100 * 1000);
	assert_int_equal(api_sql_long("SELECT count(*) FROM evidence_file"),
			 before);
	assert_int_equal(
		api_sql_long("SELECT count(*) FROM pg_largeobject_metadata"),
		objects);
	/* And is still well. */
	json_decref(upload_ok(&housing, task, NULL, "after.pdf", pdf1,
			      sizeof(pdf1) - 1));
}

static void test_retention(void **state)
{
	char *out;
	(void)state;
	long case_id;
	long task = new_task(&case_id);
	json_t *t = upload_ok(&housing, task, NULL, "old.pdf", pdf1,
			      sizeof(pdf1) - 1);
	long id = (long)jint(file_named(t, "old.pdf"), "id");
	json_decref(t);
	/* The case closed seven years ago. */
	assert_int_equal(api_sql(F("UPDATE ombudsman_case SET stage = 'closed',"
				   " outcome = 'withdrawn', closed_on ="
				   " '2019-01-01' WHERE id = %ld",
				   case_id),
				 &out),
			 0);
	free(out);
	assert_int_equal(itest_sh("LINKDESK_TODAY=2026-11-23 \"$LINKDESK_BIN\""
				  " retention --dry-run 2>&1",
				  &out),
			 0);
	assert_non_null(strstr(out, "old.pdf"));
	free(out);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM evidence_file WHERE"
			       " id = %ld AND content IS NOT NULL",
			       id)),
		1);
	assert_int_equal(itest_sh("LINKDESK_TODAY=2026-11-23 \"$LINKDESK_BIN\""
				  " retention 2>&1",
				  &out),
			 0);
	assert_non_null(strstr(out, "removed"));
	free(out);
	/* Metadata and hash stay; the bytes are gone; the log says so. */
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM evidence_file WHERE"
			       " id = %ld AND content IS NULL AND status ="
			       " 'removed' AND length(sha256) = 64",
			       id)),
		1);
	assert_int_equal(
		api_sql_long(F("SELECT count(*) FROM audit_log WHERE"
			       " entity = 'evidence_file' AND entity_id ="
			       " %ld AND after->>'status' = 'removed'",
			       id)),
		1);
	api_refused(&lo, 409, "conflict", NULL, "GET",
		    F("/api/v1/files/%ld", id), NULL);
}

/* A server of its own, signed in as a Housing officer and the link officer. */
static void own_server(struct itest_server *s, struct api *officer,
		       struct api *link, const char *const *env)
{
	if (!getenv("LINKDESK_TEST_CLAMD"))
		fail_msg("no clamd: the evidence tests need clamav-daemon");
	itest_server_start(s, env);
	api_signin(officer, s->base, "housing.officer");
	if (link)
		api_signin(link, s->base, "link.officer");
}

/* A PDF-typed body of len bytes. */
static char *pdf_of(size_t len, char fill)
{
	char *p = malloc(len);
	memcpy(p, "%PDF-1.4\n", 9);
	memset(p + 9, fill, len - 9);
	return p;
}

/*
 * The task's cap counts every byte its files keep in the database: a
 * removed or replaced version keeps its contents, so upload-and-remove
 * cannot grow storage without bound.
 */
static void test_cap_counts_every_version(void **state)
{
	static char clamd[600];
	const char *env[] = {"LINKDESK_TODAY=2026-11-23",
			     "LINKDESK_TASK_FILES_MAX=3000", clamd, NULL};
	struct itest_server s;
	struct api officer;
	struct itest_resp r;
	(void)state;
	snprintf(clamd, sizeof(clamd), "LINKDESK_CLAMD=%s",
		 getenv("LINKDESK_TEST_CLAMD"));
	own_server(&s, &officer, NULL, env);
	long task = new_task(NULL);
	char *body = pdf_of(1200, 'c');
	for (int round = 0; round < 2; round++) {
		json_t *t = upload_ok(&officer, task, NULL, "round.pdf", body,
				      1200);
		long id = (long)jint(file_named(t, "round.pdf"), "id");
		json_decref(t);
		json_decref(api_expect(&officer, 200, "DELETE",
				       F("/api/v1/files/%ld", id), NULL));
	}
	/* 2,400 bytes are kept; 1,200 more would pass 3,000. */
	upload(&officer, task, NULL, "round.pdf", body, 1200, &r);
	assert_int_equal(r.status, 413);
	assert_string_equal(itest_error_code(&r), "too_large");
	assert_non_null(strstr(r.body, "removed and replaced versions"));
	itest_resp_release(&r);
	free(body);
	api_release(&officer);
	assert_int_equal(itest_server_stop(&s), 0);
}

/* The task's files and their scan status, polled until none is pending. */
static json_t *files_scanned(struct api *a, long task, int seconds)
{
	for (int i = 0; i < seconds * 10; i++) {
		json_t *t = api_expect(a, 200, "GET",
				       F("/api/v1/tasks/%ld", task), NULL);
		bool pending = false;
		size_t k;
		json_t *f;
		json_array_foreach(json_object_get(t, "files"), k, f) pending |=
			!strcmp(jstr(f, "status"), "pending");
		if (!pending)
			return t;
		json_decref(t);
		usleep(100 * 1000);
	}
	fail_msg("files still pending after %d s", seconds);
	return NULL;
}

/*
 * Files stored while clamd could not be reached stay pending (not
 * downloadable), and the scheduler scans them once it answers.
 */
static void test_pending_rescanned(void **state)
{
	static char clamd[600];
	const char *down[] = {"LINKDESK_TODAY=2026-11-23",
			      "LINKDESK_CLAMD=/nonexistent/clamd.sock", NULL};
	const char *up[] = {"LINKDESK_TODAY=2026-11-23",
			    "LINKDESK_SCHEDULER_SECONDS=1", clamd, NULL};
	struct itest_server s;
	struct api officer;
	(void)state;
	snprintf(clamd, sizeof(clamd), "LINKDESK_CLAMD=%s",
		 getenv("LINKDESK_TEST_CLAMD"));
	own_server(&s, &officer, NULL, down);
	long task = new_task(NULL);
	json_t *t = upload_ok(&officer, task, NULL, "clean.pdf", pdf1,
			      sizeof(pdf1) - 1);
	assert_string_equal(jstr(file_named(t, "clean.pdf"), "status"),
			    "pending");
	long clean = (long)jint(file_named(t, "clean.pdf"), "id");
	json_decref(t);
	t = upload_ok(&officer, task, NULL, "eicar.txt", EICAR, strlen(EICAR));
	assert_string_equal(jstr(file_named(t, "eicar.txt"), "status"),
			    "pending");
	json_decref(t);
	api_refused(&officer, 409, "conflict", NULL, "GET",
		    F("/api/v1/files/%ld", clean), NULL);
	api_release(&officer);
	assert_int_equal(itest_server_stop(&s), 0);

	own_server(&s, &officer, NULL, up);
	t = files_scanned(&officer, task, 20);
	assert_string_equal(jstr(file_named(t, "clean.pdf"), "status"),
			    "available");
	assert_string_equal(jstr(file_named(t, "eicar.txt"), "status"),
			    "quarantined");
	json_decref(t);
	json_decref(api_expect(&officer, 200, "GET",
			       F("/api/v1/files/%ld", clean), NULL));
	/* The quarantine is told, once: the uploader and the link officers. */
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM outbox WHERE"
					" kind = 'file_quarantined' AND"
					" task_id = %ld",
					task)),
			 1 + link_officers());
	api_release(&officer);
	assert_int_equal(itest_server_stop(&s), 0);
}

/*
 * With no scanner, files say "Not scanned" on the task page; with
 * LINKDESK_REQUIRE_SCAN=1 such a file cannot be submitted, nor sent.
 */
static void test_require_scan(void **state)
{
	const char *lax[] = {"LINKDESK_TODAY=2026-11-23", NULL};
	const char *strict[] = {"LINKDESK_TODAY=2026-11-23",
				"LINKDESK_REQUIRE_SCAN=1", NULL};
	struct itest_server s;
	struct api officer;
	struct itest_resp r;
	(void)state;
	own_server(&s, &officer, NULL, lax);
	long task = new_task(NULL);
	json_t *t = upload_ok(&officer, task, NULL, "plain.pdf", pdf1,
			      sizeof(pdf1) - 1);
	assert_string_equal(jstr(file_named(t, "plain.pdf"), "status"),
			    "not_scanned");
	json_decref(t);
	api_call(&officer, "GET", F("/tasks/%ld", task), NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Not scanned"));
	itest_resp_release(&r);
	api_release(&officer);
	assert_int_equal(itest_server_stop(&s), 0);

	own_server(&s, &officer, NULL, strict);
	t = api_expect(&officer, 200, "GET", F("/api/v1/tasks/%ld", task),
		       NULL);
	long version = (long)jint(t, "version");
	json_decref(t);
	api_call(&officer, "POST", F("/api/v1/tasks/%ld/actions", task),
		 F("{\"action\": \"submit\", \"version\": %ld, \"answer\":"
		   " \"x\"}",
		   version),
		 &r);
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(r.body, "not scanned for viruses"));
	itest_resp_release(&r);
	api_release(&officer);
	assert_int_equal(itest_server_stop(&s), 0);
	/* The default lets it go: scanning is the operator's choice. */
	json_decref(act(&housing, 200, task, "submit", "\"answer\": \"x\""));
}

/*
 * Bundle folders a killed server left in the spool (copies of evidence)
 * are removed when a server starts, once they are over an hour old.
 */
static void test_spool_swept(void **state)
{
	static char spool[600], env_spool[700];
	const char *env[] = {"LINKDESK_TODAY=2026-11-23", env_spool, NULL};
	struct itest_server s;
	(void)state;
	snprintf(spool, sizeof(spool), "%s/spool-%d",
		 getenv("LINKDESK_TEST_TMP"), (int)getpid());
	snprintf(env_spool, sizeof(env_spool), "LINKDESK_SPOOL_DIR=%s", spool);
	assert_int_equal(
		itest_sh(F("mkdir -p '%s/linkdesk-bundle-old1'"
			   " '%s/linkdesk-bundle-new1' && echo x >"
			   " '%s/linkdesk-bundle-old1/0' && echo y >"
			   " '%s/linkdesk-bundle-new1/0' && touch -d '2 hours"
			   " ago' '%s/linkdesk-bundle-old1'",
			   spool, spool, spool, spool, spool),
			 NULL),
		0);
	itest_server_start(&s, env);
	assert_int_not_equal(
		itest_sh(F("test -e '%s/linkdesk-bundle-old1'", spool), NULL),
		0);
	assert_int_equal(
		itest_sh(F("test -e '%s/linkdesk-bundle-new1/0'", spool), NULL),
		0);
	assert_int_equal(itest_server_stop(&s), 0);
}

#define LOAD_UPLOADS   8
#define LOAD_UPLOAD_MB 3
#define LOAD_STALLED   10
#define LOAD_SIGNINS   24

struct load_upload {
	struct api a;
	long task;
	long status;
};

static void *load_upload_run(void *arg)
{
	struct load_upload *u = arg;
	struct itest_resp r;
	size_t len = LOAD_UPLOAD_MB << 20;
	char *body = pdf_of(len, 'u');
	/* About three seconds each, all to the one task at once. */
	curl_easy_setopt(u->a.h, CURLOPT_MAX_SEND_SPEED_LARGE,
			 (curl_off_t)(1 << 20));
	upload(&u->a, u->task, NULL, "slow.pdf", body, len, &r);
	u->status = r.status;
	itest_resp_release(&r);
	free(body);
	return NULL;
}

struct load_signin {
	const char *base;
	int n;
};

static void *load_signin_run(void *arg)
{
	struct load_signin *l = arg;
	char url[128];
	snprintf(url, sizeof(url), "%s/api/v1/session", l->base);
	/* From an address of their own, so the limits they meet stay there. */
	CURL *h = curl_easy_init();
	curl_easy_setopt(h, CURLOPT_INTERFACE, "127.0.0.9");
	for (int i = 0; i < 3; i++) {
		struct itest_resp r;
		itest_request(h, "POST", url,
			      F("{\"email\": \"nobody%d-%d@example.org\","
				" \"password\": \"wrong password\"}",
				l->n, i),
			      NULL, &r);
		itest_resp_release(&r);
	}
	curl_easy_cleanup(h);
	return NULL;
}

/* A download request on a socket that reads nothing back. */
static int stalled_download(int port, const char *cookie, long file)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port)};
	int small = 4096;
	char req[512];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int n = snprintf(req, sizeof(req),
			 "GET /api/v1/files/%ld HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Cookie: ld_session=%s\r\n\r\n",
			 file, cookie);
	assert_int_equal(send(fd, req, (size_t)n, 0), n);
	return fd;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Slow uploads to one task, downloads whose clients read nothing, and a
 * burst of failed sign-ins, all at once: none holds a database connection
 * or a lock while its bytes move, nor hashes on an HTTP thread, so the
 * server keeps answering (ping and a database read each under 2 s), every
 * upload is stored, and SIGTERM still stops it.
 */
static void test_busy_server_keeps_answering(void **state)
{
	static char clamd[600];
	const char *env[] = {"LINKDESK_TODAY=2026-11-23",
			     "LINKDESK_FILE_MAX=6000000",
			     "LINKDESK_THREADS=4",
			     "LINKDESK_DB_POOL=8",
			     clamd,
			     NULL};
	struct itest_server s;
	struct api officer;
	static struct load_upload ups[LOAD_UPLOADS];
	struct load_signin sis[LOAD_SIGNINS];
	pthread_t up_threads[LOAD_UPLOADS], si_threads[LOAD_SIGNINS];
	int stalled[LOAD_STALLED];
	(void)state;
	snprintf(clamd, sizeof(clamd), "LINKDESK_CLAMD=%s",
		 getenv("LINKDESK_TEST_CLAMD"));
	own_server(&s, &officer, NULL, env);
	long task = new_task(NULL);
	char *big = pdf_of(5 << 20, 'd');
	json_t *t = upload_ok(&officer, task, NULL, "big.pdf", big, 5 << 20);
	long big_id = (long)jint(file_named(t, "big.pdf"), "id");
	json_decref(t);
	free(big);

	struct curl_slist *cookies = NULL;
	curl_easy_getinfo(officer.h, CURLINFO_COOKIELIST, &cookies);
	const char *cookie = strrchr(cookies->data, '\t') + 1;
	for (int i = 0; i < LOAD_STALLED; i++)
		stalled[i] = stalled_download(s.port, cookie, big_id);
	for (int i = 0; i < LOAD_UPLOADS; i++) {
		api_signin(&ups[i].a, s.base, "housing.officer");
		ups[i].task = task;
		pthread_create(&up_threads[i], NULL, load_upload_run, &ups[i]);
	}
	for (int i = 0; i < LOAD_SIGNINS; i++) {
		sis[i] = (struct load_signin){s.base, i};
		pthread_create(&si_threads[i], NULL, load_signin_run, &sis[i]);
	}
	usleep(300 * 1000);
	char ping[128];
	snprintf(ping, sizeof(ping), "%s/api/v1/ping", s.base);
	for (int i = 0; i < 10; i++) {
		struct timespec t0;
		struct itest_resp r;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		itest_request(NULL, "GET", ping, NULL, NULL, &r);
		double ping_s = seconds_since(&t0);
		assert_int_equal(r.status, 200);
		itest_resp_release(&r);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		api_call(&officer, "GET", "/api/v1/tasks?per_page=1", NULL, &r);
		double read_s = seconds_since(&t0);
		assert_int_equal(r.status, 200);
		itest_resp_release(&r);
		if (ping_s > 2 || read_s > 2)
			fail_msg("round %d: ping %.2f s, task list %.2f s", i,
				 ping_s, read_s);
		usleep(300 * 1000);
	}
	for (int i = 0; i < LOAD_SIGNINS; i++)
		pthread_join(si_threads[i], NULL);
	for (int i = 0; i < LOAD_UPLOADS; i++) {
		pthread_join(up_threads[i], NULL);
		assert_int_equal(ups[i].status, 201);
		api_release(&ups[i].a);
	}
	assert_int_equal(api_sql_long(F("SELECT count(*) FROM evidence_file"
					" WHERE task_id = %ld AND name ="
					" 'slow.pdf'",
					task)),
			 LOAD_UPLOADS);
	for (int i = 0; i < LOAD_STALLED; i++)
		close(stalled[i]);
	assert_int_equal(api_sql("DELETE FROM signin_attempt"
				 " WHERE ip = '127.0.0.9'",
				 NULL),
			 0);
	curl_slist_free_all(cookies);
	api_release(&officer);
	assert_int_equal(itest_server_stop(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upload_download_replace),
		cmocka_unit_test(test_signoff_on_exact_bytes),
		cmocka_unit_test(test_refused_uploads_store_nothing),
		cmocka_unit_test(test_name_not_utf8),
		cmocka_unit_test(test_eicar_quarantined),
		cmocka_unit_test(test_bundle_holds_back_resident_files),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_interrupted_upload),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_cap_counts_every_version),
		cmocka_unit_test(test_pending_rescanned),
		cmocka_unit_test(test_require_scan),
		cmocka_unit_test(test_spool_swept),
		cmocka_unit_test(test_busy_server_keeps_answering),
	};
	curl_global_init(CURL_GLOBAL_DEFAULT);
	int rc = cmocka_run_group_tests_name("files", tests, setup, teardown);
	curl_global_cleanup();
	return rc;
}
