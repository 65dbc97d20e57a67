#include "mail.h"

#include <gmime/gmime.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mail_init(void)
{
	g_mime_init();
}

enum ld_err mail_one_line(struct buf *out, const char *text)
{
	enum ld_err err = LD_OK;
	bool space = false, any = false;
	for (const char *p = text; *p && !err; p++) {
		if (strchr(" \t\r\n\v\f", *p)) {
			space = any;
			continue;
		}
		if (space)
			err = buf_addch(out, ' ');
		if (!err)
			err = buf_addch(out, *p);
		space = false;
		any = true;
	}
	return err;
}

enum ld_err mail_parse_mailbox(const char *text, char **name, char **address)
{
	InternetAddressList *list = internet_address_list_parse(NULL, text);
	enum ld_err err = LD_EINVAL;
	*name = *address = NULL;
	if (list && internet_address_list_length(list) == 1) {
		InternetAddress *a = internet_address_list_get_address(list, 0);
		if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
			const char *n = internet_address_get_name(a);
			const char *addr = internet_address_mailbox_get_addr(
				INTERNET_ADDRESS_MAILBOX(a));
			if (addr && strchr(addr, '@')) {
				*name = strdup(n ? n : "");
				*address = strdup(addr);
				if (!*name || !*address)
					abort(); /* out of memory */
				err = LD_OK;
			}
		}
	}
	if (list)
		g_object_unref(list);
	return err;
}

/*
 * RFC 2047 allows a line holding an encoded word 76 characters, where
 * GMime folds every header at 78: its encoded headers are folded again,
 * at the same spaces, to 76.  The words are GMime's, each at most 75.
 */
#define ENCODED_LINE_MAX 76

static void refold(GMimeHeader *h)
{
	const char *raw = g_mime_header_get_raw_value(h);
	if (!raw || !strstr(raw, "=?"))
		return;
	GString *out = g_string_new("");
	size_t col = strlen(g_mime_header_get_name(h)) + 1; /* "Name:" */
	for (const char *p = raw; *p;) {
		while (*p && strchr(" \t\r\n", *p))
			p++;
		size_t n = strcspn(p, " \t\r\n");
		if (!n)
			break;
		if (col + 1 + n > ENCODED_LINE_MAX && out->len) {
			g_string_append(out, "\n");
			col = 0;
		}
		g_string_append_c(out, ' ');
		g_string_append_len(out, p, (gssize)n);
		col += 1 + n;
		p += n;
	}
	g_string_append(out, "\n");
	g_mime_header_set_raw_value(h, out->str);
	g_string_free(out, TRUE);
}

/* A file attached as it is, byte for byte, in base64. */
static GMimePart *file_part(const struct mail_attachment *a)
{
	char type[128];
	snprintf(type, sizeof(type), "%s",
		 a->content_type && strchr(a->content_type, '/')
			 ? a->content_type
			 : "application/octet-stream");
	char *slash = strchr(type, '/');
	*slash = '\0';
	GMimePart *part = g_mime_part_new_with_type(type, slash + 1);
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer(
		(const char *)a->data, a->len);
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(
		mem, GMIME_CONTENT_ENCODING_DEFAULT);
	g_object_unref(mem);
	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_mime_part_set_filename(part, a->name);
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	return part;
}

/*
 * A base64 part of UTF-8 text whose lines end in CRLF before encoding, as
 * RFC 2045 wants of every text type (GMime's unix2dos filter makes them).
 */
static GMimePart *text_part(const char *subtype, const char *text)
{
	GMimePart *part = g_mime_part_new_with_type("text", subtype);
	GMimeStream *mem = g_mime_stream_mem_new();
	GMimeStream *filtered = g_mime_stream_filter_new(mem);
	GMimeFilter *dos = g_mime_filter_unix2dos_new(FALSE);
	g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), dos);
	g_object_unref(dos);
	g_mime_stream_write_string(filtered, text);
	g_mime_stream_flush(filtered);
	g_object_unref(filtered);
	g_mime_stream_reset(mem);
	GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(
		mem, GMIME_CONTENT_ENCODING_DEFAULT);
	g_object_unref(mem);
	g_mime_part_set_content(part, content);
	g_object_unref(content);
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset",
						 "utf-8");
	g_mime_part_set_content_encoding(part, GMIME_CONTENT_ENCODING_BASE64);
	return part;
}

enum ld_err mail_build(const struct mail_message *m, struct buf *out)
{
	struct buf subject;
	enum ld_err err;

	if (!m->to || !m->from.address || !m->text || !m->html ||
	    !m->message_id)
		return LD_EINVAL;
	buf_init(&subject, 4000);
	if ((err = mail_one_line(&subject, m->subject ? m->subject : ""))) {
		buf_release(&subject);
		return err;
	}

	GMimeMessage *msg = g_mime_message_new(TRUE);
	GMimeObject *top = GMIME_OBJECT(msg);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM,
				   m->from.name ? m->from.name : "",
				   m->from.address);
	if (m->reply_to.address && m->reply_to.address[0])
		g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_REPLY_TO,
					   m->reply_to.name ? m->reply_to.name
							    : "",
					   m->reply_to.address);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, "", m->to);
	g_mime_message_set_subject(msg, buf_str(&subject), "utf-8");
	buf_release(&subject);
	GDateTime *date = g_date_time_new_from_unix_utc(m->date);
	g_mime_message_set_date(msg, date);
	g_date_time_unref(date);
	g_mime_message_set_message_id(msg, m->message_id);
	/* RFC 3834: no vacation replies to what a program sent. */
	g_mime_object_set_header(top, "Auto-Submitted", "auto-generated", NULL);

	GMimeHeaderList *headers = g_mime_object_get_header_list(top);
	for (int i = 0; i < g_mime_header_list_get_count(headers); i++)
		refold(g_mime_header_list_get_header_at(headers, i));

	GMimeMultipart *alt = g_mime_multipart_new_with_subtype("alternative");
	GMimePart *part = text_part("plain", m->text);
	g_mime_multipart_add(alt, GMIME_OBJECT(part));
	g_object_unref(part);
	part = text_part("html", m->html);
	g_mime_multipart_add(alt, GMIME_OBJECT(part));
	g_object_unref(part);
	if (m->ics) {
		part = text_part("calendar", m->ics);
		g_mime_object_set_content_type_parameter(
			GMIME_OBJECT(part), "method",
			m->ics_method ? m->ics_method : "REQUEST");
		g_mime_multipart_add(alt, GMIME_OBJECT(part));
		g_object_unref(part);
	}
	if (m->nattachments) {
		GMimeMultipart *mixed =
			g_mime_multipart_new_with_subtype("mixed");
		g_mime_multipart_add(mixed, GMIME_OBJECT(alt));
		g_object_unref(alt);
		for (size_t i = 0; i < m->nattachments; i++) {
			part = file_part(&m->attachments[i]);
			g_mime_multipart_add(mixed, GMIME_OBJECT(part));
			g_object_unref(part);
		}
		alt = mixed;
	}
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(alt));
	g_object_unref(alt);

	GMimeFormatOptions *opts = g_mime_format_options_new();
	g_mime_format_options_set_newline_format(opts,
						 GMIME_NEWLINE_FORMAT_DOS);
	char *text = g_mime_object_to_string(top, opts);
	g_mime_format_options_free(opts);
	g_object_unref(msg);
	if (!text)
		abort(); /* GMime fails only when out of memory */
	err = buf_addstr(out, text);
	g_free(text);
	return err;
}
