-- The KPI facts kept case by case (sql/032) against the facts worked out
-- again from the raw rows (kpi_facts), counted alike: every quarter and
-- every year from 2024-25 to 2027-28 as of :today (a period still running
-- as of today), a year as of a day inside it, and a part of a month; by
-- area, and for the organisation (p_whole).  One line: the cases queued,
-- the groups counted, and the groups on one side only (0 when they agree).
WITH p(f, t, d) AS (
    SELECT DISTINCT * FROM (
    SELECT q::date, least((q + interval '3 months' - interval '1 day')::date, :'today'::date),
           :'today'::date
    FROM generate_series(date '2024-04-01', date '2028-01-01', interval '3 months') q
    UNION ALL
    SELECT y::date, least((y + interval '1 year' - interval '1 day')::date, :'today'::date),
           :'today'::date
    FROM generate_series(date '2024-04-01', date '2027-04-01', interval '1 year') y
    UNION ALL VALUES (date '2026-04-01', date '2027-03-31', date '2026-10-20'),
                     (date '2026-11-02', date '2026-11-20', :'today'::date)) p),
raw AS (SELECT p.f, p.t, p.d, x.measure, x.ombudsman, x.area_id, x.days, count(*) AS n,
               coalesce(sum(x.amount), 0) AS amount
        FROM p, LATERAL kpi_facts(p.f, p.t, p.d) x GROUP BY 1, 2, 3, 4, 5, 6, 7),
kept AS (SELECT p.f, p.t, p.d, c.measure, c.ombudsman, c.area_id, c.days, c.n, c.amount
         FROM p, LATERAL kpi_counts(p.f, p.t, p.d, NULL, NULL, NULL, false) c),
raw_whole AS (SELECT f, t, d, measure, ombudsman, days, sum(n) AS n, sum(amount) AS amount
              FROM raw GROUP BY 1, 2, 3, 4, 5, 6),
kept_whole AS (SELECT p.f, p.t, p.d, c.measure, c.ombudsman, c.days, sum(c.n) AS n,
                      sum(c.amount) AS amount
               FROM p, LATERAL kpi_counts(p.f, p.t, p.d, NULL, NULL, NULL, true) c
               GROUP BY 1, 2, 3, 4, 5, 6)
SELECT (SELECT count(*) FROM kpi_case_due) || ' ' || (SELECT count(*) FROM raw) || ' '
       || ((SELECT count(*) FROM (SELECT * FROM raw EXCEPT ALL SELECT * FROM kept) z)
           + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT ALL SELECT * FROM raw) z)
           + (SELECT count(*) FROM (SELECT * FROM raw_whole EXCEPT ALL
                                    SELECT * FROM kept_whole) z)
           + (SELECT count(*) FROM (SELECT * FROM kept_whole EXCEPT ALL
                                    SELECT * FROM raw_whole) z));
