-- Complaint Handling Code compliance: the timescales of each code (data,
-- so the 2020 Code and an organisation's own policy sit beside the 2024
-- Code), the dates of each complaint's stages, the 2024 Code's provisions,
-- and the annual self-assessment against them.

CREATE TABLE complaint_code (
    code                text PRIMARY KEY,
    name                text NOT NULL,
    s1_ack_days         integer NOT NULL,
    s1_response_days    integer NOT NULL,
    s1_response_from    text NOT NULL CHECK (s1_response_from IN ('receipt', 'acknowledgement')),
    s1_extension_days   integer NOT NULL,
    s2_ack_days         integer NOT NULL,
    s2_response_days    integer NOT NULL,
    s2_response_from    text NOT NULL CHECK (s2_response_from IN ('request', 'acknowledgement')),
    s2_extension_days   integer NOT NULL
);
INSERT INTO complaint_code VALUES
    ('HOS-2024', 'Complaint Handling Code 2024', 5, 10, 'acknowledgement', 10,
     5, 20, 'acknowledgement', 20),
    ('HOS-2020', 'Complaint Handling Code 2020', 5, 10, 'receipt', 10,
     5, 20, 'request', 10),
    ('ORG-POLICY', 'Our own complaints policy (stricter)', 5, 8, 'receipt', 10,
     5, 5, 'request', 20);
INSERT INTO setting (name, value, description) VALUES
    ('complaint_code', 'HOS-2024', 'the code stage timeliness is measured against');

ALTER TABLE complaint
    ADD COLUMN stage1_acknowledged_on date,
    ADD COLUMN stage1_extension_days integer CHECK (stage1_extension_days BETWEEN 1 AND 60),
    ADD COLUMN stage1_extension_reason text NOT NULL DEFAULT '' CHECK (length(stage1_extension_reason) <= 2000),
    ADD COLUMN stage1_extension_told_on date,
    ADD COLUMN escalation_requested_on date,
    ADD COLUMN stage2_acknowledged_on date,
    ADD COLUMN stage2_extension_days integer CHECK (stage2_extension_days BETWEEN 1 AND 60),
    ADD COLUMN stage2_extension_reason text NOT NULL DEFAULT '' CHECK (length(stage2_extension_reason) <= 2000),
    ADD COLUMN stage2_extension_told_on date;

CREATE TABLE code_provision (
    code        text NOT NULL,
    number      text NOT NULL CHECK (number ~ '^[0-9]+\.[0-9]+$'),
    section     integer NOT NULL,
    section_title text NOT NULL,
    summary     text NOT NULL,
    position    integer NOT NULL,
    PRIMARY KEY (code, number)
);
INSERT INTO code_provision (code, number, section, section_title, summary, position) VALUES
    ('HOS-2024', '1.2', 1, 'Definition of a complaint', 'Define a complaint as any expression of dissatisfaction, however made, about the service, actions or inaction of the landlord.', 1),
    ('HOS-2024', '1.3', 1, 'Definition of a complaint', 'Treat dissatisfaction as a complaint even when the word is not used; offer the choice to complain, including through a representative.', 2),
    ('HOS-2024', '1.4', 1, 'Definition of a complaint', 'Tell service requests and complaints apart in the policy, and record, monitor and review service requests.', 3),
    ('HOS-2024', '1.5', 1, 'Definition of a complaint', 'Raise a complaint when a resident is unhappy with how a service request is handled, even while it is still open.', 4),
    ('HOS-2024', '1.6', 1, 'Definition of a complaint', 'Survey feedback is not a complaint, but tell people how to complain, and do so whenever wider feedback is sought.', 5),
    ('HOS-2024', '2.1', 2, 'Exclusions', 'Accept every complaint unless there is a valid, evidenced reason not to, judging each on its merits.', 6),
    ('HOS-2024', '2.2', 2, 'Exclusions', 'Set out fair and reasonable exclusions in the complaints policy.', 7),
    ('HOS-2024', '2.3', 2, 'Exclusions', 'Accept complaints made within 12 months of the issue, or of the resident becoming aware of it, unless excluded.', 8),
    ('HOS-2024', '2.4', 2, 'Exclusions', 'Explain to the resident why a complaint is not accepted, and that they may go to the Ombudsman.', 9),
    ('HOS-2024', '2.5', 2, 'Exclusions', 'Never exclude complaints wholesale: consider each one''s own circumstances.', 10),
    ('HOS-2024', '3.1', 3, 'Accessibility and awareness', 'Offer several accessible ways to complain, with regard to the Equality Act 2010.', 11),
    ('HOS-2024', '3.2', 3, 'Accessibility and awareness', 'Let residents complain in any way to any member of staff, all of whom know the process and pass complaints on.', 12),
    ('HOS-2024', '3.3', 3, 'Accessibility and awareness', 'See a high number of complaints as a sign of an accessible process, and a low number as a possible problem.', 13),
    ('HOS-2024', '3.4', 3, 'Accessibility and awareness', 'Publish the complaints policy clearly and accessibly, with the two stages and their timescales.', 14),
    ('HOS-2024', '3.5', 3, 'Accessibility and awareness', 'Explain in the policy how it, the Ombudsman and the Code are made known to residents.', 15),
    ('HOS-2024', '3.6', 3, 'Accessibility and awareness', 'Let residents have a representative act for them, or accompany them, at any point.', 16),
    ('HOS-2024', '3.7', 3, 'Accessibility and awareness', 'Tell residents of their right to go to the Ombudsman and how to engage with it.', 17),
    ('HOS-2024', '4.1', 4, 'Complaint handling staff', 'Give a person or team responsibility for complaint handling, including liaison with the Ombudsman.', 18),
    ('HOS-2024', '4.2', 4, 'Complaint handling staff', 'Give the complaints officer access to staff at every level and the authority to resolve complaints.', 19),
    ('HOS-2024', '4.3', 4, 'Complaint handling staff', 'Make complaint handling and learning a priority, and train the staff concerned.', 20),
    ('HOS-2024', '5.1', 5, 'The complaint handling process', 'Have a single complaints policy, and never treat residents differently for complaining.', 21),
    ('HOS-2024', '5.2', 5, 'The complaint handling process', 'Resolve complaints early and locally, with no extra named stages.', 22),
    ('HOS-2024', '5.3', 5, 'The complaint handling process', 'Never have a process of more than two stages.', 23),
    ('HOS-2024', '5.4', 5, 'The complaint handling process', 'Keep complaints handled by third parties within the same two-stage process.', 24),
    ('HOS-2024', '5.5', 5, 'The complaint handling process', 'Remain responsible for third parties handling complaints in line with the Code.', 25),
    ('HOS-2024', '5.6', 5, 'The complaint handling process', 'Set out the complaint definition at each stage, asking the resident to clarify anything unclear.', 26),
    ('HOS-2024', '5.7', 5, 'The complaint handling process', 'On acknowledging a complaint, say which parts the landlord is and is not responsible for.', 27),
    ('HOS-2024', '5.8', 5, 'The complaint handling process', 'At each stage, deal with the complaint on its merits, impartially, declaring conflicts, letting the resident respond and keeping them informed.', 28),
    ('HOS-2024', '5.9', 5, 'The complaint handling process', 'Agree intervals for updates with the resident when a response will miss the Code''s timescales.', 29),
    ('HOS-2024', '5.10', 5, 'The complaint handling process', 'Make reasonable adjustments, record them and any disabilities disclosed, and keep them under review.', 30),
    ('HOS-2024', '5.11', 5, 'The complaint handling process', 'Escalate through every stage unless there is a valid reason, explained in line with section 2.', 31),
    ('HOS-2024', '5.12', 5, 'The complaint handling process', 'Keep a full record of each complaint, its outcome at each stage, and all correspondence and evidence.', 32),
    ('HOS-2024', '5.13', 5, 'The complaint handling process', 'Be able to put things right at any stage without the complaint having to escalate.', 33),
    ('HOS-2024', '5.14', 5, 'The complaint handling process', 'Have policies for unacceptable behaviour, evidencing and regularly reviewing any restriction.', 34),
    ('HOS-2024', '5.15', 5, 'The complaint handling process', 'Keep any restriction on contact proportionate and mindful of the Equality Act 2010.', 35),
    ('HOS-2024', '6.1', 6, 'Complaints stages', 'Decide which complaints can be answered early and which need further investigation.', 36),
    ('HOS-2024', '6.2', 6, 'Complaints stages', 'Acknowledge, define and log a stage 1 complaint within 5 working days of receiving it.', 37),
    ('HOS-2024', '6.3', 6, 'Complaints stages', 'Respond in full at stage 1 within 10 working days of acknowledging the complaint.', 38),
    ('HOS-2024', '6.4', 6, 'Complaints stages', 'Decide on any stage 1 extension by the complaint''s complexity, tell the resident, and extend by at most 10 more working days.', 39),
    ('HOS-2024', '6.5', 6, 'Complaints stages', 'When extending at stage 1, give the resident the Ombudsman''s contact details.', 40),
    ('HOS-2024', '6.6', 6, 'Complaints stages', 'Respond at stage 1 once the answer is known, not once every follow-up action is done, and track what remains.', 41),
    ('HOS-2024', '6.7', 6, 'Complaints stages', 'Answer every point of the complaint definition at stage 1 with clear reasons.', 42),
    ('HOS-2024', '6.8', 6, 'Complaints stages', 'Fold related new complaints into the stage 1 response where reasonable, or handle them separately.', 43),
    ('HOS-2024', '6.9', 6, 'Complaints stages', 'Confirm in writing at the end of stage 1 the outcome, reasons, remedy, actions and how to escalate.', 44),
    ('HOS-2024', '6.10', 6, 'Complaints stages', 'Escalate to stage 2 any complaint not resolved to the resident''s satisfaction at stage 1.', 45),
    ('HOS-2024', '6.11', 6, 'Complaints stages', 'Acknowledge, define and log a stage 2 request within 5 working days of the escalation request.', 46),
    ('HOS-2024', '6.12', 6, 'Complaints stages', 'Do not make residents explain why they want stage 2, while trying to understand their concerns.', 47),
    ('HOS-2024', '6.13', 6, 'Complaints stages', 'Have stage 2 considered by someone other than the stage 1 handler.', 48),
    ('HOS-2024', '6.14', 6, 'Complaints stages', 'Give the final stage 2 response within 20 working days of acknowledging the request.', 49),
    ('HOS-2024', '6.15', 6, 'Complaints stages', 'Decide on any stage 2 extension by the complaint''s complexity, tell the resident, and extend by at most 20 more working days.', 50),
    ('HOS-2024', '6.16', 6, 'Complaints stages', 'When extending at stage 2, give the resident the Ombudsman''s contact details.', 51),
    ('HOS-2024', '6.17', 6, 'Complaints stages', 'Respond at stage 2 once the answer is known, and track the actions that remain.', 52),
    ('HOS-2024', '6.18', 6, 'Complaints stages', 'Answer every point of the complaint definition at stage 2 with clear reasons.', 53),
    ('HOS-2024', '6.19', 6, 'Complaints stages', 'Confirm in writing at the end of stage 2 the outcome, reasons, remedy, actions and the right to go to the Ombudsman.', 54),
    ('HOS-2024', '6.20', 6, 'Complaints stages', 'Involve every suitable member of staff in the final stage 2 response.', 55),
    ('HOS-2024', '7.1', 7, 'Putting things right', 'Acknowledge what went wrong and set out what has been, or will be, done to put it right.', 56),
    ('HOS-2024', '7.2', 7, 'Putting things right', 'Make any remedy reflect the impact of the fault on the resident.', 57),
    ('HOS-2024', '7.3', 7, 'Putting things right', 'Say clearly what will happen and by when, and see every remedy through.', 58),
    ('HOS-2024', '7.4', 7, 'Putting things right', 'Follow the Ombudsman''s guidance when deciding remedies.', 59),
    ('HOS-2024', '8.1', 8, 'Self-assessment, reporting and compliance', 'Produce an annual complaints performance and service improvement report, with the self-assessment and any Ombudsman findings.', 60),
    ('HOS-2024', '8.2', 8, 'Self-assessment, reporting and compliance', 'Report the annual report to the governing body and publish it with the governing body''s response.', 61),
    ('HOS-2024', '8.3', 8, 'Self-assessment, reporting and compliance', 'Self-assess again after a significant restructure, merger or change in procedures.', 62),
    ('HOS-2024', '8.4', 8, 'Self-assessment, reporting and compliance', 'Review the self-assessment when the Ombudsman asks after an investigation.', 63),
    ('HOS-2024', '8.5', 8, 'Self-assessment, reporting and compliance', 'Tell the Ombudsman, residents and the regulator if exceptional circumstances stop compliance, and restore it promptly.', 64),
    ('HOS-2024', '9.1', 9, 'Scrutiny and oversight: continuous learning and improvement', 'Look beyond the single complaint for improvements to services.', 65),
    ('HOS-2024', '9.2', 9, 'Scrutiny and oversight: continuous learning and improvement', 'Use complaints to learn and improve, within a positive complaint-handling culture.', 66),
    ('HOS-2024', '9.3', 9, 'Scrutiny and oversight: continuous learning and improvement', 'Report learning and improvements back to residents, staff and other stakeholders.', 67),
    ('HOS-2024', '9.4', 9, 'Scrutiny and oversight: continuous learning and improvement', 'Appoint a senior lead accountable for complaint handling, who watches for themes and trends.', 68),
    ('HOS-2024', '9.5', 9, 'Scrutiny and oversight: continuous learning and improvement', 'Appoint a member of the governing body with lead responsibility for complaints.', 69),
    ('HOS-2024', '9.6', 9, 'Scrutiny and oversight: continuous learning and improvement', 'That member makes sure the governing body regularly receives insight into complaint handling.', 70),
    ('HOS-2024', '9.7', 9, 'Scrutiny and oversight: continuous learning and improvement', 'The member and the governing body receive at least regular figures, Ombudsman findings and the annual report.', 71),
    ('HOS-2024', '9.8', 9, 'Scrutiny and oversight: continuous learning and improvement', 'Give relevant staff and third parties a standard objective on complaint handling.', 72);

CREATE TABLE self_assessment (
    id              bigserial PRIMARY KEY,
    code            text NOT NULL DEFAULT 'HOS-2024',
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- annual, or out of cycle (Code section 8).
    reason          text NOT NULL CHECK (reason IN ('annual', 'restructure', 'merger',
                        'procedure_change', 'ombudsman_request')),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'published')),
    approved_on     date,
    approved_by     text NOT NULL DEFAULT '',
    published_on    date,
    published_url   text NOT NULL DEFAULT '',
    remedy_id       bigint REFERENCES remedy,
    created_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1,
    CHECK ((status = 'draft') OR (approved_on IS NOT NULL AND approved_by <> '')),
    CHECK ((status = 'published') = (published_on IS NOT NULL AND published_url <> ''))
);

CREATE TABLE self_assessment_answer (
    assessment_id   bigint NOT NULL REFERENCES self_assessment ON DELETE CASCADE,
    code            text NOT NULL,
    number          text NOT NULL,
    complies        boolean,
    evidence        text NOT NULL DEFAULT '' CHECK (length(evidence) <= 4000),
    links           text NOT NULL DEFAULT '' CHECK (length(links) <= 2000),
    commentary      text NOT NULL DEFAULT '' CHECK (length(commentary) <= 4000),
    action          text NOT NULL DEFAULT '' CHECK (length(action) <= 4000),
    expected_on     date,
    PRIMARY KEY (assessment_id, number),
    FOREIGN KEY (code, number) REFERENCES code_provision
);

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON self_assessment
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON self_assessment_answer
    FOR EACH ROW EXECUTE FUNCTION audit_row('');

-- A self-assessment with every provision, its answer, and last time's
-- answer beside it (the assessment before it for the same code).
CREATE FUNCTION self_assessment_json(p_id bigint) RETURNS json LANGUAGE sql STABLE AS $$
    WITH a AS (SELECT * FROM self_assessment WHERE id = p_id),
    prev AS (SELECT s.id FROM self_assessment s, a WHERE s.code = a.code AND s.id < a.id
             ORDER BY s.id DESC LIMIT 1)
    SELECT json_build_object('id', a.id, 'code', a.code, 'title', a.title, 'reason', a.reason,
        'status', a.status, 'approved_on', a.approved_on, 'approved_by', a.approved_by,
        'published_on', a.published_on, 'published_url', a.published_url,
        'remedy_id', a.remedy_id, 'version', a.version,
        'previous_id', (SELECT id FROM prev),
        'provisions', (SELECT json_agg(json_build_object('number', p.number,
            'section', p.section, 'section_title', p.section_title, 'summary', p.summary,
            'complies', x.complies, 'evidence', coalesce(x.evidence, ''),
            'links', coalesce(x.links, ''), 'commentary', coalesce(x.commentary, ''),
            'action', coalesce(x.action, ''), 'expected_on', x.expected_on,
            'previous_complies', y.complies,
            'changed', y.complies IS DISTINCT FROM x.complies AND (SELECT id FROM prev) IS NOT NULL)
            ORDER BY p.position)
            FROM code_provision p
            LEFT JOIN self_assessment_answer x ON x.assessment_id = a.id AND x.number = p.number
            LEFT JOIN self_assessment_answer y ON y.assessment_id = (SELECT id FROM prev)
                 AND y.number = p.number
            WHERE p.code = a.code))
    FROM a
$$;

-- The shares the self-assessment forms ask for: stage 1 complaints received
-- in the period (stage 2: escalations requested in it) acknowledged and
-- answered within the code's timescales.
CREATE FUNCTION code_figures(p_from date, p_to date, p_area bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    WITH k AS (SELECT * FROM complaint_code WHERE code = coalesce(
                   (SELECT value FROM setting WHERE name = 'complaint_code'), 'HOS-2024')),
    s1 AS (SELECT c.*,
            c.stage1_acknowledged_on IS NOT NULL
              AND working_days_between(c.received_on, c.stage1_acknowledged_on) <= k.s1_ack_days AS ack_ok,
            c.stage1_response_on IS NOT NULL
              AND working_days_between(CASE WHEN k.s1_response_from = 'receipt' THEN c.received_on
                                            ELSE coalesce(c.stage1_acknowledged_on, c.received_on) END,
                                       c.stage1_response_on)
                  <= k.s1_response_days + least(coalesce(c.stage1_extension_days, 0), k.s1_extension_days)
              AS response_ok
           FROM complaint c, k WHERE c.received_on BETWEEN p_from AND p_to
           AND (p_area IS NULL OR c.service_area_id = p_area)),
    s2 AS (SELECT c.*,
            c.stage2_acknowledged_on IS NOT NULL
              AND working_days_between(c.escalation_requested_on, c.stage2_acknowledged_on) <= k.s2_ack_days AS ack_ok,
            c.stage2_response_on IS NOT NULL
              AND working_days_between(CASE WHEN k.s2_response_from = 'request' THEN c.escalation_requested_on
                                            ELSE coalesce(c.stage2_acknowledged_on, c.escalation_requested_on) END,
                                       c.stage2_response_on)
                  <= k.s2_response_days + least(coalesce(c.stage2_extension_days, 0), k.s2_extension_days)
              AS response_ok
           FROM complaint c, k WHERE c.escalation_requested_on BETWEEN p_from AND p_to
           AND (p_area IS NULL OR c.service_area_id = p_area))
    SELECT json_build_object('code', (SELECT code FROM k),
        'stage1_complaints', (SELECT count(*) FROM s1),
        'stage1_acknowledged_in_time', (SELECT count(*) FROM s1 WHERE ack_ok),
        'stage1_answered_in_time', (SELECT count(*) FROM s1 WHERE response_ok),
        'stage2_complaints', (SELECT count(*) FROM s2),
        'stage2_acknowledged_in_time', (SELECT count(*) FROM s2 WHERE ack_ok),
        'stage2_answered_in_time', (SELECT count(*) FROM s2 WHERE response_ok))
$$;
