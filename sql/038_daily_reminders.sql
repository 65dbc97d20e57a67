-- One reminder email a person a day (issue 18).  The sweep wrote one
-- message a task reminded: a service officer of an area with 1,000
-- unassigned open tasks had about 330 emails a day, and the first sweep at
-- full size wrote 95,000 messages.  Reminders are still a row a (task,
-- slot), written in batches as before (exactly once by their key); then
-- one statement mails the reminders not yet mailed, one message to each
-- person listing their tasks.

-- The order reminders were written in: the mail takes those after the
-- last it mailed.
ALTER TABLE reminder ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX reminder_id ON reminder USING brin (id);

-- The last reminder mailed.  A sweep's batch holds this row FOR SHARE while
-- it writes reminders; the mail holds it FOR UPDATE, so it waits for every
-- batch in flight and then reads every reminder up to the newest
-- committed, and no reminder is mailed twice or left behind.  The
-- reminders written before this migration were mailed a message each.
CREATE TABLE reminder_mailed (
    one  boolean PRIMARY KEY DEFAULT true CHECK (one),
    upto bigint NOT NULL
);
INSERT INTO reminder_mailed (upto) SELECT coalesce(max(id), 0) FROM reminder;

-- The tasks a person's daily reminder lists, for each task's page ("who
-- was reminded"): task_id is for a message about one task.
ALTER TABLE outbox ADD COLUMN task_ids bigint[];
CREATE INDEX outbox_task_ids ON outbox USING gin (task_ids)
    WHERE task_ids IS NOT NULL;

-- A person's reminder names its tasks (task_ids) and its day; the sender
-- reads the tasks when it sends, so the message lists them as they are
-- then.  When every task was done or paused since, the message has
-- nothing left to say: it is dropped, not sent.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('queued', 'sent', 'failed', 'dropped'));

-- Facts many messages share, written once: an area's digest is one list
-- for its head of service and each of its officers (a Monday at full size
-- wrote 5,008 copies of 207 lists, 50 KB each).  Kept as json, the text
-- they are built as: the sender parses them, nothing queries inside them.
CREATE TABLE outbox_facts (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facts json NOT NULL
);
ALTER TABLE outbox_facts ALTER COLUMN facts SET COMPRESSION lz4;
ALTER TABLE outbox ADD COLUMN facts_id bigint;
COMMENT ON COLUMN outbox.facts_id IS
    'the message''s facts when shared with others (outbox_facts), else facts';
