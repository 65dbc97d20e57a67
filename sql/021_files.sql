-- Evidence files: what the task's storage cap counts, found by index; and
-- the scheduler's claim on a pending file while it scans it.

-- Every stored byte of a task counts against its cap, removed and replaced
-- versions included (their contents are kept until retention).
CREATE INDEX evidence_file_stored ON evidence_file (task_id) INCLUDE (size)
    WHERE content IS NOT NULL;

-- A pending file is claimed for a while by the server that scans it, so two
-- servers do not scan one file, and a file clamd cannot scan (an error of
-- its own, not clamd being down) goes to the back of the queue instead of
-- holding up the rest; after scan_tries tries it is left pending (and so
-- unsendable) for a person to look at.
ALTER TABLE evidence_file
    ADD COLUMN scan_tries integer NOT NULL DEFAULT 0,
    ADD COLUMN scan_claimed_until timestamptz;
DROP INDEX evidence_file_pending;
CREATE INDEX evidence_file_pending ON evidence_file (scan_claimed_until NULLS FIRST, id)
    WHERE status = 'pending';
