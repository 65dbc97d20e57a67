/*
 * Queueing evidence for the Ombudsman by email (include/evidence_mail.h):
 * one transaction that checks what the send action checks (core's rule,
 * the files ready) and queues one outbox row naming the validated
 * version's files by hash.  The task is recorded sent by the outbox once
 * the mail server has taken the message, never here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_store_int.h"
#include "evidence_mail.h"
#include "workflow.h"

struct queue_ctx {
	const struct principal *p;
	int64_t task_id;
	int version;
	int32_t today;
	long max_bytes;
	bool require_scan;
	char **json;
	struct why *why;
};

static enum ld_err queue(struct db *db, void *arg)
{
	struct queue_ctx *c = arg;
	struct db_num n, max;
	PGresult *res = NULL;
	const char *params[] = {db_num(&n, c->task_id)};
	struct locked_task t;
	enum ld_err err = db_begin_as(db, c->p->user_id);
	/* Locked as every change of a task is: a closed case, another
	 * version or a task out of sight is refused here too. */
	if (!err)
		err = task_lock(db, c->p, c->task_id, c->version, &t, c->why);
	if (err)
		goto out;
	enum task_status to;
	const char *refusal;
	if ((err = workflow_task_action(t.status, TASK_SEND, c->p->roles, false,
					&to, &refusal))) {
		why_set(c->why, "action", "%s", refusal);
		goto out;
	}
	err = db_exec(
		db, "evidence_mail_task",
		"SELECT o.name, (SELECT count(*) FROM outbox x"
		"  WHERE x.task_id = t.id AND x.kind = 'evidence'"
		"  AND x.status = 'queued')"
		" FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		" JOIN ombudsman o ON o.id = c.ombudsman_id WHERE t.id = $1",
		1, params, &res);
	if (err)
		goto out;
	if (strcmp(t.channel, "email")) {
		why_set(c->why, "channel",
			"the %s takes evidence through its portal: download "
			"the bundle and upload it there",
			PQgetvalue(res, 0, 0));
		err = LD_ECONFLICT;
		goto out;
	}
	if (db_long(res, 0, 1)) {
		why_set(c->why, "action",
			"this evidence is in the outbox already, waiting for "
			"the mail server");
		err = LD_ECONFLICT;
		goto out;
	}
	PQclear(res);
	res = NULL;
	if ((err = task_files_sendable(db, c->task_id, c->require_scan,
				       c->why)))
		goto out;

	/* The validated version's files, their size, and whom to send to. */
	err = db_exec(
		db, "evidence_mail_facts",
		"WITH v AS (SELECT number, files FROM evidence_version"
		"  WHERE task_id = $1 ORDER BY number DESC LIMIT 1)"
		" SELECT (SELECT coalesce(sum((f->>'size')::bigint), 0)"
		"  FROM v, jsonb_array_elements(v.files) f),"
		" (SELECT m.from_address FROM inbox_message m"
		"  JOIN correspondence k ON k.id = m.correspondence_id"
		"  JOIN inbox_sender s ON s.ombudsman_id = c.ombudsman_id"
		"  AND (lower(split_part(m.from_address, '@', 2)) = s.domain"
		"   OR lower(split_part(m.from_address, '@', 2)) LIKE"
		"   '%.' || s.domain)"
		"  WHERE k.case_id = c.id"
		"  ORDER BY m.handled_at DESC, m.id DESC LIMIT 1),"
		" (SELECT jsonb_array_length(files) FROM v)"
		" FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		" WHERE t.id = $1",
		1, params, &res);
	if (err)
		goto out;
	long bytes = db_long(res, 0, 0);
	if (PQgetisnull(res, 0, 2) || db_long(res, 0, 2) == 0) {
		why_set(c->why, "files", "the validated version has no files");
		err = LD_EVALIDATION;
		goto out;
	}
	if (bytes > c->max_bytes) {
		why_set(c->why, "files",
			"the files are %ld bytes together, over the %ld an "
			"email may carry (LINKDESK_EVIDENCE_MAIL_MAX): send "
			"them another way and record that with the send action",
			bytes, c->max_bytes);
		err = LD_ETOOLARGE;
		goto out;
	}
	if (PQgetisnull(res, 0, 1)) {
		why_set(c->why, "recipient",
			"no address of the Ombudsman is known for this case: "
			"accept one of its emails from the Inbox onto the case "
			"first");
		err = LD_ECONFLICT;
		goto out;
	}
	struct db_date today;
	struct db_num actor;
	const char *qp[] = {db_num(&n, c->task_id), db_date(&today, c->today),
			    db_num(&actor, c->p->user_id),
			    db_num(&max, c->max_bytes), PQgetvalue(res, 0, 1)};
	err = db_json(
		db, "evidence_mail_queue",
		"WITH v AS (SELECT number, files FROM evidence_version"
		"  WHERE task_id = $1 ORDER BY number DESC LIMIT 1),"
		" q AS (INSERT INTO outbox (kind, recipient, case_id, task_id,"
		"  facts) SELECT 'evidence', $5, t.case_id, t.id,"
		"  jsonb_build_object('task_id', t.id, 'case_id', t.case_id,"
		"  'title', t.title, 'case_reference', c.reference,"
		"  'ombudsman', o.code, 'version', v.number, 'files', v.files,"
		"  'dated_on', $2::date, 'actor_id', $3::bigint,"
		"  'max_bytes', $4::bigint)"
		"  FROM task t JOIN ombudsman_case c ON c.id = t.case_id"
		"  JOIN ombudsman o ON o.id = c.ombudsman_id, v"
		"  WHERE t.id = $1 RETURNING id, recipient, facts)"
		" SELECT json_build_object('outbox_id', id, 'recipient',"
		" recipient, 'files', facts->'files', 'version',"
		" facts->'version')::text FROM q",
		5, qp, c->json);
out:
	PQclear(res);
	return finish(db, err);
}

enum ld_err evidence_mail_queue(struct store *s, const struct principal *p,
				int64_t task_id, int version, int32_t today,
				long max_bytes, bool require_scan, char **json,
				struct why *why)
{
	struct queue_ctx c = {p,	 task_id,      version, today,
			      max_bytes, require_scan, json,	why};
	return db_run(s, queue, &c);
}
