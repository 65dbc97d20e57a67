/*
 * Evidence emailed to an Ombudsman whose channel is email (the LGSCO):
 * queued by a link officer through the outbox with the validated version's
 * files named by hash, sent by the mail sender with exactly those bytes
 * attached (each checked against its signed-off SHA-256 as it is read),
 * and recorded sent, with the exact message, only once the mail server
 * has taken it (outbox_store_sent).  For the HOS the portal bundle stays.
 */
#ifndef EVIDENCE_MAIL_H
#define EVIDENCE_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ld_err.h"
#include "mail.h"
#include "principal.h"

struct store;
struct app;

/*
 * Queue the task's validated evidence for the case's Ombudsman contact:
 * the sender of the latest message of that Ombudsman's domains accepted
 * from the Inbox onto the case.  Refused (why names the field) when the
 * task is not validated (action), its Ombudsman takes evidence by portal
 * (channel), a file is not ready (files), the files together exceed
 * max_bytes (files: LD_ETOOLARGE), no address is known (recipient), or
 * it is already in the outbox (action).  *json: {outbox_id, recipient,
 * files}.
 */
enum ld_err evidence_mail_queue(struct store *s, const struct principal *p,
				int64_t task_id, int version, int32_t today,
				long max_bytes, bool require_scan, char **json,
				struct why *why);

/* The files of a queued evidence message, read for sending. */
struct evidence_files {
	struct mail_attachment *items; /* pointing into owned */
	struct {
		char *name, *content_type;
		unsigned char *data;
	} * owned;
	size_t n;
	size_t bytes;
};

/*
 * Read each file the facts of an evidence message name (file_store_copy,
 * one short read each, through a spool) and check its SHA-256 is the one
 * signed off; LD_EIO with why when one cannot be read or differs.
 * Release with evidence_files_release().
 */
enum ld_err evidence_files_load(struct app *app, const char *facts,
				struct evidence_files *out, char *why,
				size_t whylen);
void evidence_files_release(struct evidence_files *f);

/* The largest message evidence of max_bytes can make (base64 and text). */
size_t evidence_message_max(long max_bytes);

#endif
