-- A national-scale Linkdesk database on top of the demo organisation, for
-- make bench.  psql variables:
--   cases   Ombudsman cases (200000 for the full run); tasks are five per
--           case and correspondence fifteen per case, so 1,000,000 and
--           3,000,000 at full size
--   areas   extra service areas (200)
--   users   extra service-area officers (5000)
-- Ten years of history (2016 to 2026): cases received evenly over it, the
-- last year's still open, a share of those overdue.  Run as a superuser:
-- triggers are off while loading (session_replication_role), as for a
-- restore, so the audit log holds the demo's history only.
\set ON_ERROR_STOP 1
SET session_replication_role = replica;
SET synchronous_commit = off;

BEGIN;
INSERT INTO service_area (name)
SELECT 'Bench area ' || g FROM generate_series(1, :areas) g;

INSERT INTO app_user (email, name, service_area_id, password_hash)
SELECT 'bench.officer.' || g || '@bench.linkdesk.test', 'Bench officer ' || g,
       (SELECT id FROM service_area WHERE name = 'Bench area ' || (1 + g % :areas)),
       (SELECT password_hash FROM app_user WHERE email = 'repairs.officer@demo.linkdesk.test')
FROM generate_series(1, :users) g;
INSERT INTO user_role (user_id, role)
SELECT id, 'service_officer' FROM app_user WHERE email LIKE 'bench.officer.%';

-- Every area, the demo's included, in one array to pick from.
CREATE TEMP TABLE area_pick AS
SELECT array_agg(id ORDER BY id) AS ids FROM service_area;
CREATE TEMP TABLE officer_pick AS
SELECT service_area_id AS area, array_agg(u.id ORDER BY u.id) AS ids
FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'service_officer'
WHERE service_area_id IS NOT NULL GROUP BY service_area_id;

-- Areas differ in size as they do in a housing organisation: Repairs and
-- Maintenance (the demo's first area, whose officer scenario 1 signs in as)
-- has a tenth of the complaints, the rest share the remainder.
INSERT INTO complaint (reference, category, service_area_id, received_on, summary)
SELECT 'BENCH-' || g, 'Repairs',
       CASE WHEN g % 10 = 0
            THEN (SELECT id FROM service_area WHERE name = 'Repairs and Maintenance')
            ELSE (SELECT ids[1 + g % array_length(ids, 1)] FROM area_pick) END,
       date '2016-11-23' + (g * 3650 / :cases)::int, 'Bench complaint'
FROM generate_series(1, :cases) g;

INSERT INTO resident (complaint_id, name)
SELECT id, 'Bench resident' FROM complaint WHERE reference LIKE 'BENCH-%';

-- Cases follow their complaint; those received before the last year are
-- closed.
INSERT INTO ombudsman_case (complaint_id, ombudsman_id, reference, stage,
                            outcome, received_on, closed_on)
SELECT c.id, (SELECT id FROM ombudsman WHERE code = CASE WHEN c.id % 3 = 0 THEN 'LGSCO' ELSE 'HOS' END),
       CASE WHEN c.id % 3 = 0 THEN lpad((c.id % 100)::text, 2, '0') || ' '
                 || lpad((c.id / 100 % 1000)::text, 3, '0') || ' '
                 || lpad((c.id / 100000 % 1000)::text, 3, '0')
            ELSE lpad((800000000 + c.id)::text, 9, '0') END,
       CASE WHEN c.received_on < date '2025-11-23' THEN 'closed'
            ELSE (ARRAY['notified', 'investigation', 'determined', 'remedies'])[1 + c.id % 4] END,
       CASE WHEN c.received_on < date '2025-11-23' THEN 'orders_satisfied' END,
       c.received_on + 10,
       CASE WHEN c.received_on < date '2025-11-23' THEN c.received_on + 200 END
FROM complaint c WHERE c.reference LIKE 'BENCH-%';

CREATE TEMP TABLE bench_case AS
SELECT oc.id, oc.received_on, oc.stage, c.service_area_id AS area
FROM ombudsman_case oc JOIN complaint c ON c.id = oc.complaint_id
WHERE c.reference LIKE 'BENCH-%';

INSERT INTO correspondence (case_id, direction, kind, dated_on, channel, summary)
SELECT b.id, CASE WHEN k % 2 = 0 THEN 'in' ELSE 'out' END,
       (ARRAY['notification', 'information_request', 'acknowledgement',
              'evidence_submitted', 'first_chaser', 'other'])[1 + k % 6],
       b.received_on + k * 7, 'portal', 'Bench correspondence'
FROM bench_case b, generate_series(0, 14) k;

-- Five tasks a case: open ones for open cases (some overdue), the rest done.
-- Areas answer at different speeds, as they do (the forecast's backtest
-- needs a pattern to find): by area, within 2 to 10, 8 to 16, 15 to 23 or
-- 24 to 32 calendar days of being set, 21 days being allowed.
INSERT INTO task (case_id, kind, title, service_area_id, assignee_id, set_on,
                  due_on, due_rule, status, completed_on)
SELECT b.id, 'information_request', 'Bench task ' || k, b.area,
       (SELECT ids[1 + (b.id + k) % array_length(ids, 1)] FROM officer_pick WHERE area = b.area),
       b.received_on + 1,
       CASE WHEN b.stage = 'closed' THEN b.received_on + 22
            ELSE date '2026-11-23' + ((b.id + k) % 40)::int - 10 END,
       'working_days:15',
       CASE WHEN b.stage = 'closed' THEN 'done' ELSE 'open' END,
       CASE WHEN b.stage = 'closed' THEN b.received_on + 1
            + (ARRAY[6, 12, 19, 28])[1 + b.area % 4] + ((b.id * 7 + k * 13) % 9)::int - 4 END
FROM bench_case b, generate_series(1, 5) k;
COMMIT;

SET session_replication_role = origin;
-- As autovacuum would leave a live database: statistics and the visibility
-- map (which index-only scans need).
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM service_area) AS areas,
       (SELECT count(*) FROM app_user) AS users,
       (SELECT count(*) FROM ombudsman_case) AS cases,
       (SELECT count(*) FROM task) AS tasks,
       (SELECT count(*) FROM task WHERE status = 'open') AS open_tasks,
       (SELECT count(*) FROM correspondence) AS correspondence;
