-- The reminder sweep at national scale (issue 18; bench/README.md says
-- what was measured).

-- "Overdue" is task_overdue() (sql/functions/10_tasks.sql), read wherever
-- it is asked.  The sweep also stored it, as overdue_since, in an audited
-- update of every task crossing its date (25,000 updates, each with its
-- audit row, on the first sweep at full size) that nothing ever read: a
-- second copy of the rule, removed.
ALTER TABLE task DROP COLUMN overdue_since;

-- A reminder row is written by the sweep alone, for a task it has just
-- read and locked, and tasks are never deleted: its foreign key was one
-- check a reminder (95,000 on a first sweep) guarding against what cannot
-- happen.
ALTER TABLE reminder DROP CONSTRAINT reminder_task_id_fkey;

-- The tasks a sweep may remind, by the day they were set: the days (to
-- work out each day's latest slot) one probe a day, and each day's tasks
-- without reading the table.
CREATE INDEX task_remind_set ON task (set_on, id)
    WHERE status IN ('open', 'in_progress') AND paused_on IS NULL;

-- The reminders of the last few days (the latest slots), which the sweep
-- matches its candidates against in one read.
CREATE INDEX reminder_slot ON reminder (slot);

-- A Monday's digests are 5,000 messages at full size, each its area's list
-- of due tasks (50 KB): lz4 compresses them several times faster than the
-- default (their first sweep's insert 12.7 s to 5.7 s on this machine).
ALTER TABLE outbox ALTER COLUMN facts SET COMPRESSION lz4;
