/*
 * The Ombudsman inbox in PostgreSQL (sql/025_inbox.sql): messages stored
 * whole with their attachments and the proposal core/inbox.c made for each,
 * read and decided by link officers.  Each change is one transaction; no
 * call here does network I/O, so none holds a connection while bytes move.
 * JSON answers are malloc'd text (free() them).
 */
#ifndef INBOX_STORE_H
#define INBOX_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inbox_mail.h"
#include "ld_err.h"
#include "principal.h"
#include "workcal.h"

struct store;
struct correspondence_in;

/* A message to take in, parsed and scanned, with its exact bytes. */
struct inbox_new {
	const char *source; /* import, upload, imap */
	const unsigned char *raw;
	size_t len;
	const char *sha256_hex;
	const struct inbox_mail *mail;
	/* Each attachment's SHA-256 (hex), in the mail's order. */
	char (*attachment_sha256)[65];
	const char *scan_status; /* available, not_scanned, quarantined */
	const char *scan_detail; /* the signature, for a quarantined one */
	int32_t received_on;	 /* the day it arrived */
	int32_t dated_on;	 /* its Date: in London; 0: received_on */
	/* IMAP: the claim this store completes, in the same transaction. */
	const char *fetch_key, *fetch_claimant;
	/* Who took it in (0: the system, for import and IMAP). */
	int64_t actor_id;
};

/*
 * Take a message in: refuse one seen before (the same Message-ID or the
 * same bytes: LD_ECONFLICT, why naming the message it duplicates), load the
 * proposal rules, propose (core/inbox.c) with the case its reference
 * names, and store the message, its attachments and its proposal.  A
 * quarantined message keeps its hash, not its bytes.  *id is the new
 * message's.
 */
enum ld_err inbox_store_add(struct store *s, const struct inbox_new *n,
			    const struct workcal *cal, int32_t today,
			    int64_t *id, struct why *why);

/*
 * The waiting messages (oldest first) with their proposals and reasons,
 * and the last 20 decided, as {waiting: [...], decided: [...]}.  Link
 * officers only (LD_EFORBIDDEN for others).
 */
enum ld_err inbox_store_list(struct store *s, const struct principal *p,
			     char **json);

/* One message with its attachments (no bytes), body and proposal. */
enum ld_err inbox_store_get(struct store *s, const struct principal *p,
			    int64_t id, char **json);

/* How many wait for a person, and the oldest's age in seconds (0: none). */
enum ld_err inbox_store_waiting(struct store *s, const struct principal *p,
				long *count, long *oldest_seconds);

/*
 * Accept a waiting message as correspondence on a case, through the same
 * store call as registering by hand (case_store_correspond), in its
 * transaction: the message is linked to the correspondence it became and
 * the attachments named in keep (ids; NULL: those proposed) marked kept.
 * LD_ECONFLICT when the message was decided meanwhile.  *json is the case.
 */
enum ld_err inbox_store_accept(struct store *s, const struct principal *p,
			       const struct workcal *cal, int64_t id,
			       int version, int64_t case_id,
			       const struct correspondence_in *in,
			       const int64_t *keep, int nkeep, char **json,
			       struct why *why);

/* Dismiss a waiting message with a reason (1 to 500 characters). */
enum ld_err inbox_store_dismiss(struct store *s, const struct principal *p,
				int64_t id, int version, const char *reason,
				struct why *why);

/* One attachment's bytes, for a link officer (free() *data). */
enum ld_err inbox_store_attachment(struct store *s, const struct principal *p,
				   int64_t id, char **name, char **content_type,
				   unsigned char **data, size_t *len);

/*
 * Retention, as for evidence files (file_store_retention): messages
 * registered on cases closed more than days ago, and those dismissed or
 * held back that long ago, lose their bytes, text and attachments'
 * contents (hashes, sender, subject and decision stay).  *count: how
 * many (with dry_run, would).
 */
enum ld_err inbox_store_retention(struct store *s, int days, bool dry_run,
				  int32_t today, int *count);

/*
 * IMAP: exactly-once claiming of a mailbox's messages across servers, as
 * the outbox's claims (server/store/mail_store.c).  A message's key is its
 * mailbox, UIDVALIDITY and UID.  Taken: this server may fetch it for
 * lease seconds (inbox_take with the key completes the claim in the
 * message's own transaction, and the claim stays this server's for the
 * move); done: it was taken in (or refused) before and this server may
 * move it; busy: another server holds it, or it was moved.
 */
enum inbox_claim { INBOX_CLAIM_TAKEN, INBOX_CLAIM_DONE, INBOX_CLAIM_BUSY };

enum ld_err inbox_store_fetch_claim(struct store *s, const char *key,
				    const char *claimant, long lease,
				    enum inbox_claim *out);

/* The fetch failed (the server dropped): let any server try again now. */
enum ld_err inbox_store_fetch_release(struct store *s, const char *key,
				      const char *claimant);

/* Done without a message stored (a duplicate, or refused): outcome says. */
enum ld_err inbox_store_fetch_done(struct store *s, const char *key,
				   const char *claimant, const char *outcome);

/* Moved to the handled folder. */
enum ld_err inbox_store_fetch_moved(struct store *s, const char *key);

#endif
