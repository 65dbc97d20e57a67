-- One calendar: core/workcal computes the working days a task is due by.
-- An invite's checkpoint (three working days before the due date) was
-- worked out in SQL as well as in C; now the outbox row carries the due
-- date only (task_invite, sql/functions/30_calendar.sql) and the sender
-- asks core for the checkpoint as the message goes, as the feeds do.
DROP FUNCTION working_days_before(date, integer);
