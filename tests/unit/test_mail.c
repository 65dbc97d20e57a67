/*
 * Messages built by GMime (core/mail.c) and invites by libical
 * (core/ics.c), read back by the same libraries' parsers: one-line
 * subjects, CRLF everywhere (inside base64 parts too), encoded header
 * lines of at most 76 characters, invites that name organizer and
 * attendee as Outlook wants, alarms before the event, stable UIDs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gmime/gmime.h>
#include <libical/ical.h>

#include "date.h"
#include "ics.h"
#include "mail.h"
#include "tmpl.h"

static const struct {
	const char *in, *out;
} one_line_cases[] = {
	{"Reminder: HOS 1: plain", "Reminder: HOS 1: plain"},
	{"Gas safety\r\ncertificates", "Gas safety certificates"},
	{"Gas\nsafety", "Gas safety"},
	{"Gas\rsafety", "Gas safety"},
	{"  tabs\t\tand  spaces  ", "tabs and spaces"},
	{"\n\n", ""},
	{"Réparer la chaudière", "Réparer la chaudière"},
};

static void test_one_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(one_line_cases) / sizeof(*one_line_cases);
	     i++) {
		struct buf b;
		buf_init(&b, 1000);
		assert_int_equal(mail_one_line(&b, one_line_cases[i].in),
				 LD_OK);
		assert_string_equal(buf_str(&b), one_line_cases[i].out);
		buf_release(&b);
	}
}

static void test_parse_mailbox(void **state)
{
	char *name, *address;
	(void)state;
	assert_int_equal(
		mail_parse_mailbox("Link officers <lo@council.example>", &name,
				   &address),
		LD_OK);
	assert_string_equal(name, "Link officers");
	assert_string_equal(address, "lo@council.example");
	free(name);
	free(address);
	assert_int_equal(
		mail_parse_mailbox("lo@council.example", &name, &address),
		LD_OK);
	assert_string_equal(name, "");
	assert_string_equal(address, "lo@council.example");
	free(name);
	free(address);
	assert_int_equal(
		mail_parse_mailbox("a@b.example, c@d.example", &name, &address),
		LD_EINVAL);
	assert_int_equal(mail_parse_mailbox("not an address", &name, &address),
			 LD_EINVAL);
	assert_null(name);
}

/* Every line of text ends in CRLF, and none is longer than max. */
static void assert_lines(const char *text, size_t len, size_t encoded_max)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		assert_non_null(nl);
		assert_true(nl > p && nl[-1] == '\r');
		size_t n = (size_t)(nl - p) - 1;
		assert_null(memchr(p, '\r', n));
		assert_true(n <= 998);
		if (memmem(p, n, "=?", 2) && n > encoded_max)
			fail_msg("encoded line of %zu: %.*s", n, (int)n, p);
		p = nl + 1;
	}
}

static GMimeMessage *parse(const struct buf *b)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(b->ptr, b->len);
	GMimeParser *parser = g_mime_parser_new_with_stream(s);
	GMimeMessage *m = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(s);
	assert_non_null(m);
	return m;
}

/* The decoded bytes of a part. */
static char *part_bytes(GMimeObject *part, size_t *len)
{
	GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(part));
	GMimeStream *mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(w, mem);
	GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	char *out = malloc(a->len + 1);
	memcpy(out, a->data, a->len);
	out[a->len] = '\0';
	*len = a->len;
	g_object_unref(mem);
	return out;
}

static void test_message(void **state)
{
	(void)state;
	/* The titles people type: long, accented, with a line break. */
	const char *subject =
		"Reminder: HOS 202800123: Réparer la chaudière — contrôle "
		"annuel des certificats de sécurité gaz\r\ndes tours";
	struct mail_message m = {
		.from = {"Linkdesk", "linkdesk@council.example"},
		.reply_to = {"Équipe de liaison médiateurs du conseil "
			     "municipal de Lyon",
			     "lo@council.example"},
		.to = "dan.price@council.example",
		.subject = subject,
		.text = "First line é\nSecond line\n",
		.html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
			"</head><body><p>Hi</p></body></html>\n",
		.message_id = "linkdesk.outbox.7@abc.linkdesk",
		.date = 1800000000,
		.ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
		.ics_method = "CANCEL",
	};
	struct buf b;
	buf_init(&b, 1 << 20);
	assert_int_equal(mail_build(&m, &b), LD_OK);
	assert_lines(b.ptr, b.len, 76);

	GMimeMessage *msg = parse(&b);
	assert_string_equal(g_mime_message_get_subject(msg),
			    "Reminder: HOS 202800123: Réparer la chaudière — "
			    "contrôle annuel des certificats de sécurité gaz "
			    "des tours");
	assert_string_equal(g_mime_message_get_message_id(msg),
			    "linkdesk.outbox.7@abc.linkdesk");
	assert_string_equal(
		g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted"),
		"auto-generated");
	InternetAddressList *rt = g_mime_message_get_reply_to(msg);
	assert_int_equal(internet_address_list_length(rt), 1);
	/* GMime's parser keeps the fold inside a name; Python's does not. */
	struct buf name;
	buf_init(&name, 1000);
	assert_int_equal(
		mail_one_line(&name, internet_address_get_name(
					     internet_address_list_get_address(
						     rt, 0))),
		LD_OK);
	assert_string_equal(
		buf_str(&name),
		"Équipe de liaison médiateurs du conseil municipal de Lyon");
	buf_release(&name);

	GMimeObject *top = g_mime_message_get_mime_part(msg);
	assert_true(GMIME_IS_MULTIPART(top));
	GMimeMultipart *alt = GMIME_MULTIPART(top);
	assert_int_equal(g_mime_multipart_get_count(alt), 3);
	static const char *const types[] = {"plain", "html", "calendar"};
	for (int i = 0; i < 3; i++) {
		GMimeObject *part = g_mime_multipart_get_part(alt, i);
		GMimeContentType *ct = g_mime_object_get_content_type(part);
		assert_string_equal(g_mime_content_type_get_media_subtype(ct),
				    types[i]);
		assert_string_equal(
			g_mime_content_type_get_parameter(ct, "charset"),
			"utf-8");
		size_t len;
		char *bytes = part_bytes(part, &len);
		/* Canonical CRLF inside the base64, as RFC 2045 wants. */
		assert_lines(bytes, len, 998);
		if (i == 0)
			assert_string_equal(bytes,
					    "First line é\r\nSecond line\r\n");
		if (i == 2) {
			assert_string_equal(
				g_mime_content_type_get_parameter(ct, "method"),
				"CANCEL");
			assert_null(strstr(bytes, "\r\r"));
		}
		free(bytes);
	}
	g_object_unref(msg);
	buf_release(&b);

	/* Without an address or a part, nothing. */
	m.html = NULL;
	buf_init(&b, 1 << 20);
	assert_int_equal(mail_build(&m, &b), LD_EINVAL);
	buf_release(&b);
}

/* The value of parameter kind of p, or NULL. */
static const char *param(icalproperty *p, icalparameter_kind kind)
{
	icalparameter *x = icalproperty_get_first_parameter(p, kind);
	return x ? icalparameter_as_ical_string(x) : NULL;
}

static void test_invite(void **state)
{
	(void)state;
	struct buf uid;
	buf_init(&uid, 200);
	assert_int_equal(ics_uid(&uid, "task-42", "8c1e-77"), LD_OK);
	assert_string_equal(buf_str(&uid), "task-42@8c1e-77.linkdesk");
	struct ics_event ev = {
		.uid = buf_str(&uid),
		.date = date_from_ymd(2026, 12, 9),
		.stamp = 1800000000,
		.sequence = 1,
		.summary = "Due Monday 14 December 2026: HOS 1: Gas",
		.description = "Ombudsman task due Monday 14 December 2026.",
		.url = "https://linkdesk.example/tasks/42",
		.alarm = true,
	};
	struct ics_party org = {"Link officers", "lo@council.example"};
	struct ics_party att = {"Dan \"the van\" Price", "dan@council.example"};
	char *text = ics_invite("REQUEST", &org, &att, &ev);
	icalcomponent *cal = icalparser_parse_string(text);
	assert_non_null(cal);
	assert_int_equal(icalcomponent_get_method(cal), ICAL_METHOD_REQUEST);
	icalcomponent *e =
		icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	assert_string_equal(icalcomponent_get_uid(e),
			    "task-42@8c1e-77.linkdesk");
	icalproperty *o =
		icalcomponent_get_first_property(e, ICAL_ORGANIZER_PROPERTY);
	assert_string_equal(icalproperty_get_organizer(o),
			    "mailto:lo@council.example");
	assert_string_equal(param(o, ICAL_CN_PARAMETER), "CN=Link officers");
	icalproperty *a =
		icalcomponent_get_first_property(e, ICAL_ATTENDEE_PROPERTY);
	assert_string_equal(icalproperty_get_attendee(a),
			    "mailto:dan@council.example");
	/* No DQUOTE can stand in a parameter value. */
	assert_non_null(strstr(param(a, ICAL_CN_PARAMETER), "Dan 'the van' "
							    "Price"));
	assert_string_equal(param(a, ICAL_ROLE_PARAMETER),
			    "ROLE=REQ-PARTICIPANT");
	assert_string_equal(param(a, ICAL_PARTSTAT_PARAMETER),
			    "PARTSTAT=NEEDS-ACTION");
	assert_string_equal(param(a, ICAL_RSVP_PARAMETER), "RSVP=FALSE");
	/* The alarm: 09:00 the day before the all-day event. */
	icalcomponent *alarm =
		icalcomponent_get_first_component(e, ICAL_VALARM_COMPONENT);
	assert_non_null(alarm);
	struct icaltriggertype t = icalproperty_get_trigger(
		icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY));
	assert_int_equal(icaldurationtype_as_int(t.duration), -15 * 3600);
	assert_non_null(strstr(text, "TRIGGER:-PT15H\r\n"));
	icalcomponent_free(cal);
	free(text);

	/* Cancelled: STATUS:CANCELLED and no alarm. */
	ev.cancelled = true;
	text = ics_invite("CANCEL", &org, &att, &ev);
	assert_non_null(strstr(text, "METHOD:CANCEL\r\n"));
	assert_non_null(strstr(text, "STATUS:CANCELLED\r\n"));
	assert_null(strstr(text, "VALARM"));
	free(text);
	buf_release(&uid);
}

/* The text twin of a mail template writes values as they are. */
static void test_text_templates(void **state)
{
	(void)state;
	static const struct tmpl items[] = {
		{"t.txt", "Task: {{title}}{{#due}} (due {{due}}){{/due}}"},
		{"t", "<p>{{title}}</p>"},
	};
	struct tmpl_set set = {items, 2};
	json_t *ctx = json_pack("{s:s, s:s}", "title", "Fish & <chips>", "due",
				"Monday 14 December 2026");
	char why[200];
	struct buf b;
	buf_init(&b, 1000);
	assert_int_equal(
		tmpl_render_text(&set, "t.txt", ctx, &b, why, sizeof(why)),
		LD_OK);
	assert_string_equal(buf_str(&b), "Task: Fish & <chips> (due Monday 14 "
					 "December 2026)");
	buf_reset(&b);
	assert_int_equal(tmpl_render(&set, "t", ctx, &b, why, sizeof(why)),
			 LD_OK);
	assert_string_equal(buf_str(&b), "<p>Fish &amp; &lt;chips&gt;</p>");
	buf_release(&b);
	json_decref(ctx);
}

/* A comment is left out whatever its length or lines (one longer than a
 * name failed the whole page). */
static void test_template_comments(void **state)
{
	(void)state;
	static const struct tmpl items[] = {
		{"t",
		 "<p>{{! a comment longer than any name, one that goes on "
		 "and on,\n  over two lines, as a template's note on what "
		 "follows, well past the 128 bytes of the longest name a tag "
		 "may hold }}{{title}}{{!x}}</p>"},
	};
	struct tmpl_set set = {items, 1};
	json_t *ctx = json_pack("{s:s}", "title", "Fish");
	char why[200];
	struct buf b;
	buf_init(&b, 1000);
	assert_int_equal(tmpl_render(&set, "t", ctx, &b, why, sizeof(why)),
			 LD_OK);
	assert_string_equal(buf_str(&b), "<p>Fish</p>");
	buf_release(&b);
	json_decref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_parse_mailbox),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_invite),
		cmocka_unit_test(test_text_templates),
		cmocka_unit_test(test_template_comments),
	};
	mail_init();
	return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
