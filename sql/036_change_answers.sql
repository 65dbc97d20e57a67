-- Speed where it is spent (issue 18): a change answers with what it
-- changed, the audit trail is read by page, and a notice to an area's
-- officers no longer writes an audit row and three foreign-key checks for
-- each of its messages.

-- The audit trail by page, newest first (case_audit_json): keyset on
-- (case_id, id), whatever the table's statistics say.
CREATE INDEX audit_log_case_id ON audit_log (case_id, id) WHERE case_id IS NOT NULL;
DROP INDEX audit_log_case;

-- case_json no longer carries the audit trail, nor takes the flag that
-- said who may read it (sql/functions/20_cases.sql defines it afresh).
DROP FUNCTION case_json(bigint, bigint, boolean, boolean);

-- One audit row for each notice a statement queues: what it is (kind),
-- what about (case, task) and who it is to (each message's id, user and
-- address), never its facts, subject or body.  Written for the statement,
-- so a task set in an area of 25 officers writes one row, not 25.
CREATE FUNCTION audit_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor_id, action, entity, entity_id, case_id, after)
    SELECT audit_actor(), 'insert', 'outbox', min(n.id), n.case_id,
           jsonb_build_object('kind', n.kind, 'case_id', n.case_id, 'task_id', n.task_id,
               'count', count(*),
               'to', jsonb_agg(jsonb_build_object('id', n.id, 'user_id', n.user_id,
                                                  'recipient', n.recipient) ORDER BY n.id))
    FROM new_rows n GROUP BY n.case_id, n.task_id, n.kind;
    RETURN NULL;
END $$;

DROP TRIGGER audit ON outbox;
CREATE TRIGGER audit AFTER INSERT ON outbox REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION audit_outbox();

-- The outbox is a queue, written in the transaction of the change that
-- causes it, about cases, tasks and users that are never deleted: its
-- three foreign keys were three checks a message (75 for a task set in an
-- area of 25 officers) guarding against what cannot happen.
ALTER TABLE outbox DROP CONSTRAINT outbox_user_id_fkey;
ALTER TABLE outbox DROP CONSTRAINT outbox_case_id_fkey;
ALTER TABLE outbox DROP CONSTRAINT outbox_task_id_fkey;

-- "One message a person for one event in a transaction" (task_notify)
-- looks for this transaction's rows of the case: by (case_id,
-- created_at), not through every message the case ever had.  The same
-- one index serves every read by case as the one it replaces did.
CREATE INDEX outbox_case_at ON outbox (case_id, created_at);
DROP INDEX outbox_case;
