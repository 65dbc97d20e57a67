\set id random(180117, 200007)
WITH t AS (SELECT id, user_id, last_used_at,  expires_at IS NULL OR expires_at > now() AS live  FROM api_token WHERE token_hash = :v1 AND revoked_at IS NULL), touch AS (UPDATE api_token SET last_used_at = now() FROM t  WHERE api_token.id = t.id AND t.live  AND (t.last_used_at IS NULL  OR t.last_used_at < now() - interval '60 seconds')) SELECT t.live, t.id, u.id, coalesce(u.service_area_id, 0), coalesce(u.validator_title_id, 0), u.resident_access, array_to_string(ARRAY(SELECT role FROM user_role r WHERE r.user_id = u.id ORDER BY role), ','), u.name FROM t JOIN app_user u ON u.id = t.user_id AND u.active;
BEGIN;
SELECT set_config('linkdesk.actor', :v2, true);
SELECT c.stage, c.version, o.evidence_days, o.code, o.sanction_name, o.submission_channel, c.reference, cp.reference, a.name, o.findings::text FROM ombudsman_case c JOIN ombudsman o ON o.id = c.ombudsman_id JOIN complaint cp ON cp.id = c.complaint_id JOIN service_area a ON a.id = cp.service_area_id WHERE c.id = :id FOR UPDATE OF c;
INSERT INTO correspondence (case_id, direction, kind, dated_on, channel, summary, response_due_on, created_by, chfo_type) VALUES (:id, :v3, :v4, :v5, :v6, :v7, NULL, :v2, NULL) RETURNING id \gset r4_
WITH t AS (INSERT INTO task (case_id, correspondence_id, remedy_id, kind, title, detail, service_area_id, assignee_id, set_on, due_on, due_rule) VALUES (:id, :r4_id, NULL, :v4, :v9, '', :v10, NULL, :v5, :v11, :v12) RETURNING *) SELECT id, task_notify(t, :v13, :v14::jsonb) FROM t;
UPDATE ombudsman_case SET version = version + 1, updated_at = now(), stage = coalesce(NULL, stage) WHERE id = :id;
SELECT case_change_json(:id, NULL, :v15, :v16, NULL, :v17);
COMMIT;
