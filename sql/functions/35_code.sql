-- Complaint Handling Code compliance: the figures of a period.

-- Whether a complaint's stage (1 or 2) was acknowledged, and answered,
-- within code k's timescales: the shares the self-assessment forms ask
-- for.  The working days are core's, stored in complaint_days (sql/034);
-- a stage without its date, or without its days yet, is not in time
-- (NULL).
CREATE OR REPLACE FUNCTION code_acknowledged(p_stage integer, k complaint_code, d complaint_days)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_stage WHEN 1 THEN d.s1_ack <= k.s1_ack_days
                        ELSE d.s2_ack <= k.s2_ack_days END
$$;

CREATE OR REPLACE FUNCTION code_answered(p_stage integer, k complaint_code, c complaint,
                                         d complaint_days)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_stage
        WHEN 1 THEN CASE WHEN k.s1_response_from = 'receipt' THEN d.s1_response_receipt
                         ELSE d.s1_response_ack END
            <= k.s1_response_days + least(coalesce(c.stage1_extension_days, 0), k.s1_extension_days)
        ELSE CASE WHEN k.s2_response_from = 'request' THEN d.s2_response_request
                  ELSE d.s2_response_ack END
            <= k.s2_response_days + least(coalesce(c.stage2_extension_days, 0), k.s2_extension_days)
        END
$$;

-- What of a complaint the counts read (its months, its area, the
-- extensions code_answered allows): a complaint changed in nothing else
-- is counted as it was.
CREATE OR REPLACE FUNCTION code_complaint_counted(c complaint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_array(c.received_on, c.escalation_requested_on, c.service_area_id,
                             c.stage1_extension_days, c.stage2_extension_days)
$$;

-- The first day of day's month.
CREATE OR REPLACE FUNCTION code_month_start(p_day date) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_day - extract(day FROM p_day)::int + 1
$$;

-- The month a complaint's stage counts in: stage 1 by receipt, stage 2 by
-- the escalation request (NULL: not escalated).
CREATE OR REPLACE FUNCTION code_stage_month(p_stage integer, c complaint)
RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT code_month_start(CASE p_stage WHEN 1 THEN c.received_on
                                         ELSE c.escalation_requested_on END)
$$;

-- The kept counts (sql/035's code_month), by area and for the whole
-- organisation (area 0): the counts complaint c is in, one for each code.
CREATE OR REPLACE FUNCTION code_month_keys(c complaint)
RETURNS TABLE (code text, stage smallint, month date, area_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT k.code, s.stage, code_stage_month(s.stage, c), a.area_id
    FROM complaint_code k CROSS JOIN (VALUES (1::smallint), (2::smallint)) s(stage)
    CROSS JOIN (VALUES (c.service_area_id), (0)) a(area_id)
    WHERE code_stage_month(s.stage, c) IS NOT NULL
$$;

-- What a set of rows x (sign, complaint c, its days d or NULL) adds: each
-- trigger below builds x from its statement's rows.
CREATE OR REPLACE FUNCTION code_month_delta_sql(p_rows text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'WITH x AS (' || p_rows || ')'
        ' INSERT INTO code_month AS m (code, stage, month, area_id, n, ack, answered)'
        ' SELECT key.code, key.stage, key.month, key.area_id, sum(x.sign),'
        ' sum(x.sign * coalesce(code_acknowledged(key.stage, k, x.d), false)::int),'
        ' sum(x.sign * coalesce(code_answered(key.stage, k, x.c, x.d), false)::int)'
        ' FROM x CROSS JOIN LATERAL code_month_keys(x.c) key'
        ' JOIN complaint_code k ON k.code = key.code'
        ' GROUP BY 1, 2, 3, 4'
        ' ON CONFLICT (code, stage, month, area_id) DO UPDATE SET'
        ' n = m.n + EXCLUDED.n, ack = m.ack + EXCLUDED.ack,'
        ' answered = m.answered + EXCLUDED.answered'
$$;

-- The counts a set of complaints c is in, locked (made when new, else
-- updated to what they are) before they are read: of two transactions
-- changing a complaint and its days, or complaints of one month and area,
-- the second waits for the first and counts from what it committed.
CREATE OR REPLACE FUNCTION code_month_lock_sql(p_complaints text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'WITH c AS (' || p_complaints || ')'
        ' INSERT INTO code_month AS m SELECT DISTINCT key.*, 0, 0, 0 FROM c'
        ' CROSS JOIN LATERAL code_month_keys(ROW(c.*)::complaint) key'
        ' ORDER BY 1, 4, 2, 3'
        ' ON CONFLICT (code, area_id, stage, month) DO UPDATE SET n = m.n'
$$;

-- A statement's changed complaints or days: their counts before are taken
-- away and their counts after added.  A complaint's days row inserted or
-- deleted changes it from or to having none.
CREATE OR REPLACE FUNCTION code_month_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    complaints text;
    before text;
    after text;
    olds text := 'old_rows';
    news text := 'new_rows';
BEGIN
    IF TG_TABLE_NAME = 'complaint' THEN
        -- Of the complaints updated, those changed in what is counted
        -- (a version, a summary or a reason moves no count).
        IF TG_OP = 'UPDATE' THEN
            olds := '(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id'
                    ' WHERE code_complaint_counted(ROW(o.*)::complaint)'
                    ' IS DISTINCT FROM code_complaint_counted(ROW(n.*)::complaint))';
            news := '(SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id'
                    ' WHERE code_complaint_counted(ROW(o.*)::complaint)'
                    ' IS DISTINCT FROM code_complaint_counted(ROW(n.*)::complaint))';
        END IF;
        complaints := concat_ws(' UNION ALL ',
            CASE WHEN TG_OP <> 'INSERT' THEN 'SELECT * FROM ' || olds || ' x' END,
            CASE WHEN TG_OP <> 'DELETE' THEN 'SELECT * FROM ' || news || ' x' END);
        before := 'SELECT -1 AS sign, ROW(o.*)::complaint AS c, d FROM ' || olds || ' o'
                  ' LEFT JOIN complaint_days d ON d.complaint_id = o.id';
        after := 'SELECT 1 AS sign, ROW(n.*)::complaint AS c, d FROM ' || news || ' n'
                 ' LEFT JOIN complaint_days d ON d.complaint_id = n.id';
    ELSE
        -- Of the days rows updated, those that changed (the days are
        -- counted again for every complaint when the calendar changes).
        IF TG_OP = 'UPDATE' THEN
            olds := '(SELECT o.* FROM old_rows o JOIN new_rows n'
                    ' ON n.complaint_id = o.complaint_id'
                    ' WHERE ROW(o.*) IS DISTINCT FROM ROW(n.*))';
            news := '(SELECT n.* FROM old_rows o JOIN new_rows n'
                    ' ON n.complaint_id = o.complaint_id'
                    ' WHERE ROW(o.*) IS DISTINCT FROM ROW(n.*))';
        END IF;
        complaints := 'SELECT c.* FROM complaint c WHERE c.id IN (SELECT complaint_id FROM '
            || CASE WHEN TG_OP = 'INSERT' THEN news ELSE olds END || ' x)';
        before := CASE WHEN TG_OP = 'INSERT'
            THEN 'SELECT -1 AS sign, c, NULL::complaint_days AS d FROM new_rows n'
                 ' JOIN complaint c ON c.id = n.complaint_id'
            ELSE 'SELECT -1 AS sign, c, ROW(o.*)::complaint_days AS d FROM ' || olds
                 || ' o JOIN complaint c ON c.id = o.complaint_id' END;
        after := CASE WHEN TG_OP = 'DELETE'
            THEN 'SELECT 1 AS sign, c, NULL::complaint_days AS d FROM old_rows o'
                 ' JOIN complaint c ON c.id = o.complaint_id'
            ELSE 'SELECT 1 AS sign, c, ROW(n.*)::complaint_days AS d FROM ' || news
                 || ' n JOIN complaint c ON c.id = n.complaint_id' END;
    END IF;
    EXECUTE code_month_lock_sql(complaints);
    IF TG_TABLE_NAME = 'complaint' AND TG_OP = 'INSERT' THEN
        EXECUTE code_month_delta_sql(after);
    ELSE
        EXECUTE code_month_delta_sql(before || ' UNION ALL ' || after);
    END IF;
    RETURN NULL;
END $$;

-- A complaint's counts go before it does: after the delete, its days
-- (deleted with it) are gone too.
CREATE OR REPLACE FUNCTION code_month_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE code_month_lock_sql('SELECT ($1).*') USING OLD;
    EXECUTE code_month_delta_sql('SELECT -1 AS sign, $1 AS c, d FROM (SELECT 1) one'
        ' LEFT JOIN complaint_days d ON d.complaint_id = ($1).id') USING OLD;
    RETURN OLD;
END $$;

-- Every count again: when this file changes (below), when a code's
-- timescales change, and after a load with the triggers off.
CREATE OR REPLACE FUNCTION code_month_recount() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE code_month IN EXCLUSIVE MODE;
    DELETE FROM code_month;
    EXECUTE code_month_delta_sql('SELECT 1 AS sign, c, d FROM complaint c'
        ' LEFT JOIN complaint_days d ON d.complaint_id = c.id');
END $$;

CREATE OR REPLACE FUNCTION code_month_codes_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM code_month_recount();
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER code_month_added AFTER INSERT ON complaint
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION code_month_keep();
CREATE OR REPLACE TRIGGER code_month_changed AFTER UPDATE ON complaint
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION code_month_keep();
CREATE OR REPLACE TRIGGER code_month_removed BEFORE DELETE ON complaint
    FOR EACH ROW EXECUTE FUNCTION code_month_forget();
CREATE OR REPLACE TRIGGER code_month_added AFTER INSERT ON complaint_days
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION code_month_keep();
CREATE OR REPLACE TRIGGER code_month_changed AFTER UPDATE ON complaint_days
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION code_month_keep();
CREATE OR REPLACE TRIGGER code_month_removed AFTER DELETE ON complaint_days
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION code_month_keep();
CREATE OR REPLACE TRIGGER code_month_codes AFTER INSERT OR UPDATE OR DELETE
    ON complaint_code FOR EACH STATEMENT EXECUTE FUNCTION code_month_codes_changed();

-- Stage 1 complaints received in the period (stage 2: escalations
-- requested in it), acknowledged and answered in time by code p_code: the
-- kept counts of the period's whole months, and the complaints of the
-- days either side.
CREATE OR REPLACE FUNCTION code_figures_of(p_code text, p_from date, p_to date, p_area bigint)
RETURNS json LANGUAGE sql STABLE AS $$
    WITH k AS (SELECT * FROM complaint_code WHERE code = p_code),
    -- The whole months [m_from, m_to); the part months' days are
    -- [p_from, m_from) and [m_to, p_to].
    b AS (SELECT a AS m_from, greatest(a, code_month_start(p_to + 1)) AS m_to
          FROM (SELECT CASE WHEN code_month_start(p_from) = p_from THEN p_from
                       ELSE (code_month_start(p_from) + interval '1 month')::date END) a(a)),
    part AS (SELECT lo, hi FROM b, LATERAL (VALUES (p_from, least(b.m_from, p_to + 1)),
                                                   (greatest(b.m_to, p_from), p_to + 1)) r(lo, hi)
             WHERE lo < hi),
    t AS (SELECT m.stage, m.n, m.ack, m.answered FROM code_month m, k, b
          WHERE m.code = k.code AND m.area_id = coalesce(p_area, 0)
          AND m.month >= b.m_from AND m.month < b.m_to
          UNION ALL
          SELECT 1, 1, coalesce(code_acknowledged(1, k, d), false)::int,
                 coalesce(code_answered(1, k, c, d), false)::int
          FROM part, k, complaint c LEFT JOIN complaint_days d ON d.complaint_id = c.id
          WHERE c.received_on >= part.lo AND c.received_on < part.hi
          AND (p_area IS NULL OR c.service_area_id = p_area)
          UNION ALL
          SELECT 2, 1, coalesce(code_acknowledged(2, k, d), false)::int,
                 coalesce(code_answered(2, k, c, d), false)::int
          FROM part, k, complaint c LEFT JOIN complaint_days d ON d.complaint_id = c.id
          WHERE c.escalation_requested_on >= part.lo AND c.escalation_requested_on < part.hi
          AND (p_area IS NULL OR c.service_area_id = p_area))
    SELECT json_build_object('code', (SELECT code FROM k),
        'stage1_complaints', coalesce(sum(n) FILTER (WHERE stage = 1), 0)::bigint,
        'stage1_acknowledged_in_time', coalesce(sum(ack) FILTER (WHERE stage = 1), 0)::bigint,
        'stage1_answered_in_time', coalesce(sum(answered) FILTER (WHERE stage = 1), 0)::bigint,
        'stage2_complaints', coalesce(sum(n) FILTER (WHERE stage = 2), 0)::bigint,
        'stage2_acknowledged_in_time', coalesce(sum(ack) FILTER (WHERE stage = 2), 0)::bigint,
        'stage2_answered_in_time', coalesce(sum(answered) FILTER (WHERE stage = 2), 0)::bigint)
    FROM t
$$;

-- The same by the organisation's chosen code.
CREATE OR REPLACE FUNCTION code_figures(p_from date, p_to date, p_area bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT code_figures_of(coalesce((SELECT value FROM setting WHERE name = 'complaint_code'),
                                    'HOS-2024'), p_from, p_to, p_area)
$$;

-- This file's definitions of what is in time may have changed: count
-- again.
SELECT code_month_recount();
