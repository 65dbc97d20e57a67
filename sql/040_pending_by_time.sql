-- The pending notices by case and time alone (039's outbox_pending), as
-- every reader of them asks: "who was told" in a transaction
-- (outbox_told, on every task set) and a task's reminders (the task page)
-- by case; the mail's split, the oldest first of all of them, sorts what
-- that index holds (the notices of the last round).  039 also indexed
-- their ids for the split: with two partial indexes of the pending
-- notices, the generic plan of "who was told" took that one and filtered
-- every pending notice by case, 35 ms a task once 17,000 waited for the
-- mail (bench/README.md).  Every index of them now leads with the case.
DROP INDEX IF EXISTS outbox_pending_id; -- 039 as first written had none
