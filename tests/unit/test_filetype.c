/*
 * File types as libmagic recognises them (filetype_detect), table-driven:
 * real Word and Excel files (tests/data/files: a .docx written part by
 * part, an .xlsx saved by openpyxl) accepted, a plain ZIP archive and one
 * dressed with OOXML's content-types part refused under either name, each
 * other kind by its bytes; and the same answers from several threads at
 * once, each with its own libmagic handle.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "filetype.h"

#define DOCX                                                                   \
	"application/"                                                         \
	"vnd.openxmlformats-officedocument.wordprocessingml.document"
#define XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* The head of a file as the upload handler keeps it. */
static size_t head_of(const char *path, unsigned char head[FILETYPE_HEAD])
{
	char full[512];
	snprintf(full, sizeof(full), "tests/data/files/%s", path);
	FILE *f = fopen(full, "rb");
	if (!f)
		fail_msg("cannot open %s", full);
	size_t n = fread(head, 1, FILETYPE_HEAD, f);
	fclose(f);
	return n;
}

struct file_case {
	const char *name;
	const char *fixture; /* a file of tests/data/files, or NULL */
	const char *bytes;   /* else these */
	size_t len;
	const char *type; /* NULL: refused */
};

#define B(s) NULL, s, sizeof(s) - 1

static const struct file_case cases[] = {
	{"Repair log.docx", "word.docx", NULL, 0, DOCX},
	{"REPAIR LOG.DOCX", "word.docx", NULL, 0, DOCX},
	{"Rent account.xlsx", "sheet.xlsx", NULL, 0, XLSX},
	/* Any ZIP archive passed as Word or Excel on PK\3\4 alone. */
	{"archive.docx", "archive.zip", NULL, 0, NULL},
	{"archive.xlsx", "archive.zip", NULL, 0, NULL},
	{"dressed.docx", "dressed.zip", NULL, 0, NULL},
	{"dressed.xlsx", "dressed.zip", NULL, 0, NULL},
	/* A real one under the other's name. */
	{"word.xlsx", "word.docx", NULL, 0, NULL},
	{"sheet.docx", "sheet.xlsx", NULL, 0, NULL},
	{"archive.zip", "archive.zip", NULL, 0, NULL},
	{"log.pdf", B("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"),
	 "application/pdf"},
	{"log.pdf", B("Call log: 12 March.\n"), NULL},
	{"photo.png",
	 B("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0"),
	 "image/png"},
	{"photo.jpg", B("\xff\xd8\xff\xe0\0\x10JFIF\0\1\1\0\0\1\0\1\0\0"),
	 "image/jpeg"},
	{"photo.gif", B("GIF89a\1\0\1\0\0\0\0;"), "image/gif"},
	{"scan.tif", B("II*\0\x08\0\0\0\0\0"), "image/tiff"},
	{"scan.tiff", B("MM\0*\0\0\0\x08\0\0"), "image/tiff"},
	{"photo.png", B("GIF89a\1\0\1\0\0\0\0;"), NULL},
	{"calls.txt", B("Call log: 12 March, 2 April, 9 May.\n"),
	 "text/plain; charset=utf-8"},
	{"calls.txt", B("Caf\xc3\xa9 visit, 12 March\n"),
	 "text/plain; charset=utf-8"},
	{"calls.txt", B("Caf\xe9 visit\n"), NULL}, /* Latin-1 */
	{"calls.txt", B("a\0b"), NULL},
	{"empty.txt", B(""), "text/plain; charset=utf-8"},
	{"rent.csv", B("date,amount\n2026-11-01,450.00\n"),
	 "text/csv; charset=utf-8"},
	{"letter.eml",
	 B("From: a@example.org\nTo: b@example.org\nSubject: Repairs\n\n"
	   "Body\n"),
	 "message/rfc822"},
	/* The head of a Composite Document whose directory lies beyond it:
	 * the container is all that can be told. */
	{"letter.doc", "composite-head.bin", NULL, 0, "application/msword"},
	{"book.xls", "composite-head.bin", NULL, 0, "application/vnd.ms-excel"},
	{"mail.msg", "composite-head.bin", NULL, 0,
	 "application/vnd.ms-outlook"},
	{"letter.pdf", "composite-head.bin", NULL, 0, NULL},
	{"letter.doc", B("%PDF-1.4\n"), NULL},
	{"tool.exe", B("MZ\x90\0"), NULL},
	{"noextension", B("%PDF-1.4\n"), NULL},
};

static void check(const struct file_case *c)
{
	unsigned char head[FILETYPE_HEAD];
	size_t n = c->fixture ? head_of(c->fixture, head) : c->len;
	if (!c->fixture)
		memcpy(head, c->bytes, n);
	const char *type = NULL, *why = NULL;
	enum ld_err err = filetype_detect(c->name, head, n, &type, &why);
	if (c->type && (err || strcmp(type, c->type)))
		fail_msg("%s (%s): refused or %s, want %s: %s", c->name,
			 c->fixture ? c->fixture : "bytes", err ? "" : type,
			 c->type, err ? why : "");
	if (!c->type && !err)
		fail_msg("%s (%s): accepted as %s", c->name,
			 c->fixture ? c->fixture : "bytes", type);
	if (!c->type)
		assert_int_equal(err, LD_EINVAL);
}

static void test_kinds(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void test_reasons(void **state)
{
	unsigned char head[FILETYPE_HEAD];
	const char *type, *why = NULL;
	(void)state;
	size_t n = head_of("archive.zip", head);
	assert_int_equal(filetype_detect("a.docx", head, n, &type, &why),
			 LD_EINVAL);
	assert_string_equal(why, "the file's contents do not match its type");
	assert_int_equal(filetype_detect("a.zip", head, n, &type, &why),
			 LD_EINVAL);
	assert_non_null(strstr(why, "only PDF, Word, Excel"));
}

static void *detect_many(void *arg)
{
	(void)arg;
	for (int round = 0; round < 20; round++)
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			check(&cases[i]);
	return NULL;
}

/* Uploads run on a pool of threads: each gets its own handle. */
static void test_threads(void **state)
{
	pthread_t t[4];
	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, detect_many, NULL),
				 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests_name("filetype", tests, NULL, NULL);
}
