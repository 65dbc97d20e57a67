/* Taking a message into the inbox (include/inbox_mail.h, inbox_take). */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clamd.h"
#include "date.h"
#include "inbox_mail.h"
#include "inbox_store.h"
#include "log.h"
#include "xalloc.h"

static void why_fmt(struct why *why, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void why_fmt(struct why *why, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	why->field = field;
	vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
	va_end(ap);
}

static void sha256_hex(const unsigned char *data, size_t len, char hex[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(hex, 65, digest, sizeof(digest));
}

/* Scan one attachment's bytes; LD_OK with *infected set, or clamd's error. */
static enum ld_err scan(const char *clamd, const unsigned char *data,
			size_t len, bool *infected, char *sig, size_t siglen)
{
	struct clamd_stream *cs;
	enum ld_err err = clamd_open(clamd, &cs);
	for (size_t off = 0; !err && off < len; off += 65536)
		err = clamd_write(cs, data + off,
				  len - off < 65536 ? len - off : 65536);
	if (!err)
		err = clamd_finish(cs, infected, sig, siglen);
	clamd_close(cs);
	return err;
}

struct add_call {
	struct store *s;
	const struct inbox_new *n;
	int32_t today;
	int64_t *id;
	struct why *why;
};

static enum ld_err add_with(const struct workcal *cal, void *arg)
{
	struct add_call *c = arg;
	return inbox_store_add(c->s, c->n, cal, c->today, c->id, c->why);
}

enum ld_err inbox_take(struct store *s, const struct inbox_source *src,
		       inbox_lend_fn lend, void *owner, int32_t today,
		       const unsigned char *raw, size_t len, int64_t *id,
		       struct why *why)
{
	struct inbox_mail m;
	char hex[65], reason[200], sig[200] = "";
	const char *status = "not_scanned";
	enum ld_err err;

	*id = 0;
	if ((long)len > src->max_bytes) {
		why_fmt(why, "message",
			"the message is larger than the limit of %ld bytes "
			"(LINKDESK_FILE_MAX)",
			src->max_bytes);
		return LD_ETOOLARGE;
	}
	if ((err = inbox_mail_parse(raw, len, &m, reason, sizeof(reason)))) {
		why_fmt(why, "message", "%s", reason);
		return err;
	}
	sha256_hex(raw, len, hex);
	char(*hashes)[65] = xcalloc(m.nattachments + 1, sizeof(*hashes));
	for (size_t i = 0; i < m.nattachments; i++)
		sha256_hex(m.attachments[i].data, m.attachments[i].len,
			   hashes[i]);
	if (src->clamd[0]) {
		status = "available";
		for (size_t i = 0; i < m.nattachments; i++) {
			bool infected = false;
			char found[160] = "";
			err = scan(src->clamd, m.attachments[i].data,
				   m.attachments[i].len, &infected, found,
				   sizeof(found));
			if (err) {
				/* Taken in, marked not scanned: the page says
				 * so. */
				log_warn("inbox: clamd could not scan an "
					 "attachment: %s",
					 ld_err_name(err));
				status = "not_scanned";
				err = LD_OK;
				continue;
			}
			if (infected) {
				status = "quarantined";
				snprintf(sig, sizeof(sig), "%s in %s", found,
					 m.attachments[i].name);
				break;
			}
		}
	}
	struct inbox_new n = {
		.source = src->name,
		.raw = raw,
		.len = len,
		.sha256_hex = hex,
		.mail = &m,
		.attachment_sha256 = hashes,
		.scan_status = status,
		.scan_detail = sig,
		.received_on = today,
		.dated_on = m.sent_at ? date_from_unix_london(m.sent_at) : 0,
		.fetch_key = src->fetch_key,
		.fetch_claimant = src->fetch_claimant,
		.actor_id = src->actor_id,
	};
	/* Scanned: only now is the calendar borrowed, for the store. */
	struct add_call add = {s, &n, today, id, why};
	err = lend(owner, add_with, &add);
	if (!err && !strcmp(status, "quarantined"))
		why_fmt(why, "message", "quarantined: %s", sig);
	free(hashes);
	inbox_mail_release(&m);
	return err;
}
