-- One calendar: core/workcal computes working days, and SQL stores what
-- it computed.  An invite's checkpoint (three working days before the due
-- date) was worked out here as well as in C; now the outbox row carries
-- the due date only and the sender asks core for the checkpoint as the
-- message goes (server/mail/sender.c), as the feeds do.
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

DROP FUNCTION working_days_before(date, integer);
