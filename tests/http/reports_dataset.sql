-- A fixed dataset for the KPI tests, in a database of its own.  Financial
-- quarters: 2026-Q1 is April-June 2026, 2026-Q2 July-September 2026.
INSERT INTO setting (name, value) VALUES ('organisation_name', 'Report Test Council');
INSERT INTO service_area (id, name) VALUES (1, 'Repairs'), (2, 'Housing');
INSERT INTO app_user (id, email, name, service_area_id) VALUES
  (1, 'lo@test.invalid', 'Link Officer', NULL),
  (2, 'so@test.invalid', 'Repairs Officer', 1),
  (3, 'boss@test.invalid', 'Director', NULL);
INSERT INTO user_role VALUES (1, 'link_officer'), (2, 'service_officer'), (3, 'leadership');
-- Bearer tokens whose SHA-256 the store keeps: "lo-token", "so-token", "boss-token".
INSERT INTO api_token (user_id, name, token_hash) VALUES
  (1, 'test', sha256('lo-token')), (2, 'test', sha256('so-token')),
  (3, 'test', sha256('boss-token'));

INSERT INTO complaint (id, reference, category, service_area_id, received_on) VALUES
  (1, 'R-1', 'Damp', 1, '2026-03-01'), (2, 'R-2', 'Repairs', 1, '2026-04-01'),
  (3, 'R-3', 'Care', 2, '2026-05-01'), (4, 'R-4', 'Noise', 2, '2026-06-01');
INSERT INTO resident (complaint_id, name) VALUES (1, 'Quentin Canaryfold'), (2, 'Petra Canaryfold');

-- C1 received on the last day of Q1; C2 the first day of Q2; C3 the last
-- day of Q2; C4 the first day of Q3.
INSERT INTO ombudsman_case (id, complaint_id, ombudsman_id, reference, stage, received_on,
                            link_officer_id) VALUES
  (1, 1, 1, '202610001', 'remedies', '2026-06-30', 1),
  (2, 2, 1, '202610002', 'determined', '2026-07-01', 1),
  (3, 3, 2, '26 100 003', 'determined', '2026-09-30', 1),
  (4, 4, 1, '202610004', 'notified', '2026-10-01', 1);
UPDATE ombudsman_case SET stage = 'closed', closed_on = '2026-09-30', outcome = 'no_orders' WHERE id = 3;

-- Evidence requests, all set in Q2.
-- T1: set 1 Jul, due 22 Jul (15 working days), sent 20 Jul: on time, 13 days.
-- T2: set 20 Aug, due 11 Sep (15 working days over the 31 Aug bank
--     holiday), revised to 25 Sep, sent 18 Sep: late against the original,
--     on time against the revised date; 20 working days.
-- T3: set 1 Sep, due 22 Sep, never sent: open and overdue at the end of Q2.
INSERT INTO task (id, case_id, kind, title, service_area_id, set_on, due_on, due_rule,
                  revised_due_on, status, sent_on) VALUES
  (1, 2, 'information_request', 'Repair log', 1, '2026-07-01', '2026-07-22', 'working_days:15',
   NULL, 'sent', '2026-07-20'),
  (2, 3, 'information_request', 'Care plan', 2, '2026-08-20', '2026-09-11', 'working_days:15',
   '2026-09-25', 'sent', '2026-09-18'),
  (3, 2, 'information_request', 'Survey', 1, '2026-09-01', '2026-09-22', 'working_days:15',
   NULL, 'open', NULL);

INSERT INTO correspondence (case_id, direction, kind, dated_on, channel) VALUES
  (2, 'in', 'first_chaser', '2026-08-01', 'portal'),
  (3, 'in', 'final_chaser', '2026-10-02', 'email');

-- Determinations in Q2: C1 upheld (maladministration, service failure);
-- C2 reasonable redress (not upheld); C3 no fault (not upheld).
INSERT INTO determination (id, case_id, decided_on) VALUES
  (1, 1, '2026-08-15'), (2, 2, '2026-09-05'), (3, 3, '2026-09-20');
INSERT INTO finding (determination_id, case_id, element, finding) VALUES
  (1, 1, 'Repairs', 'maladministration'), (1, 1, 'Complaint handling', 'service_failure'),
  (2, 2, 'Repairs', 'reasonable_redress'), (3, 3, 'Care', 'no_fault');

-- R1 apology complied on time; R2 compensation 350 pounds complied late
-- (and so paid); R3 a recommendation overdue today (23 Nov 2026); R4 a
-- recommendation not yet due.
INSERT INTO remedy (determination_id, case_id, type, kind, description, amount_pence, due_on,
                    complied_on) VALUES
  (1, 1, 'order', 'apology', 'Apologise', NULL, '2026-09-12', '2026-09-10'),
  (1, 1, 'order', 'compensation', 'Pay 350 pounds', 35000, '2026-09-12', '2026-09-20'),
  (1, 1, 'recommendation', 'training', 'Train staff', NULL, '2026-10-10', NULL),
  (3, 3, 'recommendation', 'policy_review', 'Review policy', NULL, '2026-12-31', NULL);

SELECT setval(pg_get_serial_sequence(t, 'id'), 100) FROM unnest(ARRAY['service_area', 'app_user',
  'complaint', 'ombudsman_case', 'task', 'determination']) t;
