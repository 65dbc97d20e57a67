/*
 * The shared Ombudsman mailbox read over IMAP (libcurl) by the scheduler:
 * each message of LINKDESK_IMAP_FOLDER is claimed for this server in the
 * database (inbox_store_fetch_claim), fetched, taken in (inbox_take, which
 * completes the claim in the message's own transaction) and moved to
 * LINKDESK_IMAP_HANDLED_FOLDER.  Two servers polling one mailbox take each
 * message once; a fetch cut off mid-way stores nothing and releases the
 * claim, so the next poll fetches it whole.  No database connection is
 * held while bytes move: every store call is its own short unit of work.
 */
#ifndef INBOX_IMAP_H
#define INBOX_IMAP_H

#include "ld_err.h"

struct app;

struct inbox_poll {
	int taken;	/* stored, waiting for a person */
	int duplicates; /* seen before: only moved */
	int refused;	/* not a message, too large: recorded, moved */
	int failed;	/* the fetch or the store failed: tried again */
	int moved;
};

/*
 * One poll: up to LINKDESK_IMAP_BATCH messages.  LD_OK with nothing done
 * when LINKDESK_IMAP_URL is empty; LD_EIO when the mailbox cannot be
 * listed (logged, without the credentials).
 */
enum ld_err inbox_imap_poll(struct app *app, struct inbox_poll *out);

#endif
