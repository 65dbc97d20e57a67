-- One calendar: the working days a sent task took are core's arithmetic
-- (core/workcal.c), stored here, not worked out again in SQL for the KPIs.
-- A task is queued when it is sent (or its dates change); every sent task
-- is queued again when the holidays or the division change; the store
-- works through the queue with core's calendar (days_store_fill) before
-- figures are read and at each round of the scheduler.
CREATE TABLE task_days (
    task_id      bigint PRIMARY KEY REFERENCES task ON DELETE CASCADE,
    working_days integer NOT NULL
);
COMMENT ON TABLE task_days IS
    'working days from set_on to sent_on of each sent task, as core/workcal computed them';

CREATE TABLE task_days_due (
    task_id bigint PRIMARY KEY REFERENCES task ON DELETE CASCADE
);

CREATE FUNCTION task_days_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_days_due VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER task_days AFTER INSERT OR UPDATE OF set_on, sent_on ON task
    FOR EACH ROW WHEN (NEW.sent_on IS NOT NULL) EXECUTE FUNCTION task_days_queue();

CREATE FUNCTION task_days_requeue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_days_due SELECT id FROM task WHERE sent_on IS NOT NULL
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER task_days AFTER INSERT OR UPDATE OR DELETE ON holiday
    FOR EACH STATEMENT EXECUTE FUNCTION task_days_requeue();
CREATE TRIGGER task_days AFTER UPDATE ON setting
    FOR EACH STATEMENT EXECUTE FUNCTION task_days_requeue();

INSERT INTO task_days_due SELECT id FROM task WHERE sent_on IS NOT NULL;
