-- The figures leadership reads, defined once.  kpi_facts() gives one row
-- per fact behind every figure of a period; the KPIs count them and each
-- drill-down lists their cases, so a number always traces back to its
-- cases.  docs/kpis.md says what each figure means.

-- The working days after a up to and including b (the organisation's
-- division), as core/workcal.c counts them.
CREATE FUNCTION working_days_between(a date, b date) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer FROM generate_series(a + 1, b, interval '1 day') g(d)
    WHERE extract(isodow FROM g.d) < 6
    AND NOT EXISTS (SELECT 1 FROM holiday h WHERE h.day = g.d::date
        AND h.division = coalesce((SELECT value FROM setting WHERE name = 'holiday_division'),
                                  'england-and-wales'))
$$;

-- Compensation ordered is paid once the evidence of payment is sent.
CREATE FUNCTION remedy_paid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'compensation' AND NEW.complied_on IS NOT NULL AND NEW.paid_pence IS NULL THEN
        NEW.paid_pence := NEW.amount_pence;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER paid BEFORE INSERT OR UPDATE ON remedy
    FOR EACH ROW EXECUTE FUNCTION remedy_paid();

CREATE FUNCTION kpi_facts(p_from date, p_to date, p_today date)
RETURNS TABLE (figure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, key text, on_time boolean, on_time_revised boolean,
               amount bigint, paid bigint, days integer)
LANGUAGE sql STABLE AS $$
    WITH c AS (
        SELECT c.*, o.code AS ombudsman, cp.service_area_id AS area_id
        FROM ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id
        JOIN complaint cp ON cp.id = c.complaint_id)
    -- Cases notified in the period.
    SELECT 'cases_received', c.id, NULL::bigint, c.ombudsman, c.area_id, NULL,
           NULL::boolean, NULL::boolean, NULL::bigint, NULL::bigint, NULL::integer
    FROM c WHERE c.received_on BETWEEN p_from AND p_to
    UNION ALL
    -- Cases investigated: a determination made in the period.
    SELECT 'cases_investigated', c.id, NULL, c.ombudsman, c.area_id, NULL,
           NULL, NULL, NULL, NULL, NULL
    FROM c JOIN determination d ON d.case_id = c.id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    -- Cases closed in the period, by outcome.
    SELECT 'cases_closed', c.id, NULL, c.ombudsman, c.area_id, c.outcome,
           NULL, NULL, NULL, NULL, NULL
    FROM c WHERE c.closed_on BETWEEN p_from AND p_to
    UNION ALL
    -- Evidence requests set in the period: answered (sent) on time against
    -- the original due date and against the revised one; working days
    -- taken from set to sent.
    SELECT 'evidence_requests', c.id, t.id, c.ombudsman, t.service_area_id,
           CASE WHEN t.sent_on IS NULL THEN 'outstanding' ELSE 'answered' END,
           t.sent_on <= t.due_on, t.sent_on <= coalesce(t.revised_due_on, t.due_on),
           NULL, NULL,
           CASE WHEN t.sent_on IS NOT NULL THEN working_days_between(t.set_on, t.sent_on) END
    FROM task t JOIN c ON c.id = t.case_id
    WHERE t.kind = 'information_request' AND t.status <> 'cancelled'
    AND t.set_on BETWEEN p_from AND p_to
    UNION ALL
    -- Chasers and sanctions received in the period.
    SELECT CASE m.kind WHEN 'first_chaser' THEN 'first_chasers'
                       WHEN 'final_chaser' THEN 'final_chasers'
                       ELSE 'sanctions' END,
           c.id, NULL, c.ombudsman, c.area_id, NULL, NULL, NULL, NULL, NULL, NULL
    FROM correspondence m JOIN c ON c.id = m.case_id
    WHERE m.kind IN ('first_chaser', 'final_chaser', 'sanction_notice')
    AND m.dated_on BETWEEN p_from AND p_to
    UNION ALL
    -- Determinations made in the period: upheld when any finding is fault
    -- or maladministration (the Ombudsmen's uphold rate).
    SELECT 'determinations', c.id, NULL, c.ombudsman, c.area_id,
           CASE WHEN EXISTS (SELECT 1 FROM finding f WHERE f.determination_id = d.id
                             AND f.upheld) THEN 'upheld' ELSE 'not_upheld' END,
           NULL, NULL, NULL, NULL, NULL
    FROM c JOIN determination d ON d.case_id = c.id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 'findings', c.id, NULL, c.ombudsman, c.area_id, f.finding,
           NULL, NULL, NULL, NULL, NULL
    FROM c JOIN determination d ON d.case_id = c.id JOIN finding f ON f.determination_id = d.id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    -- Orders and recommendations made in the period: complied on time,
    -- late, or not yet and overdue today; compensation ordered and paid.
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
    FROM remedy r JOIN determination d ON d.id = r.determination_id
    JOIN c ON c.id = r.case_id LEFT JOIN task t ON t.id = r.task_id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    -- Tasks open at the end of the period, and those overdue then.
    SELECT 'open_tasks_at_end', c.id, t.id, c.ombudsman, t.service_area_id,
           CASE WHEN coalesce(t.revised_due_on, t.due_on) < p_to THEN 'overdue' ELSE 'in_time' END,
           NULL, NULL, NULL, NULL, NULL
    FROM task t JOIN c ON c.id = t.case_id
    WHERE t.set_on <= p_to AND t.status <> 'cancelled'
    AND (t.sent_on IS NULL OR t.sent_on > p_to)
    AND (t.completed_on IS NULL OR t.completed_on > p_to)
$$;

-- The figures of a period, for the whole organisation or one service area
-- or Ombudsman.
CREATE FUNCTION kpi_figures(p_from date, p_to date, p_today date, p_area bigint,
                            p_ombudsman text) RETURNS json
LANGUAGE sql STABLE AS $$
    WITH f AS (SELECT * FROM kpi_facts(p_from, p_to, p_today)
               WHERE (p_area IS NULL OR area_id = p_area)
               AND (p_ombudsman IS NULL OR ombudsman = p_ombudsman)),
    ev AS (SELECT * FROM f WHERE figure = 'evidence_requests')
    SELECT json_build_object(
        'cases_received', (SELECT count(*) FROM f WHERE figure = 'cases_received'),
        'cases_investigated', (SELECT count(*) FROM f WHERE figure = 'cases_investigated'),
        'cases_closed', (SELECT count(*) FROM f WHERE figure = 'cases_closed'),
        'cases_closed_by_outcome', coalesce((SELECT json_object_agg(key, n) FROM
            (SELECT key, count(*) AS n FROM f WHERE figure = 'cases_closed' GROUP BY key) x), '{}'),
        'evidence_requests', (SELECT count(*) FROM ev),
        'evidence_answered', (SELECT count(*) FROM ev WHERE key = 'answered'),
        'evidence_on_time', (SELECT count(*) FROM ev WHERE on_time),
        'evidence_on_time_revised', (SELECT count(*) FROM ev WHERE on_time_revised),
        'evidence_days_average', (SELECT round(avg(days), 1) FROM ev WHERE days IS NOT NULL),
        'evidence_days_p90', (SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY days)
                              FROM ev WHERE days IS NOT NULL),
        'first_chasers', (SELECT count(*) FROM f WHERE figure = 'first_chasers'),
        'final_chasers', (SELECT count(*) FROM f WHERE figure = 'final_chasers'),
        'sanctions', (SELECT count(*) FROM f WHERE figure = 'sanctions'),
        'determinations', (SELECT count(*) FROM f WHERE figure = 'determinations'),
        'upheld', (SELECT count(*) FROM f WHERE figure = 'determinations' AND key = 'upheld'),
        'upheld_rate', (SELECT round(100.0 * count(*) FILTER (WHERE key = 'upheld')
                                     / nullif(count(*), 0), 1)
                        FROM f WHERE figure = 'determinations'),
        'findings', coalesce((SELECT json_object_agg(key, n) FROM
            (SELECT key, count(*) AS n FROM f WHERE figure = 'findings' GROUP BY key) x), '{}'),
        'orders', (SELECT count(*) FROM f WHERE figure = 'orders'),
        'recommendations', (SELECT count(*) FROM f WHERE figure = 'recommendations'),
        'remedies_complied_on_time', (SELECT count(*) FROM f WHERE figure IN ('orders', 'recommendations')
                                      AND key = 'complied_on_time'),
        'remedies_complied_late', (SELECT count(*) FROM f WHERE figure IN ('orders', 'recommendations')
                                   AND key = 'complied_late'),
        'remedies_overdue', (SELECT count(*) FROM f WHERE figure IN ('orders', 'recommendations')
                             AND key = 'overdue'),
        'compensation_ordered_pence', (SELECT coalesce(sum(amount), 0) FROM f WHERE figure = 'orders'),
        'compensation_paid_pence', (SELECT coalesce(sum(paid), 0) FROM f WHERE figure = 'orders'),
        'open_tasks_at_end', (SELECT count(*) FROM f WHERE figure = 'open_tasks_at_end'),
        'overdue_tasks_at_end', (SELECT count(*) FROM f WHERE figure = 'open_tasks_at_end'
                                 AND key = 'overdue'))
$$;

-- The cases behind one figure (and, where it has them, one key).
CREATE FUNCTION kpi_cases(p_from date, p_to date, p_today date, p_figure text,
                          p_key text, p_area bigint, p_ombudsman text) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT coalesce(json_agg(case_summary_json(c) ORDER BY c.received_on, c.id), '[]')
    FROM ombudsman_case c
    WHERE c.id IN (SELECT f.case_id FROM kpi_facts(p_from, p_to, p_today) f
                   WHERE f.figure = p_figure AND (p_key IS NULL OR f.key = p_key
                         OR (p_key = 'on_time' AND f.on_time)
                         OR (p_key = 'on_time_revised' AND f.on_time_revised))
                   AND (p_area IS NULL OR f.area_id = p_area)
                   AND (p_ombudsman IS NULL OR f.ombudsman = p_ombudsman))
$$;

-- The case log: the "Ombudsman spreadsheet", one row per case, confined to
-- an area for a service officer; the resident's name only when allowed.
CREATE FUNCTION case_log(p_area bigint, p_residents boolean, p_today date)
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
    WHERE p_area IS NULL OR EXISTS (SELECT 1 FROM task t WHERE t.case_id = c.id
                                    AND t.service_area_id = p_area)
    ORDER BY c.received_on, c.id
$$;
