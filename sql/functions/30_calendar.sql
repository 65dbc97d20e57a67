-- A task's calendar invite.  SQL counts no working days: due dates,
-- checkpoints and the days an answer or a complaint's stage took are
-- core's (core/workcal.c), stored where SQL reads them in bulk
-- (task_days, complaint_days).

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
