-- What the dashboard's home pages show, defined once.

-- The link officer's day: what needs action, and counts.
CREATE FUNCTION home_json(p_today date, p_horizon date) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'overdue', coalesce((SELECT json_agg(task_json(t) ORDER BY effective_due(t), t.id)
            FROM task t WHERE task_overdue(t, p_today)), '[]'),
        'due_soon', coalesce((SELECT json_agg(task_json(t) ORDER BY effective_due(t), t.id)
            FROM task t WHERE task_nearly_overdue(t, p_today, p_horizon)), '[]'),
        'awaiting_validation', coalesce((SELECT json_agg(task_json(t) ORDER BY t.updated_at)
            FROM task t WHERE t.status = 'submitted'), '[]'),
        'ready_to_send', coalesce((SELECT json_agg(task_json(t) ORDER BY effective_due(t))
            FROM task t WHERE t.status = 'validated'), '[]'),
        'new_cases', coalesce((SELECT json_agg(case_summary_json(c) ORDER BY c.received_on DESC)
            FROM ombudsman_case c WHERE c.stage = 'notified'), '[]'),
        'chasers', coalesce((SELECT json_agg(json_build_object('case_id', m.case_id,
                'reference', o.code || ' ' || c.reference, 'kind', m.kind,
                'dated_on', m.dated_on) ORDER BY m.dated_on DESC)
            FROM correspondence m JOIN ombudsman_case c ON c.id = m.case_id
            JOIN ombudsman o ON o.id = c.ombudsman_id
            WHERE m.kind IN ('first_chaser', 'final_chaser', 'sanction_notice')
            AND c.stage <> 'closed' AND m.dated_on > p_today - 60), '[]'),
        'awaiting_confirmation', coalesce((SELECT json_agg(case_summary_json(c) ORDER BY c.id)
            FROM ombudsman_case c WHERE c.stage = 'remedies'
            AND NOT EXISTS (SELECT 1 FROM remedy r WHERE r.case_id = c.id
                            AND r.type = 'order' AND r.complied_on IS NULL)
            AND EXISTS (SELECT 1 FROM remedy r WHERE r.case_id = c.id
                        AND r.type = 'order' AND r.confirmed_on IS NULL)), '[]'),
        'by_ombudsman', coalesce((SELECT json_agg(json_build_object('name', o.code,
                'open_cases', (SELECT count(*) FROM ombudsman_case c WHERE c.ombudsman_id = o.id
                               AND c.stage <> 'closed'),
                'overdue_tasks', (SELECT count(*) FROM task t JOIN ombudsman_case c ON c.id = t.case_id
                                  WHERE c.ombudsman_id = o.id AND task_overdue(t, p_today)))
                ORDER BY o.id) FROM ombudsman o), '[]'),
        'by_area', coalesce((SELECT json_agg(x ORDER BY x.name) FROM (
            SELECT a.name,
                (SELECT count(*) FROM task t WHERE t.service_area_id = a.id
                 AND t.status NOT IN ('done', 'cancelled')) AS open_tasks,
                (SELECT count(*) FROM task t WHERE t.service_area_id = a.id
                 AND task_overdue(t, p_today)) AS overdue_tasks
            FROM service_area a WHERE a.active) x
            WHERE x.open_tasks > 0), '[]'))
$$;

-- A service-area officer's open work: theirs, and their area's unassigned.
CREATE FUNCTION my_tasks_json(p_user bigint, p_area bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(task_json(t) ORDER BY effective_due(t), t.id), '[]')
    FROM task t
    WHERE t.status IN ('open', 'in_progress', 'submitted', 'validated')
    AND (t.assignee_id = p_user OR (t.assignee_id IS NULL AND t.service_area_id = p_area))
$$;

-- A validator's queue: answers awaiting validation their title has not
-- yet signed on the latest version.
CREATE FUNCTION validation_queue_json(p_title bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(task_json(t) ORDER BY t.updated_at), '[]')
    FROM task t
    WHERE t.status = 'submitted'
    AND NOT EXISTS (SELECT 1 FROM signoff s
        JOIN evidence_version v ON v.id = s.evidence_version_id
        WHERE v.task_id = t.id AND s.validator_title_id = p_title
        AND v.number = (SELECT max(number) FROM evidence_version WHERE task_id = t.id))
$$;

-- The sign-offs of a task's latest version, now naming each title's id.
CREATE OR REPLACE FUNCTION validation_json(p_task bigint) RETURNS json LANGUAGE sql STABLE AS $$
    WITH v AS (SELECT * FROM evidence_version WHERE task_id = p_task
               ORDER BY number DESC LIMIT 1)
    SELECT json_build_object(
        'version', (SELECT number FROM v),
        'complete', NOT EXISTS (SELECT 1 FROM validator_title vt WHERE vt.required
            AND NOT EXISTS (SELECT 1 FROM signoff s, v WHERE s.evidence_version_id = v.id
                            AND s.validator_title_id = vt.id AND s.decision = 'approved')),
        'signoffs', coalesce((SELECT json_agg(json_build_object(
            'title_id', vt.id, 'title', vt.title, 'required', vt.required,
            'decision', s.decision, 'comment', s.comment, 'at', s.at,
            'by', user_ref(s.user_id)) ORDER BY vt.position, vt.id)
            FROM validator_title vt
            LEFT JOIN signoff s ON s.validator_title_id = vt.id
                 AND s.evidence_version_id = (SELECT id FROM v)), '[]'))
$$;
