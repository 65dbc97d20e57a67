-- Mail rendered at send time (issue 19): an outbox row carries its kind and
-- the facts its message states, as JSON; the sender renders subject, text
-- and HTML from web/templates/mail_<kind>*, so what a message says lives in
-- the templates only.  Rows queued before this carry subject and body
-- instead (facts NULL) and are sent as they are.

-- This installation's identifier, made once: calendar UIDs and Message-IDs
-- use it, so moving the server to a new address (LINKDESK_BASE_URL) leaves
-- every subscribed calendar's events as they are.  Never change it.
INSERT INTO setting (name, value, description) VALUES
    ('installation_id', gen_random_uuid()::text,
     'identifier of this installation in calendar UIDs and Message-IDs; never change it')
ON CONFLICT (name) DO NOTHING;

ALTER TABLE outbox ADD COLUMN facts jsonb;
-- Rendered rows have no text until they are sent: the subject they went
-- with is recorded then.
ALTER TABLE outbox ALTER COLUMN subject SET DEFAULT '';
ALTER TABLE outbox ALTER COLUMN body SET DEFAULT '';
COMMENT ON COLUMN outbox.facts IS
    'what the message states (references, titles, dates), rendered by mail_<kind> templates at send time; NULL: subject and body are the text';

-- A task's calendar invite: the facts of mail_invite (and of its calendar
-- part).  reason says why a CANCEL goes: the task is done, cancelled, or
-- now someone else's.
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
            'checkpoint', working_days_before(effective_due(t), 3),
            'due', effective_due(t), 'title', t.title,
            'ombudsman', o.code, 'reference', c.reference,
            'case_reference', o.code || ' ' || c.reference,
            'attendee_name', u.name)
    FROM app_user u, ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id
    WHERE u.id = p_user AND u.active AND c.id = t.case_id
$$;
