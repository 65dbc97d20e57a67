-- Why a task was cancelled, as the link officer gave it (issue 16, point 3):
-- a cancellation is asked for a reason and records it; tasks cancelled
-- before keep an empty one.
ALTER TABLE task ADD COLUMN cancel_reason text NOT NULL DEFAULT ''
    CHECK (char_length(cancel_reason) <= 4000);
