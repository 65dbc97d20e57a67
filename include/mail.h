/*
 * An email as RFC 5322 text with MIME, built by GMime 3: a plain-text part
 * and an HTML alternative (both rendered by the caller from the same
 * templates), and for invites a text/calendar part with its METHOD (iMIP,
 * RFC 6047).  Every line ends in CRLF, inside base64 parts too; encoded
 * header words are folded by GMime to lines of at most 76 characters.
 * Pure: libcurl delivers the bytes (server/mail/).
 */
#ifndef MAIL_H
#define MAIL_H

#include <stdint.h>

#include "buf.h"

/* A mailbox: a display name (NULL or "" for none) and an address. */
struct mail_address {
	const char *name;
	const char *address;
};

/* A file attached to a message, sent as its bytes are (base64). */
struct mail_attachment {
	const char *name;
	const char *content_type; /* "type/subtype"; other: octet-stream */
	const unsigned char *data;
	size_t len;
};

struct mail_message {
	struct mail_address from;
	struct mail_address reply_to; /* address NULL or "": no Reply-To */
	const char *to;
	const char *subject;	/* any whitespace runs, CR and LF too, are
				   written as one space */
	const char *text;	/* the text/plain part, UTF-8 */
	const char *html;	/* the text/html part, a whole document */
	const char *message_id; /* without angle brackets */
	int64_t date;		/* Unix seconds */
	const char *ics;	/* NULL, or a VCALENDAR */
	const char *ics_method; /* "REQUEST" or "CANCEL" with ics */
	/* Files after the text and html (multipart/mixed); none when 0. */
	const struct mail_attachment *attachments;
	size_t nattachments;
};

/* Start GMime: once per process, before any other mail_ call. */
void mail_init(void);

/*
 * Write the message into out.  LD_EINVAL for a message without an address,
 * text or html; LD_ETOOLARGE when it does not fit out's cap.
 */
enum ld_err mail_build(const struct mail_message *m, struct buf *out);

/*
 * Append text to out on one line: every run of whitespace (CR, LF and
 * tabs included) written as one space, none at either end.  For subjects
 * and any other header value taken from people's input.
 */
enum ld_err mail_one_line(struct buf *out, const char *text);

/*
 * Parse "Name <address>" or a bare address into name and address (each a
 * malloc'd string the caller frees; *name is "" without one).  LD_EINVAL
 * for anything but exactly one mailbox.
 */
enum ld_err mail_parse_mailbox(const char *text, char **name, char **address);

#endif
