-- Who may read what: the area rule of principal_area_scope() (core/principal.c)
-- as SQL for every list, page and export, and what of an audit entry a
-- reader sees.

CREATE OR REPLACE FUNCTION task_visible(p_scope bigint, p_area bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_scope IS NULL OR (p_scope > 0 AND p_area = p_scope)
$$;

-- A case is a service-area officer's through a task of their area.
-- PL/pgSQL, so that its plan is kept: with its EXISTS the planner cannot
-- inline it, and a SQL function's plan is made afresh for every statement
-- that calls it (0.18 ms of each change's answer, issue 18).
CREATE OR REPLACE FUNCTION case_visible(p_scope bigint, p_case bigint) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_scope IS NULL THEN
        RETURN true;
    END IF;
    RETURN EXISTS (SELECT 1 FROM task t WHERE t.case_id = p_case
                   AND task_visible(p_scope, t.service_area_id));
END $$;

-- A case's correspondence is the whole case's: only readers of every area
-- see it.
CREATE OR REPLACE FUNCTION correspondence_visible(p_scope bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_scope IS NULL
$$;

-- A remedy is a service-area officer's through its task, of their area.
CREATE OR REPLACE FUNCTION remedy_visible(p_scope bigint, p_task bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_scope IS NULL OR EXISTS (SELECT 1 FROM task t WHERE t.id = p_task
                                      AND task_visible(p_scope, t.service_area_id))
$$;

-- An audit row's before or after as a reader sees it: the names of files
-- with resident details hidden as above.
CREATE OR REPLACE FUNCTION audit_shown(p_entity text, p_row jsonb, p_residents boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN p_residents OR p_row IS NULL THEN p_row
        WHEN p_entity = 'evidence_file' AND (p_row->>'resident_detail')::boolean
            THEN p_row || jsonb_build_object('name',
                                             file_name_shown(p_row->>'name', true, false))
        WHEN p_entity IN ('evidence_version', 'signoff') AND p_row ? 'files'
            THEN p_row || jsonb_build_object('files', files_shown(p_row->'files', false))
        ELSE p_row END
$$;
