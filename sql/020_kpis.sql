-- The KPIs in the Ombudsmen's own terms (docs/kpis.md states each, with the
-- publication it matches).
--
-- kpi_facts(from, as_of, today) gives one row per (thing, measure): a case
-- received, a request due and answered on time, a finding considered, an
-- order complied with within three months.  Every figure reads one measure
-- (a count, a sum of money, a mean or percentile of working days) or two (a
-- rate: numerator over denominator), as the catalogue kpi_figure says, and
-- every drill-down lists the rows of that same measure: the figure and its
-- cases are one predicate, written once.
--
-- A period still running is reported as of today: the store passes the
-- earlier of the period's end and today as p_to (period_as_of() in
-- core/period.c), so "at the end" figures are taken on that day.

-- How each Ombudsman counts its headline rate: the Housing Ombudsman by
-- findings (its landlord performance reports), the LGSCO by decisions on
-- detailed investigations (its annual review letter).  A new Ombudsman is
-- a row with its own basis.
ALTER TABLE ombudsman ADD COLUMN rate_basis text NOT NULL DEFAULT 'decisions'
    CHECK (rate_basis IN ('findings', 'decisions'));
UPDATE ombudsman SET rate_basis = 'findings' WHERE code = 'HOS';

-- The type of a complaint handling failure order (1, 2 or 3), where the
-- notice says.
ALTER TABLE correspondence ADD COLUMN sanction_type smallint
    CHECK (sanction_type IS NULL OR (sanction_type BETWEEN 1 AND 3 AND kind = 'sanction_notice'));

-- Which findings the Housing Ombudsman's rate considers: all but those it
-- could not look at (outside jurisdiction; a withdrawn complaint has no
-- finding).  Adverse findings are finding.upheld.
CREATE TABLE finding_kind (
    finding     text PRIMARY KEY,
    label       text NOT NULL,
    considered  boolean NOT NULL
);
INSERT INTO finding_kind VALUES
    ('severe_maladministration', 'Severe maladministration', true),
    ('maladministration', 'Maladministration', true),
    ('service_failure', 'Service failure', true),
    ('reasonable_redress', 'Reasonable redress', true),
    ('no_maladministration', 'No maladministration', true),
    ('outside_jurisdiction', 'Outside jurisdiction', false),
    ('fault_causing_injustice', 'Fault causing injustice', true),
    ('fault_without_injustice', 'Fault without injustice', true),
    ('no_fault', 'No fault', true);

-- The figures, in the order leadership reads them.  kind: count (rows of
-- measure), money (the sum of their amounts, in pence), mean and p90 (of
-- their working days), rate (numerator's rows over denominator's, as a
-- percentage).  A figure's name is its measure's for count, money, mean
-- and p90.
CREATE TABLE kpi_figure (
    name        text PRIMARY KEY,
    position    integer NOT NULL UNIQUE,
    section     text NOT NULL,
    label       text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('count', 'money', 'mean', 'p90', 'rate')),
    measure     text,
    numerator   text REFERENCES kpi_figure,
    denominator text REFERENCES kpi_figure,
    CHECK ((kind = 'rate') = (numerator IS NOT NULL AND denominator IS NOT NULL)),
    CHECK ((kind = 'rate') = (measure IS NULL))
);
INSERT INTO kpi_figure (name, position, section, label, kind, measure, numerator, denominator) VALUES
    ('cases_received', 10, 'Cases', 'Cases received', 'count', 'cases_received', NULL, NULL),
    ('cases_investigated', 11, 'Cases', 'Cases decided after investigation', 'count', 'cases_investigated', NULL, NULL),
    ('cases_closed', 12, 'Cases', 'Cases closed', 'count', 'cases_closed', NULL, NULL),
    ('closed_orders_satisfied', 13, 'Cases', 'closed: orders satisfied', 'count', 'closed_orders_satisfied', NULL, NULL),
    ('closed_no_orders', 14, 'Cases', 'closed: no orders', 'count', 'closed_no_orders', NULL, NULL),
    ('closed_not_investigated', 15, 'Cases', 'closed: not investigated', 'count', 'closed_not_investigated', NULL, NULL),
    ('closed_premature', 16, 'Cases', 'closed: premature', 'count', 'closed_premature', NULL, NULL),
    ('closed_outside_jurisdiction', 17, 'Cases', 'closed: outside jurisdiction', 'count', 'closed_outside_jurisdiction', NULL, NULL),
    ('closed_withdrawn', 18, 'Cases', 'closed: withdrawn', 'count', 'closed_withdrawn', NULL, NULL),
    ('closed_resolved_early', 19, 'Cases', 'closed: resolved early', 'count', 'closed_resolved_early', NULL, NULL),

    ('evidence_requests', 20, 'Evidence', 'Evidence requests received', 'count', 'evidence_requests', NULL, NULL),
    ('evidence_due', 21, 'Evidence', 'Evidence requests due', 'count', 'evidence_due', NULL, NULL),
    ('evidence_on_time', 22, 'Evidence', 'sent on or before the due date (revised if agreed)', 'count', 'evidence_on_time', NULL, NULL),
    ('evidence_on_time_rate', 23, 'Evidence', 'Evidence on time', 'rate', NULL, 'evidence_on_time', 'evidence_due'),
    ('evidence_on_time_original', 24, 'Evidence', 'sent on or before the original due date', 'count', 'evidence_on_time_original', NULL, NULL),
    ('evidence_on_time_original_rate', 25, 'Evidence', 'Evidence within the original date', 'rate', NULL, 'evidence_on_time_original', 'evidence_due'),
    ('evidence_sent_late', 26, 'Evidence', 'sent after the due date', 'count', 'evidence_sent_late', NULL, NULL),
    ('evidence_unsent', 27, 'Evidence', 'not sent, past the due date', 'count', 'evidence_unsent', NULL, NULL),
    ('evidence_extended', 28, 'Evidence', 'with a revised date agreed', 'count', 'evidence_extended', NULL, NULL),
    ('evidence_days_mean', 29, 'Evidence', 'Working days to send, mean', 'mean', 'evidence_days', NULL, NULL),
    ('evidence_days_p90', 30, 'Evidence', 'Working days to send, 90th percentile', 'p90', 'evidence_days', NULL, NULL),

    ('first_chasers', 40, 'Chasers and sanctions', '1st chasers', 'count', 'first_chasers', NULL, NULL),
    ('final_chasers', 41, 'Chasers and sanctions', 'Final chasers', 'count', 'final_chasers', NULL, NULL),
    ('sanctions', 42, 'Chasers and sanctions', 'Complaint handling failure orders and witness summonses', 'count', 'sanctions', NULL, NULL),
    ('sanctions_type_1', 43, 'Chasers and sanctions', 'failure orders, type 1', 'count', 'sanctions_type_1', NULL, NULL),
    ('sanctions_type_2', 44, 'Chasers and sanctions', 'failure orders, type 2', 'count', 'sanctions_type_2', NULL, NULL),
    ('sanctions_type_3', 45, 'Chasers and sanctions', 'failure orders, type 3', 'count', 'sanctions_type_3', NULL, NULL),

    ('findings_considered', 50, 'Findings and decisions', 'Findings considered (Housing Ombudsman)', 'count', 'findings_considered', NULL, NULL),
    ('findings_adverse', 51, 'Findings and decisions', 'severe maladministration, maladministration or service failure', 'count', 'findings_adverse', NULL, NULL),
    ('maladministration_rate', 52, 'Findings and decisions', 'Maladministration rate, by findings (Housing Ombudsman)', 'rate', NULL, 'findings_adverse', 'findings_considered'),
    ('finding_severe_maladministration', 53, 'Findings and decisions', 'findings: severe maladministration', 'count', 'finding_severe_maladministration', NULL, NULL),
    ('finding_maladministration', 54, 'Findings and decisions', 'findings: maladministration', 'count', 'finding_maladministration', NULL, NULL),
    ('finding_service_failure', 55, 'Findings and decisions', 'findings: service failure', 'count', 'finding_service_failure', NULL, NULL),
    ('finding_reasonable_redress', 56, 'Findings and decisions', 'findings: reasonable redress', 'count', 'finding_reasonable_redress', NULL, NULL),
    ('finding_no_maladministration', 57, 'Findings and decisions', 'findings: no maladministration', 'count', 'finding_no_maladministration', NULL, NULL),
    ('finding_outside_jurisdiction', 58, 'Findings and decisions', 'findings: outside jurisdiction (not considered)', 'count', 'finding_outside_jurisdiction', NULL, NULL),
    ('investigations_decided', 60, 'Findings and decisions', 'Detailed investigations decided (LGSCO)', 'count', 'investigations_decided', NULL, NULL),
    ('investigations_upheld', 61, 'Findings and decisions', 'upheld (fault found)', 'count', 'investigations_upheld', NULL, NULL),
    ('uphold_rate', 62, 'Findings and decisions', 'Uphold rate, detailed investigations (LGSCO)', 'rate', NULL, 'investigations_upheld', 'investigations_decided'),
    ('finding_fault_causing_injustice', 63, 'Findings and decisions', 'decisions: fault causing injustice', 'count', 'finding_fault_causing_injustice', NULL, NULL),
    ('finding_fault_without_injustice', 64, 'Findings and decisions', 'decisions: fault without injustice', 'count', 'finding_fault_without_injustice', NULL, NULL),
    ('finding_no_fault', 65, 'Findings and decisions', 'decisions: no fault', 'count', 'finding_no_fault', NULL, NULL),

    ('orders_made', 70, 'Orders and recommendations', 'Orders made', 'count', 'orders_made', NULL, NULL),
    ('recommendations_made', 71, 'Orders and recommendations', 'Recommendations made', 'count', 'recommendations_made', NULL, NULL),
    ('orders_due', 72, 'Orders and recommendations', 'Orders due', 'count', 'orders_due', NULL, NULL),
    ('orders_complied_on_time', 73, 'Orders and recommendations', 'complied with by the due date', 'count', 'orders_complied_on_time', NULL, NULL),
    ('orders_on_time_rate', 74, 'Orders and recommendations', 'Orders complied with by the due date (Housing Ombudsman)', 'rate', NULL, 'orders_complied_on_time', 'orders_due'),
    ('orders_complied_3_months', 75, 'Orders and recommendations', 'complied with within three months of the due date', 'count', 'orders_complied_3_months', NULL, NULL),
    ('orders_3_months_rate', 76, 'Orders and recommendations', 'Orders complied with within three months', 'rate', NULL, 'orders_complied_3_months', 'orders_due'),
    ('orders_complied_6_months', 77, 'Orders and recommendations', 'complied with within six months of the due date', 'count', 'orders_complied_6_months', NULL, NULL),
    ('orders_6_months_rate', 78, 'Orders and recommendations', 'Orders complied with within six months', 'rate', NULL, 'orders_complied_6_months', 'orders_due'),
    ('orders_not_complied', 79, 'Orders and recommendations', 'not complied with yet', 'count', 'orders_not_complied', NULL, NULL),
    ('recommendations_due', 80, 'Orders and recommendations', 'Recommendations due', 'count', 'recommendations_due', NULL, NULL),
    ('recommendations_complied', 81, 'Orders and recommendations', 'complied with', 'count', 'recommendations_complied', NULL, NULL),
    ('recommendation_compliance_rate', 82, 'Orders and recommendations', 'Compliance with recommendations (LGSCO)', 'rate', NULL, 'recommendations_complied', 'recommendations_due'),
    ('recommendations_complied_on_time', 83, 'Orders and recommendations', 'complied with by the due date', 'count', 'recommendations_complied_on_time', NULL, NULL),
    ('remedies_confirmed', 84, 'Orders and recommendations', 'Remedies due: confirmed by the Ombudsman', 'count', 'remedies_confirmed', NULL, NULL),
    ('remedies_evidence_sent', 85, 'Orders and recommendations', 'Remedies due: evidence sent, not yet confirmed', 'count', 'remedies_evidence_sent', NULL, NULL),
    ('remedies_open', 86, 'Orders and recommendations', 'Orders and recommendations still open', 'count', 'remedies_open', NULL, NULL),
    ('compensation_ordered_pence', 87, 'Orders and recommendations', 'Compensation ordered', 'money', 'compensation_ordered', NULL, NULL),
    ('compensation_paid_pence', 88, 'Orders and recommendations', 'Compensation paid', 'money', 'compensation_paid', NULL, NULL),

    ('open_tasks_at_end', 90, 'Tasks', 'Tasks open', 'count', 'open_tasks_at_end', NULL, NULL),
    ('overdue_tasks_at_end', 91, 'Tasks', 'Tasks overdue', 'count', 'overdue_tasks_at_end', NULL, NULL);

-- Facts found by the dates that put them in a period, each through an index.
CREATE INDEX task_requests_due ON task ((coalesce(revised_due_on, due_on)))
    WHERE kind = 'information_request' AND status <> 'cancelled';
CREATE INDEX remedy_due ON remedy (due_on);
CREATE INDEX task_remedy_revised ON task (revised_due_on)
    WHERE remedy_id IS NOT NULL AND revised_due_on IS NOT NULL;
CREATE INDEX remedy_open ON remedy (id) WHERE complied_on IS NULL AND confirmed_on IS NULL;
CREATE INDEX remedy_complied ON remedy ((coalesce(complied_on, confirmed_on)))
    WHERE coalesce(complied_on, confirmed_on) IS NOT NULL;

DROP FUNCTION kpi_figures(date, date, date, bigint, text, bigint);
DROP FUNCTION kpi_groups(date, date, date, bigint, text, boolean, bigint);
DROP FUNCTION kpi_cases(date, date, date, text, text, bigint, text, bigint);
DROP FUNCTION kpi_facts(date, date, date);

-- One row per measure a thing counts for in the period p_from..p_to (p_to
-- already the as-of day of a running period).  detail says what the row
-- is (a task's title, a finding's element); on_date the date that put it
-- there; amount the pence a money figure sums; days the working days a
-- request took (working_days_between, as before).
CREATE FUNCTION kpi_facts(p_from date, p_to date, p_today date)
RETURNS TABLE (measure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, detail text, on_date date, amount bigint, days integer)
LANGUAGE sql STABLE AS $$
    -- Cases received, decided after investigation, closed (and how).
    SELECT m.measure, c.id, NULL::bigint, c.ombudsman, c.area_id, NULL::text, c.received_on,
           NULL::bigint, NULL::integer
    FROM case_fact c, LATERAL (VALUES ('cases_received')) m(measure)
    WHERE c.received_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT 'cases_investigated', c.id, NULL, c.ombudsman, c.area_id, NULL, d.decided_on, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    WHERE d.decided_on BETWEEN p_from AND p_to
    UNION ALL
    SELECT m.measure, c.id, NULL, c.ombudsman, c.area_id, c.outcome, c.closed_on, NULL, NULL
    FROM case_fact c, LATERAL (VALUES ('cases_closed'), ('closed_' || c.outcome)) m(measure)
    WHERE c.closed_on BETWEEN p_from AND p_to
    UNION ALL
    -- Information requests received in the period.
    SELECT 'evidence_requests', c.id, t.id, c.ombudsman, t.service_area_id, t.title, t.set_on,
           NULL, NULL
    FROM task t JOIN case_fact c ON c.id = t.case_id
    WHERE t.kind = 'information_request' AND t.status <> 'cancelled'
    AND t.set_on BETWEEN p_from AND p_to
    UNION ALL
    -- Information requests due in the period, once settled: sent, or past
    -- the due date unsent (late, answered or not).
    SELECT m.measure, c.id, t.id, c.ombudsman, t.service_area_id, t.title,
           coalesce(t.revised_due_on, t.due_on), NULL,
           CASE WHEN m.measure = 'evidence_days'
                THEN working_days_between(t.set_on, t.sent_on) END
    FROM task t JOIN case_fact c ON c.id = t.case_id,
    LATERAL (VALUES ('evidence_due', true),
                    ('evidence_on_time', t.sent_on <= coalesce(t.revised_due_on, t.due_on)),
                    ('evidence_on_time_original', t.sent_on <= t.due_on),
                    ('evidence_sent_late', t.sent_on > coalesce(t.revised_due_on, t.due_on)),
                    ('evidence_unsent', t.sent_on IS NULL),
                    ('evidence_extended', t.revised_due_on IS NOT NULL),
                    ('evidence_days', t.sent_on IS NOT NULL)) m(measure, holds)
    WHERE t.kind = 'information_request' AND t.status <> 'cancelled'
    AND coalesce(t.revised_due_on, t.due_on) BETWEEN p_from AND p_to
    AND (t.sent_on IS NOT NULL OR coalesce(t.revised_due_on, t.due_on) < p_today)
    AND m.holds
    UNION ALL
    -- Chasers and sanctions received, each linked to its case.
    SELECT m.measure, c.id, NULL, c.ombudsman, c.area_id, NULL, x.dated_on, NULL, NULL
    FROM correspondence x JOIN case_fact c ON c.id = x.case_id,
    LATERAL (VALUES (CASE x.kind WHEN 'first_chaser' THEN 'first_chasers'
                                 WHEN 'final_chaser' THEN 'final_chasers'
                                 ELSE 'sanctions' END),
                    (CASE WHEN x.sanction_type IS NOT NULL
                          THEN 'sanctions_type_' || x.sanction_type END)) m(measure)
    WHERE x.kind IN ('first_chaser', 'final_chaser', 'sanction_notice')
    AND x.dated_on BETWEEN p_from AND p_to AND m.measure IS NOT NULL
    UNION ALL
    -- Findings of determinations made in the period, for an Ombudsman
    -- that counts by findings.
    SELECT m.measure, c.id, NULL, c.ombudsman, c.area_id, f.element, d.decided_on, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    JOIN ombudsman o ON o.code = c.ombudsman
    JOIN finding f ON f.determination_id = d.id
    JOIN finding_kind k ON k.finding = f.finding,
    LATERAL (VALUES ('finding_' || f.finding, true),
                    ('findings_considered', k.considered AND o.rate_basis = 'findings'),
                    ('findings_adverse', k.considered AND f.upheld
                                         AND o.rate_basis = 'findings')) m(measure, holds)
    WHERE d.decided_on BETWEEN p_from AND p_to AND m.holds
    UNION ALL
    -- Decisions on detailed investigations, for an Ombudsman that counts
    -- by decisions: upheld when fault was found in any part.
    SELECT m.measure, c.id, NULL, c.ombudsman, c.area_id, NULL, d.decided_on, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    JOIN ombudsman o ON o.code = c.ombudsman AND o.rate_basis = 'decisions',
    LATERAL (SELECT coalesce(bool_or(f.upheld), false) AS upheld FROM finding f
             WHERE f.determination_id = d.id) u,
    LATERAL (VALUES ('investigations_decided', true),
                    ('investigations_upheld', u.upheld)) m(measure, holds)
    WHERE d.decided_on BETWEEN p_from AND p_to AND m.holds
    UNION ALL
    -- Orders and recommendations made in the period; compensation ordered
    -- (in orders and recommended payments alike) and paid.
    SELECT m.measure, c.id, r.task_id, c.ombudsman, coalesce(t.service_area_id, c.area_id),
           r.description, d.decided_on, m.amount, NULL
    FROM determination d JOIN remedy r ON r.determination_id = d.id
    JOIN case_fact c ON c.id = r.case_id LEFT JOIN task t ON t.id = r.task_id,
    LATERAL (VALUES (CASE r.type WHEN 'order' THEN 'orders_made'
                                 ELSE 'recommendations_made' END, NULL::bigint),
                    (CASE WHEN r.amount_pence IS NOT NULL THEN 'compensation_ordered' END,
                     r.amount_pence),
                    (CASE WHEN r.paid_pence IS NOT NULL THEN 'compensation_paid' END,
                     r.paid_pence)) m(measure, amount)
    WHERE d.decided_on BETWEEN p_from AND p_to AND m.measure IS NOT NULL
    UNION ALL
    -- Orders and recommendations due in the period, once settled (complied
    -- with, or past the due date): complied with by the due date, within
    -- three and six months of it; confirmed by the Ombudsman or only
    -- evidence sent.
    SELECT m.measure, c.id, r.task_id, c.ombudsman, coalesce(r.area_id, c.area_id),
           r.description, r.due, NULL, NULL
    FROM (SELECT r.*, coalesce(t.revised_due_on, r.due_on) AS due,
                 coalesce(r.complied_on, r.confirmed_on) AS done, t.service_area_id AS area_id
          FROM remedy r LEFT JOIN task t ON t.id = r.task_id
          WHERE r.due_on BETWEEN p_from AND p_to
          AND coalesce(t.status, 'open') <> 'cancelled'
          UNION ALL
          -- Due in the period only by the revised date agreed.
          SELECT r.*, t.revised_due_on, coalesce(r.complied_on, r.confirmed_on),
                 t.service_area_id
          FROM task t JOIN remedy r ON r.id = t.remedy_id
          WHERE t.revised_due_on BETWEEN p_from AND p_to
          AND r.due_on NOT BETWEEN p_from AND p_to AND t.status <> 'cancelled') r
    JOIN case_fact c ON c.id = r.case_id,
    LATERAL (VALUES ('orders_due', r.type = 'order'),
                    ('orders_complied_on_time', r.type = 'order' AND r.done <= r.due),
                    ('orders_complied_3_months', r.type = 'order'
                                                 AND r.done <= r.due + interval '3 months'),
                    ('orders_complied_6_months', r.type = 'order'
                                                 AND r.done <= r.due + interval '6 months'),
                    ('orders_not_complied', r.type = 'order' AND r.done IS NULL),
                    ('recommendations_due', r.type = 'recommendation'),
                    ('recommendations_complied', r.type = 'recommendation'
                                                 AND r.done IS NOT NULL),
                    ('recommendations_complied_on_time', r.type = 'recommendation'
                                                         AND r.done <= r.due),
                    ('remedies_confirmed', r.confirmed_on IS NOT NULL),
                    ('remedies_evidence_sent', r.complied_on IS NOT NULL
                                               AND r.confirmed_on IS NULL)) m(measure, holds)
    WHERE r.due BETWEEN p_from AND p_to AND (r.done IS NOT NULL OR r.due < p_today)
    AND m.holds
    UNION ALL
    -- Orders and recommendations still open on the as-of day: made by
    -- then, neither complied with nor confirmed by then.
    SELECT 'remedies_open', c.id, r.task_id, c.ombudsman, coalesce(t.service_area_id, c.area_id),
           r.description, r.due_on, NULL, NULL
    FROM (SELECT r.* FROM remedy r WHERE r.complied_on IS NULL AND r.confirmed_on IS NULL
          UNION ALL
          SELECT r.* FROM remedy r WHERE coalesce(r.complied_on, r.confirmed_on) > p_to) r
    JOIN determination d ON d.id = r.determination_id
    JOIN case_fact c ON c.id = r.case_id LEFT JOIN task t ON t.id = r.task_id
    WHERE d.decided_on <= p_to AND coalesce(t.status, 'open') <> 'cancelled'
    UNION ALL
    -- Tasks open on the as-of day, and those overdue then (past their due
    -- date, revised if agreed, and not paused: task_overdue's rule).
    SELECT m.measure, c.id, t.id, c.ombudsman, t.service_area_id, t.title,
           coalesce(t.revised_due_on, t.due_on), NULL, NULL
    FROM task t JOIN case_fact c ON c.id = t.case_id,
    LATERAL (VALUES ('open_tasks_at_end', true),
                    ('overdue_tasks_at_end', coalesce(t.revised_due_on, t.due_on) < p_to
                     AND NOT coalesce(t.paused_on <= p_to, false))) m(measure, holds)
    WHERE task_open_span(t.set_on, t.sent_on, t.completed_on) @> p_to
    AND t.status <> 'cancelled' AND m.holds
$$;

-- Every figure of the catalogue from counted facts: n rows, their summed
-- amount, the mean and 90th percentile of their days, per measure.
CREATE FUNCTION kpi_values(p_counts json) RETURNS json LANGUAGE sql STABLE AS $$
    WITH c AS (SELECT * FROM json_to_recordset(p_counts)
               AS x(measure text, n bigint, amount bigint, mean numeric, p90 integer))
    SELECT json_object_agg(k.name, CASE k.kind
        WHEN 'count' THEN to_json(coalesce(m.n, 0))
        WHEN 'money' THEN to_json(coalesce(m.amount, 0))
        WHEN 'mean' THEN to_json(round(m.mean, 1))
        WHEN 'p90' THEN to_json(m.p90)
        ELSE to_json(round(100.0 * coalesce(num.n, 0) / nullif(den.n, 0), 1)) END
        ORDER BY k.position)
    FROM kpi_figure k
    LEFT JOIN c m ON m.measure = k.measure
    LEFT JOIN kpi_figure kn ON kn.name = k.numerator LEFT JOIN c num ON num.measure = kn.measure
    LEFT JOIN kpi_figure kd ON kd.name = k.denominator LEFT JOIN c den ON den.measure = kd.measure
$$;

-- The facts of a period as a reader may count them: p_area narrows to one
-- area's facts, p_ombudsman to one Ombudsman's, p_scope to the facts of
-- cases the reader may open (the one area rule, sql/013_area_scope.sql).
-- Figures and drill-downs both read this.
CREATE FUNCTION kpi_facts_for(p_from date, p_to date, p_today date, p_area bigint,
                              p_ombudsman text, p_scope bigint)
RETURNS TABLE (measure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, detail text, on_date date, amount bigint, days integer)
LANGUAGE sql STABLE AS $$
    SELECT * FROM kpi_facts(p_from, p_to, p_today) f
    WHERE (p_area IS NULL OR f.area_id = p_area)
    AND (p_ombudsman IS NULL OR f.ombudsman = p_ombudsman)
    AND case_visible(p_scope, f.case_id)
$$;

-- Every figure of a period for the whole organisation (g_set 3) and, with
-- p_split, each Ombudsman (1) and each service area (2), from one reading
-- of its facts.
CREATE FUNCTION kpi_groups(p_from date, p_to date, p_today date, p_area bigint,
                           p_ombudsman text, p_split boolean, p_scope bigint)
RETURNS TABLE (g_ombudsman text, g_area bigint, g_set integer, figures json)
LANGUAGE sql STABLE AS $$
    WITH f AS (SELECT * FROM kpi_facts_for(p_from, p_to, p_today, p_area, p_ombudsman,
                                           p_scope)),
    m AS (SELECT CASE WHEN p_split THEN f.ombudsman END AS bo,
                 CASE WHEN p_split THEN f.area_id END AS ba, f.measure, f.amount, f.days
          FROM f),
    g AS (SELECT m.bo, m.ba, GROUPING(m.bo, m.ba) AS gs, m.measure, count(*) AS n,
                 sum(m.amount) AS amount, avg(m.days) AS mean,
                 percentile_disc(0.9) WITHIN GROUP (ORDER BY m.days) AS p90
          FROM m GROUP BY GROUPING SETS ((m.measure), (m.bo, m.measure), (m.ba, m.measure))),
    groups AS (SELECT bo, ba, gs, json_agg(json_build_object('measure', measure, 'n', n,
                      'amount', amount, 'mean', mean, 'p90', p90)) AS counts
               FROM g GROUP BY bo, ba, gs
               UNION ALL
               SELECT NULL, NULL, 3, '[]' WHERE NOT EXISTS (SELECT 1 FROM g WHERE gs = 3))
    SELECT bo, ba, gs, kpi_values(counts) FROM groups
    WHERE gs = 3 OR p_split
$$;

-- The organisation's figures alone (or one area's, one Ombudsman's).
CREATE FUNCTION kpi_figures(p_from date, p_to date, p_today date, p_area bigint,
                            p_ombudsman text, p_scope bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT kpi_values(coalesce(json_agg(json_build_object('measure', measure,
                'n', n, 'amount', amount, 'mean', mean, 'p90', p90)), '[]'))
            FROM (SELECT f.measure, count(*) AS n, sum(f.amount) AS amount,
                         avg(f.days) AS mean,
                         percentile_disc(0.9) WITHIN GROUP (ORDER BY f.days) AS p90
                  FROM kpi_facts_for(p_from, p_to, p_today, p_area, p_ombudsman, p_scope) f
                  GROUP BY f.measure) x);
END $$;

-- The rows behind one figure, exactly those it counts, each a case's
-- summary (case_doc) with the fact that counted: {..., fact: {task_id,
-- detail, on_date, amount_pence, days}} (a rate's are its
-- numerator's; a mean's or percentile's the requests it reads), for the
-- same reader and narrowing; NULL for a figure not in the catalogue.
CREATE FUNCTION kpi_rows(p_from date, p_to date, p_today date, p_figure text,
                         p_area bigint, p_ombudsman text, p_scope bigint)
RETURNS json LANGUAGE sql STABLE AS $$
    WITH k AS (SELECT coalesce(k.measure, n.measure) AS measure FROM kpi_figure k
               LEFT JOIN kpi_figure n ON n.name = k.numerator WHERE k.name = p_figure)
    SELECT CASE WHEN EXISTS (SELECT 1 FROM k) THEN coalesce((
        SELECT json_agg(d.doc::jsonb || jsonb_build_object('fact', jsonb_build_object(
                   'task_id', f.task_id, 'detail', f.detail, 'on_date', f.on_date,
                   'amount_pence', f.amount, 'days', f.days))
               ORDER BY d.received_on, d.id, f.on_date, f.task_id, f.detail)
        FROM kpi_facts_for(p_from, p_to, p_today, p_area, p_ombudsman, p_scope) f
        JOIN case_doc d ON d.id = f.case_id
        WHERE f.measure = (SELECT measure FROM k)), '[]') END
$$;

-- The catalogue, for pages and exports to label and order the figures.
CREATE FUNCTION kpi_catalogue() RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_agg(json_build_object('name', name, 'section', section, 'label', label,
                    'kind', kind, 'numerator', numerator, 'denominator', denominator)
                    ORDER BY position)
    FROM kpi_figure
$$;

-- The case log with the names and values a reader of the spreadsheet
-- uses; codes (stage, outcome) are labelled by the server.
DROP FUNCTION case_log(bigint, bigint, boolean, date);
CREATE FUNCTION case_log(p_scope bigint, p_area bigint, p_residents boolean, p_today date)
RETURNS TABLE ("Ombudsman" text, "Ombudsman reference" text, "Complaint reference" text,
               "Category" text, "Service area" text, "Stage" text, "Outcome" text,
               "Received" date, "Closed" date, "Link officer" text, "Open tasks" bigint,
               "Overdue tasks" bigint, "Next due" date, "Determination" date,
               "Upheld" boolean, "Orders" bigint, "Compensation ordered" bigint,
               "Resident" text)
LANGUAGE sql STABLE AS $$
    SELECT o.name, c.reference, cp.reference, cp.category, a.name, c.stage, c.outcome,
        c.received_on, c.closed_on, (SELECT name FROM app_user WHERE id = c.link_officer_id),
        (SELECT count(*) FROM task t WHERE t.case_id = c.id AND t.status NOT IN ('done', 'cancelled')),
        (SELECT count(*) FROM task t WHERE t.case_id = c.id AND task_overdue(t, p_today)),
        (SELECT min(effective_due(t)) FROM task t WHERE t.case_id = c.id
         AND t.status NOT IN ('done', 'cancelled')),
        d.decided_on,
        (SELECT bool_or(f.upheld) FROM finding f WHERE f.determination_id = d.id),
        (SELECT count(*) FROM remedy r WHERE r.case_id = c.id AND r.type = 'order'),
        (SELECT sum(amount_pence) FROM remedy r WHERE r.case_id = c.id)::bigint,
        CASE WHEN p_residents THEN (SELECT name FROM resident r WHERE r.complaint_id = cp.id) END
    FROM ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id JOIN service_area a ON a.id = cp.service_area_id
    LEFT JOIN determination d ON d.case_id = c.id
    WHERE case_visible(p_scope, c.id) AND case_visible(p_area, c.id)
    ORDER BY c.received_on, c.id
$$;
