-- The working-days queue of 027 is refilled only by a change that changes
-- something: holidays really added, changed or removed (a statement that
-- touched no row, as `holidays generate` over covered years, refills
-- nothing), or a division that really changes (migrate writes it each time
-- it is set).  And every such change tells the servers to reload their
-- calendar, as only `holidays import` did, so that they count the queue
-- with the new holidays: channel linkdesk_holidays, which
-- server/store/holiday_store.c listens on.
DROP TRIGGER task_days ON holiday;
DROP TRIGGER task_days ON setting;

CREATE OR REPLACE FUNCTION task_days_requeue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO task_days_due SELECT id FROM task WHERE sent_on IS NOT NULL
        ON CONFLICT DO NOTHING;
    PERFORM pg_notify('linkdesk_holidays', '');
    RETURN NULL;
END $$;

CREATE FUNCTION holiday_days_requeue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        INSERT INTO task_days_due SELECT id FROM task WHERE sent_on IS NOT NULL
            ON CONFLICT DO NOTHING;
        PERFORM pg_notify('linkdesk_holidays', '');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER task_days_added AFTER INSERT ON holiday
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION holiday_days_requeue();
CREATE TRIGGER task_days_changed AFTER UPDATE ON holiday
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION holiday_days_requeue();
CREATE TRIGGER task_days_removed AFTER DELETE ON holiday
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION holiday_days_requeue();
CREATE TRIGGER task_days AFTER UPDATE ON setting
    FOR EACH ROW WHEN (NEW.name = 'holiday_division' AND OLD.value IS DISTINCT FROM NEW.value)
    EXECUTE FUNCTION task_days_requeue();
