-- Speed at national scale (bench/README.md says what was measured).
--
-- A task's JSON was built by task_json(t) once per row, each call a small
-- query of its own with user_ref() calls inside: 0.3 ms a row.  task_doc is
-- the same document as a view, so a list joins what it needs once and the
-- planner builds the JSON only for the rows it returns.  The functions the
-- dashboard reads on every click become plpgsql, whose plans PostgreSQL
-- keeps for the session (a SQL function's are made again on every call).

CREATE VIEW task_doc AS
    SELECT t.id, t.case_id, t.service_area_id, effective_due(t) AS due,
        json_build_object(
        'id', t.id, 'kind', t.kind, 'title', t.title, 'detail', t.detail,
        'service_area', json_build_object('id', a.id, 'name', a.name),
        'assignee', CASE WHEN u.id IS NOT NULL
                         THEN json_build_object('id', u.id, 'name', u.name) END,
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
            'complaint_reference', cp.reference)) AS doc
    FROM task t
    JOIN service_area a ON a.id = t.service_area_id
    JOIN ombudsman_case c ON c.id = t.case_id
    JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id
    LEFT JOIN app_user u ON u.id = t.assignee_id;

-- One task's document, for the places that hold a task row.
CREATE OR REPLACE FUNCTION task_json(t task) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT doc FROM task_doc WHERE id = t.id
$$;

-- One line of the case list (case_summary_json), as a view for lists.
CREATE VIEW case_doc AS
    SELECT c.id, c.received_on, json_build_object('id', c.id, 'reference', c.reference,
        'stage', c.stage, 'outcome', c.outcome, 'received_on', c.received_on,
        'closed_on', c.closed_on, 'ombudsman', o.code, 'complaint_reference', cp.reference,
        'service_area', json_build_object('id', a.id, 'name', a.name),
        'link_officer', CASE WHEN u.id IS NOT NULL
                             THEN json_build_object('id', u.id, 'name', u.name) END,
        'open_tasks', w.open_tasks, 'next_due_on', w.next_due_on) AS doc
    FROM ombudsman_case c
    JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id
    JOIN service_area a ON a.id = cp.service_area_id
    LEFT JOIN app_user u ON u.id = c.link_officer_id
    CROSS JOIN LATERAL (SELECT count(*) AS open_tasks, min(effective_due(t)) AS next_due_on
        FROM task t WHERE t.case_id = c.id AND t.status NOT IN ('done', 'cancelled')) w;

CREATE OR REPLACE FUNCTION case_summary_json(c ombudsman_case) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT doc FROM case_doc WHERE id = c.id
$$;

-- Work still owed (what "open" means in the indexes task_open_due,
-- task_area_open and task_assignee_open), past its date and not paused.
-- Written so that the planner sees those indexes' predicate in it.
CREATE OR REPLACE FUNCTION task_overdue(t task, p_today date) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT effective_due(t) < p_today AND t.paused_on IS NULL
       AND t.status NOT IN ('done', 'cancelled') AND t.status <> 'sent'
$$;

CREATE OR REPLACE FUNCTION task_nearly_overdue(t task, p_today date, p_horizon date)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT effective_due(t) BETWEEN p_today AND p_horizon AND t.paused_on IS NULL
       AND t.status NOT IN ('done', 'cancelled') AND t.status <> 'sent'
$$;

-- The link officer's day.  Each list is the first 50 (the most urgent
-- first) with its total in 'totals'; the counts are one pass over the open
-- tasks.  Nothing here reads closed work, so its cost follows the open
-- work, not the years of history.
CREATE OR REPLACE FUNCTION home_json(p_today date, p_horizon date) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- One pass over the open tasks counts them by area; the totals add up
    -- the areas.
    RETURN (WITH areas AS (
        SELECT t.service_area_id, count(*) AS open_tasks,
               count(*) FILTER (WHERE task_overdue(t, p_today)) AS overdue_tasks,
               count(*) FILTER (WHERE task_nearly_overdue(t, p_today, p_horizon)) AS due_soon,
               count(*) FILTER (WHERE t.status = 'submitted') AS submitted,
               count(*) FILTER (WHERE t.status = 'validated') AS validated
        FROM task t WHERE t.status NOT IN ('done', 'cancelled') GROUP BY 1)
    SELECT json_build_object(
        'overdue', (SELECT coalesce(json_agg(d.doc ORDER BY d.due, d.id), '[]')
            FROM (SELECT t.id FROM task t WHERE task_overdue(t, p_today)
                  ORDER BY effective_due(t), t.id LIMIT 50) p
            JOIN task_doc d ON d.id = p.id),
        'due_soon', (SELECT coalesce(json_agg(d.doc ORDER BY d.due, d.id), '[]')
            FROM (SELECT t.id FROM task t WHERE task_nearly_overdue(t, p_today, p_horizon)
                  ORDER BY effective_due(t), t.id LIMIT 50) p
            JOIN task_doc d ON d.id = p.id),
        'awaiting_validation', (SELECT coalesce(json_agg(d.doc ORDER BY p.updated_at, d.id), '[]')
            FROM (SELECT t.id, t.updated_at FROM task t WHERE t.status = 'submitted'
                  ORDER BY t.updated_at, t.id LIMIT 50) p
            JOIN task_doc d ON d.id = p.id),
        'ready_to_send', (SELECT coalesce(json_agg(d.doc ORDER BY d.due, d.id), '[]')
            FROM (SELECT t.id FROM task t WHERE t.status = 'validated'
                  ORDER BY effective_due(t), t.id LIMIT 50) p
            JOIN task_doc d ON d.id = p.id),
        'new_cases', (SELECT coalesce(json_agg(d.doc ORDER BY d.received_on DESC, d.id DESC), '[]')
            FROM (SELECT id FROM ombudsman_case WHERE stage = 'notified'
                  ORDER BY received_on DESC, id DESC LIMIT 50) p
            JOIN case_doc d ON d.id = p.id),
        'totals', (SELECT json_build_object(
            'overdue', coalesce(sum(x.overdue_tasks), 0),
            'due_soon', coalesce(sum(x.due_soon), 0),
            'awaiting_validation', coalesce(sum(x.submitted), 0),
            'ready_to_send', coalesce(sum(x.validated), 0),
            'new_cases', (SELECT count(*) FROM ombudsman_case WHERE stage = 'notified'),
            'chasers', (SELECT count(*) FROM correspondence m JOIN ombudsman_case c ON c.id = m.case_id
                        WHERE c.stage <> 'closed'
                        AND m.kind IN ('first_chaser', 'final_chaser', 'sanction_notice')
                        AND m.dated_on > p_today - 60)) FROM areas x),
        'chasers', coalesce((SELECT json_agg(json_build_object('case_id', m.case_id,
                'reference', o.code || ' ' || c.reference, 'kind', m.kind,
                'dated_on', m.dated_on) ORDER BY m.dated_on DESC)
            FROM (SELECT m.* FROM correspondence m JOIN ombudsman_case c ON c.id = m.case_id
                  WHERE c.stage <> 'closed'
                  AND m.kind IN ('first_chaser', 'final_chaser', 'sanction_notice')
                  AND m.dated_on > p_today - 60 ORDER BY m.dated_on DESC, m.id DESC LIMIT 50) m
            JOIN ombudsman_case c ON c.id = m.case_id
            JOIN ombudsman o ON o.id = c.ombudsman_id), '[]'),
        'awaiting_confirmation', coalesce((SELECT json_agg(d.doc ORDER BY d.id)
            FROM (SELECT c.id FROM ombudsman_case c WHERE c.stage = 'remedies'
                  AND NOT EXISTS (SELECT 1 FROM remedy r WHERE r.case_id = c.id
                                  AND r.type = 'order' AND r.complied_on IS NULL)
                  AND EXISTS (SELECT 1 FROM remedy r WHERE r.case_id = c.id
                              AND r.type = 'order' AND r.confirmed_on IS NULL)) p
            JOIN case_doc d ON d.id = p.id), '[]'),
        'by_ombudsman', (SELECT json_agg(json_build_object('name', o.code,
                'open_cases', (SELECT count(*) FROM ombudsman_case c
                               WHERE c.stage <> 'closed' AND c.ombudsman_id = o.id),
                'overdue_tasks', coalesce(ot.n, 0)) ORDER BY o.id)
            FROM ombudsman o LEFT JOIN (
                -- Each overdue task's case looked up by its key, rather
                -- than every case read to join them.
                SELECT (SELECT c.ombudsman_id FROM ombudsman_case c WHERE c.id = t.case_id) AS id,
                       count(*) AS n
                FROM task t WHERE task_overdue(t, p_today) GROUP BY 1) ot ON ot.id = o.id),
        'by_area', coalesce((SELECT json_agg(json_build_object('name', a.name,
                'open_tasks', x.open_tasks, 'overdue_tasks', x.overdue_tasks) ORDER BY a.name)
            FROM areas x JOIN service_area a ON a.id = x.service_area_id WHERE a.active), '[]'))
    );
END $$;

CREATE OR REPLACE FUNCTION my_tasks_json(p_user bigint, p_area bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(json_agg(d.doc ORDER BY d.due, d.id), '[]')
        FROM task_doc d JOIN task t ON t.id = d.id
        WHERE t.status NOT IN ('done', 'cancelled') AND t.status <> 'sent'
        AND (t.assignee_id = p_user OR (t.assignee_id IS NULL AND t.service_area_id = p_area)));
END $$;

CREATE OR REPLACE FUNCTION validation_queue_json(p_title bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(json_agg(d.doc ORDER BY t.updated_at, t.id), '[]')
        FROM task t JOIN task_doc d ON d.id = t.id
        WHERE t.status = 'submitted'
        AND NOT EXISTS (SELECT 1 FROM signoff s
            JOIN evidence_version v ON v.id = s.evidence_version_id
            WHERE v.task_id = t.id AND s.validator_title_id = p_title
            AND v.number = (SELECT max(number) FROM evidence_version WHERE task_id = t.id)));
END $$;

-- A case page's data: the same document as before, its lists joined once
-- (no per-row function calls).
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
            AND (p_area IS NULL OR d.service_area_id = p_area)), '[]'),
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
            'at', l.at,
            'by', CASE WHEN u.id IS NOT NULL THEN json_build_object('id', u.id, 'name', u.name) END,
            'action', l.action, 'entity', l.entity, 'entity_id', l.entity_id,
            'before', l.before, 'after', l.after) ORDER BY l.id)
            FROM audit_log l LEFT JOIN app_user u ON u.id = l.actor_id
            WHERE l.case_id = c.id), '[]') END)
    FROM ombudsman_case c
    JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id
    JOIN service_area a ON a.id = cp.service_area_id
    WHERE c.id = p_case
    AND (p_area IS NULL OR EXISTS (SELECT 1 FROM task t WHERE t.case_id = c.id
                                   AND t.service_area_id = p_area)));
END $$;

-- Indexes for the reminder sweep's recipients and for the KPIs, each fact
-- found by the date that puts it in a period.
CREATE INDEX app_user_area ON app_user (service_area_id);
CREATE INDEX ombudsman_case_received ON ombudsman_case (received_on);
CREATE INDEX ombudsman_case_closed ON ombudsman_case (closed_on) WHERE closed_on IS NOT NULL;
CREATE INDEX determination_decided ON determination (decided_on);
CREATE INDEX finding_determination ON finding (determination_id);
CREATE INDEX remedy_determination ON remedy (determination_id);
CREATE INDEX task_requests_set ON task (set_on) WHERE kind = 'information_request';
CREATE INDEX correspondence_chasers ON correspondence (dated_on)
    WHERE kind IN ('first_chaser', 'final_chaser', 'sanction_notice');

-- The days a task was open: from being set to being sent or completed,
-- whichever came first.  "Open at the end of a period" is this range
-- containing the period's last day, which a GiST index answers without
-- reading the years of finished work.
CREATE FUNCTION task_open_span(set_on date, sent_on date, completed_on date)
RETURNS daterange LANGUAGE sql IMMUTABLE AS $$
    SELECT daterange(set_on, CASE WHEN least(sent_on, completed_on) IS NOT NULL
                                  THEN greatest(set_on, least(sent_on, completed_on)) END, '[)')
$$;
CREATE INDEX task_open_span ON task USING gist (task_open_span(set_on, sent_on, completed_on))
    WHERE status <> 'cancelled';

-- What a KPI fact says about its case.
CREATE VIEW case_fact AS
    SELECT c.id, o.code AS ombudsman, cp.service_area_id AS area_id,
           c.received_on, c.closed_on, c.outcome
    FROM ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id;

-- The working days after a up to and including b: weekdays by arithmetic
-- (1900-01-01 was a Monday), less the division's holidays on weekdays.
CREATE FUNCTION weekdays_upto(d date) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
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

-- The same facts as before (sql/009_reports.sql), each branch read through
-- its date index.
CREATE OR REPLACE FUNCTION kpi_facts(p_from date, p_to date, p_today date)
RETURNS TABLE (figure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, key text, on_time boolean, on_time_revised boolean,
               amount bigint, paid bigint, days integer)
LANGUAGE sql STABLE AS $$
    SELECT 'cases_received', c.id, NULL::bigint, c.ombudsman, c.area_id, NULL,
           NULL::boolean, NULL::boolean, NULL::bigint, NULL::bigint, NULL::integer
    FROM case_fact c WHERE c.received_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 'cases_investigated', c.id, NULL, c.ombudsman, c.area_id, NULL,
           NULL, NULL, NULL, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 'cases_closed', c.id, NULL, c.ombudsman, c.area_id, c.outcome,
           NULL, NULL, NULL, NULL, NULL
    FROM case_fact c WHERE c.closed_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 'evidence_requests', c.id, t.id, c.ombudsman, t.service_area_id,
           CASE WHEN t.sent_on IS NULL THEN 'outstanding' ELSE 'answered' END,
           t.sent_on <= t.due_on, t.sent_on <= coalesce(t.revised_due_on, t.due_on),
           NULL, NULL,
           CASE WHEN t.sent_on IS NOT NULL THEN working_days_between(t.set_on, t.sent_on) END
    FROM task t JOIN case_fact c ON c.id = t.case_id
    WHERE t.kind = 'information_request' AND t.status <> 'cancelled'
    AND t.set_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT CASE m.kind WHEN 'first_chaser' THEN 'first_chasers'
                       WHEN 'final_chaser' THEN 'final_chasers'
                       ELSE 'sanctions' END,
           c.id, NULL, c.ombudsman, c.area_id, NULL, NULL, NULL, NULL, NULL, NULL
    FROM correspondence m JOIN case_fact c ON c.id = m.case_id
    WHERE m.kind IN ('first_chaser', 'final_chaser', 'sanction_notice')
    AND m.dated_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 'determinations', c.id, NULL, c.ombudsman, c.area_id,
           CASE WHEN EXISTS (SELECT 1 FROM finding f WHERE f.determination_id = d.id
                             AND f.upheld) THEN 'upheld' ELSE 'not_upheld' END,
           NULL, NULL, NULL, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 'findings', c.id, NULL, c.ombudsman, c.area_id, f.finding,
           NULL, NULL, NULL, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    JOIN finding f ON f.determination_id = d.id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT CASE r.type WHEN 'order' THEN 'orders' ELSE 'recommendations' END,
           c.id, r.task_id, c.ombudsman, coalesce(t.service_area_id, c.area_id),
           CASE WHEN r.complied_on IS NOT NULL AND r.complied_on <= coalesce(t.revised_due_on, r.due_on)
                    THEN 'complied_on_time'
                WHEN r.complied_on IS NOT NULL THEN 'complied_late'
                WHEN r.confirmed_on IS NOT NULL THEN 'confirmed'
                WHEN coalesce(t.revised_due_on, r.due_on) < p_today
                     AND coalesce(t.status, 'open') <> 'cancelled' THEN 'overdue'
                ELSE 'not_yet_due' END,
           NULL, NULL, r.amount_pence, r.paid_pence, NULL
    FROM determination d JOIN remedy r ON r.determination_id = d.id
    JOIN case_fact c ON c.id = r.case_id LEFT JOIN task t ON t.id = r.task_id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 'open_tasks_at_end', c.id, t.id, c.ombudsman, t.service_area_id,
           CASE WHEN coalesce(t.revised_due_on, t.due_on) < p_to THEN 'overdue' ELSE 'in_time' END,
           NULL, NULL, NULL, NULL, NULL
    FROM task t JOIN case_fact c ON c.id = t.case_id
    WHERE task_open_span(t.set_on, t.sent_on, t.completed_on) @> p_to
    AND t.status <> 'cancelled'
$$;

-- Every figure of a period in one pass over its facts, for the whole
-- organisation (g_set 3) and, with p_split, each Ombudsman (1) and each
-- service area (2): one reading of the facts where there were many.
CREATE FUNCTION kpi_groups(p_from date, p_to date, p_today date, p_area bigint,
                           p_ombudsman text, p_split boolean)
RETURNS TABLE (g_ombudsman text, g_area bigint, g_set integer, figures json)
LANGUAGE sql STABLE AS $$
    WITH f AS (SELECT * FROM kpi_facts(p_from, p_to, p_today)
               WHERE (p_area IS NULL OR area_id = p_area)
               AND (p_ombudsman IS NULL OR ombudsman = p_ombudsman))
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

CREATE OR REPLACE FUNCTION kpi_figures(p_from date, p_to date, p_today date, p_area bigint,
                                       p_ombudsman text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT figures FROM kpi_groups(p_from, p_to, p_today, p_area, p_ombudsman, false)
            WHERE g_set = 3);
END $$;

-- Who must do a task: its assignee, or else every service officer of its
-- area.  Two indexed lookups (one OR over every user was a scan).
CREATE FUNCTION task_doers(p_assignee bigint, p_area bigint)
RETURNS TABLE (id bigint, email text) LANGUAGE sql STABLE AS $$
    SELECT u.id, u.email FROM app_user u WHERE u.id = p_assignee AND u.active
    UNION ALL
    SELECT u.id, u.email FROM app_user u
    WHERE p_assignee IS NULL AND u.active AND u.service_area_id = p_area
    AND EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role = 'service_officer')
$$;
