-- The link officer's home: its lists and counts in one read.

-- Whether a task is on one of home's four task lists: the one definition,
-- for the lists' rows, their totals and home's counts by area.  Inlined,
-- with the list a constant, it is the list's own predicate, so each keeps
-- its index plan.
CREATE OR REPLACE FUNCTION home_task_in(t task, p_list text, p_today date, p_horizon date)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_list
        WHEN 'overdue' THEN task_overdue(t, p_today)
        WHEN 'due_soon' THEN task_nearly_overdue(t, p_today, p_horizon)
        WHEN 'awaiting_validation' THEN t.status = 'submitted'
        WHEN 'ready_to_send' THEN t.status = 'validated' END
$$;

-- The home's four task lists, each one's rows and order written once: the
-- first few on the home page and every one on the list's own pages
-- (/home/overdue and the rest).  p_list: overdue, due_soon,
-- awaiting_validation or ready_to_send.
CREATE OR REPLACE FUNCTION home_tasks_json(p_list text, p_today date, p_horizon date,
                                           p_offset int, p_limit int) RETURNS json
-- Planned for each call's bounds: a generic plan guesses a tenth of the
-- table for LIMIT $n and may sort every open task.
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    ids bigint[];
BEGIN
    -- Evidence awaiting validation the longest waiting first, the others
    -- the soonest due; with the list a constant, the other key folds away.
    ids := ARRAY(SELECT t.id FROM task t WHERE home_task_in(t, p_list, p_today, p_horizon)
                 ORDER BY CASE WHEN p_list = 'awaiting_validation' THEN t.updated_at END,
                          CASE WHEN p_list <> 'awaiting_validation' THEN effective_due(t) END,
                          t.id
                 OFFSET p_offset LIMIT p_limit);
    RETURN (SELECT coalesce(json_agg(d.doc ORDER BY p.n), '[]')
            FROM unnest(ids) WITH ORDINALITY AS p(id, n)
            JOIN task_doc d ON d.id = p.id);
END $$;

-- How many home_tasks_json's list holds.  Planned for the list it is
-- given, so the list's predicate, folded out of home_task_in, has its index.
CREATE OR REPLACE FUNCTION home_tasks_total(p_list text, p_today date, p_horizon date)
RETURNS bigint LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    RETURN (SELECT count(*) FROM task t WHERE home_task_in(t, p_list, p_today, p_horizon));
END $$;

-- A page of one of home's task lists, with the list's total.
CREATE OR REPLACE FUNCTION home_tasks_page_json(p_list text, p_today date, p_horizon date,
                                                p_offset int, p_limit int) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'tasks', home_tasks_json(p_list, p_today, p_horizon, p_offset, p_limit),
        'total', home_tasks_total(p_list, p_today, p_horizon))
$$;

-- The link officer's day.  Each task list is its first p_shown (the most
-- urgent first) with its total in 'totals'; the counts are one pass over
-- the open tasks.  Nothing here reads closed work, so its cost follows the
-- open work, not the years of history.
DROP FUNCTION IF EXISTS home_json(date, date);
CREATE OR REPLACE FUNCTION home_json(p_today date, p_horizon date, p_shown int) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- One pass over the open tasks counts them by area; the totals add up
    -- the areas.
    RETURN (WITH areas AS (
        SELECT t.service_area_id, count(*) AS open_tasks,
               count(*) FILTER (WHERE home_task_in(t, 'overdue', p_today, p_horizon)) AS overdue_tasks,
               count(*) FILTER (WHERE home_task_in(t, 'due_soon', p_today, p_horizon)) AS due_soon,
               count(*) FILTER (WHERE home_task_in(t, 'awaiting_validation', p_today, p_horizon))
                   AS submitted,
               count(*) FILTER (WHERE home_task_in(t, 'ready_to_send', p_today, p_horizon))
                   AS validated
        FROM task t WHERE task_is_open(t.status) GROUP BY 1)
    SELECT json_build_object(
        'overdue', home_tasks_json('overdue', p_today, p_horizon, 0, p_shown),
        'due_soon', home_tasks_json('due_soon', p_today, p_horizon, 0, p_shown),
        'awaiting_validation', home_tasks_json('awaiting_validation', p_today, p_horizon, 0, p_shown),
        'ready_to_send', home_tasks_json('ready_to_send', p_today, p_horizon, 0, p_shown),
        'new_cases', (SELECT coalesce(json_agg(d.doc ORDER BY d.received_on DESC, d.id DESC), '[]')
            FROM (SELECT id FROM ombudsman_case WHERE stage = 'notified'
                  ORDER BY received_on DESC, id DESC LIMIT p_shown) p
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
        -- Every active area with open work, the most overdue first: home
        -- shows the first few, /home/areas every one.
        'by_area', coalesce((SELECT json_agg(json_build_object('name', a.name,
                'open_tasks', x.open_tasks, 'overdue_tasks', x.overdue_tasks)
                ORDER BY x.overdue_tasks DESC, x.open_tasks DESC, a.name, a.id)
            FROM areas x JOIN service_area a ON a.id = x.service_area_id WHERE a.active), '[]'))
    );
END $$;
