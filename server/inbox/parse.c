/* Messages of the inbox read by GMime (see include/inbox_mail.h). */
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "filetype.h"
#include "inbox.h"
#include "inbox_mail.h"
#include "utf8.h"
#include "xalloc.h"

/* A body's text is kept up to this many bytes (the rules read its start). */
#define BODY_MAX	(4u << 20)
#define ATTACHMENTS_MAX 64

struct walk {
	struct inbox_mail *m;
	char *html; /* the first text/html part, if no text/plain */
	unsigned int issue;
	char *issue_item;
	bool too_many;
};

static char *dup_utf8(const char *s)
{
	return utf8_scrub(xstrdup(s ? s : ""));
}

/* Issues that mean the bytes are not the message they claim to be. */
static void warned(gint64 offset, GMimeParserWarning code, const gchar *item,
		   gpointer ctx)
{
	struct walk *w = ctx;
	(void)offset;
	switch (code) {
	case GMIME_WARN_MALFORMED_MULTIPART:
	case GMIME_WARN_TRUNCATED_MESSAGE:
	case GMIME_WARN_MALFORMED_MESSAGE:
	case GMIME_CRIT_INVALID_HEADER_NAME:
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
	case GMIME_CRIT_NESTING_OVERFLOW:
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		if (!w->issue) {
			w->issue = code;
			w->issue_item = dup_utf8(item);
		}
		break;
	default: break;
	}
}

static const char *issue_words(unsigned int code)
{
	switch (code) {
	case GMIME_WARN_MALFORMED_MULTIPART:
		return "a multipart with no parts (its boundary never comes)";
	case GMIME_WARN_TRUNCATED_MESSAGE: return "the message is cut short";
	case GMIME_CRIT_INVALID_HEADER_NAME:
		return "a header line that is not a header";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		return "a multipart without a boundary";
	case GMIME_CRIT_NESTING_OVERFLOW: return "parts nested too deep";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		return "a part with neither headers nor content";
	default: return "the message is malformed";
	}
}

static void add_attachment(struct walk *w, GMimePart *part)
{
	struct inbox_mail *m = w->m;
	if (m->nattachments == ATTACHMENTS_MAX) {
		w->too_many = true;
		return;
	}
	GMimeDataWrapper *content = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	if (content)
		g_mime_data_wrapper_write_to_stream(content, mem);
	GByteArray *bytes =
		g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	GMimeContentType *ct =
		g_mime_object_get_content_type(GMIME_OBJECT(part));
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	const char *given = g_mime_part_get_filename(part);
	char name[FILENAME_MAX_LEN];
	char fallback[32];
	snprintf(fallback, sizeof(fallback), "attachment-%zu",
		 m->nattachments + 1);
	char *scrubbed = dup_utf8(given && *given ? given : fallback);
	filename_sanitise(scrubbed, name);
	free(scrubbed);

	struct inbox_attachment *a;
	m->attachments =
		xrealloc(m->attachments, (m->nattachments + 1) * sizeof(*a));
	a = &m->attachments[m->nattachments++];
	a->name = xstrdup(name[0] ? name : fallback);
	a->content_type = dup_utf8(type ? type : "application/octet-stream");
	a->len = bytes ? bytes->len : 0;
	a->data = xmalloc(a->len + 1);
	if (a->len)
		memcpy(a->data, bytes->data, a->len);
	GMimeContentDisposition *cd =
		g_mime_object_get_content_disposition(GMIME_OBJECT(part));
	const char *disp =
		cd ? g_mime_content_disposition_get_disposition(cd) : NULL;
	a->inline_image =
		ct &&
		!strcmp(g_mime_content_type_get_media_type(ct), "image") &&
		(!disp || !g_ascii_strcasecmp(disp, "inline")) &&
		g_mime_object_get_content_id(GMIME_OBJECT(part));
	g_free(type);
	g_object_unref(mem);
}

static void visit(GMimeObject *parent, GMimeObject *part, gpointer ctx)
{
	struct walk *w = ctx;
	(void)parent;
	if (GMIME_IS_MESSAGE_PART(part)) {
		/* A forwarded message is kept whole, as an attachment. */
		GMimeMessage *inner = g_mime_message_part_get_message(
			GMIME_MESSAGE_PART(part));
		if (!inner || w->m->nattachments == ATTACHMENTS_MAX)
			return;
		char *text = g_mime_object_to_string(GMIME_OBJECT(inner), NULL);
		struct inbox_mail *m = w->m;
		m->attachments = xrealloc(m->attachments,
					  (m->nattachments + 1) *
						  sizeof(*m->attachments));
		struct inbox_attachment *a = &m->attachments[m->nattachments++];
		char name[32];
		snprintf(name, sizeof(name), "forwarded-%zu.eml",
			 m->nattachments);
		a->name = xstrdup(name);
		a->content_type = xstrdup("message/rfc822");
		a->len = text ? strlen(text) : 0;
		a->data = (unsigned char *)xstrdup(text ? text : "");
		a->inline_image = false;
		g_free(text);
		return;
	}
	if (GMIME_IS_MULTIPART(part) &&
	    g_mime_multipart_get_count(GMIME_MULTIPART(part)) == 0) {
		/* Said so rather than "cut short", GMime's word for it. */
		w->issue = GMIME_WARN_MALFORMED_MULTIPART;
		return;
	}
	if (!GMIME_IS_PART(part))
		return;
	GMimePart *p = GMIME_PART(part);
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	bool text = ct && g_mime_content_type_is_type(ct, "text", "plain");
	bool html = ct && g_mime_content_type_is_type(ct, "text", "html");
	if (!g_mime_part_is_attachment(p) && GMIME_IS_TEXT_PART(part) &&
	    (text || html)) {
		if (text && !w->m->body) {
			char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(p));
			w->m->body = dup_utf8(t);
			g_free(t);
			return;
		}
		if (html && !w->html) {
			char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(p));
			w->html = dup_utf8(t);
			g_free(t);
			return;
		}
	}
	add_attachment(w, p);
}

enum ld_err inbox_mail_parse(const unsigned char *bytes, size_t len,
			     struct inbox_mail *out, char *why, size_t why_len)
{
	struct walk w = {out, NULL, 0, NULL, false};
	enum ld_err err = LD_EINVAL;
	memset(out, 0, sizeof(*out));
	why[0] = '\0';

	GMimeStream *stream =
		g_mime_stream_mem_new_with_buffer((const char *)bytes, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeParserOptions *opts = g_mime_parser_options_new();
	g_mime_parser_options_set_warning_callback(opts, warned, &w);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
	if (!msg) {
		snprintf(why, why_len, "not a message");
		goto out;
	}
	InternetAddressList *from = g_mime_message_get_from(msg);
	const char *addr = NULL;
	for (int i = 0; from && i < internet_address_list_length(from) && !addr;
	     i++) {
		InternetAddress *a = internet_address_list_get_address(from, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(a))
			addr = internet_address_mailbox_get_addr(
				INTERNET_ADDRESS_MAILBOX(a));
	}
	if (!addr || !strchr(addr, '@')) {
		snprintf(why, why_len, "the message has no sender (From:)");
		goto out;
	}
	g_mime_message_foreach(msg, visit, &w);
	if (!w.issue && !g_mime_message_get_mime_part(msg))
		w.issue = GMIME_WARN_MALFORMED_MESSAGE;
	if (w.issue) {
		snprintf(why, why_len, "malformed MIME: %s",
			 issue_words(w.issue));
		goto out;
	}
	if (w.too_many) {
		snprintf(why, why_len, "more than %d attachments",
			 ATTACHMENTS_MAX);
		goto out;
	}
	out->from_address = dup_utf8(addr);
	const char *id = g_mime_message_get_message_id(msg);
	out->message_id = id && *id ? dup_utf8(id) : NULL;
	out->subject = dup_utf8(g_mime_message_get_subject(msg));
	GDateTime *date = g_mime_message_get_date(msg);
	out->sent_at = date ? g_date_time_to_unix(date) : 0;
	if (!out->body && w.html) {
		struct buf b;
		buf_init(&b, BODY_MAX);
		/* Past the cap the text is cut short, not refused. */
		(void)inbox_html_text(w.html, &b);
		out->body = utf8_scrub(buf_detach(&b));
	}
	if (!out->body)
		out->body = xstrdup("");
	err = LD_OK;
out:
	if (err)
		inbox_mail_release(out);
	free(w.html);
	free(w.issue_item);
	if (msg)
		g_object_unref(msg);
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(stream);
	return err;
}

void inbox_mail_release(struct inbox_mail *m)
{
	free(m->message_id);
	free(m->from_address);
	free(m->subject);
	free(m->body);
	for (size_t i = 0; i < m->nattachments; i++) {
		free(m->attachments[i].name);
		free(m->attachments[i].content_type);
		free(m->attachments[i].data);
	}
	free(m->attachments);
	memset(m, 0, sizeof(*m));
}
