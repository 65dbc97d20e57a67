-- A notice to several people is one message naming them (issue 18).  A
-- task set in an area of 25 unassigned officers wrote 25 outbox rows, with
-- their index entries and a 25-line audit row, in the change's own
-- transaction: 0.5 to 1 ms of each change's 3 to 4.  Now the change writes
-- one row, status 'pending', its people in recipients; the mail makes one
-- message a person of it when it delivers (outbox_store_split in
-- server/store/mail_store.c: one statement, so each person's message is
-- made exactly once), marks the notice 'split', and from there each
-- message goes, fails, is retried and is audited as every other.
-- One ALTER TABLE: the outbox is scanned once to check both constraints.
ALTER TABLE outbox ADD COLUMN recipients bigint[],
    DROP CONSTRAINT outbox_status_check,
    ADD CONSTRAINT outbox_status_check
        CHECK (status IN ('queued', 'sent', 'failed', 'dropped', 'pending', 'split')),
    ADD CONSTRAINT outbox_notice_recipients
        CHECK ((status IN ('pending', 'split')) = (recipients IS NOT NULL));
COMMENT ON COLUMN outbox.recipients IS
    'a notice''s people (app_user ids) until the mail makes their messages of it';
-- The pending notices by case and time, as "who was told" in a
-- transaction reads them (task_notify), and in order, as the mail takes
-- them a thousand at a time (outbox_store_split): each index matches its
-- reader's filter and order, so it is the plan whatever the statistics
-- say (by the primary key, the split walked three million sent messages).
CREATE INDEX outbox_pending ON outbox (case_id, created_at) WHERE status = 'pending';
CREATE INDEX outbox_pending_id ON outbox (id) WHERE status = 'pending';

-- Each person a message is to, whether or not the mail has made their
-- message yet: a message to one person, or each person a pending notice
-- names.  "Who was told" reads this, so it says the same before and after
-- the split.
CREATE VIEW outbox_person AS
    SELECT o.id, o.kind, o.case_id, o.task_id, o.user_id, o.status, o.created_at
    FROM outbox o WHERE o.recipients IS NULL
    UNION ALL
    SELECT o.id, o.kind, o.case_id, o.task_id, r.user_id, o.status, o.created_at
    FROM outbox o, unnest(o.recipients) r(user_id) WHERE o.status = 'pending';

-- A notice's audit row names its people (their ids: their addresses are
-- in the audit row of the messages made of it); a message to one names
-- its id, user and address, as before.  Never its facts, subject or body.
CREATE OR REPLACE FUNCTION audit_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (actor_id, action, entity, entity_id, case_id, after)
    SELECT audit_actor(), 'insert', 'outbox', min(n.id), n.case_id,
           jsonb_build_object('kind', n.kind, 'case_id', n.case_id, 'task_id', n.task_id,
               'count', sum(coalesce(cardinality(n.recipients), 1)),
               'to', jsonb_agg(CASE WHEN n.recipients IS NULL
                   THEN jsonb_build_object('id', n.id, 'user_id', n.user_id,
                                           'recipient', n.recipient)
                   ELSE jsonb_build_object('id', n.id, 'user_ids', to_jsonb(n.recipients))
                   END ORDER BY n.id))
    FROM new_rows n GROUP BY n.case_id, n.task_id, n.kind;
    RETURN NULL;
END $$;
