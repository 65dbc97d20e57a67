-- A fixed dataset for the KPI tests, in a database of its own, with its
-- figures worked out by hand (tests/http/test_reports.c asserts them).
-- Financial quarters: 2026-Q1 is April-June 2026, 2026-Q2 July-September,
-- 2026-Q3 October-December, still running on the tests' today, Monday 23
-- November 2026, so reported as of that day.
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
  (3, 'R-3', 'Care', 2, '2026-05-01'), (4, 'R-4', 'Noise', 2, '2026-06-01'),
  (5, 'R-5', 'Damp', 1, '2026-07-01'), (6, 'R-6', 'Care', 2, '2026-08-01'),
  (7, 'R-7', 'Leaks', 1, '2025-12-01');
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
-- Q3: C5 (HOS) 5 October and C6 (LGSCO) 20 October; C4 withdrawn on 1
-- November.  C7 (HOS) was received in 2025-26 and decided in 2026-Q1.
INSERT INTO ombudsman_case (id, complaint_id, ombudsman_id, reference, stage, received_on,
                            link_officer_id) VALUES
  (5, 5, 1, '202610005', 'remedies', '2026-10-05', 1),
  (6, 6, 2, '26 100 006', 'remedies', '2026-10-20', 1),
  (7, 7, 1, '202610007', 'remedies', '2026-02-01', 1);
UPDATE ombudsman_case SET stage = 'closed', closed_on = '2026-11-01', outcome = 'withdrawn' WHERE id = 4;

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

-- Q3, as of 23 November: due and settled are T4 to T7, so 1 of 4 on time.
-- T4: C5, set 6 Oct, due 27 Oct, sent 23 Oct: on time, 13 working days.
-- T5: C5, set 8 Oct, due 29 Oct, sent 3 Nov: late, 18 working days.
-- T6: C6, set 15 Oct, due 5 Nov, not sent: late, overdue.
-- T7: C6, set 16 Oct, due 6 Nov, revised to 20 Nov, not sent: late,
--     overdue, extended.
-- T8: C5, set 10 Nov, due 1 Dec: not due yet.
-- T9: C6, set 2 Nov, due today: not late yet, so not counted as due.
-- T10: C5, a corrective action due 10 Nov, paused since 5 Nov: open, not
--      overdue.
-- T11: C5, cancelled: counted nowhere.
INSERT INTO task (id, case_id, kind, title, service_area_id, set_on, due_on, due_rule,
                  revised_due_on, status, sent_on, paused_on) VALUES
  (4, 5, 'information_request', 'Damp survey', 1, '2026-10-06', '2026-10-27', 'working_days:15',
   NULL, 'sent', '2026-10-23', NULL),
  (5, 5, 'information_request', 'Repair history', 1, '2026-10-08', '2026-10-29', 'working_days:15',
   NULL, 'sent', '2026-11-03', NULL),
  (6, 6, 'information_request', 'Assessment', 2, '2026-10-15', '2026-11-05', 'working_days:15',
   NULL, 'open', NULL, NULL),
  (7, 6, 'information_request', 'Panel minutes', 2, '2026-10-16', '2026-11-06', 'working_days:15',
   '2026-11-20', 'in_progress', NULL, NULL),
  (8, 5, 'information_request', 'Photographs', 1, '2026-11-10', '2026-12-01', 'working_days:15',
   NULL, 'open', NULL, NULL),
  (9, 6, 'information_request', 'Letters', 2, '2026-11-02', '2026-11-23', 'working_days:15',
   NULL, 'open', NULL, NULL),
  (10, 5, 'corrective_action', 'Fix the gutter', 1, '2026-10-20', '2026-11-10', 'given',
   NULL, 'open', NULL, '2026-11-05'),
  (11, 5, 'information_request', 'Duplicate', 1, '2026-10-07', '2026-10-28', 'working_days:15',
   NULL, 'cancelled', NULL, NULL);

INSERT INTO correspondence (case_id, direction, kind, dated_on, channel) VALUES
  (2, 'in', 'first_chaser', '2026-08-01', 'portal'),
  (3, 'in', 'final_chaser', '2026-10-02', 'email'),
  (6, 'in', 'first_chaser', '2026-11-10', 'email');
-- Q3's sanctions: a type 2 failure order on C5, a witness summons on C6.
INSERT INTO correspondence (case_id, direction, kind, dated_on, channel, chfo_type) VALUES
  (5, 'in', 'sanction_notice', '2026-11-12', 'portal', 2),
  (6, 'in', 'sanction_notice', '2026-11-15', 'email', NULL);

-- Determinations in Q2: C1 upheld (maladministration, service failure);
-- C2 reasonable redress (not upheld); C3 no fault (not upheld).
INSERT INTO determination (id, case_id, decided_on) VALUES
  (1, 1, '2026-08-15'), (2, 2, '2026-09-05'), (3, 3, '2026-09-20');
INSERT INTO finding (determination_id, case_id, element, finding) VALUES
  (1, 1, 'Repairs', 'maladministration'), (1, 1, 'Complaint handling', 'service_failure'),
  (2, 2, 'Repairs', 'reasonable_redress'), (3, 3, 'Care', 'no_fault');
-- Q3: C5 (HOS) severe maladministration, no maladministration, and one
-- outside jurisdiction (not considered): 1 of 2.  C6 (LGSCO) fault in one
-- part, none in another: the decision is upheld, 1 of 1.  C7 (2026-Q1) a
-- maladministration.
INSERT INTO determination (id, case_id, decided_on) VALUES
  (4, 5, '2026-11-02'), (5, 6, '2026-11-09'), (7, 7, '2026-04-10');
INSERT INTO finding (determination_id, case_id, element, finding) VALUES
  (4, 5, 'Damp', 'severe_maladministration'), (4, 5, 'Record keeping', 'no_maladministration'),
  (4, 5, 'Insurance claim', 'outside_jurisdiction'),
  (5, 6, 'Assessment', 'fault_causing_injustice'), (5, 6, 'Charging', 'no_fault'),
  (7, 7, 'Leaks', 'maladministration');

-- R1 apology complied on time; R2 compensation 350 pounds complied late
-- (and so paid); R3 a recommendation overdue today (23 Nov 2026); R4 a
-- recommendation not yet due.
INSERT INTO remedy (determination_id, case_id, type, kind, description, amount_pence, due_on,
                    complied_on) VALUES
  (1, 1, 'order', 'apology', 'Apologise', NULL, '2026-09-12', '2026-09-10'),
  (1, 1, 'order', 'compensation', 'Pay 350 pounds', 35000, '2026-09-12', '2026-09-20'),
  (1, 1, 'recommendation', 'training', 'Train staff', NULL, '2026-10-10', NULL),
  (3, 3, 'recommendation', 'policy_review', 'Review policy', NULL, '2026-12-31', NULL);

-- Q3's remedies.  R5 an order of £1,234.50 due 16 Nov, not complied with;
-- R6 an order due 30 Nov (not yet due); R7 a recommendation complied with
-- on time and confirmed by the Ombudsman; R8 a recommended payment of £200
-- complied with late (so paid), evidence sent but not confirmed.
INSERT INTO remedy (determination_id, case_id, type, kind, description, amount_pence, due_on,
                    complied_on, confirmed_on) VALUES
  (4, 5, 'order', 'compensation', 'Pay £1,234.50', 123450, '2026-11-16', NULL, NULL),
  (4, 5, 'order', 'works', 'Treat the damp', NULL, '2026-11-30', NULL, NULL),
  (5, 6, 'recommendation', 'apology', 'Apologise to the family', NULL, '2026-11-13',
   '2026-11-12', '2026-11-20'),
  (5, 6, 'recommendation', 'compensation', 'Pay £200', 20000, '2026-11-20', '2026-11-21', NULL);
-- 2026-Q1's orders (C7), all due 1 May: R9 complied 15 Jul (within three
-- months), R10 on 1 Oct (within six), R11 never, R12 on 28 Apr (on time).
INSERT INTO remedy (determination_id, case_id, type, kind, description, amount_pence, due_on,
                    complied_on) VALUES
  (7, 7, 'order', 'works', 'Fix the roof', NULL, '2026-05-01', '2026-07-15'),
  (7, 7, 'order', 'training', 'Train the surveyors', NULL, '2026-05-01', '2026-10-01'),
  (7, 7, 'order', 'self_assessment', 'Self-assess', NULL, '2026-05-01', NULL),
  (7, 7, 'order', 'apology', 'Apologise', NULL, '2026-05-01', '2026-04-28');

SELECT setval(pg_get_serial_sequence(t, 'id'), 100) FROM unnest(ARRAY['service_area', 'app_user',
  'complaint', 'ombudsman_case', 'task', 'determination']) t;
