-- The organisation: service areas, users, roles, positions, validator
-- titles, the Ombudsmen; the audit log every change writes to.

-- Audit log: append-only.  Rows come from the audit trigger below, in the
-- same transaction as the change, and from explicit security events.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,
    action      text NOT NULL,          -- insert, update, delete, signin, ...
    entity      text NOT NULL,
    entity_id   bigint,
    case_id     bigint,
    before      jsonb,
    after       jsonb,
    detail      text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_case ON audit_log (case_id) WHERE case_id IS NOT NULL;

CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

-- The actor of the transaction, set by the store with
-- set_config('linkdesk.actor', id, true) before any change.
CREATE FUNCTION audit_actor() RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT nullif(current_setting('linkdesk.actor', true), '')::bigint
$$;

-- One trigger for every audited table.  TG_ARGV[0], when given, names the
-- column holding the case id; further arguments name columns whose values
-- are never copied into the log (password hashes, resident details).
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    b jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    a jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row jsonb := coalesce(a, b);
    case_col text := nullif(TG_ARGV[0], '');
    i int;
BEGIN
    FOR i IN 1 .. coalesce(array_length(TG_ARGV, 1), 0) - 1 LOOP
        IF b ? TG_ARGV[i] THEN b := jsonb_set(b, ARRAY[TG_ARGV[i]], '"(redacted)"'); END IF;
        IF a ? TG_ARGV[i] THEN a := jsonb_set(a, ARRAY[TG_ARGV[i]], '"(redacted)"'); END IF;
    END LOOP;
    IF TG_OP = 'UPDATE' AND a = b THEN
        RETURN NEW;
    END IF;
    INSERT INTO audit_log (actor_id, action, entity, entity_id, case_id, before, after)
    VALUES (audit_actor(), lower(TG_OP), TG_TABLE_NAME, (row->>'id')::bigint,
            CASE WHEN case_col IS NOT NULL THEN (row->>case_col)::bigint END, b, a);
    RETURN coalesce(NEW, OLD);
END $$;

CREATE TABLE service_area (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 120),
    head_of_service_id bigint,
    slt_director_id bigint,
    digest_daily    boolean NOT NULL DEFAULT false,
    active          boolean NOT NULL DEFAULT true,
    version         integer NOT NULL DEFAULT 1
);

-- The sign-offs evidence needs before it goes to the Ombudsman: data, so an
-- organisation sets its own.
CREATE TABLE validator_title (
    id          bigserial PRIMARY KEY,
    title       text NOT NULL UNIQUE CHECK (length(title) BETWEEN 1 AND 120),
    required    boolean NOT NULL DEFAULT true,
    position    integer NOT NULL DEFAULT 0
);

CREATE TABLE app_user (
    id              bigserial PRIMARY KEY,
    email           text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    job_title       text NOT NULL DEFAULT '' CHECK (length(job_title) <= 120),
    service_area_id bigint REFERENCES service_area,
    validator_title_id bigint REFERENCES validator_title,
    -- A service-area officer sees resident details only when granted.
    resident_access boolean NOT NULL DEFAULT false,
    password_hash   text,
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX app_user_email ON app_user (lower(email));

ALTER TABLE service_area
    ADD FOREIGN KEY (head_of_service_id) REFERENCES app_user,
    ADD FOREIGN KEY (slt_director_id) REFERENCES app_user;

CREATE TABLE user_role (
    user_id bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    role    text NOT NULL CHECK (role IN ('link_officer', 'service_officer', 'validator',
                                          'leadership', 'administrator')),
    PRIMARY KEY (user_id, role)
);

-- Named posts that receive notices: who holds each is configuration.
CREATE TABLE position (
    code    text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
    title   text NOT NULL,
    user_id bigint REFERENCES app_user
);
INSERT INTO position (code, title) VALUES
    ('head_of_resident_contact', 'Head of Resident Contact'),
    ('chief_executive', 'Chief Executive'),
    ('head_of_communications', 'Head of Communications'),
    ('monitoring_officer', 'Monitoring Officer');

CREATE TABLE ombudsman (
    id              bigserial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]{1,15}$'),
    name            text NOT NULL,
    -- '#' is a digit: input with spaces or hyphens is reduced to its digits
    -- and laid out in this mask.  NULL: free text.
    reference_mask  text CHECK (reference_mask ~ '^[# -]+$'),
    reference_example text NOT NULL,
    evidence_days   integer NOT NULL CHECK (evidence_days BETWEEN 1 AND 120),
    submission_channel text NOT NULL CHECK (submission_channel IN ('portal', 'email')),
    sanction_name   text NOT NULL,
    portal_file_limit bigint,
    -- The findings its determinations make.
    findings        text[] NOT NULL,
    version         integer NOT NULL DEFAULT 1
);
INSERT INTO ombudsman (code, name, reference_mask, reference_example, evidence_days,
                       submission_channel, sanction_name, portal_file_limit, findings) VALUES
    ('HOS', 'Housing Ombudsman Service', '#########', '202312345', 15, 'portal',
     'complaint handling failure order', 20971520,
     '{no_maladministration,service_failure,maladministration,severe_maladministration,reasonable_redress,outside_jurisdiction}'),
    ('LGSCO', 'Local Government and Social Care Ombudsman', '## ### ###', '24 013 880', 15,
     'email', 'witness summons', NULL,
     '{fault_causing_injustice,fault_without_injustice,no_fault}');

INSERT INTO validator_title (title, position) VALUES
    ('Assistant Director of Resident Contacts', 1),
    ('Head of Dispute Resolutions', 2),
    ('Resident Experience Manager', 3);

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON service_area
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON validator_title
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON app_user
    FOR EACH ROW EXECUTE FUNCTION audit_row('', 'password_hash');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON user_role
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON position
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ombudsman
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON setting
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON holiday
    FOR EACH ROW EXECUTE FUNCTION audit_row('');

-- Sessions and API tokens are found by the SHA-256 of the secret; the secret
-- itself is never stored.
CREATE TABLE session (
    id          bigserial PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE,
    user_id     bigint NOT NULL REFERENCES app_user,
    csrf_token  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    ip          text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT ''
);
CREATE INDEX session_by_user ON session (user_id) WHERE ended_at IS NULL;

CREATE TABLE api_token (
    id          bigserial PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE,
    user_id     bigint NOT NULL REFERENCES app_user,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at  timestamptz
);

CREATE TABLE signin_attempt (
    id      bigserial PRIMARY KEY,
    email   text NOT NULL,
    ip      text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now(),
    success boolean NOT NULL
);
CREATE INDEX signin_attempt_email ON signin_attempt (lower(email), at);
CREATE INDEX signin_attempt_ip ON signin_attempt (ip, at);
