/*
 * The inbox's reading of mail that anyone can send to the shared mailbox
 * (core/inbox.c): the input split at its first two NUL bytes into a
 * sender, a subject and an HTML body, reduced to text and read by the
 * seeded rules.  Never a crash, a read out of bounds or a leak; the due
 * date found is inside the calendar; the reasons are written.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "inbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct inbox_sender senders[] = {
	{"housing-ombudsman.org.uk", "HOS"}, {"lgo.org.uk", "LGSCO"}};
static const struct inbox_ombudsman ombudsmen[] = {{"HOS", "#########"},
						   {"LGSCO", "## ### ###"}};
static const struct inbox_phrase phrases[] = {
	{NULL, "final_chaser", "final chaser"},
	{NULL, "first_chaser", "chaser"},
	{"LGSCO", "information_request", "enquiry letter"},
	{NULL, "information_request", "request for information"}};
static const struct inbox_rules rules = {senders, 2, ombudsmen, 2, phrases, 4};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct workcal cal;
	static int ready;
	if (!ready) {
		int32_t first, last;
		workcal_init(&cal);
		date_parse("2020-01-01", &first);
		date_parse("2030-12-31", &last);
		workcal_set_range(&cal, first, last);
		ready = 1;
	}
	char *text = malloc(size + 3);
	memcpy(text, data, size);
	text[size] = text[size + 1] = text[size + 2] = '\0';
	const char *from = text;
	const char *subject = from + strlen(from) + 1;
	if (subject > text + size)
		subject = text + size;
	const char *html = subject + strlen(subject) + 1;
	if (html > text + size)
		html = text + size;

	struct buf body, reasons;
	buf_init(&body, 1 << 20);
	buf_init(&reasons, 1 << 16);
	(void)inbox_html_text(html, &body);
	int32_t dated;
	date_parse("2026-12-01", &dated);
	struct inbox_letter letter = {from, subject, buf_str(&body), dated};
	struct inbox_finding f;
	inbox_find(&rules, &letter, &cal, &f);
	if (f.due_on && f.due_on < dated)
		abort();
	if (f.nrefs < 0 || f.nrefs > INBOX_REFS_MAX || !f.kind)
		abort();
	struct inbox_case c = {f.nrefs ? 1 : 0, "LGSCO", "24 013 880",
			       size % 2 == 0, dated - (int32_t)(size % 400)};
	struct inbox_proposal p;
	if (inbox_propose(&f, f.nrefs ? &c : NULL, dated, dated, &p,
			  &reasons) == LD_OK &&
	    reasons.len == 0)
		abort();
	buf_release(&body);
	buf_release(&reasons);
	free(text);
	return 0;
}
