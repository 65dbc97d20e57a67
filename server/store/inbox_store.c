/*
 * The Ombudsman inbox (include/inbox_store.h).  The proposal is core's
 * (core/inbox.c): this file loads its rules, finds the case a reference
 * names and stores what core proposed, word for word.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "case_store_int.h"
#include "date.h"
#include "inbox.h"
#include "inbox_store.h"
#include "workflow.h"
#include "xalloc.h"

static bool link_officer(const struct principal *p)
{
	return p && (p->roles & ROLE_LINK_OFFICER);
}

/* "\x..." of bytes, for a bytea parameter; NULL past the cap. */
static const char *hex(struct buf *b, const unsigned char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	if (buf_addstr(b, "\\x"))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char two[2] = {digits[data[i] >> 4], digits[data[i] & 15]};
		if (buf_add(b, two, 2))
			return NULL;
	}
	return buf_str(b);
}

/* The rules as core takes them, pointing into the results held here. */
struct rules_held {
	struct inbox_rules rules;
	struct inbox_sender *senders;
	struct inbox_ombudsman *ombudsmen;
	struct inbox_phrase *phrases;
	PGresult *res[3];
};

static void rules_release(struct rules_held *r)
{
	free(r->senders);
	free(r->ombudsmen);
	free(r->phrases);
	for (int i = 0; i < 3; i++)
		PQclear(r->res[i]);
}

static const char *opt(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static enum ld_err rules_load(struct db *db, struct rules_held *r)
{
	memset(r, 0, sizeof(*r));
	enum ld_err err = db_exec(
		db, "inbox_senders",
		"SELECT s.domain, o.code FROM inbox_sender s"
		" JOIN ombudsman o ON o.id = s.ombudsman_id ORDER BY s.domain",
		0, NULL, &r->res[0]);
	if (!err)
		err = db_exec(db, "inbox_ombudsmen",
			      "SELECT code, reference_mask FROM ombudsman"
			      " ORDER BY id",
			      0, NULL, &r->res[1]);
	if (!err)
		err = db_exec(
			db, "inbox_phrases",
			"SELECT o.code, p.kind, p.phrase FROM inbox_phrase p"
			" LEFT JOIN ombudsman o ON o.id = p.ombudsman_id"
			" ORDER BY length(p.phrase) DESC, p.phrase",
			0, NULL, &r->res[2]);
	if (err)
		return err;
	int n = PQntuples(r->res[0]);
	r->senders = xcalloc((size_t)n + 1, sizeof(*r->senders));
	for (int i = 0; i < n; i++)
		r->senders[i] =
			(struct inbox_sender){PQgetvalue(r->res[0], i, 0),
					      PQgetvalue(r->res[0], i, 1)};
	r->rules.senders = r->senders;
	r->rules.nsenders = (size_t)n;
	n = PQntuples(r->res[1]);
	r->ombudsmen = xcalloc((size_t)n + 1, sizeof(*r->ombudsmen));
	for (int i = 0; i < n; i++)
		r->ombudsmen[i] = (struct inbox_ombudsman){
			PQgetvalue(r->res[1], i, 0), opt(r->res[1], i, 1)};
	r->rules.ombudsmen = r->ombudsmen;
	r->rules.nombudsmen = (size_t)n;
	n = PQntuples(r->res[2]);
	r->phrases = xcalloc((size_t)n + 1, sizeof(*r->phrases));
	for (int i = 0; i < n; i++)
		r->phrases[i] = (struct inbox_phrase){
			opt(r->res[2], i, 0), PQgetvalue(r->res[2], i, 1),
			PQgetvalue(r->res[2], i, 2)};
	r->rules.phrases = r->phrases;
	r->rules.nphrases = (size_t)n;
	return LD_OK;
}

struct add_ctx {
	const struct inbox_new *n;
	const struct workcal *cal;
	int32_t today;
	int64_t *id;
	struct why *why;
};

/* A message seen before: by its Message-ID or its bytes. */
static enum ld_err duplicate(struct db *db, const struct inbox_new *n,
			     struct why *why)
{
	PGresult *res;
	const char *params[] = {n->sha256_hex, n->mail->message_id};
	enum ld_err err = db_exec(
		db, "inbox_duplicate",
		"SELECT id, sha256 = $1 FROM inbox_message"
		" WHERE sha256 = $1 OR message_id = $2 ORDER BY id LIMIT 1",
		2, params, &res);
	if (err)
		return err;
	if (PQntuples(res)) {
		why_set(why, "message",
			"this message was taken in before, as inbox message "
			"%ld (the same %s)",
			db_long(res, 0, 0),
			PQgetvalue(res, 0, 1)[0] == 't' ? "bytes"
							: "Message-ID");
		err = LD_ECONFLICT;
	}
	PQclear(res);
	return err;
}

/* The first of the finding's references that names a case, else none. */
static enum ld_err find_case(struct db *db, const struct inbox_finding *f,
			     struct inbox_case *c, PGresult **held)
{
	memset(c, 0, sizeof(*c));
	*held = NULL;
	for (int i = 0; i < f->nrefs; i++) {
		PGresult *res;
		const char *params[] = {f->refs[i].ombudsman,
					f->refs[i].reference};
		enum ld_err err = db_exec(
			db, "inbox_case",
			"SELECT c.id, o.code, c.reference, c.stage = 'closed',"
			" c.closed_on FROM ombudsman_case c"
			" JOIN ombudsman o ON o.id = c.ombudsman_id"
			" WHERE o.code = $1 AND c.reference = $2",
			2, params, &res);
		if (err)
			return err;
		if (PQntuples(res)) {
			c->id = db_long(res, 0, 0);
			c->ombudsman = PQgetvalue(res, 0, 1);
			c->reference = PQgetvalue(res, 0, 2);
			c->closed = PQgetvalue(res, 0, 3)[0] == 't';
			c->closed_on = db_day(res, 0, 4);
			*held = res;
			return LD_OK;
		}
		PQclear(res);
	}
	return LD_OK;
}

static const char *const targets[] = {"none", "case", "new_case"};

static enum ld_err add(struct db *db, void *arg)
{
	struct add_ctx *c = arg;
	const struct inbox_new *n = c->n;
	const struct inbox_mail *m = n->mail;
	struct rules_held rules;
	struct inbox_finding f;
	struct inbox_case found;
	struct inbox_proposal prop;
	struct buf reasons, raw;
	PGresult *res = NULL, *case_res = NULL;
	bool quarantined = !strcmp(n->scan_status, "quarantined");
	buf_init(&reasons, 8192);
	buf_init(&raw, 2 * n->len + 8);
	memset(&rules, 0, sizeof(rules));

	enum ld_err err =
		n->actor_id ? db_begin_as(db, n->actor_id) : db_begin(db);
	if (!err)
		err = duplicate(db, n, c->why);
	if (!err)
		err = rules_load(db, &rules);
	if (err)
		goto out;
	int32_t dated = n->dated_on ? n->dated_on : n->received_on;
	struct inbox_letter letter = {m->from_address, m->subject, m->body,
				      dated};
	inbox_find(&rules.rules, &letter, c->cal, &f);
	if ((err = find_case(db, &f, &found, &case_res)))
		goto out;
	if ((err = inbox_propose(&f, f.nrefs ? &found : NULL, dated, c->today,
				 &prop, &reasons)))
		goto out;
	if (quarantined &&
	    (err = buf_printf(&reasons,
			      "an attachment carries a virus (%s): the message "
			      "is kept out, its bytes not stored\n",
			      n->scan_detail)))
		goto out;

	struct db_num size, case_id;
	struct db_date received, due;
	char sent[32] = "";
	if (m->sent_at) {
		struct db_num t;
		snprintf(sent, sizeof(sent), "%s", db_num(&t, m->sent_at));
	}
	const char *raw_hex = quarantined ? NULL : hex(&raw, n->raw, n->len);
	if (!quarantined && !raw_hex) {
		err = LD_ETOOLARGE;
		goto out;
	}
	const char *params[] = {n->source,
				m->message_id,
				n->sha256_hex,
				db_num(&size, (int64_t)n->len),
				raw_hex,
				m->from_address,
				m->subject,
				sent[0] ? sent : NULL,
				m->body,
				quarantined ? "quarantined" : "waiting",
				n->scan_status,
				n->scan_detail ? n->scan_detail : "",
				targets[prop.target],
				prop.case_id ? db_num(&case_id, prop.case_id)
					     : NULL,
				prop.ombudsman,
				prop.reference[0] ? prop.reference : NULL,
				prop.kind,
				db_date(&received, prop.received_on),
				db_date(&due, prop.due_on),
				buf_str(&reasons)};
	err = db_exec(
		db, "inbox_insert",
		"INSERT INTO inbox_message (source, message_id, sha256, size,"
		" raw, from_address, subject, sent_at, body_text, state,"
		" scan_status, scan_detail, proposed_target, proposed_case_id,"
		" proposed_ombudsman_id, proposed_reference, proposed_kind,"
		" proposed_received_on, proposed_due_on, reasons)"
		" VALUES ($1, $2, $3, $4, $5::bytea, $6, $7,"
		" to_timestamp($8::double precision), $9, $10, $11, $12, $13,"
		" $14, (SELECT id FROM ombudsman WHERE code = $15), $16, $17,"
		" $18, $19, $20)"
		" RETURNING id",
		20, params, &res);
	buf_release(&raw);
	if (err) {
		if (err == LD_ECONFLICT)
			why_set(c->why, "message",
				"this message was taken in before");
		goto out;
	}
	*c->id = db_long(res, 0, 0);
	PQclear(res);
	res = NULL;

	for (size_t i = 0; !quarantined && i < m->nattachments; i++) {
		const struct inbox_attachment *a = &m->attachments[i];
		struct buf data;
		struct db_num msg, pos, len;
		buf_init(&data, 2 * a->len + 8);
		/* Logos shown in the body are not proposed as files. */
		const char *ap[] = {db_num(&msg, *c->id),
				    db_num(&pos, (int64_t)i + 1),
				    a->name,
				    a->content_type,
				    db_num(&len, (int64_t)a->len),
				    n->attachment_sha256[i],
				    hex(&data, a->data, a->len),
				    a->inline_image ? "f" : "t"};
		err = db_exec(db, "inbox_attachment_insert",
			      "INSERT INTO inbox_attachment (message_id,"
			      " position, name, content_type, size, sha256,"
			      " content, keep_proposed)"
			      " VALUES ($1, $2, $3, $4, $5, $6, $7::bytea, $8)",
			      8, ap, NULL);
		buf_release(&data);
		if (err)
			goto out;
	}
	if (n->fetch_key) {
		struct db_num msg;
		const char *fp[] = {n->fetch_key, n->fetch_claimant,
				    db_num(&msg, *c->id)};
		err = db_exec(db, "inbox_fetch_stored",
			      "UPDATE inbox_fetch SET done_at = now(),"
			      " message_id = $3, outcome = 'stored'"
			      " WHERE key = $1 AND claimed_by = $2"
			      " AND done_at IS NULL",
			      3, fp, &res);
		if (!err && db_affected(res) != 1) {
			why_set(c->why, NULL,
				"another server's claim on this message");
			err = LD_ECONFLICT;
		}
	}
out:
	buf_release(&raw);
	buf_release(&reasons);
	PQclear(res);
	PQclear(case_res);
	rules_release(&rules);
	return finish(db, err);
}

enum ld_err inbox_store_add(struct store *s, const struct inbox_new *n,
			    const struct workcal *cal, int32_t today,
			    int64_t *id, struct why *why)
{
	struct add_ctx c = {n, cal, today, id, why};
	return db_run(s, add, &c);
}

/* One message as the Inbox page shows it (no body, no bytes). */
#define MESSAGE_JSON                                                           \
	"json_build_object('id', m.id, 'version', m.version, 'source',"        \
	" m.source, 'from', m.from_address, 'subject', m.subject,"             \
	" 'sent_at', m.sent_at, 'received_at', m.received_at, 'state',"        \
	" m.state, 'scan_status', m.scan_status, 'scan_detail',"               \
	" m.scan_detail, 'size', m.size, 'sha256', m.sha256,"                  \
	" 'age_seconds', extract(epoch FROM now() - m.received_at)::bigint,"   \
	" 'proposal', json_build_object('target', m.proposed_target,"          \
	" 'case_id', m.proposed_case_id, 'case_reference', pc.reference,"      \
	" 'ombudsman', po.code, 'reference', m.proposed_reference, 'kind',"    \
	" m.proposed_kind, 'received_on', m.proposed_received_on, 'due_on',"   \
	" m.proposed_due_on, 'reasons', string_to_array(rtrim(m.reasons,"      \
	" E'\\n'), E'\\n')),"                                                  \
	" 'correspondence_id', m.correspondence_id, 'case_id',"                \
	" cr.case_id, 'handled_by', u.name, 'handled_at',"                     \
	" m.handled_at, 'dismiss_reason', m.dismiss_reason,"                   \
	" 'attachments', (SELECT coalesce(json_agg(json_build_object('id',"    \
	" a.id, 'name', a.name, 'content_type', a.content_type, 'size',"       \
	" a.size, 'sha256', a.sha256, 'keep_proposed', a.keep_proposed,"       \
	" 'kept', a.kept) ORDER BY a.position), '[]')"                         \
	" FROM inbox_attachment a WHERE a.message_id = m.id))"
#define MESSAGE_FROM                                                           \
	" FROM inbox_message m"                                                \
	" LEFT JOIN ombudsman_case pc ON pc.id = m.proposed_case_id"           \
	" LEFT JOIN ombudsman po ON po.id = m.proposed_ombudsman_id"           \
	" LEFT JOIN correspondence cr ON cr.id = m.correspondence_id"          \
	" LEFT JOIN app_user u ON u.id = m.handled_by"

enum ld_err inbox_store_list(struct store *s, const struct principal *p,
			     char **json)
{
	if (!link_officer(p))
		return LD_EFORBIDDEN;
	return db_run_json(
		s, "inbox_list",
		"SELECT json_build_object('waiting', (SELECT coalesce("
		"json_agg(j ORDER BY at, id), '[]') FROM (SELECT " MESSAGE_JSON
		" AS j, m.received_at AS at, m.id" MESSAGE_FROM
		" WHERE m.state = 'waiting') w), 'decided', (SELECT coalesce("
		"json_agg(j ORDER BY at DESC, id DESC), '[]') FROM "
		"(SELECT " MESSAGE_JSON
		" AS j, coalesce(m.handled_at, m.received_at) AS"
		" at, m.id" MESSAGE_FROM " WHERE m.state <> 'waiting'"
		" ORDER BY coalesce(m.handled_at, m.received_at) DESC, m.id "
		"DESC"
		" LIMIT 20) d))::text",
		0, NULL, json);
}

enum ld_err inbox_store_get(struct store *s, const struct principal *p,
			    int64_t id, char **json)
{
	struct db_num n;
	const char *params[] = {db_num(&n, id)};
	if (!link_officer(p))
		return LD_EFORBIDDEN;
	return db_run_json(s, "inbox_get",
			   "SELECT (jsonb_build_object('body', m.body_text) ||"
			   " (" MESSAGE_JSON ")::jsonb)::text" MESSAGE_FROM
			   " WHERE m.id = $1",
			   1, params, json);
}

struct waiting_ctx {
	long *count, *oldest;
};

static enum ld_err waiting(struct db *db, void *arg)
{
	struct waiting_ctx *c = arg;
	PGresult *res;
	enum ld_err err =
		db_exec(db, "inbox_waiting",
			"SELECT count(*), coalesce(extract(epoch FROM now() -"
			" min(received_at))::bigint, 0) FROM inbox_message"
			" WHERE state = 'waiting'",
			0, NULL, &res);
	if (err)
		return err;
	*c->count = db_long(res, 0, 0);
	*c->oldest = db_long(res, 0, 1);
	PQclear(res);
	return LD_OK;
}

enum ld_err inbox_store_waiting(struct store *s, const struct principal *p,
				long *count, long *oldest_seconds)
{
	struct waiting_ctx c = {count, oldest_seconds};
	*count = *oldest_seconds = 0;
	if (!link_officer(p))
		return LD_EFORBIDDEN;
	return db_run(s, waiting, &c);
}

struct accept_link {
	int64_t id;
	int version;
	int64_t user_id;
	const int64_t *keep;
	int nkeep;
	struct why *why;
};

/* Inside the correspondence's own transaction: link the message to it. */
static enum ld_err link_message(struct db *db, int64_t correspondence_id,
				void *arg)
{
	struct accept_link *l = arg;
	struct db_num id, version, corr, user;
	struct buf keep;
	PGresult *res;
	enum ld_err err;
	buf_init(&keep, 1 << 16);
	const char *params[] = {
		db_num(&id, l->id), db_num(&version, l->version),
		db_num(&corr, correspondence_id), db_num(&user, l->user_id),
		l->keep ? db_id_array(&keep, l->keep, l->nkeep) : NULL};
	err = db_exec(
		db, "inbox_accepted",
		"WITH m AS (UPDATE inbox_message SET state = 'accepted',"
		" correspondence_id = $3, handled_by = $4,"
		" handled_at = now(), version = version + 1"
		" WHERE id = $1 AND version = $2 AND state = 'waiting'"
		" RETURNING id),"
		" k AS (UPDATE inbox_attachment a SET kept = true"
		" FROM m WHERE a.message_id = m.id AND CASE WHEN"
		" $5::bigint[] IS NULL THEN a.keep_proposed"
		" ELSE a.id = ANY($5::bigint[]) END RETURNING a.id)"
		" SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM k)",
		5, params, &res);
	buf_release(&keep);
	if (err)
		return err;
	if (db_long(res, 0, 0) != 1) {
		why_set(l->why, "version",
			"the message was decided or changed meanwhile: "
			"reload the Inbox");
		err = LD_ECONFLICT;
	} else if (l->keep && db_long(res, 0, 1) != l->nkeep) {
		why_set(l->why, "keep",
			"every attachment kept must be one of this message's");
		err = LD_EVALIDATION;
	}
	PQclear(res);
	return err;
}

enum ld_err inbox_store_accept(struct store *s, const struct principal *p,
			       const struct workcal *cal, int64_t id,
			       int version, int64_t case_id,
			       const struct correspondence_in *in,
			       const int64_t *keep, int nkeep, char **json,
			       struct why *why)
{
	if (!link_officer(p))
		return LD_EFORBIDDEN;
	struct accept_link l = {id, version, p->user_id, keep, nkeep, why};
	return case_store_correspond_then(s, p, cal, case_id, in, link_message,
					  &l, json, why);
}

struct dismiss_ctx {
	const struct principal *p;
	int64_t id;
	int version;
	const char *reason;
	struct why *why;
};

static enum ld_err dismiss(struct db *db, void *arg)
{
	struct dismiss_ctx *c = arg;
	struct db_num id, version, user;
	PGresult *res;
	const char *params[] = {db_num(&id, c->id),
				db_num(&version, c->version), c->reason,
				db_num(&user, c->p->user_id)};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (!err)
		err = db_exec(db, "inbox_dismiss",
			      "UPDATE inbox_message SET state = 'dismissed',"
			      " dismiss_reason = $3, handled_by = $4,"
			      " handled_at = now(), version = version + 1"
			      " WHERE id = $1 AND version = $2"
			      " AND state = 'waiting'",
			      4, params, &res);
	if (err)
		return finish(db, err);
	if (db_affected(res) != 1) {
		why_set(c->why, "version",
			"the message was decided or changed meanwhile: reload "
			"the Inbox");
		err = LD_ECONFLICT;
	}
	PQclear(res);
	return finish(db, err);
}

enum ld_err inbox_store_dismiss(struct store *s, const struct principal *p,
				int64_t id, int version, const char *reason,
				struct why *why)
{
	struct dismiss_ctx c = {p, id, version, reason, why};
	if (!link_officer(p))
		return LD_EFORBIDDEN;
	return db_run(s, dismiss, &c);
}

struct attachment_ctx {
	int64_t id;
	char **name, **content_type;
	unsigned char **data;
	size_t *len;
};

static enum ld_err attachment(struct db *db, void *arg)
{
	struct attachment_ctx *c = arg;
	struct db_num id;
	PGresult *res;
	const char *params[] = {db_num(&id, c->id)};
	enum ld_err err = db_exec(db, "inbox_attachment_get",
				  "SELECT name, content_type, content"
				  " FROM inbox_attachment WHERE id = $1"
				  " AND content IS NOT NULL",
				  1, params, &res);
	if (err)
		return err;
	if (!PQntuples(res)) {
		PQclear(res);
		return LD_ENOTFOUND;
	}
	size_t n;
	unsigned char *bytes = PQunescapeBytea(
		(const unsigned char *)PQgetvalue(res, 0, 2), &n);
	if (!bytes) {
		PQclear(res);
		return LD_EINTERNAL;
	}
	*c->data = xmalloc(n + 1);
	memcpy(*c->data, bytes, n);
	PQfreemem(bytes);
	*c->len = n;
	*c->name = xstrdup(PQgetvalue(res, 0, 0));
	*c->content_type = xstrdup(PQgetvalue(res, 0, 1));
	PQclear(res);
	return LD_OK;
}

enum ld_err inbox_store_attachment(struct store *s, const struct principal *p,
				   int64_t id, char **name, char **content_type,
				   unsigned char **data, size_t *len)
{
	struct attachment_ctx c = {id, name, content_type, data, len};
	if (!link_officer(p))
		return LD_EFORBIDDEN;
	return db_run(s, attachment, &c);
}

struct fetch_ctx {
	const char *key, *claimant, *outcome;
	long lease;
	enum inbox_claim *out;
};

static enum ld_err fetch_claim(struct db *db, void *arg)
{
	struct fetch_ctx *c = arg;
	struct db_num lease;
	PGresult *res;
	const char *params[] = {c->key, c->claimant, db_num(&lease, c->lease)};
	/*
	 * One statement: a new key is inserted claimed; a key whose claim
	 * lapsed before it was done is claimed again (to fetch), and one
	 * done but not yet moved is claimed to move (its taker keeps the
	 * claim it stored it under).  Otherwise nothing changes: another
	 * server holds it, or it is moved.  Two servers inserting one key at
	 * once: the loser's ON CONFLICT sees the winner's live claim.
	 */
	enum ld_err err = db_exec(
		db, "inbox_fetch_claim",
		"WITH c AS (INSERT INTO inbox_fetch AS f (key, claimed_by,"
		" claimed_until) VALUES ($1, $2, now() + $3 * interval '1 s')"
		" ON CONFLICT (key) DO UPDATE SET claimed_by = $2,"
		" claimed_until = now() + $3 * interval '1 s',"
		" tries = f.tries + (f.done_at IS NULL)::int"
		" WHERE f.moved_at IS NULL AND (f.claimed_until < now()"
		" OR (f.done_at IS NOT NULL AND f.claimed_by = $2))"
		" RETURNING f.done_at IS NOT NULL AS done)"
		" SELECT count(*), coalesce(bool_or(done), false) FROM c",
		3, params, &res);
	if (err)
		return err;
	if (db_long(res, 0, 0) == 0)
		*c->out = INBOX_CLAIM_BUSY;
	else if (PQgetvalue(res, 0, 1)[0] == 't')
		*c->out = INBOX_CLAIM_DONE;
	else
		*c->out = INBOX_CLAIM_TAKEN;
	PQclear(res);
	return LD_OK;
}

enum ld_err inbox_store_fetch_claim(struct store *s, const char *key,
				    const char *claimant, long lease,
				    enum inbox_claim *out)
{
	struct fetch_ctx c = {key, claimant, NULL, lease, out};
	*out = INBOX_CLAIM_BUSY;
	return db_run(s, fetch_claim, &c);
}

static enum ld_err fetch_update(struct db *db, void *arg)
{
	struct fetch_ctx *c = arg;
	const char *params[] = {c->key, c->claimant, c->outcome};
	if (!c->claimant)
		return db_exec(db, "inbox_fetch_moved",
			       "UPDATE inbox_fetch SET moved_at = now()"
			       " WHERE key = $1",
			       1, params, NULL);
	if (!c->outcome)
		return db_exec(db, "inbox_fetch_release",
			       "UPDATE inbox_fetch SET claimed_until = now()"
			       " WHERE key = $1 AND claimed_by = $2"
			       " AND done_at IS NULL",
			       2, params, NULL);
	return db_exec(
		db, "inbox_fetch_done",
		"UPDATE inbox_fetch SET done_at = now(), outcome = $3"
		" WHERE key = $1 AND claimed_by = $2 AND done_at IS NULL",
		3, params, NULL);
}

enum ld_err inbox_store_fetch_release(struct store *s, const char *key,
				      const char *claimant)
{
	struct fetch_ctx c = {key, claimant, NULL, 0, NULL};
	return db_run(s, fetch_update, &c);
}

enum ld_err inbox_store_fetch_done(struct store *s, const char *key,
				   const char *claimant, const char *outcome)
{
	struct fetch_ctx c = {key, claimant, outcome, 0, NULL};
	return db_run(s, fetch_update, &c);
}

enum ld_err inbox_store_fetch_moved(struct store *s, const char *key)
{
	struct fetch_ctx c = {key, NULL, NULL, 0, NULL};
	return db_run(s, fetch_update, &c);
}

struct retention_ctx {
	int days;
	bool dry_run;
	int32_t today;
	int count;
};

static enum ld_err retention(struct db *db, void *arg)
{
	struct retention_ctx *c = arg;
	struct db_num days;
	struct db_date today;
	PGresult *res = NULL;
	const char *params[] = {db_num(&days, c->days),
				db_date(&today, c->today),
				c->dry_run ? "t" : "f"};
	enum ld_err err = db_begin(db);
	if (err)
		return err;
	/*
	 * As evidence files: a message registered on a case closed longer
	 * ago than the retention period, and one dismissed or held back that
	 * long ago, loses its bytes, text and attachments' contents; its
	 * hashes, sender, subject, decision and proposal stay.
	 */
	err = db_exec(
		db, "inbox_retention",
		"WITH due AS (SELECT m.id FROM inbox_message m"
		"  LEFT JOIN correspondence k ON k.id = m.correspondence_id"
		"  LEFT JOIN ombudsman_case c ON c.id = k.case_id"
		"  WHERE (m.raw IS NOT NULL OR m.body_text <> '' OR EXISTS"
		"   (SELECT 1 FROM inbox_attachment a WHERE a.message_id = m.id"
		"    AND a.content IS NOT NULL))"
		"  AND ((m.state = 'accepted' AND c.stage = 'closed'"
		"    AND c.closed_on < $2::date - $1::int)"
		"   OR (m.state IN ('dismissed', 'quarantined') AND"
		"    coalesce(m.handled_at, m.received_at)::date <"
		"    $2::date - $1::int))"
		"  FOR UPDATE OF m),"
		" a AS (UPDATE inbox_attachment SET content = NULL"
		"  WHERE message_id IN (SELECT id FROM due) AND NOT $3),"
		" m AS (UPDATE inbox_message SET raw = NULL, body_text = '',"
		"  version = version + 1"
		"  WHERE id IN (SELECT id FROM due) AND NOT $3)"
		" SELECT count(*) FROM due",
		3, params, &res);
	if (!err) {
		c->count = (int)db_long(res, 0, 0);
		PQclear(res);
	}
	return finish(db, err);
}

enum ld_err inbox_store_retention(struct store *s, int days, bool dry_run,
				  int32_t today, int *count)
{
	struct retention_ctx c = {days, dry_run, today, 0};
	enum ld_err err = db_run(s, retention, &c);
	*count = c.count;
	return err;
}
