-- OpenID Connect single sign-on (issue 20): sign-ins begun at the provider,
-- the provider's identities of Linkdesk's users, and the sign-in itself.

-- A sign-in sent to the provider and not yet back: one use, ten minutes.
-- state_hash is the SHA-256 of the state parameter; browser_hash that of
-- the cookie the browser that began it holds, so a callback carried to
-- another browser finds nothing it can use.
CREATE TABLE oidc_login (
    id            bigserial PRIMARY KEY,
    state_hash    bytea NOT NULL UNIQUE,
    browser_hash  bytea NOT NULL,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL DEFAULT now() + interval '10 minutes'
);
CREATE INDEX oidc_login_expires ON oidc_login (expires_at);

-- The subject a provider (issuer) knows a user by, recorded at their first
-- sign-in; after that the sub, not the email, finds them.
CREATE TABLE oidc_identity (
    id         bigserial PRIMARY KEY,
    issuer     text NOT NULL,
    sub        text NOT NULL CHECK (length(sub) BETWEEN 1 AND 255),
    user_id    bigint NOT NULL REFERENCES app_user ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_signin_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issuer, sub),
    UNIQUE (issuer, user_id)
);
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON oidc_identity
    FOR EACH ROW EXECUTE FUNCTION audit_row('');

-- The ID token a session began with, for the provider's end-session
-- endpoint at sign-out (id_token_hint).
CREATE TABLE oidc_session (
    session_id bigint PRIMARY KEY REFERENCES session ON DELETE CASCADE,
    issuer     text NOT NULL,
    id_token   text NOT NULL
);

-- One OIDC sign-in, whole, in the caller's transaction: find the user by
-- the recorded sub, else by email (recording the sub), else create them
-- when p_create and the groups give a role; refuse a deactivated user
-- whatever the provider says; when p_map, set their roles (and service
-- area and validator title, when the mapping names them) from the groups
-- at every sign-in; open a session.  A refusal writes nothing but its audit
-- row, and is returned as a sentence in refusal (user_id then names the
-- account refused, if there is one).
CREATE FUNCTION oidc_sign_in(p_issuer text, p_sub text, p_email text,
                             p_name text, p_map boolean, p_roles text[],
                             p_area text, p_title text, p_create boolean,
                             p_ip text, p_agent text, p_token_hash bytea,
                             p_csrf text, p_max_age integer, p_id_token text,
                             OUT user_id bigint, OUT refusal text,
                             OUT session_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
    uid bigint;
    linking boolean := false;
    active boolean;
    area_id bigint;
    title_id bigint;
    before text[];
    after text[] := ARRAY(SELECT DISTINCT r FROM unnest(p_roles) r ORDER BY r);
BEGIN
    SELECT i.user_id INTO uid FROM oidc_identity i
     WHERE i.issuer = p_issuer AND i.sub = p_sub;
    IF uid IS NULL AND p_email IS NOT NULL THEN
        SELECT u.id INTO uid FROM app_user u WHERE lower(u.email) = lower(p_email);
        IF uid IS NOT NULL AND EXISTS (SELECT 1 FROM oidc_identity i
                                        WHERE i.issuer = p_issuer AND i.user_id = uid) THEN
            refusal := 'the Linkdesk account of this email is linked to another identity at the provider';
        END IF;
        linking := uid IS NOT NULL;
    END IF;
    IF refusal IS NULL AND p_map AND p_area IS NOT NULL THEN
        SELECT a.id INTO area_id FROM service_area a WHERE a.name = p_area AND a.active;
        IF area_id IS NULL THEN
            refusal := format('the group mapping names service area "%s", which Linkdesk does not have', p_area);
        END IF;
    END IF;
    IF refusal IS NULL AND p_map AND p_title IS NOT NULL THEN
        SELECT v.id INTO title_id FROM validator_title v WHERE v.title = p_title;
        IF title_id IS NULL THEN
            refusal := format('the group mapping names validator title "%s", which Linkdesk does not have', p_title);
        END IF;
    END IF;
    IF refusal IS NULL AND uid IS NULL AND NOT (p_create AND p_map
            AND cardinality(after) > 0 AND p_email IS NOT NULL) THEN
        refusal := 'no Linkdesk account has this email';
    END IF;
    IF refusal IS NULL AND uid IS NOT NULL THEN
        SELECT u.active INTO active FROM app_user u WHERE u.id = uid FOR UPDATE;
        IF NOT active THEN
            refusal := 'the Linkdesk account is deactivated';
        END IF;
    END IF;
    IF refusal IS NULL AND p_map AND cardinality(after) = 0 THEN
        refusal := 'the groups the provider gives this account map to no Linkdesk role';
    END IF;
    IF refusal IS NOT NULL THEN
        PERFORM set_config('linkdesk.actor', coalesce(uid::text, ''), true);
        INSERT INTO audit_log (actor_id, action, entity, entity_id, detail)
        VALUES (uid, 'oidc_refused', 'app_user', uid,
                left(refusal || ' (from ' || p_ip || ')', 300));
        user_id := uid;
        RETURN;
    END IF;

    IF uid IS NULL THEN
        INSERT INTO app_user (email, name, service_area_id, validator_title_id)
        VALUES (p_email, left(coalesce(nullif(btrim(p_name), ''), split_part(p_email, '@', 1)), 120),
                area_id, title_id)
        RETURNING id INTO uid;
        PERFORM set_config('linkdesk.actor', uid::text, true);
        INSERT INTO audit_log (actor_id, action, entity, entity_id, detail)
        VALUES (uid, 'oidc_user_created', 'app_user', uid, 'at first sign-in');
        linking := true;
    END IF;
    PERFORM set_config('linkdesk.actor', uid::text, true);
    IF linking THEN
        INSERT INTO oidc_identity (issuer, sub, user_id) VALUES (p_issuer, p_sub, uid);
    ELSE
        UPDATE oidc_identity i SET last_signin_at = now()
         WHERE i.issuer = p_issuer AND i.sub = p_sub;
    END IF;
    IF p_map THEN
        before := ARRAY(SELECT r.role FROM user_role r WHERE r.user_id = uid ORDER BY r.role);
        IF before IS DISTINCT FROM after THEN
            DELETE FROM user_role r WHERE r.user_id = uid AND r.role <> ALL (after);
            INSERT INTO user_role (user_id, role)
            SELECT uid, r FROM unnest(after) r ON CONFLICT DO NOTHING;
            INSERT INTO audit_log (actor_id, action, entity, entity_id, detail)
            VALUES (uid, 'oidc_roles_changed', 'app_user', uid,
                    'roles from the provider''s groups: {' || array_to_string(before, ',')
                    || '} to {' || array_to_string(after, ',') || '}');
        END IF;
        UPDATE app_user u SET service_area_id = coalesce(area_id, u.service_area_id),
               validator_title_id = coalesce(title_id, u.validator_title_id),
               version = u.version + 1
         WHERE u.id = uid
           AND (u.service_area_id IS DISTINCT FROM coalesce(area_id, u.service_area_id)
             OR u.validator_title_id IS DISTINCT FROM coalesce(title_id, u.validator_title_id));
    END IF;
    INSERT INTO session (token_hash, user_id, csrf_token, expires_at, ip, user_agent)
    VALUES (p_token_hash, uid, p_csrf, now() + make_interval(secs => p_max_age),
            p_ip, left(p_agent, 200))
    RETURNING id INTO session_id;
    INSERT INTO oidc_session (session_id, issuer, id_token)
    VALUES (session_id, p_issuer, p_id_token);
    INSERT INTO audit_log (actor_id, action, entity, entity_id, detail)
    VALUES (uid, 'oidc_signin', 'app_user', uid, left('openid connect from ' || p_ip, 300));
    user_id := uid;
END $$;
