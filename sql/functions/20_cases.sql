-- Cases, complaints, remedies and self-assessments as the API and the
-- pages read them.

CREATE OR REPLACE FUNCTION user_ref(p_id bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', id, 'name', name) FROM app_user WHERE id = p_id
$$;

CREATE OR REPLACE FUNCTION case_summary_json(c ombudsman_case) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT doc FROM case_doc WHERE id = c.id
$$;

CREATE OR REPLACE FUNCTION remedy_json(r remedy) RETURNS json LANGUAGE sql STABLE AS $$
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

-- The case page's data (sql/011_speed.sql), scoped by the rule above; the
-- audit trail hides the names of files with resident details likewise.
CREATE OR REPLACE FUNCTION case_json(p_case bigint, p_area bigint, p_residents boolean,
                                     p_audit boolean) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT json_build_object(
        'id', c.id, 'reference', c.reference, 'stage', c.stage, 'outcome', c.outcome,
        'received_on', c.received_on, 'closed_on', c.closed_on, 'version', c.version,
        'ombudsman', json_build_object('code', o.code, 'name', o.name,
            'submission_channel', o.submission_channel, 'sanction_name', o.sanction_name,
            'evidence_days', o.evidence_days, 'portal_file_limit', o.portal_file_limit),
        'link_officer', (SELECT json_build_object('id', u.id, 'name', u.name)
                         FROM app_user u WHERE u.id = c.link_officer_id),
        'complaint', json_build_object('id', cp.id, 'reference', cp.reference,
            'category', cp.category, 'received_on', cp.received_on,
            'service_area', json_build_object('id', a.id, 'name', a.name),
            'summary', CASE WHEN p_residents THEN cp.summary END,
            'resident', CASE WHEN p_residents THEN (SELECT json_build_object(
                'name', r.name, 'address', r.address, 'contact', r.contact,
                'vulnerabilities', r.vulnerabilities, 'adjustments', r.adjustments,
                'version', r.version) FROM resident r WHERE r.complaint_id = cp.id) END),
        -- The correspondence is the whole case's: only for readers of every area.
        'correspondence', CASE WHEN p_area IS NULL THEN coalesce((SELECT json_agg(
            json_build_object('id', m.id, 'direction', m.direction, 'kind', m.kind,
                'dated_on', m.dated_on, 'channel', m.channel, 'summary', m.summary,
                'response_due_on', m.response_due_on,
                'by', CASE WHEN u.id IS NOT NULL THEN json_build_object('id', u.id, 'name', u.name) END,
                'created_at', m.created_at) ORDER BY m.dated_on, m.id)
            FROM correspondence m LEFT JOIN app_user u ON u.id = m.created_by
            WHERE m.case_id = c.id), '[]') END,
        'tasks', coalesce((SELECT json_agg(d.doc ORDER BY d.due, d.id)
            FROM task_doc d WHERE d.case_id = c.id
            AND task_visible(p_area, d.service_area_id)), '[]'),
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
                                           AND task_visible(p_area, t.service_area_id)))),
            '[]'),
        'audit', CASE WHEN p_audit THEN coalesce((SELECT json_agg(json_build_object(
            'at', l.at,
            'by', CASE WHEN u.id IS NOT NULL THEN json_build_object('id', u.id, 'name', u.name) END,
            'action', l.action, 'entity', l.entity, 'entity_id', l.entity_id,
            'before', audit_shown(l.entity, l.before, p_residents),
            'after', audit_shown(l.entity, l.after, p_residents)) ORDER BY l.id)
            FROM audit_log l LEFT JOIN app_user u ON u.id = l.actor_id
            WHERE l.case_id = c.id), '[]') END)
    FROM ombudsman_case c
    JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id
    JOIN service_area a ON a.id = cp.service_area_id
    WHERE c.id = p_case AND case_visible(p_area, c.id));
END $$;

-- A self-assessment with every provision, its answer, and last time's
-- answer beside it (the assessment before it for the same code).
CREATE OR REPLACE FUNCTION self_assessment_json(p_id bigint) RETURNS json LANGUAGE sql STABLE AS $$
    WITH a AS (SELECT * FROM self_assessment WHERE id = p_id),
    prev AS (SELECT s.id FROM self_assessment s, a WHERE s.code = a.code AND s.id < a.id
             ORDER BY s.id DESC LIMIT 1)
    SELECT json_build_object('id', a.id, 'code', a.code, 'title', a.title, 'reason', a.reason,
        'status', a.status, 'approved_on', a.approved_on, 'approved_by', a.approved_by,
        'published_on', a.published_on, 'published_url', a.published_url,
        'remedy_id', a.remedy_id, 'version', a.version,
        'previous_id', (SELECT id FROM prev),
        'provisions', (SELECT json_agg(json_build_object('number', p.number,
            'section', p.section, 'section_title', p.section_title, 'summary', p.summary,
            'complies', x.complies, 'evidence', coalesce(x.evidence, ''),
            'links', coalesce(x.links, ''), 'commentary', coalesce(x.commentary, ''),
            'action', coalesce(x.action, ''), 'expected_on', x.expected_on,
            'previous_complies', y.complies,
            'changed', y.complies IS DISTINCT FROM x.complies AND (SELECT id FROM prev) IS NOT NULL)
            ORDER BY p.position)
            FROM code_provision p
            LEFT JOIN self_assessment_answer x ON x.assessment_id = a.id AND x.number = p.number
            LEFT JOIN self_assessment_answer y ON y.assessment_id = (SELECT id FROM prev)
                 AND y.number = p.number
            WHERE p.code = a.code))
    FROM a
$$;
