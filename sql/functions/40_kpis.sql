-- The KPIs: one catalogue of figures (kpi_catalogue), one function of
-- facts shared by every figure and its drill-down (kpi_facts), and the
-- case log.  Definitions in docs/kpis.md; adding a figure is a row and its
-- facts here, nothing copied into a migration.

-- The way of counting (an Ombudsman's rate_basis) under which a measure
-- is counted at all (NULL: under every one): kpi_facts counts findings
-- considered and adverse for an Ombudsman that counts by findings, and
-- detailed investigations decided and upheld for one that counts by
-- decisions.
CREATE OR REPLACE FUNCTION kpi_rate_basis(p_measure text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_measure IN ('findings_considered', 'findings_adverse') THEN 'findings'
                WHEN p_measure IN ('investigations_decided', 'investigations_upheld')
                    THEN 'decisions' END
$$;

-- The catalogue, for pages and exports to label and order the figures; a
-- rate over a measure of one way of counting says which (rate_basis):
-- the rate an Ombudsman of that basis is judged by.
CREATE OR REPLACE FUNCTION kpi_catalogue() RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_agg(json_build_object('name', name, 'section', section, 'label', label,
                    'kind', kind, 'numerator', numerator, 'denominator', denominator,
                    'rate_basis', CASE WHEN kind = 'rate' THEN kpi_rate_basis(denominator) END)
                    ORDER BY position)
    FROM kpi_figure
$$;

-- Every figure of the catalogue from counted facts: n rows, their summed
-- amount, the mean and 90th percentile of their days, per measure.
CREATE OR REPLACE FUNCTION kpi_values(p_counts json) RETURNS json LANGUAGE sql STABLE AS $$
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

-- The facts of a period: those with a day of their own in it
-- (kpi_facts_dated) and those taken on its as-of day (kpi_facts_at_end).
DROP FUNCTION IF EXISTS kpi_facts(date, date, date, bigint[]);
DROP FUNCTION IF EXISTS kpi_remedies_open(date);
CREATE OR REPLACE FUNCTION kpi_facts(p_from date, p_to date, p_today date)
RETURNS TABLE (measure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, detail text, on_date date, amount bigint, days integer)
LANGUAGE sql STABLE AS $$
    SELECT * FROM kpi_facts_dated(p_from, p_to, p_today)
    UNION ALL
    SELECT * FROM kpi_facts_at_end(p_to)
$$;

-- The facts with a day of their own: each is a fact of the periods its
-- day (on_date) is in, and, when it is not settled (a request unsent, an
-- order not complied with), only once that day is before today.  The KPIs
-- count failure orders by their recorded type (chfo_type for
-- sanction_type): otherwise as sql/020 defined them.  p_cases, when
-- given, gives every such fact of those cases (the period is not asked
-- for: the store keeps them all, sql/032, called with -infinity and
-- infinity), read through the cases' own indexes.
CREATE OR REPLACE FUNCTION kpi_facts_dated(p_from date, p_to date, p_today date,
                                           p_cases bigint[] DEFAULT NULL)
RETURNS TABLE (measure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, detail text, on_date date, amount bigint, days integer)
LANGUAGE sql STABLE AS $$
    -- Cases received, decided after investigation, closed (and how).
    SELECT m.measure, c.id, NULL::bigint, c.ombudsman, c.area_id, NULL::text, c.received_on,
           NULL::bigint, NULL::integer
    FROM case_fact c, LATERAL (VALUES ('cases_received')) m(measure)
    WHERE (c.received_on BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND c.received_on IS NOT NULL)
    AND (p_cases IS NULL OR c.id = ANY(p_cases))
    UNION ALL
    SELECT 'cases_investigated', c.id, NULL, c.ombudsman, c.area_id, NULL, d.decided_on, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    WHERE (d.decided_on BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND d.decided_on IS NOT NULL)
    AND (p_cases IS NULL OR d.case_id = ANY(p_cases))
    UNION ALL
    SELECT m.measure, c.id, NULL, c.ombudsman, c.area_id, c.outcome, c.closed_on, NULL, NULL
    FROM case_fact c, LATERAL (VALUES ('cases_closed'), ('closed_' || c.outcome)) m(measure)
    WHERE (c.closed_on BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND c.closed_on IS NOT NULL)
    AND (p_cases IS NULL OR c.id = ANY(p_cases))
    UNION ALL
    -- Information requests received in the period.
    SELECT 'evidence_requests', c.id, t.id, c.ombudsman, t.service_area_id, t.title, t.set_on,
           NULL, NULL
    FROM task t JOIN case_fact c ON c.id = t.case_id
    WHERE t.kind = 'information_request' AND t.status <> 'cancelled'
    AND (t.set_on BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND t.set_on IS NOT NULL)
    AND (p_cases IS NULL OR t.case_id = ANY(p_cases))
    UNION ALL
    -- Information requests due in the period, once settled: sent, or past
    -- the due date unsent (late, answered or not).
    SELECT m.measure, c.id, t.id, c.ombudsman, t.service_area_id, t.title,
           coalesce(t.revised_due_on, t.due_on), NULL,
           CASE WHEN m.measure = 'evidence_days'
                THEN (SELECT d.working_days FROM task_days d WHERE d.task_id = t.id) END
    FROM task t JOIN case_fact c ON c.id = t.case_id,
    LATERAL (VALUES ('evidence_due', true),
                    ('evidence_on_time', t.sent_on <= coalesce(t.revised_due_on, t.due_on)),
                    ('evidence_on_time_original', t.sent_on <= t.due_on),
                    ('evidence_sent_late', t.sent_on > coalesce(t.revised_due_on, t.due_on)),
                    ('evidence_unsent', t.sent_on IS NULL),
                    ('evidence_extended', t.revised_due_on IS NOT NULL),
                    ('evidence_days', t.sent_on IS NOT NULL)) m(measure, holds)
    WHERE t.kind = 'information_request' AND t.status <> 'cancelled'
    AND (coalesce(t.revised_due_on, t.due_on) BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND coalesce(t.revised_due_on, t.due_on) IS NOT NULL)
    AND (t.sent_on IS NOT NULL OR coalesce(t.revised_due_on, t.due_on) < p_today)
    AND (p_cases IS NULL OR t.case_id = ANY(p_cases))
    AND m.holds
    UNION ALL
    -- Chasers and sanctions received, each linked to its case.
    SELECT m.measure, c.id, NULL, c.ombudsman, c.area_id, NULL, x.dated_on, NULL, NULL
    FROM correspondence x JOIN case_fact c ON c.id = x.case_id,
    LATERAL (VALUES (CASE x.kind WHEN 'first_chaser' THEN 'first_chasers'
                                 WHEN 'final_chaser' THEN 'final_chasers'
                                 ELSE 'sanctions' END),
                    (CASE WHEN x.chfo_type IS NOT NULL
                          THEN 'sanctions_type_' || x.chfo_type END)) m(measure)
    WHERE x.kind IN ('first_chaser', 'final_chaser', 'sanction_notice')
    AND (x.dated_on BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND x.dated_on IS NOT NULL) AND m.measure IS NOT NULL
    AND (p_cases IS NULL OR x.case_id = ANY(p_cases))
    UNION ALL
    -- Findings of determinations made in the period, for an Ombudsman
    -- that counts by findings.
    SELECT m.measure, c.id, NULL, c.ombudsman, c.area_id, f.element, d.decided_on, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    JOIN ombudsman o ON o.code = c.ombudsman
    JOIN finding f ON f.determination_id = d.id
    JOIN finding_kind k ON k.finding = f.finding,
    LATERAL (VALUES ('finding_' || f.finding, true),
                    ('findings_considered', k.considered
                        AND o.rate_basis = kpi_rate_basis('findings_considered')),
                    ('findings_adverse', k.considered AND f.upheld
                        AND o.rate_basis = kpi_rate_basis('findings_adverse'))) m(measure, holds)
    WHERE (d.decided_on BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND d.decided_on IS NOT NULL) AND m.holds
    AND (p_cases IS NULL OR d.case_id = ANY(p_cases))
    UNION ALL
    -- Decisions on detailed investigations, for an Ombudsman that counts
    -- by decisions: upheld when fault was found in any part.
    SELECT m.measure, c.id, NULL, c.ombudsman, c.area_id, NULL, d.decided_on, NULL, NULL
    FROM determination d JOIN case_fact c ON c.id = d.case_id
    JOIN ombudsman o ON o.code = c.ombudsman
        AND o.rate_basis = kpi_rate_basis('investigations_decided'),
    LATERAL (SELECT coalesce(bool_or(f.upheld), false) AS upheld FROM finding f
             WHERE f.determination_id = d.id) u,
    LATERAL (VALUES ('investigations_decided', true),
                    ('investigations_upheld', u.upheld)) m(measure, holds)
    WHERE (d.decided_on BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND d.decided_on IS NOT NULL) AND m.holds
    AND (p_cases IS NULL OR d.case_id = ANY(p_cases))
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
    WHERE (d.decided_on BETWEEN p_from AND p_to
           OR p_cases IS NOT NULL AND d.decided_on IS NOT NULL) AND m.measure IS NOT NULL
    AND (p_cases IS NULL OR r.case_id = ANY(p_cases))
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
          WHERE r.due_on BETWEEN p_from AND p_to AND (p_cases IS NULL OR r.case_id = ANY(p_cases))
          AND coalesce(t.status, 'open') <> 'cancelled'
          UNION ALL
          -- Due in the period only by the revised date agreed.
          SELECT r.*, t.revised_due_on, coalesce(r.complied_on, r.confirmed_on),
                 t.service_area_id
          FROM task t JOIN remedy r ON r.id = t.remedy_id
          WHERE t.revised_due_on BETWEEN p_from AND p_to
          AND r.due_on NOT BETWEEN p_from AND p_to AND t.status <> 'cancelled'
          AND (p_cases IS NULL OR r.case_id = ANY(p_cases))) r
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
    AND m.holds AND (p_cases IS NULL OR c.id = ANY(p_cases))
$$;

-- The facts taken on the as-of day: orders and recommendations still open
-- then, tasks open then and those overdue; p_cases narrows them to those
-- cases.
CREATE OR REPLACE FUNCTION kpi_facts_at_end(p_to date, p_cases bigint[] DEFAULT NULL)
RETURNS TABLE (measure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, detail text, on_date date, amount bigint, days integer)
LANGUAGE sql STABLE AS $$
    -- Orders and recommendations still open on the as-of day.
    SELECT * FROM kpi_remedies_open(p_to, p_cases)
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
    AND t.status <> 'cancelled' AND m.holds AND (p_cases IS NULL OR t.case_id = ANY(p_cases))
$$;

CREATE OR REPLACE FUNCTION kpi_facts_for(p_from date, p_to date, p_today date, p_area bigint,
                                         p_ombudsman text, p_scope bigint)
RETURNS TABLE (measure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, detail text, on_date date, amount bigint, days integer)
LANGUAGE sql STABLE AS $$
    SELECT * FROM kpi_facts(p_from, p_to, p_today) f
    WHERE kpi_narrowed(p_area, p_ombudsman, p_scope, f.area_id, f.ombudsman, f.case_id)
$$;

-- The narrowing a reader's facts get: one area's, one Ombudsman's, the
-- cases the reader may open (the one area rule, sql/013_area_scope.sql).
CREATE OR REPLACE FUNCTION kpi_narrowed(p_area bigint, p_ombudsman text, p_scope bigint,
                             f_area bigint, f_ombudsman text, f_case bigint)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT (p_area IS NULL OR f_area = p_area)
           AND (p_ombudsman IS NULL OR f_ombudsman = p_ombudsman)
           AND case_visible(p_scope, f_case)
$$;

-- Orders and recommendations still open on the as-of day: made by then,
-- neither complied with nor confirmed by then.  A function of its own so
-- that the annual report's list of them (kpi_rows) reads these rows only,
-- not every fact of the year (11 s to well under a second at full size).
CREATE OR REPLACE FUNCTION kpi_remedies_open(p_to date, p_cases bigint[] DEFAULT NULL)
RETURNS TABLE (measure text, case_id bigint, task_id bigint, ombudsman text,
               area_id bigint, detail text, on_date date, amount bigint, days integer)
LANGUAGE sql STABLE AS $$
    SELECT 'remedies_open', c.id, r.task_id, c.ombudsman, coalesce(t.service_area_id, c.area_id),
           r.description, r.due_on, NULL::bigint, NULL::integer
    FROM (SELECT r.* FROM remedy r WHERE r.complied_on IS NULL AND r.confirmed_on IS NULL
          AND (p_cases IS NULL OR r.case_id = ANY(p_cases))
          UNION ALL
          SELECT r.* FROM remedy r WHERE coalesce(r.complied_on, r.confirmed_on) > p_to
          AND (p_cases IS NULL OR r.case_id = ANY(p_cases))) r
    JOIN determination d ON d.id = r.determination_id
    JOIN case_fact c ON c.id = r.case_id LEFT JOIN task t ON t.id = r.task_id
    WHERE d.decided_on <= p_to AND coalesce(t.status, 'open') <> 'cancelled'
    AND (p_cases IS NULL OR c.id = ANY(p_cases))
$$;

-- The rows behind one figure (sql/020), the orders still open read on
-- their own: the other facts of the period are not worked out for them
-- (each branch below is skipped whole when its condition is false).
CREATE OR REPLACE FUNCTION kpi_rows(p_from date, p_to date, p_today date, p_figure text,
                                    p_area bigint, p_ombudsman text, p_scope bigint)
RETURNS json LANGUAGE sql STABLE AS $$
    WITH k AS (SELECT coalesce(k.measure, n.measure) AS measure FROM kpi_figure k
               LEFT JOIN kpi_figure n ON n.name = k.numerator WHERE k.name = p_figure),
    f AS (SELECT * FROM kpi_facts_for(p_from, p_to, p_today, p_area, p_ombudsman, p_scope) f
          WHERE (SELECT measure FROM k) <> 'remedies_open'
          UNION ALL
          SELECT * FROM kpi_remedies_open(p_to) f
          WHERE (SELECT measure FROM k) = 'remedies_open'
          AND kpi_narrowed(p_area, p_ombudsman, p_scope, f.area_id, f.ombudsman, f.case_id))
    SELECT CASE WHEN EXISTS (SELECT 1 FROM k) THEN coalesce((
        SELECT json_agg(d.doc::jsonb || jsonb_build_object('fact', jsonb_build_object(
                   'task_id', f.task_id, 'detail', f.detail, 'on_date', f.on_date,
                   'amount_pence', f.amount, 'days', f.days))
               ORDER BY d.received_on, d.id, f.on_date, f.task_id, f.detail)
        FROM f JOIN case_doc d ON d.id = f.case_id
        WHERE f.measure = (SELECT measure FROM k)), '[]') END
$$;

-- The queue's mark for every case due (case ids start at 1), and the key
-- of the lock one filler at a time holds (kpi_fill, kpi_keep_day).
CREATE OR REPLACE FUNCTION kpi_every_case() RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT 0::bigint $$;
-- Is the keeping of every case due or under way (the mark queued)?
CREATE OR REPLACE FUNCTION kpi_every_case_due() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM kpi_case_due WHERE case_id = kpi_every_case())
$$;
CREATE OR REPLACE FUNCTION kpi_fill_lock() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT hashtext('linkdesk kpi_fill') $$;

-- The fill's lock for the rest of the transaction, waited for up to the
-- lock timeout; false when another filler kept it longer.
CREATE OR REPLACE FUNCTION kpi_fill_wait() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(kpi_fill_lock());
    RETURN true;
EXCEPTION WHEN lock_not_available THEN
    RETURN false;
END $$;

-- A period's facts counted by measure, Ombudsman, area and days taken:
-- what every figure is worked out from.  Read from the facts kept case by
-- case (sql/032) when the reader sees every case, those of the cases
-- queued in this snapshot (changed since they were kept) taken out and
-- worked out afresh, so that the cost follows the queue, not the data;
-- counted from kpi_facts_for when every case is due (kpi_every_case()) or
-- the reader sees some cases only.  A row may then count -1: its group's
-- sum is never below 0.  The kept facts are kpi_facts' own, so both give
-- the same counts: a fact with a day of
-- its own is one of the period's when its day is in the period and it is
-- settled or its day is before today; whole quarters and months before
-- today are read counted (kpi_month), the rest fact by fact (kpi_dated);
-- the as-of day's facts are kept for each quarter's last day and today
-- (kpi_end_sum), and worked out otherwise.  p_whole: the caller wants the
-- organisation's counts only (the area is not asked for, nor split by),
-- which whole months give ready counted (area_id NULL).
CREATE OR REPLACE FUNCTION kpi_counts(p_from date, p_to date, p_today date, p_area bigint,
                                      p_ombudsman text, p_scope bigint, p_whole boolean)
RETURNS TABLE (measure text, ombudsman text, area_id bigint, days integer, n bigint,
               amount numeric)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    -- The whole months of the period that end before today: [m_from, m_to),
    -- of which whole quarters [q_from, q_to) are read by quarter.
    m_from date := date_trunc('month', p_from - 1) + interval '1 month';
    m_to date := greatest(date_trunc('month', least(p_to, p_today - 1) + 1),
                          date_trunc('month', p_from - 1) + interval '1 month');
    q_from date := date_trunc('quarter', m_from - 1) + interval '3 months';
    q_to date := greatest(date_trunc('quarter', m_to),
                          date_trunc('quarter', m_from - 1) + interval '3 months');
    queued bigint[];
BEGIN
    IF p_scope IS NOT NULL OR kpi_every_case_due() THEN
        RETURN QUERY
            SELECT f.measure, f.ombudsman, f.area_id, f.days, count(*),
                   coalesce(sum(f.amount), 0)
            FROM kpi_facts_for(p_from, p_to, p_today, p_area, p_ombudsman, p_scope) f
            GROUP BY f.measure, f.ombudsman, f.area_id, f.days;
        RETURN;
    END IF;
    queued := ARRAY(SELECT case_id FROM kpi_case_due);
    RETURN QUERY
        SELECT x.measure, x.ombudsman, x.area_id, x.days, sum(x.n)::bigint,
               coalesce(sum(x.amount), 0)
        FROM (SELECT k.measure, k.ombudsman, k.area_id, k.days, k.n, k.amount
              FROM kpi_month k WHERE k.whole = p_whole AND k.n <> 0
              AND ((k.grain = 'q' AND k.month >= q_from AND k.month < q_to)
                   OR (k.grain = 'm' AND k.month >= m_from AND k.month < least(q_from, m_to))
                   OR (k.grain = 'm' AND k.month >= greatest(q_to, m_from) AND k.month < m_to))
              UNION ALL
              SELECT d.measure, d.ombudsman, d.area_id, d.days, 1, d.amount
              FROM kpi_dated d
              WHERE (d.on_date BETWEEN p_from AND least(p_to, m_from - 1)
                     OR d.on_date BETWEEN greatest(p_from, m_to) AND p_to)
              AND (d.settled OR d.on_date < p_today)
              UNION ALL
              SELECT e.measure, e.ombudsman, e.area_id, e.days, e.n, e.amount
              FROM kpi_end_sum e WHERE e.on_date = p_to AND e.n <> 0
              UNION ALL
              SELECT f.measure, f.ombudsman, f.area_id, f.days, 1, f.amount
              FROM kpi_facts_at_end(p_to) f
              WHERE NOT EXISTS (SELECT 1 FROM kpi_end_day e WHERE e.on_date = p_to)
              -- The queued cases: their facts as kept taken out...
              UNION ALL
              SELECT d.measure, d.ombudsman, d.area_id, d.days, -1, -d.amount
              FROM kpi_dated d
              WHERE d.case_id = ANY(queued) AND d.on_date BETWEEN p_from AND p_to
              AND (d.settled OR d.on_date < p_today)
              UNION ALL
              SELECT e.measure, e.ombudsman, e.area_id, e.days, -1, -e.amount
              FROM kpi_end e
              WHERE e.case_id = ANY(queued) AND e.on_date = p_to
              AND EXISTS (SELECT 1 FROM kpi_end_day k WHERE k.on_date = p_to)
              -- ...and as they are now (kpi_facts_dated gives every day's
              -- facts of the cases asked for).
              UNION ALL
              SELECT f.measure, f.ombudsman, f.area_id, f.days, 1, f.amount
              FROM kpi_facts_dated(p_from, p_to, p_today, queued) f
              WHERE cardinality(queued) > 0 AND f.on_date BETWEEN p_from AND p_to
              UNION ALL
              SELECT f.measure, f.ombudsman, f.area_id, f.days, 1, f.amount
              FROM kpi_facts_at_end(p_to, queued) f
              WHERE cardinality(queued) > 0
              AND EXISTS (SELECT 1 FROM kpi_end_day k WHERE k.on_date = p_to)) x
        WHERE (p_area IS NULL OR x.area_id = p_area)
        AND (p_ombudsman IS NULL OR x.ombudsman = p_ombudsman)
        GROUP BY x.measure, x.ombudsman, x.area_id, x.days
        -- A group the queue emptied (a case moved to another area) is
        -- none, as counted afresh; the organisation's rows, whose areas
        -- are summed after, are kept as they are.
        HAVING p_whole OR sum(x.n) <> 0;
END $$;

-- Every figure of a period for the whole organisation (g_set 3) and, with
-- p_split, each Ombudsman (1) and each service area (2), from one reading
-- of its counted facts: n rows, their summed amount, the mean and the 90th
-- percentile of their days (percentile_disc's: the first days at which
-- the running count reaches 0.9 of those with days).
CREATE OR REPLACE FUNCTION kpi_groups(p_from date, p_to date, p_today date, p_area bigint,
                           p_ombudsman text, p_split boolean, p_scope bigint)
RETURNS TABLE (g_ombudsman text, g_area bigint, g_set integer, figures json)
LANGUAGE sql STABLE AS $$
    WITH m AS (SELECT CASE WHEN p_split THEN c.ombudsman END AS bo,
                      CASE WHEN p_split THEN c.area_id END AS ba, c.measure, c.days, c.n,
                      c.amount
               FROM kpi_counts(p_from, p_to, p_today, p_area, p_ombudsman, p_scope,
                               p_area IS NULL AND NOT p_split) c),
    h AS (SELECT m.bo, m.ba, GROUPING(m.bo, m.ba) AS gs, m.measure, m.days, sum(m.n) AS n,
                 sum(m.amount) AS amount
          FROM m GROUP BY GROUPING SETS ((m.measure, m.days), (m.bo, m.measure, m.days),
                                         (m.ba, m.measure, m.days))),
    r AS (SELECT h.*, sum(h.n) FILTER (WHERE h.days IS NOT NULL)
                          OVER (PARTITION BY h.gs, h.bo, h.ba, h.measure) AS with_days,
                 sum(h.n) OVER (PARTITION BY h.gs, h.bo, h.ba, h.measure
                                ORDER BY h.days) AS running
          FROM h),
    g AS (SELECT r.bo, r.ba, r.gs, r.measure, sum(r.n) AS n, sum(r.amount) AS amount,
                 sum(r.days * r.n) / nullif(sum(r.n) FILTER (WHERE r.days IS NOT NULL), 0)
                     AS mean,
                 min(r.days) FILTER (WHERE r.days IS NOT NULL
                                     AND r.running >= greatest(ceil(0.9::float8
                                                               * r.with_days::float8), 1))
                     AS p90
          FROM r GROUP BY r.bo, r.ba, r.gs, r.measure),
    groups AS (SELECT bo, ba, gs, json_agg(json_build_object('measure', measure, 'n', n,
                      'amount', amount, 'mean', mean, 'p90', p90)) AS counts
               FROM g GROUP BY bo, ba, gs
               UNION ALL
               SELECT NULL, NULL, 3, '[]' WHERE NOT EXISTS (SELECT 1 FROM g WHERE gs = 3))
    SELECT bo, ba, gs, kpi_values(counts) FROM groups
    WHERE gs = 3 OR p_split
$$;

-- The organisation's figures alone (or one area's, one Ombudsman's).
CREATE OR REPLACE FUNCTION kpi_figures(p_from date, p_to date, p_today date, p_area bigint,
                            p_ombudsman text, p_scope bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT figures FROM kpi_groups(p_from, p_to, p_today, p_area, p_ombudsman,
                                           false, p_scope) WHERE g_set = 3);
END $$;

-- Keep the facts of the given cases (all, with NULL: the first fill) as
-- kpi_facts gives them now: the old taken out of the counts, the new put
-- in.  Settled facts are those kpi_facts gives when no day is before
-- today; the others are the rest of those it gives when every day is.
CREATE OR REPLACE FUNCTION kpi_keep(p_cases bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    WITH gone AS (DELETE FROM kpi_dated d
                  WHERE p_cases IS NULL OR d.case_id = ANY(p_cases)
                  RETURNING d.*, -1 AS sign),
    every AS (SELECT * FROM kpi_facts_dated('-infinity', 'infinity', 'infinity', p_cases)),
    settled AS (SELECT * FROM kpi_facts_dated('-infinity', 'infinity', '-infinity', p_cases)),
    kept AS (INSERT INTO kpi_dated (case_id, measure, on_date, ombudsman, area_id, days,
                                    amount, settled)
             SELECT f.case_id, f.measure, f.on_date, f.ombudsman, f.area_id, f.days, f.amount,
                    f.settled
             FROM (SELECT s.*, true AS settled FROM settled s
                   UNION ALL
                   SELECT u.*, false FROM (SELECT * FROM every EXCEPT ALL
                                           SELECT * FROM settled) u) f
             RETURNING *, 1 AS sign),
    delta AS (SELECT d.*, date_trunc('month', d.on_date) AS m,
                     date_trunc('quarter', d.on_date) AS q
              FROM (SELECT * FROM gone UNION ALL SELECT * FROM kept) d)
    INSERT INTO kpi_month AS k (whole, grain, month, measure, ombudsman, area_id, days, n,
                                amount)
    SELECT GROUPING(f.area_id) = 1, CASE GROUPING(f.m) WHEN 0 THEN 'm' ELSE 'q' END,
           coalesce(f.m, f.q), f.measure, f.ombudsman, f.area_id, f.days, sum(f.sign),
           coalesce(sum(f.sign * f.amount), 0)
    FROM delta f
    GROUP BY GROUPING SETS ((f.m, f.measure, f.ombudsman, f.area_id, f.days),
                            (f.m, f.measure, f.ombudsman, f.days),
                            (f.q, f.measure, f.ombudsman, f.area_id, f.days),
                            (f.q, f.measure, f.ombudsman, f.days))
    ON CONFLICT (whole, grain, month, measure, ombudsman, area_id, days)
    DO UPDATE SET n = k.n + EXCLUDED.n, amount = k.amount + EXCLUDED.amount;
    PERFORM kpi_keep_at_end((SELECT array_agg(e.on_date) FROM kpi_end_day e), p_cases);
END $$;

-- The facts at the end of each of p_days kept again for the given cases
-- (all, with NULL), and counted.
CREATE OR REPLACE FUNCTION kpi_keep_at_end(p_days date[], p_cases bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
BEGIN
    WITH gone AS (DELETE FROM kpi_end e WHERE e.on_date = ANY(p_days)
                  AND (p_cases IS NULL OR e.case_id = ANY(p_cases))
                  RETURNING e.*, -1 AS sign),
    kept AS (INSERT INTO kpi_end (case_id, on_date, measure, ombudsman, area_id, days,
                                  amount)
             SELECT f.case_id, e.d, f.measure, f.ombudsman, f.area_id, f.days, f.amount
             FROM unnest(p_days) e(d), LATERAL kpi_facts_at_end(e.d, p_cases) f
             RETURNING *, 1 AS sign),
    delta AS (SELECT * FROM gone UNION ALL SELECT * FROM kept)
    INSERT INTO kpi_end_sum AS k (on_date, measure, ombudsman, area_id, days, n, amount)
    SELECT f.on_date, f.measure, f.ombudsman, f.area_id, f.days, sum(f.sign),
           coalesce(sum(f.sign * f.amount), 0)
    FROM delta f GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (on_date, measure, ombudsman, area_id, days)
    DO UPDATE SET n = k.n + EXCLUDED.n, amount = k.amount + EXCLUDED.amount;
END $$;

-- One round of keeping.  kpi_every_case() in the queue stands for every
-- case: a keeping of every case at once is due or under way (after a load
-- with the triggers off, or a change to how every fact is counted).
--
-- p_reader: a reader's round, just before its figures.  With every case
-- due or more than p_batch cases queued it takes nothing and returns 0,
-- and the figures read the queue as it is (kpi_counts: every case due,
-- from the raw rows), until the scheduler has caught up: a reader that
-- kept every case (minutes at full size) ran past the statement timeout,
-- which undid the keeping, so the next reader began it again.  Otherwise
-- it waits for another filler's round (a round at most) up to the lock
-- timeout, and takes what is left.
--
-- The scheduler's (p_reader false, no statement timeout) never waits for
-- another filler (it takes nothing: what is queued is the other's or the
-- next round's), but with every case due, for up to the lock timeout; it
-- takes up to
-- p_batch queued cases; when most cases are queued, it puts
-- kpi_every_case() in place of the queue and returns -1 (commit, then call again), so that
-- the keeping of every case that follows holds no lock a change to a case
-- waits for: what changes meanwhile is queued again and taken by the next
-- round.
--
-- The facts at the end of each quarter up to a year from now, and of the
-- days around today, are kept, each new day worked out for every case.
-- Returns the cases taken from the queue.
DROP FUNCTION IF EXISTS kpi_fill(integer);
CREATE OR REPLACE FUNCTION kpi_fill(p_batch integer, p_reader boolean) RETURNS integer
LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    taken bigint[];
    ends date[];
BEGIN
    IF p_reader THEN
        IF kpi_every_case_due()
           OR (SELECT count(*) FROM (SELECT 1 FROM kpi_case_due LIMIT p_batch + 1) q)
              > p_batch THEN
            RETURN 0;
        END IF;
        IF NOT kpi_fill_wait() THEN
            RETURN 0;
        END IF;
        -- Every case marked due while it waited: the scheduler's.
        IF kpi_every_case_due() THEN
            RETURN 0;
        END IF;
    ELSIF NOT pg_try_advisory_xact_lock(kpi_fill_lock()) THEN
        -- Every case is the scheduler's alone to keep: it waits for the
        -- filler in the way (a reader's round, which then takes nothing)
        -- rather than leave it to a next round that a server without a
        -- scheduler never has.
        IF NOT kpi_every_case_due() THEN
            RETURN 0;
        ELSIF NOT kpi_fill_wait() THEN
            RETURN 0;
        END IF;
    END IF;
    IF NOT p_reader AND NOT kpi_every_case_due()
       AND (SELECT count(*) FROM kpi_case_due) * 2 > (SELECT count(*) FROM ombudsman_case) THEN
        -- Waits for the changes in flight, whose cases are kept below.
        DELETE FROM kpi_case_due;
        INSERT INTO kpi_case_due VALUES (kpi_every_case());
        RETURN -1;
    END IF;
    -- Yesterday, today and tomorrow: the server's today in any time zone.
    -- A day that is neither a quarter's last nor one of those goes a day
    -- after it was kept (kpi_keep_day keeps a reader's today).
    WITH gone AS (DELETE FROM kpi_end_day e WHERE e.on_date < current_date - 1
                  AND e.on_date <> (date_trunc('quarter', e.on_date) + interval '3 months'
                                    - interval '1 day')::date
                  AND e.kept_at < now() - interval '1 day'
                  RETURNING e.on_date)
    SELECT array_agg(on_date) INTO ends FROM gone;
    IF ends IS NOT NULL THEN
        DELETE FROM kpi_end e WHERE e.on_date = ANY(ends);
        DELETE FROM kpi_end_sum e WHERE e.on_date = ANY(ends);
    END IF;
    SELECT array_agg(q.d) INTO ends
    FROM (SELECT (m + interval '3 months' - interval '1 day')::date AS d
          FROM generate_series(date_trunc('quarter', (SELECT min(c.received_on)
                                                      FROM ombudsman_case c)),
                               current_date + interval '1 year', interval '3 months') m
          UNION
          SELECT current_date + i FROM generate_series(-1, 1) i) q
    WHERE NOT EXISTS (SELECT 1 FROM kpi_end_day e WHERE e.on_date = q.d);
    IF kpi_every_case_due() THEN
        -- Every case.  Millions of facts are compared and counted in
        -- memory, not on disk.
        PERFORM set_config('work_mem', '256MB', true);
        INSERT INTO kpi_end_day (on_date) SELECT unnest(ends);
        PERFORM kpi_keep(NULL);
        DELETE FROM kpi_month WHERE n = 0;
        DELETE FROM kpi_end_sum WHERE n = 0;
        DELETE FROM kpi_case_due WHERE case_id = kpi_every_case();
        RETURN (SELECT count(*) FROM ombudsman_case);
    END IF;
    IF ends IS NOT NULL THEN
        INSERT INTO kpi_end_day (on_date) SELECT unnest(ends);
        PERFORM kpi_keep_at_end(ends, NULL);
    END IF;
    WITH q AS (DELETE FROM kpi_case_due
               WHERE case_id IN (SELECT case_id FROM kpi_case_due
                                 WHERE case_id <> kpi_every_case() ORDER BY case_id
                                 LIMIT p_batch FOR UPDATE SKIP LOCKED)
               RETURNING case_id)
    SELECT array_agg(case_id) INTO taken FROM q;
    IF taken IS NOT NULL THEN
        PERFORM kpi_keep(taken);
    END IF;
    RETURN coalesce(cardinality(taken), 0);
END $$;

-- A reader's today (LINKDESK_TODAY, or a day the server's clock has not
-- reached): its facts at the end kept, for every case, once.
CREATE OR REPLACE FUNCTION kpi_keep_day(p_day date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM kpi_end_day WHERE on_date = p_day) THEN
        RETURN;
    END IF;
    -- Not while a filler is at work: the figures then count this day's
    -- facts at the end from the raw rows (kpi_counts).
    IF NOT pg_try_advisory_xact_lock(kpi_fill_lock()) THEN
        RETURN;
    END IF;
    INSERT INTO kpi_end_day (on_date) VALUES (p_day) ON CONFLICT DO NOTHING;
    IF FOUND THEN
        PERFORM kpi_keep_at_end(ARRAY[p_day], NULL);
    END IF;
END $$;

-- The case log counts a service-area officer's own tasks only: the open,
-- overdue and next-due columns were counted over every task of a case the
-- officer may open, so a Repairs officer's export showed Housing's tasks.
CREATE OR REPLACE FUNCTION case_log(p_scope bigint, p_area bigint, p_residents boolean, p_today date)
RETURNS TABLE ("Ombudsman" text, "Ombudsman reference" text, "Complaint reference" text,
               "Category" text, "Service area" text, "Stage" text, "Outcome" text,
               "Received" date, "Closed" date, "Link officer" text, "Open tasks" bigint,
               "Overdue tasks" bigint, "Next due" date, "Determination" date,
               "Upheld" boolean, "Orders" bigint, "Compensation ordered" bigint,
               "Resident" text)
LANGUAGE sql STABLE AS $$
    SELECT o.name, c.reference, cp.reference, cp.category, a.name, c.stage, c.outcome,
        c.received_on, c.closed_on, (SELECT name FROM app_user WHERE id = c.link_officer_id),
        (SELECT count(*) FROM task t WHERE t.case_id = c.id AND task_is_open(t.status)
         AND task_visible(p_scope, t.service_area_id)),
        (SELECT count(*) FROM task t WHERE t.case_id = c.id AND task_overdue(t, p_today)
         AND task_visible(p_scope, t.service_area_id)),
        (SELECT min(effective_due(t)) FROM task t WHERE t.case_id = c.id
         AND task_is_open(t.status) AND task_visible(p_scope, t.service_area_id)),
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
