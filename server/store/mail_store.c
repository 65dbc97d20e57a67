#include "mail_store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store_int.h"
#include "date.h"
#include "log.h"
#include "xalloc.h"

struct claim_ctx {
	long lease;
	struct outbox_msg *m;
	bool found;
};

static enum ld_err claim(struct db *db, void *arg)
{
	struct claim_ctx *c = arg;
	struct db_num lease;
	PGresult *res;
	const char *params[] = {db_num(&lease, c->lease)};
	/*
	 * One row: the claim guards exactly one try.  Its time left is read
	 * from the database's clock, the one every server's claim compares
	 * with.
	 */
	enum ld_err err = db_exec(
		db, "outbox_claim_one",
		"UPDATE outbox o SET attempts = o.attempts + 1,"
		" next_attempt_at = now() + make_interval(secs => $1)"
		" FROM (SELECT id FROM outbox WHERE status = 'queued'"
		"  AND next_attempt_at <= now() ORDER BY id LIMIT 1"
		"  FOR UPDATE SKIP LOCKED) due"
		" WHERE o.id = due.id"
		" RETURNING o.id, o.attempts, o.recipient, o.subject, o.body,"
		" o.invite::text, coalesce(o.task_id, 0),"
		" extract(epoch FROM o.next_attempt_at - clock_timestamp()),"
		" o.kind, outbox_facts_of(o)",
		1, params, &res);
	if (err)
		return err;
	c->found = PQntuples(res) == 1;
	if (c->found) {
		struct outbox_msg *m = c->m;
		m->id = db_long(res, 0, 0);
		m->attempts = (int)db_long(res, 0, 1);
		m->recipient = xstrdup(PQgetvalue(res, 0, 2));
		m->subject = xstrdup(PQgetvalue(res, 0, 3));
		m->body = xstrdup(PQgetvalue(res, 0, 4));
		m->task_id = db_long(res, 0, 6);
		m->invite = PQgetisnull(res, 0, 5)
				    ? NULL
				    : xstrdup(PQgetvalue(res, 0, 5));
		m->claim_left = strtod(PQgetvalue(res, 0, 7), NULL);
		m->kind = xstrdup(PQgetvalue(res, 0, 8));
		m->facts = PQgetisnull(res, 0, 9)
				   ? NULL
				   : xstrdup(PQgetvalue(res, 0, 9));
		m->message = NULL;
	}
	PQclear(res);
	return LD_OK;
}

enum ld_err outbox_store_claim(struct store *s, long lease,
			       struct outbox_msg *m, bool *found)
{
	struct claim_ctx c = {lease, m, false};
	memset(m, 0, sizeof(*m));
	enum ld_err err = db_run(s, claim, &c);
	*found = !err && c.found;
	return err;
}

void outbox_msg_release(struct outbox_msg *m)
{
	free(m->recipient);
	free(m->subject);
	free(m->body);
	free(m->invite);
	free(m->kind);
	free(m->facts);
	free(m->message);
	memset(m, 0, sizeof(*m));
}

struct mark_ctx {
	int64_t id;
	const char *subject;
	int attempts;
	const char *why;
	int max;
	long retry;
	int limit;
	int n;
};

static enum ld_err mark_sent(struct db *db, void *arg)
{
	struct mark_ctx *c = arg;
	struct db_num n, attempts;
	PGresult *res;
	const char *params[] = {db_num(&n, c->id), c->subject,
				db_num(&attempts, c->attempts)};
	/* This try's claim only, as for a failure. */
	enum ld_err err =
		db_exec(db, "outbox_sent",
			"UPDATE outbox SET status = 'sent', sent_at = now(),"
			" last_error = '', subject = left($2, 1000)"
			" WHERE id = $1 AND attempts = $3::int",
			3, params, &res);
	if (err)
		return err;
	if (!db_affected(res))
		log_warn("outbox %lld: sent, but another server claimed it "
			 "since: it may be sent twice (same Message-ID)",
			 (long long)c->id);
	PQclear(res);
	return LD_OK;
}

/*
 * Evidence emailed to the Ombudsman (kind "evidence"), now that the mail
 * server has taken it: the exact message recorded and the task's version
 * recorded sent, in one transaction, guarded by this try's claim.
 */
static enum ld_err mark_evidence_sent(struct db *db, void *arg)
{
	struct mark_ctx *c = arg;
	struct db_num n, attempts;
	PGresult *res = NULL;
	const char *params[] = {db_num(&n, c->id), c->subject,
				db_num(&attempts, c->attempts), c->why};
	enum ld_err err = db_begin(db);
	if (!err)
		err = db_exec(
			db, "outbox_evidence_sent",
			"UPDATE outbox SET status = 'sent', sent_at = now(),"
			" last_error = '', subject = left($2, 1000), body = $4"
			" WHERE id = $1 AND attempts = $3::int"
			" RETURNING task_id, facts->>'dated_on',"
			" coalesce(facts->>'actor_id', '0')",
			4, params, &res);
	if (err)
		return finish(db, err);
	if (PQntuples(res) != 1) {
		log_warn("outbox %lld: sent, but another server claimed it "
			 "since: it may be sent twice (same Message-ID)",
			 (long long)c->id);
		PQclear(res);
		return finish(db, LD_OK);
	}
	int64_t task_id = db_long(res, 0, 0);
	int64_t actor = db_long(res, 0, 2);
	int32_t dated_on = 0;
	(void)date_parse(PQgetvalue(res, 0, 1), &dated_on);
	PQclear(res);
	res = NULL;
	const char *tp[] = {db_num(&n, task_id), db_num(&attempts, actor)};
	err = db_exec(db, "outbox_evidence_task",
		      "SELECT t.status = 'validated', set_config("
		      "'linkdesk.actor', $2, true) FROM task t WHERE t.id = $1"
		      " FOR UPDATE",
		      2, tp, &res);
	if (!err && PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't')
		err = task_record_sent(db, task_id, dated_on, "email", actor);
	else if (!err)
		log_warn("outbox %lld: evidence sent, but its task %lld is no "
			 "longer validated: not recorded as sent",
			 (long long)c->id, (long long)task_id);
	PQclear(res);
	return finish(db, err);
}

enum ld_err outbox_store_sent(struct store *s, const struct outbox_msg *m)
{
	struct mark_ctx c = {
		.id = m->id, .subject = m->subject, .attempts = m->attempts};
	if (m->kind && !strcmp(m->kind, "evidence") && m->message) {
		c.why = m->message;
		return db_run(s, mark_evidence_sent, &c);
	}
	return db_run(s, mark_sent, &c);
}

/*
 * The wait after a message's nth try (n an SQL expression): retry ($4) *
 * 2^(n - 1), at most an hour.
 */
#define BACKOFF(n)                                                             \
	"make_interval(secs => least($4::float8 * power(2, greatest(" n        \
	" - 1, 0)), 3600))"

static enum ld_err mark_failed(struct db *db, void *arg)
{
	struct mark_ctx *c = arg;
	struct db_num n, max, retry, attempts;
	const char *params[] = {db_num(&n, c->id),
				c->why,
				db_num(&max, c->max),
				db_num(&retry, c->retry),
				db_num(&attempts, c->attempts),
				c->subject};
	/* Only this try's claim: a server that took it since keeps it. */
	return db_exec(db, "outbox_failed",
		       "UPDATE outbox o SET last_error = left($2, 500),"
		       " next_attempt_at = now() + " BACKOFF(
			       "o.attempts") ","
					     " status = CASE WHEN o.attempts "
					     ">= $3::int THEN 'failed'"
					     " ELSE 'queued' END, subject = "
					     "left($6, 1000)"
					     " WHERE o.id = $1"
					     " AND o.attempts = $5::int AND "
					     "o.status = 'queued'",
		       6, params, NULL);
}

enum ld_err outbox_store_failed(struct store *s, const struct outbox_msg *m,
				const char *why, int max_attempts, long retry)
{
	struct mark_ctx c = {.id = m->id,
			     .subject = m->subject,
			     .attempts = m->attempts,
			     .why = why,
			     .max = max_attempts,
			     .retry = retry};
	return db_run(s, mark_failed, &c);
}

static enum ld_err mark_dropped(struct db *db, void *arg)
{
	struct mark_ctx *c = arg;
	struct db_num n, attempts;
	const char *params[] = {db_num(&n, c->id), c->why,
				db_num(&attempts, c->attempts)};
	return db_exec(db, "outbox_dropped",
		       "UPDATE outbox SET status = 'dropped',"
		       " last_error = left($2, 500)"
		       " WHERE id = $1 AND attempts = $3::int"
		       " AND status = 'queued'",
		       3, params, NULL);
}

enum ld_err outbox_store_dropped(struct store *s, const struct outbox_msg *m,
				 const char *why)
{
	struct mark_ctx c = {.id = m->id, .attempts = m->attempts, .why = why};
	return db_run(s, mark_dropped, &c);
}

static enum ld_err defer(struct db *db, void *arg)
{
	struct mark_ctx *c = arg;
	struct db_num limit, max, retry;
	PGresult *res;
	const char *params[] = {db_num(&limit, c->limit), c->why,
				db_num(&max, c->max), db_num(&retry, c->retry)};
	enum ld_err err = db_exec(
		db, "outbox_defer",
		"UPDATE outbox o SET attempts = o.attempts + 1,"
		" last_error = left($2, 500),"
		" next_attempt_at = now() + " BACKOFF(
			"(o.attempts + 1)") ","
					    " status = CASE WHEN o.attempts + "
					    "1 >= $3::int THEN 'failed'"
					    " ELSE 'queued' END"
					    " FROM (SELECT id FROM outbox "
					    "WHERE status = 'queued'"
					    "  AND next_attempt_at <= now() "
					    "ORDER BY id LIMIT $1"
					    "  FOR UPDATE SKIP LOCKED) due"
					    " WHERE o.id = due.id RETURNING "
					    "o.id",
		4, params, &res);
	if (err)
		return err;
	c->n = PQntuples(res);
	PQclear(res);
	return LD_OK;
}

enum ld_err outbox_store_defer(struct store *s, int limit, const char *why,
			       int max_attempts, long retry, int *n)
{
	struct mark_ctx c = {.why = why,
			     .max = max_attempts,
			     .retry = retry,
			     .limit = limit};
	enum ld_err err = db_run(s, defer, &c);
	*n = c.n;
	return err;
}

struct split_ctx {
	int limit;
	int notices, made;
};

static enum ld_err split(struct db *db, void *arg)
{
	struct split_ctx *c = arg;
	struct db_num limit;
	PGresult *res;
	const char *params[] = {db_num(&limit, c->limit)};
	/*
	 * The notice's time is its messages': they were queued then.  Oldest
	 * first, sorted from the index of the pending notices (no index of
	 * them by time alone: sql/040_pending_by_time.sql).  Its people are
	 * those active now, as task_doers() chose them.
	 */
	enum ld_err err = db_exec(
		db, "outbox_split",
		"WITH n AS (UPDATE outbox o SET status = 'split'"
		"  FROM (SELECT id FROM outbox WHERE status = 'pending'"
		"  ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED) p"
		"  WHERE o.id = p.id RETURNING o.*),"
		" m AS (INSERT INTO outbox (kind, recipient, user_id, case_id,"
		"  task_id, facts, facts_id, created_at)"
		"  SELECT n.kind, u.email, u.id, n.case_id, n.task_id, n.facts,"
		"  n.facts_id, n.created_at FROM n, unnest(n.recipients)"
		"  r(user_id) JOIN app_user u ON u.id = r.user_id AND u.active"
		"  RETURNING 1)"
		" SELECT (SELECT count(*) FROM n), count(*) FROM m",
		1, params, &res);
	if (err)
		return err;
	c->notices = (int)db_long(res, 0, 0);
	c->made = (int)db_long(res, 0, 1);
	PQclear(res);
	return LD_OK;
}

enum ld_err outbox_store_split(struct store *s, int limit, int *notices,
			       int *made)
{
	struct split_ctx c = {.limit = limit};
	enum ld_err err = db_run(s, split, &c);
	*notices = c.notices;
	*made = c.made;
	return err;
}

struct retry_ctx {
	const struct principal *p;
	int64_t id;
};

static enum ld_err retry(struct db *db, void *arg)
{
	struct retry_ctx *c = arg;
	struct db_num n, who;
	PGresult *res;
	const char *params[] = {db_num(&n, c->id), db_num(&who, c->p->user_id)};
	enum ld_err err = db_begin_as(db, c->p->user_id);
	if (err)
		goto out;
	err = db_exec(
		db, "outbox_retry",
		"WITH r AS (UPDATE outbox SET status = 'queued', attempts = 0,"
		"  next_attempt_at = now() WHERE id = $1 AND status ="
		"  'failed' RETURNING id)"
		" INSERT INTO audit_log (actor_id, action, entity, entity_id)"
		" SELECT $2, 'retry', 'outbox', id FROM r RETURNING id",
		2, params, &res);
	if (err)
		goto out;
	if (PQntuples(res) == 0)
		err = LD_ENOTFOUND;
	PQclear(res);
out:
	return finish(db, err);
}

enum ld_err outbox_store_retry(struct store *s, const struct principal *p,
			       int64_t id)
{
	struct retry_ctx c = {p, id};
	return db_run(s, retry, &c);
}

struct days_ctx {
	int32_t *days;
	int n;
};

static enum ld_err set_days(struct db *db, void *arg)
{
	struct days_ctx *c = arg;
	PGresult *res;
	enum ld_err err =
		db_exec(db, "remind_days",
			/* One probe of task_remind_set a day (sql/037), where
			 * DISTINCT read every open task. */
			"WITH RECURSIVE d(day) AS (SELECT min(set_on) FROM task"
			"  WHERE task_remindable(status, paused_on)"
			" UNION ALL SELECT (SELECT min(set_on) FROM task"
			"  WHERE task_remindable(status, paused_on)"
			"  AND set_on > d.day) FROM d WHERE d.day IS NOT NULL)"
			" SELECT day FROM d WHERE day IS NOT NULL",
			0, NULL, &res);
	if (err)
		return err;
	c->n = PQntuples(res);
	c->days = xcalloc((size_t)c->n + 1, sizeof(*c->days));
	for (int i = 0; i < c->n; i++)
		c->days[i] = db_day(res, i, 0);
	PQclear(res);
	return LD_OK;
}

enum ld_err remind_store_set_days(struct store *s, int32_t **days, int *n)
{
	struct days_ctx c = {NULL, 0};
	enum ld_err err = db_run(s, set_days, &c);
	*days = c.days;
	*n = c.n;
	return err;
}

/*
 * Tasks one sweep transaction reminds at most: the
 * first sweep of a large organisation (a hundred thousand reminders) is a
 * row of short transactions, none holding its locks for long, and one
 * interrupted keeps the batches committed before it.
 */
#define SWEEP_BATCH 10000

struct due_ctx {
	int32_t today;
	const char *slots;
	PGresult *pairs;
	/* The mark's count as read, and the queued tasks the read settled. */
	char n[24];
	char *settled;
	bool marked;
};

#define WAKE_MAX "10000"

/* The slots of the day: set_on, and its latest slot by today ($1). */
#define DUE_SLOTS                                                              \
	"WITH s AS MATERIALIZED (SELECT * FROM json_to_recordset($2::json)"    \
	"  AS s(set_on date, slot date) WHERE s.slot <= $1::date)"
/* The same as one object, {set_on: slot}: a few tasks look theirs up
 * in it, where a join with the rows would loop over them for each. */
#define DUE_SLOT_OF                                                            \
	"WITH s AS MATERIALIZED (SELECT jsonb_object_agg(s.set_on, s.slot)"    \
	"  AS o FROM json_to_recordset($2::json) AS s(set_on date, slot date)" \
	"  WHERE s.slot <= $1::date)"

/*
 * The (task, slot) pairs due by today and not yet reminded, in task order,
 * and the tasks queued in reminder_wake that this read has settled: one
 * snapshot, no lock held.  Read apart from the inserts (in one statement,
 * the check would read the rows being inserted, once per task).
 *
 * When the last sweep to remind every pair it read had this day and these
 * slots (reminder_swept), every task remindable then has its reminder, and
 * every task that has become remindable since is queued: the queue is read
 * alone.  Otherwise every remindable task is: each pair's slot is a latest
 * slot, no older than the oldest in slots_json, so the reminders of those
 * few days are read once (reminder_slot) and matched by hash, where a probe
 * a task (95,000 of them at full size) was most of what a sweep paid.
 *
 * Every queued task this read sees is settled by the mark it leaves: one
 * whose day set has no slot in these slots is due only under other slots,
 * and a sweep with other slots is not marked, so it reads every task.  A
 * queue longer than WAKE_MAX (a bulk load) is read as every task is.
 */
static enum ld_err due_pairs(struct db *db, void *arg)
{
	struct due_ctx *c = arg;
	struct db_date today;
	const char *params[] = {db_date(&today, c->today), c->slots};
	PGresult *res = NULL;
	enum ld_err err =
		db_exec(db, "remind_due_begin",
			"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
			NULL, NULL);
	if (!err)
		err = db_exec(db, "remind_due_mark",
			      /* One row even with the mark's row gone: never
			       * marked, and no mark written over it. */
			      "SELECT coalesce(max(n), -1), coalesce(bool_or("
			      "day = $1::date AND slots = md5($2)), false)"
			      " AND (SELECT count(*) FROM (SELECT FROM"
			      " reminder_wake LIMIT " WAKE_MAX
			      " + 1) w) <= " WAKE_MAX " FROM reminder_swept",
			      2, params, &res);
	if (err)
		goto out;
	snprintf(c->n, sizeof(c->n), "%s", PQgetvalue(res, 0, 0));
	c->marked = *PQgetvalue(res, 0, 1) == 't';
	PQclear(res);
	res = NULL;
	if (c->marked)
		err = db_exec(
			db, "remind_due_woken",
			/* Each queued task by its key, whatever the table's
			 * statistics: as a join, the queue was hashed against
			 * every remindable task (42 ms at full size). */
			DUE_SLOT_OF
			" SELECT t.id, d.slot FROM s, task t,"
			" LATERAL (SELECT (s.o ->> t.set_on::text)::date"
			"  AS slot) d"
			" WHERE t.id = ANY (ARRAY(SELECT task_id"
			"  FROM reminder_wake))"
			" AND task_remindable(t.status, t.paused_on)"
			" AND d.slot > t.set_on AND NOT EXISTS (SELECT 1"
			"  FROM reminder r WHERE r.task_id = t.id"
			"  AND r.slot = d.slot) ORDER BY t.id",
			2, params, &c->pairs);
	else
		err = db_exec(
			db, "remind_due",
			DUE_SLOTS
			", done AS MATERIALIZED (SELECT r.task_id, r.slot"
			"  FROM reminder r"
			"  WHERE r.slot >= (SELECT min(slot) FROM s)"
			"  AND r.slot <= $1::date)"
			" SELECT t.id, s.slot FROM task t JOIN s ON s.set_on ="
			" t.set_on"
			" LEFT JOIN done d ON d.task_id = t.id AND d.slot = "
			"s.slot"
			" WHERE task_remindable(t.status, t.paused_on)"
			" AND s.slot > t.set_on"
			" AND d.task_id IS NULL ORDER BY t.id",
			2, params, &c->pairs);
	if (!err)
		err = db_exec(db, "remind_due_settled",
			      "SELECT coalesce(array_agg(id), '{}')"
			      " FROM reminder_wake",
			      0, NULL, &res);
	if (!err)
		c->settled = xstrdup(PQgetvalue(res, 0, 0));
out:
	PQclear(res);
	return finish(db, err);
}

/*
 * After a sweep that reminded every pair it read: its queued tasks deleted
 * and its mark written, in one statement, and only if no other sweep has
 * marked since this one's read.  Such a sweep deleted the tasks it read and
 * marked its own day and slots; a mark written over it would promise that
 * tasks queued after this read are still queued.
 */
static enum ld_err settle(struct db *db, void *arg)
{
	struct due_ctx *c = arg;
	struct db_date today;
	const char *params[] = {db_date(&today, c->today), c->slots, c->n,
				c->settled};
	return db_exec(
		db, "remind_settle",
		"WITH m AS (UPDATE reminder_swept SET day = $1::date,"
		" slots = md5($2), n = n + 1 WHERE n = $3::bigint"
		" RETURNING 1)"
		" DELETE FROM reminder_wake WHERE id = ANY ($4::bigint[])"
		" AND EXISTS (SELECT 1 FROM m)",
		4, params, NULL);
}

struct batch_ctx {
	int32_t today;
	const PGresult *pairs;
	int from, n, queued;
};

/*
 * Pairs [from, from + n) in one transaction: each task locked and checked
 * again (tasks another server is sweeping are skipped, to the next sweep)
 * and its reminder row inserted (the unique (task, slot) key stops a
 * second one).  The batch holds reminder_mailed FOR SHARE, so the mail
 * (remind_mail) waits for it to commit before it reads what to mail.
 */
static enum ld_err sweep_batch(struct db *db, void *arg)
{
	struct batch_ctx *c = arg;
	struct buf ids, slots;
	PGresult *res = NULL;
	enum ld_err err;

	buf_init(&ids, (size_t)c->n * 24 + 16);
	buf_init(&slots, (size_t)c->n * 12 + 16);
	buf_addch(&ids, '{');
	buf_addch(&slots, '{');
	for (int i = c->from; i < c->from + c->n; i++) {
		if (i > c->from) {
			buf_addch(&ids, ',');
			buf_addch(&slots, ',');
		}
		buf_addstr(&ids, PQgetvalue(c->pairs, i, 0));
		buf_addstr(&slots, PQgetvalue(c->pairs, i, 1));
	}
	buf_addch(&ids, '}');
	buf_addch(&slots, '}');
	const char *params[] = {buf_str(&ids), buf_str(&slots)};
	err = db_begin(db);
	if (!err)
		err = db_exec(db, "remind_share",
			      "SELECT 1 FROM reminder_mailed FOR SHARE", 0,
			      NULL, NULL);
	if (!err)
		err = db_exec(
			db, "remind_sweep",
			"WITH due AS (SELECT t.id, d.slot"
			"  FROM unnest($1::bigint[], $2::date[]) AS d(id, slot)"
			"  JOIN task t ON t.id = d.id"
			"  WHERE task_remindable(t.status, t.paused_on)"
			"  FOR UPDATE OF t SKIP LOCKED)"
			" INSERT INTO reminder (task_id, slot)"
			" SELECT id, slot FROM due ON CONFLICT DO NOTHING"
			" RETURNING task_id",
			2, params, &res);
	if (!err)
		c->queued = PQntuples(res);
	PQclear(res);
	buf_release(&ids);
	buf_release(&slots);
	return finish(db, err);
}

/* The last reminder id handed out (0: none yet); the sequence caches
 * none (sql/041), so no id below it can still be handed out. */
#define REMINDER_NUMBERED                                                      \
	"(SELECT CASE WHEN is_called THEN last_value ELSE 0 END"               \
	" FROM reminder_id_seq)"

struct mail_ctx {
	int32_t today;
	int mailed;
};

/*
 * A mail's list of tasks (rows d with facts, due and id) meeting cond, in
 * due order, or NULL when none does; and a template's section of it:
 * {"tasks": [...]}, or null when empty, so a section is one more key in
 * the facts and one more block in the templates.  The reminders and the
 * digest alike.
 */
#define TASK_LIST(cond)                                                        \
	"json_agg(d.facts ORDER BY d.due, d.id) FILTER (WHERE " cond ")"
#define TASK_SECTION(list)                                                     \
	"CASE WHEN " list " IS NOT NULL THEN json_build_object('tasks', " list \
	") END"

/*
 * The reminders not yet mailed, as one message to each person naming their
 * tasks (task_ids) and the day: the sender reads the tasks as they are
 * when it sends.  First the lock on reminder_mailed, in a statement of its
 * own: once it is held no batch is in flight, and the next statement's
 * snapshot sees every reminder written.  Whoever must do each task is
 * task_doers(), asked once for each (assignee, area) the tasks have.
 */
static enum ld_err remind_mail(struct db *db, void *arg)
{
	struct mail_ctx *c = arg;
	struct db_date today;
	PGresult *res = NULL;
	const char *params[] = {db_date(&today, c->today)};
	enum ld_err err = db_begin(db);
	if (!err)
		err = db_exec(db, "remind_mail_lock",
			      "SELECT upto FROM reminder_mailed FOR UPDATE", 0,
			      NULL, NULL);
	/* Once the lock is held, every reminder numbered (only a batch
	 * numbers one, holding the lock shared) is committed or rolled
	 * back: none numbered past the last mailed, nothing to mail, and the
	 * newest reminders' pages (their BRIN range, the whole of a day's
	 * sweep, until it is summarised) are not read.  A statement of its
	 * own, read after the lock. */
	if (!err)
		err = db_exec(db, "remind_mail_new",
			      "SELECT " REMINDER_NUMBERED " > upto"
			      " FROM reminder_mailed",
			      0, NULL, &res);
	bool none = !err && *PQgetvalue(res, 0, 0) != 't';
	PQclear(res);
	res = NULL;
	if (!err && !none)
		err = db_exec(
			db, "remind_mail",
			"WITH r AS MATERIALIZED (SELECT r.id, t.id AS task_id,"
			"  coalesce(t.assignee_id, 0) AS assignee, "
			"t.service_area_id"
			"  FROM reminder r JOIN task t ON t.id = r.task_id"
			"  WHERE r.id > (SELECT upto FROM reminder_mailed)"
			/* The tasks a sweep reminds (task_remind_set), as a
			 * hash of 100,000 at full size, not a scan of every
			 * task. */
			"  AND task_remindable(t.status, t.paused_on)),"
			/* Past every reminder numbered, mailed or not (its
			 * task closed, or its number spent on a conflict). */
			" up AS (UPDATE reminder_mailed SET upto = greatest("
			"upto, " REMINDER_NUMBERED ")),"
			" who AS MATERIALIZED (SELECT p.assignee, "
			"p.service_area_id,"
			"  u.id, u.email"
			"  FROM (SELECT DISTINCT assignee, service_area_id "
			"FROM r) p"
			"  JOIN LATERAL task_doers(nullif(p.assignee, 0),"
			"  p.service_area_id) u ON true)"
			" INSERT INTO outbox (kind, recipient, user_id, "
			"task_ids, "
			"facts)"
			" SELECT 'reminders', w.email, w.id, "
			"array_agg(DISTINCT "
			"r.task_id),"
			" jsonb_build_object('today', $1::date)"
			" FROM r JOIN who w ON w.assignee = r.assignee"
			" AND w.service_area_id = r.service_area_id"
			" GROUP BY w.id, w.email RETURNING id",
			1, params, &res);
	if (!err && !none)
		c->mailed = PQntuples(res);
	PQclear(res);
	return finish(db, err);
}

enum ld_err remind_store_mail_tasks(struct store *s, int64_t outbox_id,
				    int32_t today, char **json)
{
	struct db_date d;
	struct db_num id;
	const char *params[] = {db_date(&d, today), db_num(&id, outbox_id)};
	*json = NULL;
	/* Overdue first, each section in due order, as the digest lists. */
	return db_run_json(
		s, "remind_mail_tasks",
		"SELECT json_build_object('count', l.n,"
		" 'overdue', " TASK_SECTION(
			"l.overdue") ","
				     " 'open', " TASK_SECTION(
					     "l.open") ")"
						       " FROM (SELECT count(*) "
						       "AS n, " TASK_LIST(
							       "d.late") " AS "
									 "overd"
									 "ue,"
									 " " TASK_LIST(
										 "NOT d.late") " AS open"
											       " FROM (SELECT t.id, effective_due(t) AS due,"
											       "  task_overdue(t, $1::date) AS late, " REMINDER_FACTS
											       " AS facts"
											       "  FROM outbox x JOIN task t ON t.id = ANY (x.task_ids)"
											       "  JOIN ombudsman_case c ON c.id = t.case_id"
											       "  JOIN ombudsman o ON o.id = c.ombudsman_id"
											       "  WHERE x.id = $2 AND task_remindable(t.status, t.paused_on)) d)"
											       " l",
		2, params, json);
}

enum ld_err remind_store_sweep_batches(struct store *s, int32_t today,
				       const char *slots_json, int batch,
				       int max_batches,
				       struct remind_sweep *out)
{
	struct due_ctx d = {.today = today, .slots = slots_json};
	int batches = 0;

	bool stopped = false;

	memset(out, 0, sizeof(*out));
	enum ld_err err = db_run(s, due_pairs, &d);
	int n = err ? 0 : PQntuples(d.pairs);
	for (int from = 0; !err && from < n; from += batch) {
		if (max_batches && batches++ == max_batches) {
			stopped = true;
			break;
		}
		struct batch_ctx b = {today, d.pairs, from,
				      n - from < batch ? n - from : batch, 0};
		err = db_run(s, sweep_batch, &b);
		out->reminders += b.queued;
	}
	PQclear(d.pairs);
	/* Every pair reminded by this sweep: none skipped as held elsewhere,
	 * reminded by another sweep meanwhile, or closed since the read. */
	if (!err && !stopped && out->reminders == n &&
	    !(d.marked && !strcmp(d.settled, "{}")))
		err = db_run(s, settle, &d);
	free(d.settled);
	/* Also after a sweep that wrote none: an earlier one may have been
	 * stopped between its batches and its mail. */
	struct mail_ctx m = {today, 0};
	if (!err && !stopped)
		err = db_run(s, remind_mail, &m);
	out->mails = m.mailed;
	return err;
}

enum ld_err remind_store_sweep(struct store *s, int32_t today,
			       const char *slots_json, struct remind_sweep *out)
{
	return remind_store_sweep_batches(s, today, slots_json, SWEEP_BATCH, 0,
					  out);
}

struct digest_ctx {
	int32_t today, horizon;
	bool monday;
	int queued;
};

static enum ld_err digest(struct db *db, void *arg)
{
	struct digest_ctx *c = arg;
	struct db_date today, horizon;
	PGresult *res = NULL;
	const char *params[] = {db_date(&today, c->today),
				db_date(&horizon, c->horizon),
				c->monday ? "t" : "f"};
	enum ld_err err = db_begin(db);
	if (err)
		goto out;
	/*
	 * Areas whose digest is due today claim their (area, day) row; area 0
	 * is the link officers' digest of every area.  The same overdue and
	 * nearly-overdue functions as the reports.
	 */
	err = db_exec(
		db, "digest",
		"WITH claimed AS (INSERT INTO digest_run (area_id, day)"
		"  SELECT id, $1::date FROM service_area"
		"  WHERE active AND ($3 OR digest_daily)"
		"  UNION ALL SELECT 0, $1::date WHERE $3"
		"  ON CONFLICT DO NOTHING RETURNING area_id),"
		/* Read only when a digest was claimed: the day's later
		 * sweeps claim none and read nothing. */
		" due AS MATERIALIZED (SELECT t.id, t.service_area_id,"
		"  effective_due(t) AS due, task_overdue(t, $1::date) AS late,"
		"  json_build_object(" TASK_FACTS ") AS facts"
		"  FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		"  JOIN ombudsman o ON o.id = c.ombudsman_id"
		"  WHERE EXISTS (SELECT 1 FROM claimed)"
		"  AND (task_overdue(t, $1::date)"
		"  OR task_nearly_overdue(t, $1::date, $2::date))),"
		/* Each area's tasks, and area 0's: every area's. */
		" lines AS (SELECT d.service_area_id AS area_id,"
		"  " TASK_LIST(
			"d.late") " AS overdue,"
				  "  " TASK_LIST(
					  "NOT d.late") " AS due_soon,"
							"  count(*) AS n FROM "
							"due d"
							"  WHERE "
							"d.service_area_id IN "
							"(SELECT area_id FROM "
							"claimed)"
							"  GROUP BY 1"
							"  UNION ALL SELECT 0,"
							"  " TASK_LIST("d.late") ", " TASK_LIST(
								"NOT d.late") ","
									      "  count(*) FROM due d"
									      "  WHERE 0 IN (SELECT area_id FROM claimed) HAVING count(*) > "
									      "0),"
									      /* Who reads each: the link officers area 0's; an area's head
									       * of service and service officers theirs. */
									      " who AS (SELECT l.area_id, u.id, u.email FROM lines l"
									      "  JOIN user_role r ON r.role = 'link_officer'"
									      "  JOIN app_user u ON u.id = r.user_id AND u.active"
									      "  WHERE l.area_id = 0"
									      "  UNION SELECT l.area_id, u.id, u.email FROM lines l"
									      "  JOIN service_area a ON a.id = l.area_id"
									      "  JOIN app_user u ON u.id = a.head_of_service_id AND u.active"
									      "  UNION SELECT l.area_id, u.id, u.email FROM lines l"
									      "  JOIN app_user u ON u.service_area_id = l.area_id AND "
									      "u.active"
									      "  JOIN user_role r ON r.user_id = u.id"
									      "  AND r.role = 'service_officer')"
									      /* The facts of mail_digest, in sections (TASK_SECTION),
									       * built and stored once a digest, however many read it. */
									      " , page AS (INSERT INTO outbox_facts (facts)"
									      "  SELECT json_build_object("
									      "  'area', (SELECT name FROM service_area WHERE id ="
									      "  l.area_id), 'area_id', l.area_id, 'today', $1::date,"
									      "  'count', l.n,"
									      "  'overdue', " TASK_SECTION(
										      "l.overdue") ","
												   "  'due_soon', " TASK_SECTION(
													   "l.due_soon") ")"
															 "  FROM lines l WHERE l.area_id IN (SELECT area_id FROM who)"
															 "  RETURNING id, (facts->>'area_id')::bigint AS area_id)"
															 " INSERT INTO outbox (kind, recipient, user_id, facts_id)"
															 " SELECT 'digest', w.email, w.id, p.id"
															 " FROM who w JOIN page p ON p.area_id = w.area_id RETURNING id",
		3, params, &res);
	if (err)
		goto out;
	c->queued = PQntuples(res);
	err = db_commit(db);
out:
	PQclear(res);
	if (err)
		db_rollback(db);
	return err;
}

enum ld_err mail_store_installation_id(struct store *s, char *out, size_t len)
{
	char *json = NULL;
	enum ld_err err =
		db_run_json(s, "installation_id",
			    "SELECT to_json(value) FROM setting WHERE name ="
			    " 'installation_id'",
			    0, NULL, &json);
	json_t *v =
		err || !json ? NULL : json_loads(json, JSON_DECODE_ANY, NULL);
	free(json);
	if (!err && !json_is_string(v))
		err = LD_ENOTFOUND;
	if (!err)
		snprintf(out, len, "%s", json_string_value(v));
	json_decref(v);
	return err;
}

enum ld_err remind_store_digest(struct store *s, int32_t today, int32_t horizon,
				bool monday, int *queued)
{
	struct digest_ctx c = {today, horizon, monday, 0};
	enum ld_err err = db_run(s, digest, &c);
	*queued = c.queued;
	return err;
}
