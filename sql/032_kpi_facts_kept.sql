-- The KPIs' facts, kept (issue 17: the annual report in well under a
-- second at full size).  kpi_facts (sql/functions/40_kpis.sql) stays the
-- one definition of every fact; these tables hold what it gives, case by
-- case, so that a period's figures are sums of a few thousand rows rather
-- than a year's facts worked out again from the raw rows:
--
-- - kpi_dated: every fact that has a day of its own (a case received, a
--   request due, a chaser dated, an order made...), from
--   kpi_facts_dated(-infinity, infinity, ...).  A fact of a period is one
--   whose day is in it, and, when it is not settled (a request unsent, an
--   order not complied with), whose day is before today.
-- - kpi_month: the same, counted by month and by quarter, measure,
--   Ombudsman, area and days taken (for the mean and the 90th
--   percentile), and by the same but the area for the organisation's
--   figures.
-- - kpi_end / kpi_end_sum: the facts "at the end" of a period (tasks open
--   and overdue, orders still open) on each quarter's last day and on
--   today, the server's and the readers' (kpi_end_day), case by case and
--   counted.
--
-- A change to anything kpi_facts reads queues its case (kpi_case_due);
-- the store refreshes the queued cases (kpi_fill) before figures are read
-- and at each round of the scheduler, as it does the working days, and
-- the figures are read from these tables only when nothing is queued in
-- the reader's snapshot.  Existing cases are queued here, for the first
-- fill.
CREATE TABLE kpi_case_due (
    case_id bigint PRIMARY KEY
);

CREATE TABLE kpi_dated (
    case_id   bigint NOT NULL,
    measure   text,
    on_date   date NOT NULL,
    ombudsman text,
    area_id   bigint,
    days      integer,
    amount    bigint,
    settled   boolean NOT NULL
);
CREATE INDEX kpi_dated_case ON kpi_dated (case_id);
CREATE INDEX kpi_dated_on ON kpi_dated (on_date);

-- Counted by month (grain 'm') and by quarter ('q', from its first day);
-- whole: the organisation's counts (area_id NULL), for the figures that
-- are not split by area.
CREATE TABLE kpi_month (
    whole     boolean NOT NULL,
    grain     "char" NOT NULL CHECK (grain IN ('m', 'q')),
    month     date NOT NULL,
    measure   text,
    ombudsman text,
    area_id   bigint,
    days      integer,
    n         bigint NOT NULL,
    amount    numeric NOT NULL,
    UNIQUE NULLS NOT DISTINCT (whole, grain, month, measure, ombudsman, area_id, days)
);

CREATE TABLE kpi_end_day (
    on_date date PRIMARY KEY,
    kept_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kpi_end (
    case_id   bigint NOT NULL,
    on_date   date NOT NULL,
    measure   text,
    ombudsman text,
    area_id   bigint,
    days      integer,
    amount    bigint
);
CREATE INDEX kpi_end_case ON kpi_end (case_id);
CREATE INDEX kpi_end_on ON kpi_end (on_date);

CREATE TABLE kpi_end_sum (
    on_date   date NOT NULL,
    measure   text,
    ombudsman text,
    area_id   bigint,
    days      integer,
    n         bigint NOT NULL,
    amount    numeric NOT NULL,
    UNIQUE NULLS NOT DISTINCT (on_date, measure, ombudsman, area_id, days)
);

-- Queue the case of a changed row: TG_ARGV[0] names the column that holds
-- it ('id' for a case, 'complaint' for the cases of a complaint).  DO UPDATE, not DO NOTHING: the row is locked until this
-- change commits, so a fill that is taking the queue skips it and takes it
-- once the change can be seen.
CREATE FUNCTION kpi_queue_case() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
BEGIN
    FOREACH r IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END,
                             CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END] LOOP
        CONTINUE WHEN r IS NULL;
        INSERT INTO kpi_case_due
        SELECT x.id FROM (
            SELECT (r ->> TG_ARGV[0])::bigint AS id
            WHERE TG_ARGV[0] <> 'complaint'
            UNION ALL
            SELECT c.id FROM ombudsman_case c
            WHERE TG_ARGV[0] = 'complaint' AND c.complaint_id = (r ->> 'id')::bigint) x
        WHERE x.id IS NOT NULL
        ON CONFLICT (case_id) DO UPDATE SET case_id = EXCLUDED.case_id;
    END LOOP;
    RETURN NULL;
END $$;

-- Everything of every case again: a change to how facts are counted (an
-- Ombudsman's basis, which findings are considered).
CREATE FUNCTION kpi_queue_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kpi_case_due SELECT id FROM ombudsman_case
        ON CONFLICT (case_id) DO UPDATE SET case_id = EXCLUDED.case_id;
    RETURN NULL;
END $$;

-- The columns kpi_facts reads, table by table (a task's status only as
-- cancelled or not): an update that changes none of them queues nothing.
CREATE TRIGGER kpi_queue AFTER INSERT OR DELETE ON task
    FOR EACH ROW EXECUTE FUNCTION kpi_queue_case('case_id');
CREATE TRIGGER kpi_queue_update AFTER UPDATE ON task FOR EACH ROW
    WHEN ((OLD.case_id, OLD.kind, OLD.status = 'cancelled', OLD.set_on, OLD.due_on,
           OLD.revised_due_on, OLD.sent_on, OLD.completed_on, OLD.paused_on,
           OLD.service_area_id, OLD.title, OLD.remedy_id)
          IS DISTINCT FROM
          (NEW.case_id, NEW.kind, NEW.status = 'cancelled', NEW.set_on, NEW.due_on,
           NEW.revised_due_on, NEW.sent_on, NEW.completed_on, NEW.paused_on,
           NEW.service_area_id, NEW.title, NEW.remedy_id))
    EXECUTE FUNCTION kpi_queue_case('case_id');

CREATE TRIGGER kpi_queue AFTER INSERT OR DELETE ON correspondence
    FOR EACH ROW EXECUTE FUNCTION kpi_queue_case('case_id');
CREATE TRIGGER kpi_queue_update AFTER UPDATE ON correspondence FOR EACH ROW
    WHEN ((OLD.case_id, OLD.kind, OLD.dated_on, OLD.chfo_type)
          IS DISTINCT FROM (NEW.case_id, NEW.kind, NEW.dated_on, NEW.chfo_type))
    EXECUTE FUNCTION kpi_queue_case('case_id');

CREATE TRIGGER kpi_queue AFTER INSERT OR DELETE ON determination
    FOR EACH ROW EXECUTE FUNCTION kpi_queue_case('case_id');
CREATE TRIGGER kpi_queue_update AFTER UPDATE ON determination FOR EACH ROW
    WHEN ((OLD.case_id, OLD.decided_on) IS DISTINCT FROM (NEW.case_id, NEW.decided_on))
    EXECUTE FUNCTION kpi_queue_case('case_id');

CREATE TRIGGER kpi_queue AFTER INSERT OR DELETE ON finding
    FOR EACH ROW EXECUTE FUNCTION kpi_queue_case('case_id');
CREATE TRIGGER kpi_queue_update AFTER UPDATE ON finding FOR EACH ROW
    WHEN ((OLD.case_id, OLD.determination_id, OLD.element, OLD.finding, OLD.upheld)
          IS DISTINCT FROM
          (NEW.case_id, NEW.determination_id, NEW.element, NEW.finding, NEW.upheld))
    EXECUTE FUNCTION kpi_queue_case('case_id');

CREATE TRIGGER kpi_queue AFTER INSERT OR DELETE ON remedy
    FOR EACH ROW EXECUTE FUNCTION kpi_queue_case('case_id');
CREATE TRIGGER kpi_queue_update AFTER UPDATE ON remedy FOR EACH ROW
    WHEN ((OLD.case_id, OLD.determination_id, OLD.task_id, OLD.type, OLD.description,
           OLD.amount_pence, OLD.paid_pence, OLD.due_on, OLD.complied_on, OLD.confirmed_on)
          IS DISTINCT FROM
          (NEW.case_id, NEW.determination_id, NEW.task_id, NEW.type, NEW.description,
           NEW.amount_pence, NEW.paid_pence, NEW.due_on, NEW.complied_on, NEW.confirmed_on))
    EXECUTE FUNCTION kpi_queue_case('case_id');

CREATE TRIGGER kpi_queue AFTER INSERT OR DELETE ON ombudsman_case
    FOR EACH ROW EXECUTE FUNCTION kpi_queue_case('id');
CREATE TRIGGER kpi_queue_update AFTER UPDATE ON ombudsman_case FOR EACH ROW
    WHEN ((OLD.id, OLD.ombudsman_id, OLD.complaint_id, OLD.received_on, OLD.closed_on,
           OLD.outcome)
          IS DISTINCT FROM
          (NEW.id, NEW.ombudsman_id, NEW.complaint_id, NEW.received_on, NEW.closed_on,
           NEW.outcome))
    EXECUTE FUNCTION kpi_queue_case('id');

CREATE TRIGGER kpi_queue_update AFTER UPDATE ON complaint FOR EACH ROW
    WHEN (OLD.service_area_id IS DISTINCT FROM NEW.service_area_id)
    EXECUTE FUNCTION kpi_queue_case('complaint');

-- The working days a request took (core's, sql/027): its evidence_days.
-- Written a batch of thousands a statement by days_store_fill, so queued
-- a statement at a time; an update only when the days really changed.
CREATE FUNCTION kpi_queue_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO kpi_case_due
        SELECT DISTINCT t.case_id FROM now_days n JOIN was_days w USING (task_id)
        JOIN task t ON t.id = n.task_id
        WHERE n.working_days IS DISTINCT FROM w.working_days
        ON CONFLICT (case_id) DO UPDATE SET case_id = EXCLUDED.case_id;
    ELSE
        INSERT INTO kpi_case_due
        SELECT DISTINCT t.case_id FROM changed_days c JOIN task t ON t.id = c.task_id
        ON CONFLICT (case_id) DO UPDATE SET case_id = EXCLUDED.case_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER kpi_queue_added AFTER INSERT ON task_days
    REFERENCING NEW TABLE AS changed_days
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_queue_days();
CREATE TRIGGER kpi_queue_changed AFTER UPDATE ON task_days
    REFERENCING OLD TABLE AS was_days NEW TABLE AS now_days
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_queue_days();
CREATE TRIGGER kpi_queue_removed AFTER DELETE ON task_days
    REFERENCING OLD TABLE AS changed_days
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_queue_days();

CREATE TRIGGER kpi_queue_update AFTER UPDATE ON ombudsman FOR EACH ROW
    WHEN ((OLD.code, OLD.rate_basis) IS DISTINCT FROM (NEW.code, NEW.rate_basis))
    EXECUTE FUNCTION kpi_queue_all();
CREATE TRIGGER kpi_queue AFTER INSERT OR UPDATE OR DELETE ON finding_kind
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_queue_all();

INSERT INTO kpi_case_due SELECT id FROM ombudsman_case;
