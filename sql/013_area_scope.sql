-- One area rule, everywhere.
--
-- A reader's area scope is the one parameter area_scope() in server/store
-- passes (from principal_area_scope() in core/principal.c): NULL for roles
-- that read every service area; otherwise the one area a service-area
-- officer may read, or -1 for an officer with no area, which no row has.
-- task_visible and case_visible are the rule; every list, export,
-- drill-down, feed and page asks them, and nothing else compares a
-- reader's area.  Both are inlined by the planner, so a list read through
-- an area's index still is.

CREATE FUNCTION task_visible(p_scope bigint, p_area bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_scope IS NULL OR (p_scope > 0 AND p_area = p_scope)
$$;

-- A case is a service-area officer's through a task of their area.
CREATE FUNCTION case_visible(p_scope bigint, p_case bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_scope IS NULL OR EXISTS (SELECT 1 FROM task t WHERE t.case_id = p_case
                                      AND task_visible(p_scope, t.service_area_id))
$$;

-- The name of a file as a reader sees it: a file marked as holding resident
-- details is not named to a reader refused them (its name is often the
-- resident's).
CREATE FUNCTION file_name_shown(p_name text, p_resident_detail boolean,
                                p_residents boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_resident_detail AND NOT p_residents
                THEN 'File with resident details' ELSE p_name END
$$;

-- A recorded list of files ([{id, name, ...}], as evidence_files_json made
-- it for a version or a sign-off) as a reader sees it.
CREATE FUNCTION files_shown(p_files jsonb, p_residents boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_residents OR jsonb_typeof(p_files) IS DISTINCT FROM 'array'
                THEN p_files
           ELSE coalesce((SELECT jsonb_agg(CASE WHEN f.resident_detail
                    THEN e || jsonb_build_object('name',
                                                 file_name_shown(e->>'name', true, false))
                    ELSE e END ORDER BY x.i)
                FROM jsonb_array_elements(p_files) WITH ORDINALITY x(e, i)
                LEFT JOIN evidence_file f
                     ON f.id = CASE WHEN jsonb_typeof(x.e->'id') = 'number'
                                    THEN (x.e->>'id')::bigint END), '[]') END
$$;

-- An audit row's before or after as a reader sees it: the names of files
-- with resident details hidden as above.
CREATE FUNCTION audit_shown(p_entity text, p_row jsonb, p_residents boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_residents OR p_row IS NULL THEN p_row
        WHEN p_entity = 'evidence_file' AND (p_row->>'resident_detail')::boolean
            THEN p_row || jsonb_build_object('name',
                                             file_name_shown(p_row->>'name', true, false))
        WHEN p_entity IN ('evidence_version', 'signoff') AND p_row ? 'files'
            THEN p_row || jsonb_build_object('files', files_shown(p_row->'files', false))
        ELSE p_row END
$$;

-- A task with its files and versions, if the reader may see it.
DROP FUNCTION task_detail_json(bigint, bigint);
CREATE FUNCTION task_detail_json(p_task bigint, p_scope bigint, p_residents boolean)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT (task_json(t)::jsonb || jsonb_build_object(
        'validation', validation_json(t.id),
        'sent_version', t.sent_version,
        'files', coalesce((SELECT jsonb_agg(jsonb_build_object('id', f.id,
            'name', file_name_shown(f.name, f.resident_detail, p_residents),
            'size', f.size, 'sha256', f.sha256,
            'content_type', f.content_type, 'status', f.status,
            'resident_detail', f.resident_detail, 'uploaded_by', user_ref(f.uploaded_by),
            'uploaded_at', f.uploaded_at) ORDER BY f.id)
            FROM evidence_file f WHERE f.task_id = t.id AND f.replaced_at IS NULL), '[]'),
        'evidence_versions', coalesce((SELECT jsonb_agg(jsonb_build_object(
            'number', e.number, 'answer', e.answer, 'attachments', e.attachments,
            'files', files_shown(e.files, p_residents), 'submitted_by', user_ref(e.submitted_by),
            'submitted_at', e.submitted_at)
            ORDER BY e.number) FROM evidence_version e WHERE e.task_id = t.id), '[]')))::json
    FROM task t WHERE t.id = p_task AND task_visible(p_scope, t.service_area_id)
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

-- A service-area officer's open work: theirs, and their area's unassigned,
-- of what they may read.
DROP FUNCTION my_tasks_json(bigint, bigint);
CREATE FUNCTION my_tasks_json(p_user bigint, p_area bigint, p_scope bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(json_agg(d.doc ORDER BY d.due, d.id), '[]')
        FROM task_doc d JOIN task t ON t.id = d.id
        WHERE t.status NOT IN ('done', 'cancelled') AND t.status <> 'sent'
        AND (t.assignee_id = p_user OR (t.assignee_id IS NULL AND t.service_area_id = p_area))
        AND task_visible(p_scope, t.service_area_id));
END $$;

-- The KPIs (sql/011_speed.sql) for a reader: p_area narrows to one area's
-- facts, p_scope to the facts of cases the reader may open, so that every
-- case a figure counts is one its drill-down lists and opens.
DROP FUNCTION kpi_figures(date, date, date, bigint, text);
DROP FUNCTION kpi_groups(date, date, date, bigint, text, boolean);
CREATE FUNCTION kpi_groups(p_from date, p_to date, p_today date, p_area bigint,
                           p_ombudsman text, p_split boolean, p_scope bigint)
RETURNS TABLE (g_ombudsman text, g_area bigint, g_set integer, figures json)
LANGUAGE sql STABLE AS $$
    WITH f AS (SELECT * FROM kpi_facts(p_from, p_to, p_today)
               WHERE (p_area IS NULL OR area_id = p_area)
               AND (p_ombudsman IS NULL OR ombudsman = p_ombudsman)
               AND case_visible(p_scope, case_id))
    SELECT f.by_ombudsman, f.by_area, GROUPING(f.by_ombudsman, f.by_area), json_build_object(
        'cases_received', count(*) FILTER (WHERE figure = 'cases_received'),
        'cases_investigated', count(*) FILTER (WHERE figure = 'cases_investigated'),
        'cases_closed', count(*) FILTER (WHERE figure = 'cases_closed'),
        'cases_closed_by_outcome', coalesce((SELECT json_object_agg(k, n) FROM
            (SELECT k, count(*) AS n FROM unnest(array_agg(key)
                FILTER (WHERE figure = 'cases_closed')) k GROUP BY k) x), '{}'),
        'evidence_requests', count(*) FILTER (WHERE figure = 'evidence_requests'),
        'evidence_answered', count(*) FILTER (WHERE figure = 'evidence_requests'
                                              AND key = 'answered'),
        'evidence_on_time', count(*) FILTER (WHERE figure = 'evidence_requests' AND on_time),
        'evidence_on_time_revised', count(*) FILTER (WHERE figure = 'evidence_requests'
                                                     AND on_time_revised),
        'evidence_days_average', round(avg(days) FILTER (WHERE figure = 'evidence_requests'), 1),
        'evidence_days_p90', percentile_disc(0.9) WITHIN GROUP (ORDER BY days)
                             FILTER (WHERE figure = 'evidence_requests' AND days IS NOT NULL),
        'first_chasers', count(*) FILTER (WHERE figure = 'first_chasers'),
        'final_chasers', count(*) FILTER (WHERE figure = 'final_chasers'),
        'sanctions', count(*) FILTER (WHERE figure = 'sanctions'),
        'determinations', count(*) FILTER (WHERE figure = 'determinations'),
        'upheld', count(*) FILTER (WHERE figure = 'determinations' AND key = 'upheld'),
        'upheld_rate', round(100.0 * count(*) FILTER (WHERE figure = 'determinations'
                                                       AND key = 'upheld')
                             / nullif(count(*) FILTER (WHERE figure = 'determinations'), 0), 1),
        'findings', coalesce((SELECT json_object_agg(k, n) FROM
            (SELECT k, count(*) AS n FROM unnest(array_agg(key)
                FILTER (WHERE figure = 'findings')) k GROUP BY k) x), '{}'),
        'orders', count(*) FILTER (WHERE figure = 'orders'),
        'recommendations', count(*) FILTER (WHERE figure = 'recommendations'),
        'remedies_complied_on_time', count(*) FILTER (WHERE figure IN ('orders', 'recommendations')
                                                      AND key = 'complied_on_time'),
        'remedies_complied_late', count(*) FILTER (WHERE figure IN ('orders', 'recommendations')
                                                   AND key = 'complied_late'),
        'remedies_overdue', count(*) FILTER (WHERE figure IN ('orders', 'recommendations')
                                             AND key = 'overdue'),
        'compensation_ordered_pence', coalesce(sum(amount) FILTER (WHERE figure = 'orders'), 0),
        'compensation_paid_pence', coalesce(sum(paid) FILTER (WHERE figure = 'orders'), 0),
        'open_tasks_at_end', count(*) FILTER (WHERE figure = 'open_tasks_at_end'),
        'overdue_tasks_at_end', count(*) FILTER (WHERE figure = 'open_tasks_at_end'
                                                 AND key = 'overdue'))
    FROM (SELECT x.*, CASE WHEN p_split THEN x.ombudsman END AS by_ombudsman,
                 CASE WHEN p_split THEN x.area_id END AS by_area FROM f x) f
    GROUP BY GROUPING SETS ((), (f.by_ombudsman), (f.by_area))
$$;

CREATE FUNCTION kpi_figures(p_from date, p_to date, p_today date, p_area bigint,
                            p_ombudsman text, p_scope bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT figures FROM kpi_groups(p_from, p_to, p_today, p_area, p_ombudsman,
                                           false, p_scope)
            WHERE g_set = 3);
END $$;

-- The cases behind one figure: those the figure counts, which the reader
-- may open.
DROP FUNCTION kpi_cases(date, date, date, text, text, bigint, text);
CREATE FUNCTION kpi_cases(p_from date, p_to date, p_today date, p_figure text,
                          p_key text, p_area bigint, p_ombudsman text, p_scope bigint)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(case_summary_json(c) ORDER BY c.received_on, c.id), '[]')
    FROM ombudsman_case c
    WHERE c.id IN (SELECT f.case_id FROM kpi_facts(p_from, p_to, p_today) f
                   WHERE f.figure = p_figure AND (p_key IS NULL OR f.key = p_key
                         OR (p_key = 'on_time' AND f.on_time)
                         OR (p_key = 'on_time_revised' AND f.on_time_revised))
                   AND (p_area IS NULL OR f.area_id = p_area)
                   AND (p_ombudsman IS NULL OR f.ombudsman = p_ombudsman))
    AND case_visible(p_scope, c.id)
$$;

-- The case log for a reader (p_scope), narrowed to the cases of one area's
-- tasks (p_area, NULL: all); the resident's name only when allowed.
DROP FUNCTION case_log(bigint, boolean, date);
CREATE FUNCTION case_log(p_scope bigint, p_area bigint, p_residents boolean, p_today date)
RETURNS TABLE (ombudsman text, reference text, complaint text, category text,
               service_area text, stage text, outcome text, received_on date,
               closed_on date, link_officer text, open_tasks bigint, overdue_tasks bigint,
               next_due date, determination date, upheld boolean, orders bigint,
               compensation_pence bigint, resident text)
LANGUAGE sql STABLE AS $$
    SELECT o.code, c.reference, cp.reference, cp.category, a.name, c.stage, c.outcome,
        c.received_on, c.closed_on, (SELECT name FROM app_user WHERE id = c.link_officer_id),
        (SELECT count(*) FROM task t WHERE t.case_id = c.id AND t.status NOT IN ('done', 'cancelled')),
        (SELECT count(*) FROM task t WHERE t.case_id = c.id AND task_overdue(t, p_today)),
        (SELECT min(effective_due(t)) FROM task t WHERE t.case_id = c.id
         AND t.status NOT IN ('done', 'cancelled')),
        d.decided_on,
        (SELECT bool_or(f.upheld) FROM finding f WHERE f.determination_id = d.id),
        (SELECT count(*) FROM remedy r WHERE r.case_id = c.id AND r.type = 'order'),
        (SELECT sum(amount_pence) FROM remedy r WHERE r.case_id = c.id),
        CASE WHEN p_residents THEN (SELECT name FROM resident r WHERE r.complaint_id = cp.id) END
    FROM ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id JOIN service_area a ON a.id = cp.service_area_id
    LEFT JOIN determination d ON d.case_id = c.id
    WHERE case_visible(p_scope, c.id) AND case_visible(p_area, c.id)
    ORDER BY c.received_on, c.id
$$;

-- A task's assignee belongs to the task's service area: an active user of
-- that area.  Checked whenever either changes, so neither creating,
-- reassigning nor moving a task can hand it to someone who could not open
-- it.  The store clears the assignee when a task moves without a new one.
CREATE FUNCTION task_assignee_in_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.assignee_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.assignee_id IS DISTINCT FROM OLD.assignee_id
            OR NEW.service_area_id IS DISTINCT FROM OLD.service_area_id)
       AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.id = NEW.assignee_id AND u.active
                       AND u.service_area_id = NEW.service_area_id) THEN
        RAISE EXCEPTION 'the assignee is not an officer of the task''s service area'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'task_assignee_in_area';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER task_assignee_in_area BEFORE INSERT OR UPDATE OF assignee_id, service_area_id
    ON task FOR EACH ROW EXECUTE FUNCTION task_assignee_in_area();

-- An officer who moves to another area (or none) leaves the open tasks of
-- their old one to its officers.
CREATE FUNCTION user_area_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task SET assignee_id = NULL, version = version + 1, updated_at = now()
    WHERE assignee_id = NEW.id AND status NOT IN ('done', 'cancelled')
    AND service_area_id IS DISTINCT FROM NEW.service_area_id;
    RETURN NEW;
END $$;
CREATE TRIGGER user_area_moved AFTER UPDATE OF service_area_id ON app_user
    FOR EACH ROW WHEN (NEW.service_area_id IS DISTINCT FROM OLD.service_area_id)
    EXECUTE FUNCTION user_area_moved();

-- Open tasks already assigned across areas go back to their area.
UPDATE task t SET assignee_id = NULL, version = version + 1, updated_at = now()
WHERE t.assignee_id IS NOT NULL AND t.status NOT IN ('done', 'cancelled')
AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.id = t.assignee_id
                AND u.service_area_id = t.service_area_id);
