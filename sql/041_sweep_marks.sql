-- The next sweep with nothing due (issue 18).  Every sweep read every
-- remindable task (100,000 at full size) against every reminder of the
-- last few days to find that none was due: 80 to 120 ms, all day long.
-- Now a sweep that reminded all it found leaves a mark of its day and its
-- slots, and the tasks that have become remindable since are queued
-- (reminder_wake, by the triggers in sql/functions/10_tasks.sql); a sweep
-- that finds its own day and slots marked reads the queue alone.
--
-- The queue is only what the triggers see: whatever changes tasks with
-- triggers off (session_replication_role = replica, as bench/generate.sql
-- loads) clears the mark (UPDATE reminder_swept SET day = NULL), and so
-- does sql/functions/10_tasks.sql, where task_remindable() is, each time
-- it is applied.

-- The last sweep that reminded every pair it read: its day, the md5 of its
-- slots, and a count that each such sweep moves on, so that one whose read
-- came before another's mark leaves it alone (mail_store.c says why).
CREATE TABLE reminder_swept (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    day   date,
    slots text,
    n     bigint NOT NULL DEFAULT 0
);
INSERT INTO reminder_swept DEFAULT VALUES;

-- Each time a task becomes remindable (set, reopened, unpaused, or moved
-- to another day set), a row; a sweep that has read the task deletes it.
CREATE TABLE reminder_wake (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id bigint NOT NULL
);

-- The mail reads the last id handed out as the last that can be
-- (server/store/mail_store.c): no session holds ids of its own.
ALTER TABLE reminder ALTER COLUMN id SET CACHE 1;
