-- Who may read what: the area rule of principal_area_scope() (core/principal.c)
-- as SQL, for every list, page and export.

CREATE OR REPLACE FUNCTION task_visible(p_scope bigint, p_area bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_scope IS NULL OR (p_scope > 0 AND p_area = p_scope)
$$;

-- A case is a service-area officer's through a task of their area.
CREATE OR REPLACE FUNCTION case_visible(p_scope bigint, p_case bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT p_scope IS NULL OR EXISTS (SELECT 1 FROM task t WHERE t.case_id = p_case
                                      AND task_visible(p_scope, t.service_area_id))
$$;
