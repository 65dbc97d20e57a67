/*
 * The notices the workflow sends: one name per event, every kind of
 * correspondence that sends one names a real event, and every event's
 * subject and opening line are words for the reader (rendered from the
 * templates the sender uses, web/templates/mail_notice_*.txt), each
 * subject its own.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kinds.h"
#include "notice.h"
#include "tmpl.h"

static char *slurp(const char *name)
{
	char path[512];
	const char *root = getenv("LINKDESK_ROOT");
	snprintf(path, sizeof(path), "%s/web/templates/%s", root ? root : ".",
		 name);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot read %s", path);
	static char text[2][8192];
	static int which;
	char *t = text[which++ % 2];
	size_t n = fread(t, 1, sizeof(text[0]) - 1, f);
	t[n] = '\0';
	fclose(f);
	return t;
}

static void test_names(void **state)
{
	(void)state;
	int n = 0;
	while (notice_event_names[n])
		n++;
	assert_int_equal(n, NOTICE_EVENT_COUNT);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (!strcmp(notice_event_names[i],
				    notice_event_names[j]))
				fail_msg("%s twice", notice_event_names[i]);
	/* A kind that sends a notice names an event that exists. */
	int sending = 0;
	for (int k = 0; corr_kinds[k].name; k++) {
		int e = corr_kinds[k].notice;
		if (e < -1 || e >= NOTICE_EVENT_COUNT)
			fail_msg("%s: notice %d", corr_kinds[k].name, e);
		sending += e >= 0;
	}
	assert_true(sending >= 3); /* the chasers and the sanction notice */
}

static void render(const struct tmpl_set *set, const char *name, int event,
		   struct buf *out)
{
	char why[200];
	json_t *ctx =
		json_pack("{s:b, s:s, s:s, s:s, s:s, s:s}",
			  notice_event_names[event], 1, "ombudsman", "HOS",
			  "case_reference", "202412345", "complaint_reference",
			  "C-1042", "title", "Send the repair records",
			  "sanction", "complaint handling failure order");
	buf_init(out, 256);
	if (tmpl_render_text(set, name, ctx, out, why, sizeof(why)))
		fail_msg("%s: %s", name, why);
	json_decref(ctx);
}

static void test_words(void **state)
{
	(void)state;
	struct tmpl items[] = {
		{"mail_notice_subject", slurp("mail_notice_subject.txt")},
		{"mail_notice_lead", slurp("mail_notice_lead.txt")},
	};
	struct tmpl_set set = {items, 2};
	char subjects[NOTICE_EVENT_COUNT][256];
	for (int e = 0; e < NOTICE_EVENT_COUNT; e++) {
		for (size_t t = 0; t < 2; t++) {
			struct buf out;
			render(&set, items[t].name, e, &out);
			const char *s = buf_str(&out);
			/* Said, in a sentence, with no code name in it. */
			if (strlen(s) < 20 ||
			    !(isupper((unsigned char)s[0]) ||
			      isdigit((unsigned char)s[0])) ||
			    strchr(s, '_') || strstr(s, "{{"))
				fail_msg("%s for %s: \"%s\"", items[t].name,
					 notice_event_names[e], s);
			if (t == 0)
				snprintf(subjects[e], sizeof(subjects[e]), "%s",
					 s);
			buf_release(&out);
		}
		for (int o = 0; o < e; o++)
			if (!strcmp(subjects[o], subjects[e]))
				fail_msg("%s and %s share a subject",
					 notice_event_names[o],
					 notice_event_names[e]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_words),
	};
	return cmocka_run_group_tests_name("notice", tests, NULL, NULL);
}
