-- Working days for the figures SQL counts in bulk (the KPIs' days taken,
-- the Code's timeliness), on the installation's division, and a task's
-- calendar invite.  Dates a task is due by are core's (core/workcal.c).

-- The working days after a up to and including b: weekdays by arithmetic
-- (1900-01-01 was a Monday), less the division's holidays on weekdays.
CREATE OR REPLACE FUNCTION weekdays_upto(d date) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT ((d - date '1900-01-01') - ((d - date '1900-01-01') % 7 + 7) % 7) / 7 * 5
           + least(((d - date '1900-01-01') % 7 + 7) % 7 + 1, 5)
$$;

CREATE OR REPLACE FUNCTION working_days_between(a date, b date) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN b <= a THEN 0 ELSE weekdays_upto(b) - weekdays_upto(a)
        - (SELECT count(*)::integer FROM holiday h
           WHERE h.division = coalesce((SELECT value FROM setting WHERE name = 'holiday_division'),
                                       'england-and-wales')
           AND h.day > a AND h.day <= b AND extract(isodow FROM h.day) < 6) END
$$;

-- A task's calendar invite: the facts of mail_invite (and of its calendar
-- part).  reason says why a CANCEL goes: the task is done, cancelled, or
-- now someone else's.  The row carries the due date; the sender asks core
-- for the checkpoint (three working days before) as the message goes.
CREATE OR REPLACE FUNCTION task_invite(t task, p_user bigint, p_method text) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO outbox (kind, recipient, user_id, case_id, task_id, facts)
    SELECT 'invite', u.email, u.id, t.case_id, t.id,
        jsonb_build_object('method', p_method, 'task_id', t.id,
            'reason', CASE WHEN p_method <> 'CANCEL' THEN NULL
                           WHEN t.assignee_id IS DISTINCT FROM p_user THEN 'reassigned'
                           WHEN t.status = 'done' THEN 'done'
                           ELSE 'cancelled' END,
            'sequence', (SELECT count(*) FROM outbox x WHERE x.task_id = t.id AND x.kind = 'invite'),
            'due', effective_due(t), 'title', t.title,
            'ombudsman', o.code, 'reference', c.reference,
            'case_reference', o.code || ' ' || c.reference,
            'attendee_name', u.name)
    FROM app_user u, ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id
    WHERE u.id = p_user AND u.active AND c.id = t.case_id
$$;
