/*
 * A message of the Ombudsman inbox read by GMime: who sent it, when, its
 * subject, the text of its body (an HTML-only body reduced to text by
 * inbox_html_text()) and its attachments, decoded.  Every string is valid
 * UTF-8 (scrubbed where it was not).  The message's own bytes stay the
 * caller's; what is parsed is owned by struct inbox_mail until
 * inbox_mail_release().
 */
#ifndef INBOX_MAIL_H
#define INBOX_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"

struct inbox_attachment {
	char *name; /* sanitised; "attachment-N" when it had none */
	char *content_type;
	unsigned char *data;
	size_t len;
	bool inline_image; /* an image shown in the body (a logo) */
};

struct inbox_mail {
	char *message_id; /* without angle brackets; NULL when it had none */
	char *from_address;
	char *subject;
	int64_t sent_at; /* Unix time of its Date:; 0 when it had none */
	char *body;
	struct inbox_attachment *attachments;
	size_t nattachments;
};

/*
 * Parse len bytes of a message (RFC 5322 with MIME).  LD_EINVAL with a
 * reason in why (why_len bytes) for what is not a message: no sender,
 * a multipart with no boundary or no parts, a truncated or malformed one.
 */
enum ld_err inbox_mail_parse(const unsigned char *bytes, size_t len,
			     struct inbox_mail *out, char *why, size_t why_len);

void inbox_mail_release(struct inbox_mail *m);

struct store;
struct workcal;

/* Where a message comes from and what may take it in. */
struct inbox_source {
	const char *name;  /* import, upload, imap */
	long max_bytes;	   /* LINKDESK_FILE_MAX: the evidence files' limit */
	const char *clamd; /* "" : attachments not scanned */
	int64_t actor_id;  /* 0: the system */
	/* IMAP: the claim the store completes with the message. */
	const char *fetch_key, *fetch_claimant;
};

/*
 * Lend the working-day calendar to use for one call, as
 * app_with_calendar() does (the CLI lends one of its own).
 */
typedef enum ld_err (*inbox_lend_fn)(void *owner,
				     enum ld_err (*use)(const struct workcal *,
							void *),
				     void *arg);

/*
 * Take one message in: refuse one over the size limit (LD_ETOOLARGE) or
 * not a message (LD_EINVAL), hash its bytes, scan each attachment with
 * clamd (an infected one keeps the whole message out: it is recorded as
 * quarantined, without its bytes), then inbox_store_add() it with the
 * calendar lend(owner) gives.  Network I/O (clamd) happens before the
 * calendar is borrowed or the store called.  Slow work: never on an HTTP
 * thread.  why says what was refused and why; *id is the message's.
 */
enum ld_err inbox_take(struct store *s, const struct inbox_source *src,
		       inbox_lend_fn lend, void *owner, int32_t today,
		       const unsigned char *raw, size_t len, int64_t *id,
		       struct why *why);

#endif
