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
-- restore, and the rows the triggers would have written (the audit log of
-- every row, the invites and reminders sent) are written set-based, so the
-- audit log and the outbox are the size a real database of that age has.
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
       op.ids[1 + (b.id + k) % array_length(op.ids, 1)],
       b.received_on + 1,
       CASE WHEN b.stage = 'closed' THEN b.received_on + 22
            ELSE date '2026-11-23' + ((b.id + k) % 40)::int - 10 END,
       'working_days:15',
       CASE WHEN b.stage = 'closed' THEN 'done' ELSE 'open' END,
       CASE WHEN b.stage = 'closed' THEN b.received_on + 1
            + (ARRAY[6, 12, 19, 28])[1 + b.area % 4] + ((b.id * 7 + k * 13) % 9)::int - 4 END
FROM bench_case b CROSS JOIN generate_series(1, 5) k
LEFT JOIN officer_pick op ON op.area = b.area
ORDER BY k, b.id;

-- The history's tables are filled as a restore fills them: their indexes
-- (but the keys) dropped first and made again after the rows, whatever
-- indexes the migrations have given them.
SET maintenance_work_mem = '512MB';
CREATE TEMP TABLE bench_index AS
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
FROM pg_index i
WHERE i.indrelid IN ('audit_log'::regclass, 'outbox'::regclass, 'reminder'::regclass)
AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid);
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT name FROM bench_index LOOP
        EXECUTE 'DROP INDEX ' || r.name;
    END LOOP;
END $$;

-- What the mail of those years left behind, as the triggers would have
-- written it: each task's calendar invite to its assignee, its CANCEL when
-- it was done, one reminder for each done task (three days after it was
-- set), all sent.  The open tasks have had none yet: the first sweep of
-- the bench writes theirs.
INSERT INTO reminder (task_id, slot)
SELECT t.id, t.set_on + 3 FROM task t JOIN bench_case b ON b.id = t.case_id
WHERE t.status = 'done';
-- Mailed then, each in its own message (the outbox rows below, as the
-- sweep wrote them before sql/038): the first sweep mails only its own.
UPDATE reminder_mailed SET upto = (SELECT coalesce(max(id), 0) FROM reminder);

-- The outbox's own audit trigger writes its rows, whatever shape the
-- migrations give them (the only triggers on, for this statement).
SET LOCAL session_replication_role = origin;
INSERT INTO outbox (kind, recipient, user_id, case_id, task_id, facts,
                    subject, status, attempts, created_at, sent_at)
SELECT m.kind, u.email, u.id, t.case_id, t.id,
       jsonb_build_object('task_id', t.id, 'ombudsman', o.code,
           'reference', c.reference, 'case_reference', o.code || ' ' || c.reference,
           'title', t.title, 'due', t.due_on)
       || CASE WHEN m.kind = 'invite' THEN jsonb_build_object('method', m.method,
              'reason', CASE WHEN m.method = 'CANCEL' THEN 'done' END,
              'sequence', m.n, 'attendee_name', u.name)
          ELSE jsonb_build_object('priority', t.priority, 'status', 'open',
              'overdue', false) END,
       m.kind || ': ' || t.title, 'sent', 1, m.at, m.at + interval '1 minute'
FROM task t
JOIN bench_case b ON b.id = t.case_id
JOIN ombudsman_case c ON c.id = t.case_id
JOIN ombudsman o ON o.id = c.ombudsman_id
JOIN app_user u ON u.id = t.assignee_id
CROSS JOIN LATERAL (VALUES
    ('invite', 'REQUEST', 0, t.set_on + time '09:00'),
    ('reminder', NULL, 0, t.set_on + 3 + time '08:00'),
    ('invite', 'CANCEL', 1, t.completed_on + time '17:00')) AS m(kind, method, n, at)
WHERE m.kind = 'invite' AND m.method = 'REQUEST' OR t.status = 'done';
SET LOCAL session_replication_role = replica;

-- The audit log of the rest of that history, as audit_row() writes it
-- (the same columns left out: a complaint's summary, a resident's
-- details): every row above inserted by the link officer, each done task's
-- last update by its assignee.  Set-based, in one pass a table.
CREATE TEMP TABLE bench_actor AS
SELECT id FROM app_user WHERE email = 'link.officer@demo.linkdesk.test';
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, case_id, after)
SELECT cp.received_on + time '09:00', (TABLE bench_actor), 'insert', 'complaint', cp.id,
       NULL, to_jsonb(cp) || '{"summary": "(redacted)"}'
FROM complaint cp WHERE cp.reference LIKE 'BENCH-%';
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, case_id, after)
SELECT cp.received_on + time '09:00', (TABLE bench_actor), 'insert', 'resident', NULL, NULL,
       to_jsonb(r) || '{"name": "(redacted)", "address": "(redacted)", "contact": "(redacted)", "vulnerabilities": "(redacted)", "adjustments": "(redacted)"}'
FROM resident r JOIN complaint cp ON cp.id = r.complaint_id WHERE cp.reference LIKE 'BENCH-%';
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, case_id, after)
SELECT c.received_on + time '09:05', (TABLE bench_actor), 'insert', 'ombudsman_case', c.id,
       c.id, to_jsonb(c)
FROM ombudsman_case c JOIN bench_case b ON b.id = c.id;
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, case_id, after)
SELECT x.dated_on + time '10:00', (TABLE bench_actor), 'insert', 'correspondence', x.id,
       x.case_id, to_jsonb(x)
FROM correspondence x JOIN bench_case b ON b.id = x.case_id;
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, case_id, after)
SELECT t.set_on + time '09:00', (TABLE bench_actor), 'insert', 'task', t.id, t.case_id,
       to_jsonb(t) || jsonb_build_object('status', 'open', 'completed_on', NULL)
FROM task t JOIN bench_case b ON b.id = t.case_id;
INSERT INTO audit_log (at, actor_id, action, entity, entity_id, case_id, before, after)
SELECT t.completed_on + time '17:00', t.assignee_id, 'update', 'task', t.id, t.case_id,
       to_jsonb(t) || jsonb_build_object('status', 'open', 'completed_on', NULL), to_jsonb(t)
FROM task t JOIN bench_case b ON b.id = t.case_id WHERE t.status = 'done';
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT def FROM bench_index LOOP
        EXECUTE r.def;
    END LOOP;
END $$;
COMMIT;

SET session_replication_role = origin;
-- The Code's kept counts (sql/035) are kept by triggers, off while loading.
SELECT code_month_recount();
-- The tasks loaded were not queued for the sweep (sql/041): it reads them
-- all.
UPDATE reminder_swept SET day = NULL;
-- As autovacuum would leave a live database: statistics and the visibility
-- map (which index-only scans need).
VACUUM ANALYZE;
SELECT (SELECT count(*) FROM service_area) AS areas,
       (SELECT count(*) FROM app_user) AS users,
       (SELECT count(*) FROM ombudsman_case) AS cases,
       (SELECT count(*) FROM task) AS tasks,
       (SELECT count(*) FROM task WHERE status = 'open') AS open_tasks,
       (SELECT count(*) FROM correspondence) AS correspondence,
       (SELECT count(*) FROM outbox) AS outbox,
       (SELECT count(*) FROM reminder) AS reminders,
       (SELECT count(*) FROM audit_log) AS audit_rows;
