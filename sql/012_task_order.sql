-- Task lists are ordered by due date, then id.  With the id in the open-
-- task indexes the first page is read straight from the index, however
-- many tasks share a due date (at national scale, hundreds do).
DROP INDEX task_area_open;
DROP INDEX task_assignee_open;
DROP INDEX task_open_due;
CREATE INDEX task_area_open ON task (service_area_id, (coalesce(revised_due_on, due_on)), id)
    WHERE status NOT IN ('done', 'cancelled');
CREATE INDEX task_assignee_open ON task (assignee_id, (coalesce(revised_due_on, due_on)), id)
    WHERE status NOT IN ('done', 'cancelled');
CREATE INDEX task_open_due ON task ((coalesce(revised_due_on, due_on)), id)
    WHERE status NOT IN ('done', 'cancelled');
