-- The pending notices by time, then case: one index where 039 made two.
-- "Who was told" in a transaction (outbox_told, on every task set) looks
-- up its case and time; the mail takes the oldest first a thousand at a
-- time (outbox_store_split).  With two partial indexes of the pending
-- notices the generic plan of the first could take the second's, of every
-- pending notice's id, and filter them all by case: 35 ms a task once
-- 17,000 notices waited for the mail (bench/README.md).  One index serves
-- both, each by its own condition or order, whatever the statistics say.
DROP INDEX outbox_pending, outbox_pending_id;
CREATE INDEX outbox_pending ON outbox (created_at, case_id) WHERE status = 'pending';
