-- The case log counts a service-area officer's own tasks only: the open,
-- overdue and next-due columns were counted over every task of a case the
-- officer may open, so a Repairs officer's export showed Housing's tasks.
CREATE OR REPLACE FUNCTION case_log(p_scope bigint, p_area bigint, p_residents boolean, p_today date)
RETURNS TABLE ("Ombudsman" text, "Ombudsman reference" text, "Complaint reference" text,
               "Category" text, "Service area" text, "Stage" text, "Outcome" text,
               "Received" date, "Closed" date, "Link officer" text, "Open tasks" bigint,
               "Overdue tasks" bigint, "Next due" date, "Determination" date,
               "Upheld" boolean, "Orders" bigint, "Compensation ordered" bigint,
               "Resident" text)
LANGUAGE sql STABLE AS $$
    SELECT o.name, c.reference, cp.reference, cp.category, a.name, c.stage, c.outcome,
        c.received_on, c.closed_on, (SELECT name FROM app_user WHERE id = c.link_officer_id),
        (SELECT count(*) FROM task t WHERE t.case_id = c.id AND t.status NOT IN ('done', 'cancelled')
         AND task_visible(p_scope, t.service_area_id)),
        (SELECT count(*) FROM task t WHERE t.case_id = c.id AND task_overdue(t, p_today)
         AND task_visible(p_scope, t.service_area_id)),
        (SELECT min(effective_due(t)) FROM task t WHERE t.case_id = c.id
         AND t.status NOT IN ('done', 'cancelled') AND task_visible(p_scope, t.service_area_id)),
        d.decided_on,
        (SELECT bool_or(f.upheld) FROM finding f WHERE f.determination_id = d.id),
        (SELECT count(*) FROM remedy r WHERE r.case_id = c.id AND r.type = 'order'),
        (SELECT sum(amount_pence) FROM remedy r WHERE r.case_id = c.id)::bigint,
        CASE WHEN p_residents THEN (SELECT name FROM resident r WHERE r.complaint_id = cp.id) END
    FROM ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id JOIN service_area a ON a.id = cp.service_area_id
    LEFT JOIN determination d ON d.case_id = c.id
    WHERE case_visible(p_scope, c.id) AND case_visible(p_area, c.id)
    ORDER BY c.received_on, c.id
$$;
