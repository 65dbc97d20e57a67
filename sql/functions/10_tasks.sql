-- Tasks as the API and the pages read them, and what "overdue" and "nearly
-- overdue" mean in lists and counts (the horizon is core's:
-- workcal_nearly_due_by()).

CREATE OR REPLACE FUNCTION effective_due(t task) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(t.revised_due_on, t.due_on)
$$;

-- A task still open (core: workflow_task_open), and work still owed, open
-- and not yet sent (workflow_task_unsent): written once, here, and
-- compared with core's by tests/unit/test_workflow.c.  The planner inlines
-- them, so a query using them matches the partial indexes' predicate
-- (task_open_due, task_area_open, task_assignee_open: "status NOT IN
-- ('done', 'cancelled')", sql/012).
CREATE OR REPLACE FUNCTION task_is_open(p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_status NOT IN ('done', 'cancelled')
$$;

CREATE OR REPLACE FUNCTION task_is_unsent(p_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT task_is_open(p_status) AND p_status <> 'sent'
$$;

-- A task its doers are reminded of: awaiting them (core:
-- workflow_task_awaits_assignee) and not paused.  Inlined, it matches the
-- predicate of task_remind_set (sql/037), which the sweep reads by.
CREATE OR REPLACE FUNCTION task_remindable(p_status text, p_paused_on date)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT p_status IN ('open', 'in_progress') AND p_paused_on IS NULL
$$;

-- A task that has become remindable, queued for the sweep (sql/041): set
-- so, reopened or unpaused, or moved to another day set while remindable.
-- A sweep whose day and slots are marked reads these tasks alone.
CREATE OR REPLACE FUNCTION task_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO reminder_wake (task_id) VALUES (NEW.id);
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER reminder_wake AFTER INSERT ON task
    FOR EACH ROW WHEN (task_remindable(NEW.status, NEW.paused_on))
    EXECUTE FUNCTION task_wake();
CREATE OR REPLACE TRIGGER reminder_wake_again
    AFTER UPDATE OF status, paused_on, set_on ON task
    FOR EACH ROW WHEN (task_remindable(NEW.status, NEW.paused_on)
        AND (NOT task_remindable(OLD.status, OLD.paused_on)
             OR OLD.set_on IS DISTINCT FROM NEW.set_on))
    EXECUTE FUNCTION task_wake();
-- What is remindable may have changed with this file: the next sweep
-- reads every task, not only those queued (sql/041).
UPDATE reminder_swept SET day = NULL;

-- Work still owed, past its date and not paused.
CREATE OR REPLACE FUNCTION task_overdue(t task, p_today date) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT effective_due(t) < p_today AND t.paused_on IS NULL
       AND task_is_unsent(t.status)
$$;

CREATE OR REPLACE FUNCTION task_nearly_overdue(t task, p_today date, p_horizon date)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT effective_due(t) BETWEEN p_today AND p_horizon AND t.paused_on IS NULL
       AND task_is_unsent(t.status)
$$;

-- One task's document, for the places that hold a task row.
CREATE OR REPLACE FUNCTION task_json(t task) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT doc FROM task_doc WHERE id = t.id
$$;

CREATE OR REPLACE FUNCTION task_detail_json(p_task bigint, p_scope bigint, p_residents boolean)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT (task_json(t)::jsonb || jsonb_build_object(
        'validation', validation_json(t.id),
        'sent_version', t.sent_version,
        'cancel_reason', t.cancel_reason,
        'files', coalesce((SELECT jsonb_agg(jsonb_build_object('id', f.id,
            'name', file_name_shown(f.name, f.resident_detail, p_residents),
            'size', f.size, 'sha256', f.sha256,
            'content_type', f.content_type, 'status', f.status,
            'resident_detail', f.resident_detail, 'uploaded_by', user_ref(f.uploaded_by),
            'uploaded_at', f.uploaded_at) ORDER BY f.id)
            FROM evidence_file f WHERE f.task_id = t.id AND f.replaced_at IS NULL), '[]'),
        'evidence_versions', coalesce((SELECT jsonb_agg(jsonb_build_object(
            'number', e.number, 'answer', e.answer, 'attachments', e.attachments,
            'files', files_shown(e.files, p_residents), 'submitted_by', user_ref(e.submitted_by),
            'submitted_at', e.submitted_at)
            ORDER BY e.number) FROM evidence_version e WHERE e.task_id = t.id), '[]')))::json
    FROM task t WHERE t.id = p_task AND task_visible(p_scope, t.service_area_id)
$$;

CREATE OR REPLACE FUNCTION my_tasks_json(p_user bigint, p_area bigint, p_scope bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(json_agg(d.doc ORDER BY d.due, d.id), '[]')
        FROM task_doc d JOIN task t ON t.id = d.id
        WHERE task_is_unsent(t.status)
        AND (t.assignee_id = p_user OR (t.assignee_id IS NULL AND t.service_area_id = p_area))
        AND task_visible(p_scope, t.service_area_id));
END $$;

-- The task's current files as a version records them.
CREATE OR REPLACE FUNCTION evidence_files_json(p_task bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'name', f.name,
        'size', f.size, 'sha256', f.sha256, 'content_type', f.content_type)
        ORDER BY f.id), '[]')
    FROM evidence_file f WHERE f.task_id = p_task AND f.replaced_at IS NULL
$$;

-- The sign-offs of a task's latest version, now naming each title's id.
CREATE OR REPLACE FUNCTION validation_json(p_task bigint) RETURNS json LANGUAGE sql STABLE AS $$
    WITH v AS (SELECT * FROM evidence_version WHERE task_id = p_task
               ORDER BY number DESC LIMIT 1)
    SELECT json_build_object(
        'version', (SELECT number FROM v),
        'complete', NOT EXISTS (SELECT 1 FROM validator_title vt WHERE vt.required
            AND NOT EXISTS (SELECT 1 FROM signoff s, v WHERE s.evidence_version_id = v.id
                            AND s.validator_title_id = vt.id AND s.decision = 'approved')),
        'signoffs', coalesce((SELECT json_agg(json_build_object(
            'title_id', vt.id, 'title', vt.title, 'required', vt.required,
            'decision', s.decision, 'comment', s.comment, 'at', s.at,
            'by', user_ref(s.user_id)) ORDER BY vt.position, vt.id)
            FROM validator_title vt
            LEFT JOIN signoff s ON s.validator_title_id = vt.id
                 AND s.evidence_version_id = (SELECT id FROM v)), '[]'))
$$;

CREATE OR REPLACE FUNCTION validation_queue_json(p_title bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(json_agg(d.doc ORDER BY t.updated_at, t.id), '[]')
        FROM task t JOIN task_doc d ON d.id = t.id
        WHERE t.status = 'submitted'
        AND NOT EXISTS (SELECT 1 FROM signoff s
            JOIN evidence_version v ON v.id = s.evidence_version_id
            WHERE v.task_id = t.id AND s.validator_title_id = p_title
            AND v.number = (SELECT max(number) FROM evidence_version WHERE task_id = t.id)));
END $$;

-- A recorded list of files ([{id, name, ...}], as evidence_files_json made
-- it for a version or a sign-off) as a reader sees it.
CREATE OR REPLACE FUNCTION files_shown(p_files jsonb, p_residents boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_residents OR jsonb_typeof(p_files) IS DISTINCT FROM 'array'
                THEN p_files
           ELSE coalesce((SELECT jsonb_agg(CASE WHEN f.resident_detail
                    THEN e || jsonb_build_object('name',
                                                 file_name_shown(e->>'name', true, false))
                    ELSE e END ORDER BY x.i)
                FROM jsonb_array_elements(p_files) WITH ORDINALITY x(e, i)
                LEFT JOIN evidence_file f
                     ON f.id = CASE WHEN jsonb_typeof(x.e->'id') = 'number'
                                    THEN (x.e->>'id')::bigint END), '[]') END
$$;

-- The name of a file as a reader sees it: a file marked as holding resident
-- details is not named to a reader refused them (its name is often the
-- resident's).
CREATE OR REPLACE FUNCTION file_name_shown(p_name text, p_resident_detail boolean,
                                p_residents boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_resident_detail AND NOT p_residents
                THEN 'File with resident details' ELSE p_name END
$$;
