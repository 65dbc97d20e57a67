/*
 * An email as RFC 5322 text with MIME (RFC 2045-2049): a plain-text part and
 * an HTML alternative made from it, and for invites a text/calendar part
 * with its METHOD (iMIP).  Pure; libcurl delivers it (server/mail/).
 */
#ifndef MAIL_H
#define MAIL_H

#include <stdint.h>

#include "buf.h"

struct mail_message {
	const char *from;
	const char *to;
	const char *subject;
	const char *text;	/* UTF-8, lines separated by \n */
	const char *message_id; /* without angle brackets */
	int64_t date;		/* Unix seconds */
	const char *ics;	/* NULL, or a VCALENDAR */
	const char *ics_method; /* "REQUEST" or "CANCEL" with ics */
};

/* Write the message, CRLF line ends, into out. */
enum ld_err mail_build(const struct mail_message *m, struct buf *out);

/* Append text with &, <, >, " and ' escaped for HTML. */
enum ld_err mail_html_escape(struct buf *out, const char *text);

#endif
