-- How cases and tasks read as JSON: one definition for the API, the
-- dashboard and the exports.  Access scoping is a parameter: p_area is the
-- service area a service-area officer is confined to (NULL: every area).

CREATE FUNCTION effective_due(t task) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(t.revised_due_on, t.due_on)
$$;

-- Overdue: past its due date (the revised one if agreed), work still owed,
-- not paused while waiting on the Ombudsman.  The one definition the lists,
-- the digest and the reports share.
CREATE FUNCTION task_overdue(t task, p_today date) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT effective_due(t) < p_today AND t.paused_on IS NULL
       AND t.status IN ('open', 'in_progress', 'submitted', 'validated')
$$;

CREATE FUNCTION user_ref(p_id bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', id, 'name', name) FROM app_user WHERE id = p_id
$$;

CREATE FUNCTION task_json(t task) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', t.id, 'kind', t.kind, 'title', t.title, 'detail', t.detail,
        'service_area', json_build_object('id', a.id, 'name', a.name),
        'assignee', user_ref(t.assignee_id),
        'set_on', t.set_on, 'due_on', t.due_on, 'due_rule', t.due_rule,
        'revised_due_on', t.revised_due_on, 'effective_due_on', effective_due(t),
        'priority', t.priority, 'status', t.status, 'answer', t.answer,
        'return_comment', t.return_comment, 'sent_on', t.sent_on,
        'completed_on', t.completed_on, 'paused_on', t.paused_on,
        'paused_days', t.paused_days, 'remedy_id', t.remedy_id,
        'correspondence_id', t.correspondence_id, 'version', t.version,
        'updated_at', t.updated_at,
        'case', json_build_object('id', c.id, 'reference', c.reference,
            'ombudsman', o.code, 'stage', c.stage,
            'complaint_reference', cp.reference))
    FROM service_area a, ombudsman_case c
    JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id
    WHERE a.id = t.service_area_id AND c.id = t.case_id
$$;

-- Sign-offs the latest evidence version of a task has and still needs.
CREATE FUNCTION validation_json(p_task bigint) RETURNS json LANGUAGE sql STABLE AS $$
    WITH v AS (SELECT * FROM evidence_version WHERE task_id = p_task
               ORDER BY number DESC LIMIT 1)
    SELECT json_build_object(
        'version', (SELECT number FROM v),
        'complete', NOT EXISTS (SELECT 1 FROM validator_title vt WHERE vt.required
            AND NOT EXISTS (SELECT 1 FROM signoff s, v WHERE s.evidence_version_id = v.id
                            AND s.validator_title_id = vt.id AND s.decision = 'approved')),
        'signoffs', coalesce((SELECT json_agg(json_build_object(
            'title', vt.title, 'required', vt.required,
            'decision', s.decision, 'comment', s.comment, 'at', s.at,
            'by', user_ref(s.user_id)) ORDER BY vt.position, vt.id)
            FROM validator_title vt
            LEFT JOIN signoff s ON s.validator_title_id = vt.id
                 AND s.evidence_version_id = (SELECT id FROM v)), '[]'))
$$;

CREATE FUNCTION task_detail_json(p_task bigint, p_area bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT (task_json(t)::jsonb || jsonb_build_object(
        'validation', validation_json(t.id),
        'evidence_versions', coalesce((SELECT jsonb_agg(jsonb_build_object(
            'number', e.number, 'answer', e.answer, 'attachments', e.attachments,
            'submitted_by', user_ref(e.submitted_by), 'submitted_at', e.submitted_at)
            ORDER BY e.number) FROM evidence_version e WHERE e.task_id = t.id), '[]')))::json
    FROM task t WHERE t.id = p_task AND (p_area IS NULL OR t.service_area_id = p_area)
$$;

CREATE FUNCTION remedy_json(r remedy) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', r.id, 'type', r.type, 'kind', r.kind, 'description', r.description,
        'amount_pence', r.amount_pence, 'paid_pence', r.paid_pence,
        'due_on', r.due_on, 'complied_on', r.complied_on, 'confirmed_on', r.confirmed_on,
        'task_id', r.task_id,
        'compliance', CASE
            WHEN r.confirmed_on IS NOT NULL THEN 'confirmed'
            WHEN r.complied_on IS NULL THEN 'pending'
            WHEN r.complied_on <= coalesce((SELECT revised_due_on FROM task WHERE id = r.task_id), r.due_on)
                THEN 'complied_on_time'
            ELSE 'complied_late' END,
        'version', r.version)
$$;

CREATE FUNCTION case_json(p_case bigint, p_area bigint, p_residents boolean,
                          p_audit boolean) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', c.id, 'reference', c.reference, 'stage', c.stage, 'outcome', c.outcome,
        'received_on', c.received_on, 'closed_on', c.closed_on, 'version', c.version,
        'ombudsman', json_build_object('code', o.code, 'name', o.name,
            'submission_channel', o.submission_channel, 'sanction_name', o.sanction_name,
            'evidence_days', o.evidence_days, 'portal_file_limit', o.portal_file_limit),
        'link_officer', user_ref(c.link_officer_id),
        'complaint', json_build_object('id', cp.id, 'reference', cp.reference,
            'category', cp.category, 'received_on', cp.received_on,
            'service_area', json_build_object('id', a.id, 'name', a.name),
            'summary', CASE WHEN p_residents THEN cp.summary END,
            'resident', CASE WHEN p_residents THEN (SELECT json_build_object(
                'name', r.name, 'address', r.address, 'contact', r.contact,
                'vulnerabilities', r.vulnerabilities, 'adjustments', r.adjustments,
                'version', r.version) FROM resident r WHERE r.complaint_id = cp.id) END),
        'correspondence', CASE WHEN p_area IS NULL THEN coalesce((SELECT json_agg(
            json_build_object('id', m.id, 'direction', m.direction, 'kind', m.kind,
                'dated_on', m.dated_on, 'channel', m.channel, 'summary', m.summary,
                'response_due_on', m.response_due_on, 'by', user_ref(m.created_by),
                'created_at', m.created_at) ORDER BY m.dated_on, m.id)
            FROM correspondence m WHERE m.case_id = c.id), '[]') END,
        'tasks', coalesce((SELECT json_agg(task_json(t) ORDER BY effective_due(t), t.id)
            FROM task t WHERE t.case_id = c.id
            AND (p_area IS NULL OR t.service_area_id = p_area)), '[]'),
        'determination', (SELECT json_build_object('id', d.id, 'decided_on', d.decided_on,
            'upheld', coalesce((SELECT bool_or(f.upheld) FROM finding f
                                WHERE f.determination_id = d.id), false),
            'findings', coalesce((SELECT json_agg(json_build_object('element', f.element,
                'finding', f.finding, 'upheld', f.upheld) ORDER BY f.id)
                FROM finding f WHERE f.determination_id = d.id), '[]'))
            FROM determination d WHERE d.case_id = c.id),
        'remedies', coalesce((SELECT json_agg(remedy_json(r) ORDER BY r.id)
            FROM remedy r WHERE r.case_id = c.id
            AND (p_area IS NULL OR EXISTS (SELECT 1 FROM task t WHERE t.id = r.task_id
                                           AND t.service_area_id = p_area))), '[]'),
        'audit', CASE WHEN p_audit THEN coalesce((SELECT json_agg(json_build_object(
            'at', l.at, 'by', user_ref(l.actor_id), 'action', l.action,
            'entity', l.entity, 'entity_id', l.entity_id, 'before', l.before,
            'after', l.after) ORDER BY l.id)
            FROM audit_log l WHERE l.case_id = c.id), '[]') END)
    FROM ombudsman_case c
    JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id
    JOIN service_area a ON a.id = cp.service_area_id
    WHERE c.id = p_case
    AND (p_area IS NULL OR EXISTS (SELECT 1 FROM task t WHERE t.case_id = c.id
                                   AND t.service_area_id = p_area))
$$;

-- One line of the case list.
CREATE FUNCTION case_summary_json(c ombudsman_case) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', c.id, 'reference', c.reference, 'stage', c.stage,
        'outcome', c.outcome, 'received_on', c.received_on, 'closed_on', c.closed_on,
        'ombudsman', o.code, 'complaint_reference', cp.reference,
        'service_area', json_build_object('id', a.id, 'name', a.name),
        'link_officer', user_ref(c.link_officer_id),
        'open_tasks', (SELECT count(*) FROM task t WHERE t.case_id = c.id
                       AND t.status NOT IN ('done', 'cancelled')),
        'next_due_on', (SELECT min(effective_due(t)) FROM task t WHERE t.case_id = c.id
                        AND t.status NOT IN ('done', 'cancelled')))
    FROM ombudsman o, complaint cp JOIN service_area a ON a.id = cp.service_area_id
    WHERE o.id = c.ombudsman_id AND cp.id = c.complaint_id
$$;
