-- Evidence files: stored in PostgreSQL as large objects, written in the
-- transaction of the upload with their audit row; scanned; versioned with
-- the answer they support, so a sign-off names the exact bytes it approved.

CREATE TABLE evidence_file (
    id              bigserial PRIMARY KEY,
    task_id         bigint NOT NULL REFERENCES task,
    case_id         bigint NOT NULL REFERENCES ombudsman_case,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type    text NOT NULL,
    size            bigint NOT NULL CHECK (size >= 0),
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- A large object; NULL once retention has removed the contents.
    content         oid,
    status          text NOT NULL CHECK (status IN ('pending', 'available', 'quarantined',
                                                    'not_scanned', 'removed')),
    scan_detail     text NOT NULL DEFAULT '',
    -- Holds resident details: only roles entitled to them may download it.
    resident_detail boolean NOT NULL DEFAULT false,
    uploaded_by     bigint REFERENCES app_user,
    uploaded_at     timestamptz NOT NULL DEFAULT now(),
    -- Left the task's current set of files (replaced or removed).
    replaced_at     timestamptz,
    replaces_id     bigint REFERENCES evidence_file
);
CREATE INDEX evidence_file_task ON evidence_file (task_id) WHERE replaced_at IS NULL;
CREATE INDEX evidence_file_pending ON evidence_file (id) WHERE status = 'pending';

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON evidence_file
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');

-- What each version and each sign-off covered, byte for byte.
ALTER TABLE evidence_version ADD COLUMN files jsonb NOT NULL DEFAULT '[]';
ALTER TABLE signoff ADD COLUMN files jsonb NOT NULL DEFAULT '[]';
ALTER TABLE task ADD COLUMN sent_version integer;

-- The task's current files as a version records them.
CREATE FUNCTION evidence_files_json(p_task bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('id', f.id, 'name', f.name,
        'size', f.size, 'sha256', f.sha256, 'content_type', f.content_type)
        ORDER BY f.id), '[]')
    FROM evidence_file f WHERE f.task_id = p_task AND f.replaced_at IS NULL
$$;

-- A change to the files of an answer already submitted makes a new version
-- (voiding the sign-offs of the old) and puts it back before the validators.
CREATE FUNCTION evidence_revise(p_task bigint, p_actor bigint) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO evidence_version (task_id, case_id, number, answer, attachments,
                                  files, submitted_by)
    SELECT v.task_id, v.case_id, v.number + 1, v.answer, v.attachments,
           evidence_files_json(p_task), p_actor
    FROM evidence_version v JOIN task t ON t.id = v.task_id
    WHERE v.task_id = p_task AND t.status IN ('submitted', 'validated')
    ORDER BY v.number DESC LIMIT 1;
    UPDATE task SET status = 'submitted', version = version + 1, updated_at = now()
    WHERE id = p_task AND status IN ('submitted', 'validated');
$$;

CREATE OR REPLACE FUNCTION task_detail_json(p_task bigint, p_area bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT (task_json(t)::jsonb || jsonb_build_object(
        'validation', validation_json(t.id),
        'sent_version', t.sent_version,
        'files', coalesce((SELECT jsonb_agg(jsonb_build_object('id', f.id,
            'name', f.name, 'size', f.size, 'sha256', f.sha256,
            'content_type', f.content_type, 'status', f.status,
            'resident_detail', f.resident_detail, 'uploaded_by', user_ref(f.uploaded_by),
            'uploaded_at', f.uploaded_at) ORDER BY f.id)
            FROM evidence_file f WHERE f.task_id = t.id AND f.replaced_at IS NULL), '[]'),
        'evidence_versions', coalesce((SELECT jsonb_agg(jsonb_build_object(
            'number', e.number, 'answer', e.answer, 'attachments', e.attachments,
            'files', e.files, 'submitted_by', user_ref(e.submitted_by),
            'submitted_at', e.submitted_at)
            ORDER BY e.number) FROM evidence_version e WHERE e.task_id = t.id), '[]')))::json
    FROM task t WHERE t.id = p_task AND (p_area IS NULL OR t.service_area_id = p_area)
$$;
