#include "mail.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#define BOUNDARY "=_linkdesk_alternative_b5f0c2"

/* Base64 of bytes in lines of 76, for a MIME part body. */
static enum ld_err add_base64(struct buf *out, const char *data, size_t len)
{
	enum ld_err err = LD_OK;
	for (size_t off = 0; off < len && !err; off += 57) {
		char line[80];
		size_t n = len - off < 57 ? len - off : 57;
		sodium_bin2base64(line, sizeof(line),
				  (const unsigned char *)data + off, n,
				  sodium_base64_VARIANT_ORIGINAL);
		if (!(err = buf_addstr(out, line)))
			err = buf_addstr(out, "\r\n");
	}
	return err;
}

static bool ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || *s == '\r' || *s == '\n')
			return false;
	return true;
}

/* A header value, as an RFC 2047 encoded word when it is not plain ASCII. */
static enum ld_err add_header_text(struct buf *out, const char *text)
{
	if (ascii(text))
		return buf_addstr(out, text);
	/* Encoded words of at most 45 source bytes, cut between characters. */
	size_t len = strlen(text), off = 0;
	enum ld_err err = LD_OK;
	while (off < len && !err) {
		size_t n = len - off < 45 ? len - off : 45;
		while (n < len - off &&
		       ((unsigned char)text[off + n] & 0xc0) == 0x80)
			n--;
		char word[80];
		sodium_bin2base64(word, sizeof(word),
				  (const unsigned char *)text + off, n,
				  sodium_base64_VARIANT_ORIGINAL);
		err = buf_printf(out, "%s=?UTF-8?B?%s?=", off ? "\r\n " : "",
				 word);
		off += n;
	}
	return err;
}

enum ld_err mail_html_escape(struct buf *out, const char *text)
{
	enum ld_err err = LD_OK;
	for (const char *p = text; *p && !err; p++) {
		switch (*p) {
		case '&': err = buf_addstr(out, "&amp;"); break;
		case '<': err = buf_addstr(out, "&lt;"); break;
		case '>': err = buf_addstr(out, "&gt;"); break;
		case '"': err = buf_addstr(out, "&quot;"); break;
		case '\'': err = buf_addstr(out, "&#39;"); break;
		case '\n': err = buf_addstr(out, "<br>\n"); break;
		default: err = buf_addch(out, *p); break;
		}
	}
	return err;
}

/* Text with bare \n turned into CRLF, for a text/calendar or plain part. */
static enum ld_err crlf(struct buf *out, const char *text)
{
	enum ld_err err = LD_OK;
	for (const char *p = text; *p && !err; p++) {
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			err = buf_addch(out, '\r');
		if (!err)
			err = buf_addch(out, *p);
	}
	return err;
}

enum ld_err mail_build(const struct mail_message *m, struct buf *out)
{
	char date[64];
	time_t t = (time_t)m->date;
	struct tm tm;
	struct buf part;
	enum ld_err err;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if ((err = buf_printf(out,
			      "From: Linkdesk <%s>\r\nTo: %s\r\nDate: %s\r\n"
			      "Message-ID: <%s>\r\nSubject: ",
			      m->from, m->to, date, m->message_id)) ||
	    (err = add_header_text(out, m->subject)) ||
	    (err = buf_printf(out, "\r\nMIME-Version: 1.0\r\nAuto-Submitted: "
				   "auto-generated\r\nContent-Type: "
				   "multipart/alternative; boundary=\"" BOUNDARY
				   "\"\r\n\r\n")))
		return err;

	if ((err = buf_addstr(out,
			      "--" BOUNDARY "\r\nContent-Type: text/plain; "
			      "charset=utf-8\r\nContent-Transfer-Encoding:"
			      " base64\r\n\r\n")) ||
	    (err = add_base64(out, m->text, strlen(m->text))))
		return err;

	buf_init(&part, out->max);
	err = buf_addstr(&part,
			 "<!DOCTYPE html><html lang=\"en\"><body style=\""
			 "font-family: Arial, sans-serif\"><p>");
	if (!err)
		err = mail_html_escape(&part, m->text);
	if (!err)
		err = buf_addstr(&part, "</p></body></html>\n");
	if (!err)
		err = buf_addstr(out,
				 "--" BOUNDARY "\r\nContent-Type: text/html; "
				 "charset=utf-8\r\nContent-Transfer-Encoding:"
				 " base64\r\n\r\n");
	if (!err)
		err = add_base64(out, part.ptr, part.len);
	buf_release(&part);
	if (err)
		return err;

	if (m->ics) {
		buf_init(&part, out->max);
		err = crlf(&part, m->ics);
		if (!err)
			err = buf_printf(
				out,
				"--" BOUNDARY "\r\nContent-Type: text/"
				"calendar; charset=utf-8; method=%s\r\n"
				"Content-Transfer-Encoding: base64\r\n\r\n",
				m->ics_method);
		if (!err)
			err = add_base64(out, part.ptr, part.len);
		buf_release(&part);
		if (err)
			return err;
	}
	return buf_addstr(out, "--" BOUNDARY "--\r\n");
}
