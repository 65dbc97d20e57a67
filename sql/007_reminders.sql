-- Reminders, the digest, calendar invites and iCalendar feeds.

-- What a notice's calendar invite says (method, uid, sequence, dates), for
-- the sender to build with libical.  NULL for plain messages.
ALTER TABLE outbox ADD COLUMN invite jsonb;

-- One row per reminder sent: the unique key is what makes a reminder go
-- exactly once however many servers sweep at the same time.
CREATE TABLE reminder (
    task_id bigint NOT NULL REFERENCES task,
    slot    date NOT NULL,
    PRIMARY KEY (task_id, slot)
);

-- One row per digest: (service area, day); area 0 is the link officers'.
CREATE TABLE digest_run (
    area_id bigint NOT NULL,
    day     date NOT NULL,
    at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (area_id, day)
);

ALTER TABLE task ADD COLUMN overdue_since date;

-- Calendar subscriptions, each behind a token only its hash is kept of.
CREATE TABLE feed (
    id              bigserial PRIMARY KEY,
    token_hash      bytea NOT NULL UNIQUE,
    user_id         bigint NOT NULL REFERENCES app_user,
    scope           text NOT NULL CHECK (scope IN ('mine', 'area', 'all')),
    service_area_id bigint REFERENCES service_area,
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz,
    CHECK ((scope = 'area') = (service_area_id IS NOT NULL))
);
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON feed
    FOR EACH ROW EXECUTE FUNCTION audit_row('', 'token_hash');

-- The working day n working days before d (the organisation's division).
CREATE FUNCTION working_days_before(d date, n integer) RETURNS date
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_division text := coalesce((SELECT value FROM setting WHERE name = 'holiday_division'),
                                'england-and-wales');
    k integer := 0;
BEGIN
    WHILE k < n LOOP
        d := d - 1;
        IF extract(isodow FROM d) < 6 AND NOT EXISTS
            (SELECT 1 FROM holiday h WHERE h.division = v_division AND h.day = d) THEN
            k := k + 1;
        END IF;
    END LOOP;
    RETURN d;
END $$;

-- Calendar invites follow a task's assignee, due date and status: the
-- assignee gets a REQUEST when a task is set or its date moves (same UID,
-- higher SEQUENCE), and a CANCEL when it is done, cancelled or reassigned.
-- A trigger, so that every path that changes a task sends them, in the
-- same transaction.
CREATE FUNCTION task_invite(t task, p_user bigint, p_method text) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO outbox (kind, recipient, user_id, case_id, task_id, subject, body, invite)
    SELECT 'invite', u.email, u.id, t.case_id, t.id,
        CASE p_method WHEN 'CANCEL' THEN 'Cancelled: ' ELSE 'Calendar: ' END
            || o.code || ' ' || c.reference || ': ' || t.title,
        CASE p_method WHEN 'CANCEL' THEN 'This task no longer needs you: its calendar entry is cancelled.'
             ELSE 'A reminder in your calendar three working days before this task is due.' END
            || E'\n\nOmbudsman: ' || o.code || E'\nOmbudsman reference: ' || c.reference
            || E'\nTask: ' || t.title || E'\nDue: ' || to_char(effective_due(t), 'YYYY-MM-DD'),
        jsonb_build_object('method', p_method, 'task_id', t.id,
            'sequence', (SELECT count(*) FROM outbox x WHERE x.task_id = t.id AND x.kind = 'invite'),
            'checkpoint', working_days_before(effective_due(t), 3),
            'due', effective_due(t), 'title', t.title,
            'case_reference', o.code || ' ' || c.reference)
    FROM app_user u, ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id
    WHERE u.id = p_user AND u.active AND c.id = t.case_id
$$;

CREATE FUNCTION task_invites() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    live_new boolean := NEW.status NOT IN ('done', 'cancelled');
    live_old boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.assignee_id IS NOT NULL AND live_new THEN
            PERFORM task_invite(NEW, NEW.assignee_id, 'REQUEST');
        END IF;
        RETURN NULL;
    END IF;
    live_old := OLD.status NOT IN ('done', 'cancelled');
    IF OLD.assignee_id IS DISTINCT FROM NEW.assignee_id THEN
        IF OLD.assignee_id IS NOT NULL AND live_old THEN
            PERFORM task_invite(NEW, OLD.assignee_id, 'CANCEL');
        END IF;
        IF NEW.assignee_id IS NOT NULL AND live_new THEN
            PERFORM task_invite(NEW, NEW.assignee_id, 'REQUEST');
        END IF;
    ELSIF NEW.assignee_id IS NOT NULL THEN
        IF live_old AND NOT live_new THEN
            PERFORM task_invite(NEW, NEW.assignee_id, 'CANCEL');
        ELSIF live_new AND effective_due(OLD) <> effective_due(NEW) THEN
            PERFORM task_invite(NEW, NEW.assignee_id, 'REQUEST');
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER invites AFTER INSERT OR UPDATE ON task
    FOR EACH ROW EXECUTE FUNCTION task_invites();

-- Nearly overdue: due today or within the horizon (the working day the
-- caller worked out, N working days ahead), work still owed.
CREATE FUNCTION task_nearly_overdue(t task, p_today date, p_horizon date) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT effective_due(t) BETWEEN p_today AND p_horizon AND t.paused_on IS NULL
       AND t.status IN ('open', 'in_progress', 'submitted', 'validated')
$$;
