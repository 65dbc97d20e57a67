-- Cases, complaints, remedies and self-assessments as the API and the
-- pages read them.

CREATE OR REPLACE FUNCTION user_ref(p_id bigint) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', id, 'name', name) FROM app_user WHERE id = p_id
$$;

CREATE OR REPLACE FUNCTION case_summary_json(c ombudsman_case) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT doc FROM case_doc WHERE id = c.id
$$;

CREATE OR REPLACE FUNCTION remedy_json(r remedy) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', r.id, 'type', r.type, 'kind', r.kind, 'description', r.description,
        'amount_pence', r.amount_pence, 'paid_pence', r.paid_pence,
        'due_on', r.due_on, 'complied_on', r.complied_on, 'confirmed_on', r.confirmed_on,
        'task_id', r.task_id,
        'compliance', CASE
            WHEN r.confirmed_on IS NOT NULL THEN 'confirmed'
            WHEN r.complied_on IS NULL THEN 'pending'
            WHEN r.complied_on <= coalesce((SELECT revised_due_on FROM task WHERE id = r.task_id), r.due_on)
                THEN 'complied_on_time'
            ELSE 'complied_late' END,
        'version', r.version)
$$;

-- Whom this transaction has told already of a kind of notice about a case
-- (a notice's people before and after the mail splits it): found through
-- the case and the transaction's time, as test_store's generic plan checks
-- (sql/040_pending_by_time.sql).
CREATE OR REPLACE FUNCTION outbox_told(p_case bigint, p_kind text) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
    SELECT x.user_id FROM outbox_person x
    WHERE x.case_id = p_case AND x.kind = p_kind AND x.created_at = now()
$$;

-- Tell whoever must do task t of p_kind (a task set, a chaser about it):
-- its assignee, or else every service officer of its area, each once for
-- one event in a transaction (its rows share now()).  To one person, a
-- message; to several, one notice naming them, of which the mail makes
-- their messages (sql/039_notices.sql).  The facts are the case's
-- (server/store/case_store_events.c), with the task's title and due date;
-- the words are made when each message is sent.
CREATE OR REPLACE FUNCTION task_notify(t task, p_kind text, p_facts jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ids bigint[];
    emails text[];
    facts jsonb;
BEGIN
    WITH told AS MATERIALIZED (SELECT * FROM outbox_told(t.case_id, p_kind) x(user_id))
    SELECT array_agg(u.id ORDER BY u.id), array_agg(u.email ORDER BY u.id)
    INTO ids, emails
    FROM task_doers(t.assignee_id, t.service_area_id) u
    WHERE NOT EXISTS (SELECT 1 FROM told WHERE told.user_id = u.id);
    IF ids IS NULL THEN
        RETURN 0;
    END IF;
    facts := p_facts || jsonb_build_object('title', t.title, 'due', effective_due(t));
    IF cardinality(ids) = 1 THEN
        INSERT INTO outbox (kind, recipient, user_id, case_id, task_id, facts)
        VALUES (p_kind, emails[1], ids[1], t.case_id, t.id, facts);
    ELSE
        INSERT INTO outbox (kind, recipient, case_id, task_id, facts, recipients, status)
        VALUES (p_kind, '', t.case_id, t.id, facts, ids, 'pending');
    END IF;
    RETURN cardinality(ids);
END $$;

-- A message's facts as the sender reads them: its own, or those it shares
-- with others (outbox_facts).
CREATE OR REPLACE FUNCTION outbox_facts_of(o outbox) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(o.facts::text, (SELECT f.facts::text FROM outbox_facts f WHERE f.id = o.facts_id))
$$;

-- A case is open until it is closed: the case list's filter and every
-- change's answer read it here.
CREATE OR REPLACE FUNCTION case_is_open(p_stage text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_stage <> 'closed'
$$;

CREATE OR REPLACE FUNCTION case_status(p_stage text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN case_is_open(p_stage) THEN 'open' ELSE 'closed' END
$$;

-- What a client needs to go on after a change: the case's head.
CREATE OR REPLACE FUNCTION case_head_json(c ombudsman_case) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', c.id, 'reference', c.reference, 'stage', c.stage,
        'status', case_status(c.stage),
        'outcome', c.outcome, 'received_on', c.received_on, 'closed_on', c.closed_on,
        'version', c.version)
$$;

-- One piece of correspondence, by whom (user_ref of created_by, joined
-- by the caller so that this stays an expression the planner inlines).
CREATE OR REPLACE FUNCTION correspondence_json(m correspondence, p_by app_user)
RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', m.id, 'direction', m.direction, 'kind', m.kind,
        'dated_on', m.dated_on, 'channel', m.channel, 'summary', m.summary,
        'response_due_on', m.response_due_on,
        'by', CASE WHEN p_by.id IS NOT NULL THEN
            json_build_object('id', p_by.id, 'name', p_by.name) END,
        'created_at', m.created_at)
$$;

CREATE OR REPLACE FUNCTION determination_json(p_case bigint) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', d.id, 'decided_on', d.decided_on,
        'upheld', coalesce((SELECT bool_or(f.upheld) FROM finding f
                            WHERE f.determination_id = d.id), false),
        'findings', coalesce((SELECT json_agg(json_build_object('element', f.element,
            'finding', f.finding, 'upheld', f.upheld) ORDER BY f.id)
            FROM finding f WHERE f.determination_id = d.id), '[]'))
    FROM determination d WHERE d.case_id = p_case
$$;

-- The case page's data (sql/011_speed.sql), scoped by 05_scope.sql's rules.  Its
-- audit trail is read by page (case_audit_json).
CREATE OR REPLACE FUNCTION case_json(p_case bigint, p_area bigint, p_residents boolean)
RETURNS json LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT json_build_object(
        'id', c.id, 'reference', c.reference, 'stage', c.stage,
        'status', case_status(c.stage), 'outcome', c.outcome,
        'received_on', c.received_on, 'closed_on', c.closed_on, 'version', c.version,
        'ombudsman', json_build_object('code', o.code, 'name', o.name,
            'submission_channel', o.submission_channel, 'sanction_name', o.sanction_name,
            'evidence_days', o.evidence_days, 'portal_file_limit', o.portal_file_limit),
        'link_officer', (SELECT json_build_object('id', u.id, 'name', u.name)
                         FROM app_user u WHERE u.id = c.link_officer_id),
        'complaint', json_build_object('id', cp.id, 'reference', cp.reference,
            'category', cp.category, 'received_on', cp.received_on,
            'service_area', json_build_object('id', a.id, 'name', a.name),
            'summary', CASE WHEN p_residents THEN cp.summary END,
            'resident', CASE WHEN p_residents THEN (SELECT json_build_object(
                'name', r.name, 'address', r.address, 'contact', r.contact,
                'vulnerabilities', r.vulnerabilities, 'adjustments', r.adjustments,
                'version', r.version) FROM resident r WHERE r.complaint_id = cp.id) END),
        'correspondence', CASE WHEN correspondence_visible(p_area) THEN coalesce((SELECT json_agg(
            correspondence_json(m, u) ORDER BY m.dated_on, m.id)
            FROM correspondence m LEFT JOIN app_user u ON u.id = m.created_by
            WHERE m.case_id = c.id), '[]') END,
        'tasks', coalesce((SELECT json_agg(d.doc ORDER BY d.due, d.id)
            FROM task_doc d WHERE d.case_id = c.id
            AND task_visible(p_area, d.service_area_id)), '[]'),
        'determination', determination_json(c.id),
        'remedies', coalesce((SELECT json_agg(remedy_json(r) ORDER BY r.id)
            FROM remedy r WHERE r.case_id = c.id AND remedy_visible(p_area, r.task_id)),
            '[]'))
    FROM ombudsman_case c
    JOIN ombudsman o ON o.id = c.ombudsman_id
    JOIN complaint cp ON cp.id = c.complaint_id
    JOIN service_area a ON a.id = cp.service_area_id
    WHERE c.id = p_case AND case_visible(p_area, c.id));
END $$;

-- What a change of a case answers: the case's head and, under the keys
-- case_json uses, only the parts the change made or changed (NULL: none
-- of that part), with the same scope.
CREATE OR REPLACE FUNCTION case_change_json(p_case bigint, p_area bigint,
    p_correspondence bigint[], p_tasks bigint[], p_remedies bigint[],
    p_determination boolean) RETURNS json
LANGUAGE plpgsql STABLE
-- Every part is read by its key: one plan, kept, whatever the ids (a
-- custom plan for each call cost more to make than to run).
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN (SELECT (case_head_json(c)
        || CASE WHEN p_correspondence IS NOT NULL AND correspondence_visible(p_area) THEN
            jsonb_build_object('correspondence', coalesce((SELECT jsonb_agg(
                correspondence_json(m, u) ORDER BY m.dated_on, m.id)
                FROM correspondence m LEFT JOIN app_user u ON u.id = m.created_by
                WHERE m.case_id = c.id AND m.id = ANY (p_correspondence)), '[]'))
            ELSE '{}' END
        || CASE WHEN p_tasks IS NOT NULL THEN
            jsonb_build_object('tasks', coalesce((SELECT jsonb_agg(d.doc ORDER BY d.due, d.id)
                FROM task_doc d WHERE d.id = ANY (p_tasks) AND d.case_id = c.id
                AND task_visible(p_area, d.service_area_id)), '[]'))
            ELSE '{}' END
        || CASE WHEN p_remedies IS NOT NULL THEN
            jsonb_build_object('remedies', coalesce((SELECT jsonb_agg(remedy_json(r) ORDER BY r.id)
                FROM remedy r WHERE r.id = ANY (p_remedies) AND r.case_id = c.id
                AND remedy_visible(p_area, r.task_id)), '[]'))
            ELSE '{}' END
        || CASE WHEN p_determination THEN
            jsonb_build_object('determination', determination_json(c.id))
            ELSE '{}' END)::json
    FROM ombudsman_case c WHERE c.id = p_case AND case_visible(p_area, c.id));
END $$;

-- A case's audit trail by page, newest first: the entries before p_before
-- (NULL: the newest), at most p_limit, and the id to ask before for the
-- next page (NULL: no more).  The names of files with resident details
-- are hidden as audit_shown says.  The caller checks the reader may read
-- audit trails at all.
CREATE OR REPLACE FUNCTION case_audit_json(p_case bigint, p_area bigint, p_residents boolean,
                                           p_before bigint, p_limit integer) RETURNS json
LANGUAGE plpgsql STABLE
-- The keyset plan on audit_log (case_id, id), kept whatever the statistics.
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN (WITH page AS (SELECT a.* FROM audit_log a WHERE a.case_id = p_case
                  AND a.id < coalesce(p_before, 9223372036854775807)
                  ORDER BY a.id DESC LIMIT p_limit + 1),
    shown AS (SELECT * FROM page ORDER BY id DESC LIMIT p_limit)
    SELECT CASE WHEN EXISTS (SELECT 1 FROM ombudsman_case c WHERE c.id = p_case
                             AND case_visible(p_area, c.id)) THEN
        (SELECT json_build_object('entries', coalesce(json_agg(json_build_object('id', l.id,
            'at', l.at,
            'by', CASE WHEN u.id IS NOT NULL THEN json_build_object('id', u.id, 'name', u.name) END,
            'action', l.action, 'entity', l.entity, 'entity_id', l.entity_id,
            'before', audit_shown(l.entity, l.before, p_residents),
            'after', audit_shown(l.entity, l.after, p_residents)) ORDER BY l.id DESC), '[]'),
            'next_before', CASE WHEN (SELECT count(*) FROM page) > p_limit THEN min(l.id) END)
         FROM shown l LEFT JOIN app_user u ON u.id = l.actor_id) END);
END $$;

-- A self-assessment with every provision, its answer, and last time's
-- answer beside it (the assessment before it for the same code).
CREATE OR REPLACE FUNCTION self_assessment_json(p_id bigint) RETURNS json LANGUAGE sql STABLE AS $$
    WITH a AS (SELECT * FROM self_assessment WHERE id = p_id),
    prev AS (SELECT s.id FROM self_assessment s, a WHERE s.code = a.code AND s.id < a.id
             ORDER BY s.id DESC LIMIT 1)
    SELECT json_build_object('id', a.id, 'code', a.code, 'title', a.title, 'reason', a.reason,
        'status', a.status, 'approved_on', a.approved_on, 'approved_by', a.approved_by,
        'published_on', a.published_on, 'published_url', a.published_url,
        'remedy_id', a.remedy_id, 'version', a.version,
        'previous_id', (SELECT id FROM prev),
        'provisions', (SELECT json_agg(json_build_object('number', p.number,
            'section', p.section, 'section_title', p.section_title, 'summary', p.summary,
            'complies', x.complies, 'evidence', coalesce(x.evidence, ''),
            'links', coalesce(x.links, ''), 'commentary', coalesce(x.commentary, ''),
            'action', coalesce(x.action, ''), 'expected_on', x.expected_on,
            'previous_complies', y.complies,
            'changed', y.complies IS DISTINCT FROM x.complies AND (SELECT id FROM prev) IS NOT NULL)
            ORDER BY p.position)
            FROM code_provision p
            LEFT JOIN self_assessment_answer x ON x.assessment_id = a.id AND x.number = p.number
            LEFT JOIN self_assessment_answer y ON y.assessment_id = (SELECT id FROM prev)
                 AND y.number = p.number
            WHERE p.code = a.code))
    FROM a
$$;
