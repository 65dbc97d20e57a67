-- A history with a known pattern for the forecast tests (today 2026-11-23,
-- a Monday).  Four areas answer information requests (15 working days
-- allowed): Fast always within 4 calendar days, Slow after 35 (late),
-- Mixed half in 2 days and half in 40 (so a request still open after a
-- few days is one of the slow half), Tiny has three tasks only.
INSERT INTO setting (name, value) VALUES ('organisation_name', 'Forecast Test Council');
INSERT INTO service_area (id, name) VALUES (1, 'Fast Repairs'), (2, 'Slow Housing'),
  (3, 'Mixed Care'), (4, 'Tiny Planning');
INSERT INTO app_user (id, email, name, service_area_id) VALUES
  (1, 'lo@test.invalid', 'Link Officer', NULL),
  (2, 'so@test.invalid', 'Fast Officer', 1),
  (3, 'boss@test.invalid', 'Director', NULL);
INSERT INTO user_role VALUES (1, 'link_officer'), (2, 'service_officer'), (3, 'leadership');
INSERT INTO api_token (user_id, name, token_hash) VALUES
  (1, 'test', sha256('lo-token')), (2, 'test', sha256('so-token')),
  (3, 'test', sha256('boss-token'));

INSERT INTO complaint (id, reference, category, service_area_id, received_on)
SELECT g, 'F-' || g, 'Repairs', least(g, 4), '2026-01-05' FROM generate_series(1, 13) g;
INSERT INTO ombudsman_case (id, complaint_id, ombudsman_id, reference, stage, received_on)
SELECT g, g, CASE WHEN g = 13 THEN 2 ELSE 1 END,
       CASE WHEN g = 13 THEN '26 000 013' ELSE lpad((202600000 + g)::text, 9, '0') END,
       'investigation', '2026-01-05'
FROM generate_series(1, 13) g;

-- The history: a request set every third day from March to August.
INSERT INTO task (case_id, kind, title, service_area_id, set_on, due_on, due_rule, status, sent_on)
SELECT a, 'information_request', 'History ' || n, a, d, d + 21, 'working_days:15', 'sent',
       d + CASE a WHEN 1 THEN 4 WHEN 2 THEN 35 ELSE CASE WHEN n % 2 = 0 THEN 2 ELSE 40 END END
FROM generate_series(1, 3) a,
     generate_series(0, 59) WITH ORDINALITY s(k, n), LATERAL (SELECT date '2026-03-02' + 3 * k AS d) x;
INSERT INTO task (case_id, kind, title, service_area_id, set_on, due_on, due_rule, status, sent_on)
SELECT 4, 'information_request', 'History ' || g, 4, date '2026-04-01' + g, date '2026-04-22' + g,
       'working_days:15', 'sent', date '2026-04-05' + g
FROM generate_series(1, 3) g;

-- Open requests set Monday 16 November, due 7 December: open 5 working
-- days (Fast's on Friday 20 November: open 1).
INSERT INTO task (id, case_id, kind, title, service_area_id, set_on, due_on, due_rule) VALUES
  (1001, 1, 'information_request', 'Fast open', 1, '2026-11-20', '2026-12-11', 'working_days:15'),
  (1002, 2, 'information_request', 'Slow open', 2, '2026-11-16', '2026-12-07', 'working_days:15'),
  (1003, 3, 'information_request', 'Mixed open', 3, '2026-11-16', '2026-12-07', 'working_days:15'),
  (1004, 4, 'information_request', 'Tiny open', 4, '2026-11-16', '2026-12-07', 'working_days:15');

-- Sanction risk, all on Slow Housing's requests:
-- case 11 (HOS): a final chaser on 18 November, the request unanswered;
-- case 12 (HOS): an extension agreed to 25 November, no update since;
-- case 13 (LGSCO): a chaser on 10 November, the request due 13 November.
INSERT INTO task (id, case_id, kind, title, service_area_id, set_on, due_on, due_rule,
                  revised_due_on) VALUES
  (1011, 11, 'information_request', 'Chased', 2, '2026-10-01', '2026-10-22', 'working_days:15', NULL),
  (1012, 12, 'information_request', 'Extended', 2, '2026-10-01', '2026-10-22', 'working_days:15',
   '2026-11-25'),
  (1013, 13, 'information_request', 'Enquiry', 2, '2026-10-23', '2026-11-13', 'given', NULL);
INSERT INTO correspondence (case_id, direction, kind, dated_on, channel, response_due_on) VALUES
  (11, 'in', 'final_chaser', '2026-11-18', 'portal', NULL),
  (12, 'in', 'extension_agreed', '2026-11-02', 'portal', '2026-11-25'),
  (13, 'in', 'first_chaser', '2026-11-10', 'email', NULL);

SELECT setval(pg_get_serial_sequence(t, 'id'), 5000) FROM unnest(ARRAY['service_area', 'app_user',
  'complaint', 'ombudsman_case', 'task', 'correspondence']) t;
