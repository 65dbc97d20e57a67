-- Complaint Handling Code compliance: the figures of a period.

-- The shares the self-assessment forms ask for: stage 1 complaints received
-- in the period (stage 2: escalations requested in it) acknowledged and
-- answered within the code's timescales.  The working days are core's,
-- stored in complaint_days (sql/034); a stage without its date, or without
-- its days yet, is not in time.
CREATE OR REPLACE FUNCTION code_figures(p_from date, p_to date, p_area bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    WITH k AS (SELECT * FROM complaint_code WHERE code = coalesce(
                   (SELECT value FROM setting WHERE name = 'complaint_code'), 'HOS-2024')),
    s1 AS (SELECT c.*,
            d.s1_ack <= k.s1_ack_days AS ack_ok,
            CASE WHEN k.s1_response_from = 'receipt' THEN d.s1_response_receipt
                 ELSE d.s1_response_ack END
                <= k.s1_response_days + least(coalesce(c.stage1_extension_days, 0), k.s1_extension_days)
              AS response_ok
           FROM complaint c LEFT JOIN complaint_days d ON d.complaint_id = c.id, k
           WHERE c.received_on BETWEEN p_from AND p_to
           AND (p_area IS NULL OR c.service_area_id = p_area)),
    s2 AS (SELECT c.*,
            d.s2_ack <= k.s2_ack_days AS ack_ok,
            CASE WHEN k.s2_response_from = 'request' THEN d.s2_response_request
                 ELSE d.s2_response_ack END
                <= k.s2_response_days + least(coalesce(c.stage2_extension_days, 0), k.s2_extension_days)
              AS response_ok
           FROM complaint c LEFT JOIN complaint_days d ON d.complaint_id = c.id, k
           WHERE c.escalation_requested_on BETWEEN p_from AND p_to
           AND (p_area IS NULL OR c.service_area_id = p_area))
    SELECT json_build_object('code', (SELECT code FROM k),
        'stage1_complaints', (SELECT count(*) FROM s1),
        'stage1_acknowledged_in_time', (SELECT count(*) FROM s1 WHERE ack_ok),
        'stage1_answered_in_time', (SELECT count(*) FROM s1 WHERE response_ok),
        'stage2_complaints', (SELECT count(*) FROM s2),
        'stage2_acknowledged_in_time', (SELECT count(*) FROM s2 WHERE ack_ok),
        'stage2_answered_in_time', (SELECT count(*) FROM s2 WHERE response_ok))
$$;
