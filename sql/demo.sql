-- The demo organisation loaded by `linkdesk seed-demo` (and `make run`) into
-- an empty database: a borough council with six service areas, the people of
-- section 5 of its guidance, and Ombudsman cases in every state.  Dates are
-- relative to the day it is loaded as of: the server's today
-- (LINKDESK_TODAY when set), which store_seed_demo() hands over as the
-- setting linkdesk.demo_today, so the demo and the server read one clock.
-- Never for production: every demo user
-- has the published password printed by `make run`.  Residents are invented.

CREATE FUNCTION pg_temp.today() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT current_setting('linkdesk.demo_today')::date
$$;

INSERT INTO setting (name, value, description) VALUES
    ('organisation_name', 'Demo Borough Council', 'name shown on the dashboard');

INSERT INTO service_area (name) VALUES
    ('Repairs and Maintenance'), ('Housing Management'), ('Adult Social Care'),
    ('Council Tax and Benefits'), ('Planning'), ('Environmental Services');

CREATE TEMP TABLE demo_user (email text, name text, job_title text, area text,
                             roles text[], title text, resident boolean);
INSERT INTO demo_user VALUES
  ('link.officer@demo.linkdesk.test', 'Priya Shah', 'Ombudsman Link Officer', NULL, '{link_officer}', NULL, false),
  ('link.officer2@demo.linkdesk.test', 'Tom Okafor', 'Ombudsman Link Officer', NULL, '{link_officer}', NULL, false),
  ('repairs.officer@demo.linkdesk.test', 'Dan Price', 'Repairs Complaints Officer', 'Repairs and Maintenance', '{service_officer}', NULL, false),
  ('head.repairs@demo.linkdesk.test', 'Grace Mensah', 'Head of Repairs', 'Repairs and Maintenance', '{service_officer}', NULL, false),
  ('housing.officer@demo.linkdesk.test', 'Aisha Khan', 'Housing Officer', 'Housing Management', '{service_officer}', NULL, true),
  ('head.housing@demo.linkdesk.test', 'Owen Hughes', 'Head of Housing Management', 'Housing Management', '{service_officer}', NULL, false),
  ('asc.officer@demo.linkdesk.test', 'Mei Chen', 'Adult Social Care Practitioner', 'Adult Social Care', '{service_officer}', NULL, false),
  ('head.asc@demo.linkdesk.test', 'Ruth Adeyemi', 'Head of Adult Social Care', 'Adult Social Care', '{service_officer}', NULL, false),
  ('ad.resident.contacts@demo.linkdesk.test', 'Sarah Whitfield', 'Assistant Director of Resident Contacts', NULL, '{validator}', 'Assistant Director of Resident Contacts', false),
  ('head.disputes@demo.linkdesk.test', 'Marcus Bell', 'Head of Dispute Resolutions', NULL, '{validator}', 'Head of Dispute Resolutions', false),
  ('rx.manager@demo.linkdesk.test', 'Leah Novak', 'Resident Experience Manager', NULL, '{validator}', 'Resident Experience Manager', false),
  ('director@demo.linkdesk.test', 'James Ward', 'Strategic Director of Housing', NULL, '{leadership}', NULL, false),
  ('director.people@demo.linkdesk.test', 'Fiona Grant', 'Strategic Director of People', NULL, '{leadership}', NULL, false),
  ('ceo@demo.linkdesk.test', 'Helen Carter', 'Chief Executive', NULL, '{leadership}', NULL, false),
  ('comms@demo.linkdesk.test', 'Ravi Patel', 'Head of Communications', NULL, '{leadership}', NULL, false),
  ('resident.contact@demo.linkdesk.test', 'Nadia Rossi', 'Head of Resident Contact', NULL, '{leadership}', NULL, false),
  ('admin@demo.linkdesk.test', 'Sam Taylor', 'Systems Administrator', NULL, '{administrator}', NULL, false);

INSERT INTO app_user (email, name, job_title, service_area_id, validator_title_id, resident_access)
SELECT d.email, d.name, d.job_title, a.id, v.id, d.resident
FROM demo_user d
LEFT JOIN service_area a ON a.name = d.area
LEFT JOIN validator_title v ON v.title = d.title;

INSERT INTO user_role (user_id, role)
SELECT u.id, unnest(d.roles) FROM demo_user d JOIN app_user u ON u.email = d.email;

CREATE FUNCTION pg_temp.uid(p_email text) RETURNS bigint LANGUAGE sql AS $$
    SELECT id FROM app_user WHERE email = p_email || '@demo.linkdesk.test'
$$;
CREATE FUNCTION pg_temp.area(p_name text) RETURNS bigint LANGUAGE sql AS $$
    SELECT id FROM service_area WHERE name = p_name
$$;

UPDATE service_area SET head_of_service_id = pg_temp.uid('head.repairs'),
    slt_director_id = pg_temp.uid('director') WHERE name = 'Repairs and Maintenance';
UPDATE service_area SET head_of_service_id = pg_temp.uid('head.housing'),
    slt_director_id = pg_temp.uid('director') WHERE name = 'Housing Management';
UPDATE service_area SET head_of_service_id = pg_temp.uid('head.asc'),
    slt_director_id = pg_temp.uid('director.people') WHERE name = 'Adult Social Care';
UPDATE service_area SET slt_director_id = pg_temp.uid('director.people')
    WHERE slt_director_id IS NULL;

UPDATE position SET user_id = pg_temp.uid('resident.contact') WHERE code = 'head_of_resident_contact';
UPDATE position SET user_id = pg_temp.uid('ceo') WHERE code = 'chief_executive';
UPDATE position SET user_id = pg_temp.uid('comms') WHERE code = 'head_of_communications';

-- Complaints and their residents (invented people).
INSERT INTO complaint (reference, category, service_area_id, received_on, summary) VALUES
  ('CMP-2025-0412', 'Damp and mould', pg_temp.area('Repairs and Maintenance'), pg_temp.today() - 240, 'Repeated damp and mould in the bedroom not resolved after three visits.'),
  ('CMP-2025-0519', 'Repairs delay', pg_temp.area('Repairs and Maintenance'), pg_temp.today() - 200, 'Boiler out of action for five weeks in winter.'),
  ('CMP-2025-0603', 'Care package', pg_temp.area('Adult Social Care'), pg_temp.today() - 180, 'Reduction in care hours without reassessment.'),
  ('CMP-2024-1177', 'Anti-social behaviour', pg_temp.area('Housing Management'), pg_temp.today() - 420, 'Reports of noise nuisance not acted on.'),
  ('CMP-2024-0988', 'Council tax', pg_temp.area('Council Tax and Benefits'), pg_temp.today() - 500, 'Enforcement action taken despite an agreed payment plan.'),
  ('CMP-2025-0711', 'Leaks', pg_temp.area('Repairs and Maintenance'), pg_temp.today() - 150, 'Leak from the flat above damaged belongings.'),
  ('CMP-2025-0802', 'Planning enforcement', pg_temp.area('Planning'), pg_temp.today() - 120, 'Unauthorised extension next door not investigated.');

INSERT INTO resident (complaint_id, name, address, contact, vulnerabilities, adjustments)
SELECT id, r.name, r.address, r.contact, r.vuln, r.adj FROM complaint c JOIN (VALUES
  ('CMP-2025-0412', 'Mrs Joan Ellery', 'Flat 12, Cedar House, Demo Road', '07700 900412', 'Asthma; young child in household', 'Contact by phone after 10am'),
  ('CMP-2025-0519', 'Mr Kofi Asante', '3 Larch Close', 'k.asante@example.org', '', ''),
  ('CMP-2025-0603', 'Mr Albert Finch', '27 Willow Walk', 'Via daughter (lasting power of attorney)', 'Dementia', 'Letters in large print'),
  ('CMP-2024-1177', 'Ms Dana Kowalczyk', 'Flat 4, Birch Court', '07700 900117', 'Anxiety', ''),
  ('CMP-2024-0988', 'Mr Lewis Grant', '88 Hazel Avenue', 'l.grant@example.org', '', ''),
  ('CMP-2025-0711', 'Ms Olu Bankole', 'Flat 9, Cedar House, Demo Road', '07700 900711', '', ''),
  ('CMP-2025-0802', 'Mr Peter Szabo', '15 Rowan Street', 'p.szabo@example.org', '', '')
) AS r(ref, name, address, contact, vuln, adj) ON r.ref = c.reference;

-- Cases, one in each stage.
INSERT INTO ombudsman_case (complaint_id, ombudsman_id, reference, stage, outcome,
                            link_officer_id, received_on, closed_on)
SELECT c.id, o.id, x.ref, x.stage, x.outcome, pg_temp.uid(x.lo), pg_temp.today() - x.ago,
       CASE WHEN x.stage = 'closed' THEN pg_temp.today() - x.closed END
FROM (VALUES
  ('CMP-2025-0711', 'HOS', '202514201', 'notified', NULL, 'link.officer', 2, 0),
  ('CMP-2025-0412', 'HOS', '202513877', 'investigation', NULL, 'link.officer', 40, 0),
  ('CMP-2025-0603', 'LGSCO', '25 004 112', 'investigation', NULL, 'link.officer2', 30, 0),
  ('CMP-2025-0519', 'HOS', '202511002', 'draft_decision', NULL, 'link.officer', 90, 0),
  ('CMP-2024-1177', 'HOS', '202410552', 'remedies', NULL, 'link.officer', 200, 0),
  ('CMP-2024-0988', 'LGSCO', '24 013 880', 'closed', 'orders_satisfied', 'link.officer2', 380, 60),
  ('CMP-2025-0802', 'LGSCO', '25 007 650', 'closed', 'not_investigated', 'link.officer2', 50, 20)
) AS x(cref, omb, ref, stage, outcome, lo, ago, closed)
JOIN complaint c ON c.reference = x.cref
JOIN ombudsman o ON o.code = x.omb;

CREATE FUNCTION pg_temp.case_id(p_ref text) RETURNS bigint LANGUAGE sql AS $$
    SELECT id FROM ombudsman_case WHERE reference = p_ref
$$;

INSERT INTO correspondence (case_id, direction, kind, dated_on, channel, summary, response_due_on, created_by)
SELECT pg_temp.case_id(x.ref), x.dir, x.kind, pg_temp.today() - x.ago, x.channel, x.summary,
       CASE WHEN x.due IS NOT NULL THEN pg_temp.today() - x.due END, pg_temp.uid('link.officer')
FROM (VALUES
  ('202514201', 'in', 'notification', 2, 'portal', 'Housing Ombudsman has received a complaint.', NULL),
  ('202513877', 'in', 'notification', 40, 'portal', 'Complaint accepted for investigation.', NULL),
  ('202513877', 'in', 'information_request', 30, 'portal', 'Evidence requested: repair records, damp survey, correspondence.', 9),
  ('202513877', 'out', 'acknowledgement', 29, 'portal', 'Request acknowledged.', NULL),
  ('202513877', 'in', 'first_chaser', 5, 'portal', 'Chaser: evidence now overdue.', NULL),
  ('25 004 112', 'in', 'notification', 30, 'email', 'Enquiry letter received.', NULL),
  ('25 004 112', 'in', 'information_request', 28, 'email', 'Please provide the care assessment records.', -1),
  ('202511002', 'in', 'draft_decision', 10, 'portal', 'Draft decision for comment.', -5),
  ('202410552', 'in', 'determination', 20, 'portal', 'Final determination: maladministration.', NULL),
  ('24 013 880', 'in', 'determination', 200, 'email', 'Final decision: fault causing injustice.', NULL),
  ('24 013 880', 'in', 'orders_confirmed', 60, 'email', 'Remedies confirmed as complete.', NULL),
  ('25 007 650', 'in', 'notification', 50, 'email', 'Complaint received.', NULL)
) AS x(ref, dir, kind, ago, channel, summary, due);

-- Tasks: an overdue evidence request (chased), one awaiting validation, orders.
INSERT INTO task (case_id, kind, title, detail, service_area_id, assignee_id, set_on, due_on, due_rule,
                  revised_due_on, priority, status, answer, sent_on, completed_on)
SELECT pg_temp.case_id(x.ref), x.kind, x.title, x.detail, pg_temp.area(x.area), pg_temp.uid(x.who),
       pg_temp.today() - x.set_ago, pg_temp.today() - x.due_ago, 'given',
       CASE WHEN x.rev_ago IS NOT NULL THEN pg_temp.today() - x.rev_ago END,
       x.priority, x.status, x.answer,
       CASE WHEN x.status IN ('sent', 'done') THEN pg_temp.today() - x.due_ago - 2 END,
       CASE WHEN x.status = 'done' THEN pg_temp.today() - x.due_ago END
FROM (VALUES
  ('202513877', 'information_request', 'Repair records, damp survey and tenant correspondence since January',
   'The Ombudsman asks for the full repair history, the damp survey report and all correspondence with the resident.',
   'Repairs and Maintenance', 'repairs.officer', 30, 9, NULL, 'high', 'in_progress', ''),
  ('202513877', 'information_request', 'Stage 2 response letter and complaint log',
   'Copy of the stage 2 response and the complaint handling log.', 'Housing Management', 'housing.officer', 30, 9, 2, 'high', 'open', ''),
  ('25 004 112', 'information_request', 'Care assessment records and the decision to reduce hours',
   'Assessments from the last 12 months, the panel decision and the letter to the family.', 'Adult Social Care', 'asc.officer', 28, -1, NULL, 'normal', 'submitted',
   'Assessments of March and August attached, with the panel minutes.'),
  ('202410552', 'order', 'Apologise to the resident in writing', 'Order 1: a written apology from the Director.', 'Housing Management', 'housing.officer', 20, -8, NULL, 'normal', 'sent', 'Apology letter sent.'),
  ('202410552', 'order', 'Pay compensation of £350', 'Order 2: £350 for distress and inconvenience.', 'Housing Management', 'head.housing', 20, -8, NULL, 'normal', 'open', ''),
  ('202410552', 'recommendation', 'Review the anti-social behaviour policy', 'Recommendation: review the ASB case management policy within 8 weeks.', 'Housing Management', 'head.housing', 20, -36, NULL, 'normal', 'open', ''),
  ('24 013 880', 'order', 'Apologise and waive enforcement costs', 'Remedy: apology and waive £120 costs.', 'Council Tax and Benefits', NULL, 200, 170, NULL, 'normal', 'done', 'Done and evidenced.')
) AS x(ref, kind, title, detail, area, who, set_ago, due_ago, rev_ago, priority, status, answer);

INSERT INTO evidence_version (task_id, case_id, number, answer, attachments, submitted_by)
SELECT t.id, t.case_id, 1, t.answer, '["care-assessments-2025.pdf", "panel-minutes.pdf"]', t.assignee_id
FROM task t WHERE t.status = 'submitted';
INSERT INTO signoff (evidence_version_id, case_id, validator_title_id, user_id, decision)
SELECT e.id, e.case_id, u.validator_title_id, u.id, 'approved'
FROM evidence_version e, app_user u WHERE u.email = 'head.disputes@demo.linkdesk.test';

INSERT INTO determination (case_id, decided_on)
SELECT id, pg_temp.today() - 20 FROM ombudsman_case WHERE reference = '202410552'
UNION ALL SELECT id, pg_temp.today() - 200 FROM ombudsman_case WHERE reference = '24 013 880';

INSERT INTO finding (determination_id, case_id, element, finding)
SELECT d.id, d.case_id, x.element, x.finding FROM determination d
JOIN ombudsman_case c ON c.id = d.case_id
JOIN (VALUES
  ('202410552', 'Handling of reports of anti-social behaviour', 'maladministration'),
  ('202410552', 'Complaint handling', 'service_failure'),
  ('24 013 880', 'Enforcement despite a payment plan', 'fault_causing_injustice')
) AS x(ref, element, finding) ON x.ref = c.reference;

INSERT INTO remedy (determination_id, case_id, type, kind, description, amount_pence, due_on,
                    complied_on, confirmed_on, task_id)
SELECT d.id, d.case_id, t.kind,
       CASE WHEN t.title LIKE 'Pay%' THEN 'compensation' WHEN t.title LIKE 'Review%' THEN 'policy_review' ELSE 'apology' END,
       t.detail, CASE WHEN t.title LIKE 'Pay%' THEN 35000 END, t.due_on,
       t.sent_on, t.completed_on, t.id
FROM task t JOIN determination d ON d.case_id = t.case_id
WHERE t.kind IN ('order', 'recommendation');
UPDATE task t SET remedy_id = r.id FROM remedy r WHERE r.task_id = t.id;
