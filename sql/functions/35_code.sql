-- Complaint Handling Code compliance: the figures of a period.

-- The shares the self-assessment forms ask for: stage 1 complaints received
-- in the period (stage 2: escalations requested in it) acknowledged and
-- answered within the code's timescales.
CREATE OR REPLACE FUNCTION code_figures(p_from date, p_to date, p_area bigint) RETURNS json
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
