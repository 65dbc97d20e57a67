-- The Complaint Handling Code's kept counts (sql/035, code_month) against
-- a count from the complaints and their days, and code_figures against
-- the shares counted complaint by complaint as they were before the
-- counts were kept (received, or escalated, between the period's first
-- and last days), for every code: whole years and quarters, a year still
-- running, part months, a single day, a period that ends before it
-- begins; for the organisation and each area.  One line: the groups
-- counted, the groups on one side only, the figures compared, the figures
-- that differ (both 0 when they agree).
WITH raw AS (
    SELECT k.code, s.stage::smallint AS stage, code_stage_month(s.stage, c) AS month, a.area_id,
           count(*) AS n,
           count(*) FILTER (WHERE code_acknowledged(s.stage, k, d)) AS ack,
           count(*) FILTER (WHERE code_answered(s.stage, k, c, d)) AS answered
    FROM complaint c LEFT JOIN complaint_days d ON d.complaint_id = c.id
    CROSS JOIN complaint_code k CROSS JOIN (VALUES (1), (2)) s(stage)
    CROSS JOIN LATERAL (VALUES (c.service_area_id), (0)) a(area_id)
    WHERE code_stage_month(s.stage, c) IS NOT NULL
    GROUP BY 1, 2, 3, 4),
kept AS (SELECT code, stage, month, area_id, n, ack, answered FROM code_month
         WHERE n <> 0 OR ack <> 0 OR answered <> 0),
groups_off AS (
    SELECT count(*) AS n FROM (
        (SELECT * FROM raw EXCEPT ALL SELECT * FROM kept)
        UNION ALL
        (SELECT * FROM kept EXCEPT ALL SELECT * FROM raw)) z),
p(f, t) AS (
    SELECT y::date, (y + interval '1 year' - interval '1 day')::date
    FROM generate_series(date '2023-04-01', date '2027-04-01', interval '1 year') y
    UNION ALL
    SELECT q::date, (q + interval '3 months' - interval '1 day')::date
    FROM generate_series(date '2025-04-01', date '2027-01-01', interval '3 months') q
    UNION ALL VALUES (date '2026-04-01', date '2026-11-23'), (date '2026-10-05', date '2026-10-05'),
                     (date '2026-09-17', date '2027-01-12'), (date '2026-10-02', date '2026-10-30'),
                     (date '2026-12-01', date '2026-11-30'), (date '2000-01-01', date '2030-12-31')),
a(area) AS (SELECT NULL::bigint UNION ALL SELECT id FROM service_area),
want AS (
    SELECT p.f, p.t, a.area, k.code,
        json_build_object('code', k.code,
        'stage1_complaints', (SELECT count(*) FROM complaint c
            WHERE c.received_on BETWEEN p.f AND p.t AND (a.area IS NULL OR c.service_area_id = a.area)),
        'stage1_acknowledged_in_time', (SELECT count(*) FROM complaint c
            LEFT JOIN complaint_days d ON d.complaint_id = c.id
            WHERE c.received_on BETWEEN p.f AND p.t AND (a.area IS NULL OR c.service_area_id = a.area)
            AND code_acknowledged(1, k, d)),
        'stage1_answered_in_time', (SELECT count(*) FROM complaint c
            LEFT JOIN complaint_days d ON d.complaint_id = c.id
            WHERE c.received_on BETWEEN p.f AND p.t AND (a.area IS NULL OR c.service_area_id = a.area)
            AND code_answered(1, k, c, d)),
        'stage2_complaints', (SELECT count(*) FROM complaint c
            WHERE c.escalation_requested_on BETWEEN p.f AND p.t
            AND (a.area IS NULL OR c.service_area_id = a.area)),
        'stage2_acknowledged_in_time', (SELECT count(*) FROM complaint c
            LEFT JOIN complaint_days d ON d.complaint_id = c.id
            WHERE c.escalation_requested_on BETWEEN p.f AND p.t
            AND (a.area IS NULL OR c.service_area_id = a.area) AND code_acknowledged(2, k, d)),
        'stage2_answered_in_time', (SELECT count(*) FROM complaint c
            LEFT JOIN complaint_days d ON d.complaint_id = c.id
            WHERE c.escalation_requested_on BETWEEN p.f AND p.t
            AND (a.area IS NULL OR c.service_area_id = a.area) AND code_answered(2, k, c, d)))::text
        AS fig
    FROM p, a, complaint_code k),
got AS (
    SELECT w.fig, code_figures_of(w.code, w.f, w.t, w.area)::text AS kept_fig FROM want w)
SELECT (SELECT count(*) FROM raw) || ' ' || (SELECT n FROM groups_off) || ' '
       || (SELECT count(*) FROM got) || ' '
       || (SELECT count(*) FROM got WHERE fig IS DISTINCT FROM kept_fig);
