-- The working days of each complaint's stages, as core/workcal computed
-- them (server/store/days_store.c), for the Complaint Handling Code's
-- timeliness figures: SQL compares them with the code's limits and no
-- longer counts working days itself.  Both ways of counting a response
-- are kept (from receipt or request, and from acknowledgement), so
-- choosing another code needs no recount.  NULL where a date is missing
-- or beyond the holidays loaded.
CREATE TABLE complaint_days (
    complaint_id        bigint PRIMARY KEY REFERENCES complaint ON DELETE CASCADE,
    s1_ack              integer,
    s1_response_receipt integer,
    s1_response_ack     integer,
    s2_ack              integer,
    s2_response_request integer,
    s2_response_ack     integer
);
COMMENT ON TABLE complaint_days IS
    'working days of each complaint''s stage 1 and 2 acknowledgement and response, as core/workcal computed them';

CREATE TABLE complaint_days_due (
    complaint_id bigint PRIMARY KEY REFERENCES complaint ON DELETE CASCADE
);

CREATE FUNCTION complaint_days_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO complaint_days_due VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_days AFTER INSERT OR UPDATE OF received_on,
    stage1_acknowledged_on, stage1_response_on, escalation_requested_on,
    stage2_acknowledged_on, stage2_response_on ON complaint
    FOR EACH ROW EXECUTE FUNCTION complaint_days_queue();

-- The calendar's version: one more with every change of the holidays or
-- the division.  A server's calendar knows the version it was loaded at,
-- and days are counted only by a calendar of the current version, so a
-- count between a change and the server's reload cannot stay stale.
CREATE TABLE calendar_version (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n   bigint NOT NULL
);
INSERT INTO calendar_version VALUES (true, 1);

-- A change of the calendar recounts every complaint; the task side's
-- triggers (sql 028) notify the servers, which then work both queues.
CREATE FUNCTION complaint_days_requeue_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE calendar_version SET n = n + 1;
    INSERT INTO complaint_days_due SELECT id FROM complaint ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION complaint_days_requeue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        UPDATE calendar_version SET n = n + 1;
        INSERT INTO complaint_days_due SELECT id FROM complaint ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER complaint_days_added AFTER INSERT ON holiday
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION complaint_days_requeue();
CREATE TRIGGER complaint_days_changed AFTER UPDATE ON holiday
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION complaint_days_requeue();
CREATE TRIGGER complaint_days_removed AFTER DELETE ON holiday
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION complaint_days_requeue();
CREATE TRIGGER complaint_days AFTER UPDATE ON setting
    FOR EACH ROW WHEN (NEW.name = 'holiday_division' AND OLD.value IS DISTINCT FROM NEW.value)
    EXECUTE FUNCTION complaint_days_requeue_all();

INSERT INTO complaint_days_due SELECT id FROM complaint;

-- SQL no longer counts working days (the KPIs read task_days, the Code's
-- figures complaint_days): its copy of the calendar goes.
DROP FUNCTION IF EXISTS working_days_between(date, date);
DROP FUNCTION IF EXISTS weekdays_upto(date);
