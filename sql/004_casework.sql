-- Casework: complaints, Ombudsman cases, correspondence, tasks, validation,
-- determinations with their findings, orders and recommendations; the
-- recipients of notices and the outbox the mail sender delivers.

CREATE TABLE complaint (
    id              bigserial PRIMARY KEY,
    reference       text NOT NULL UNIQUE CHECK (length(reference) BETWEEN 1 AND 40),
    category        text NOT NULL CHECK (length(category) BETWEEN 1 AND 80),
    service_area_id bigint NOT NULL REFERENCES service_area,
    received_on     date NOT NULL,
    stage1_response_on date,
    stage2_response_on date,
    summary         text NOT NULL DEFAULT '' CHECK (length(summary) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX complaint_area ON complaint (service_area_id);

-- Resident details live apart, read only by roles entitled to them.
CREATE TABLE resident (
    complaint_id    bigint PRIMARY KEY REFERENCES complaint ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address         text NOT NULL DEFAULT '' CHECK (length(address) <= 500),
    contact         text NOT NULL DEFAULT '' CHECK (length(contact) <= 300),
    vulnerabilities text NOT NULL DEFAULT '' CHECK (length(vulnerabilities) <= 2000),
    adjustments     text NOT NULL DEFAULT '' CHECK (length(adjustments) <= 2000),
    version         integer NOT NULL DEFAULT 1
);

CREATE TABLE ombudsman_case (
    id              bigserial PRIMARY KEY,
    complaint_id    bigint NOT NULL REFERENCES complaint,
    ombudsman_id    bigint NOT NULL REFERENCES ombudsman,
    reference       text NOT NULL,
    stage           text NOT NULL DEFAULT 'notified'
                    CHECK (stage IN ('notified', 'assessment', 'investigation', 'draft_decision',
                                     'determined', 'remedies', 'closed')),
    -- How a closed case ended.
    outcome         text CHECK (outcome IN ('orders_satisfied', 'no_orders', 'not_investigated',
                                            'premature', 'outside_jurisdiction', 'withdrawn',
                                            'resolved_early')),
    link_officer_id bigint REFERENCES app_user,
    received_on     date NOT NULL,
    closed_on       date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1,
    UNIQUE (ombudsman_id, reference),
    CHECK ((stage = 'closed') = (closed_on IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX ombudsman_case_complaint ON ombudsman_case (complaint_id);
CREATE INDEX ombudsman_case_open ON ombudsman_case (stage) WHERE stage <> 'closed';

CREATE TABLE correspondence (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES ombudsman_case,
    direction       text NOT NULL CHECK (direction IN ('in', 'out')),
    kind            text NOT NULL CHECK (kind IN (
                        'notification', 'information_request', 'first_chaser', 'final_chaser',
                        'draft_decision', 'determination', 'sanction_notice',
                        'acknowledgement', 'evidence_submitted', 'extension_requested',
                        'extension_agreed', 'orders_confirmed', 'other')),
    dated_on        date NOT NULL,
    channel         text NOT NULL CHECK (channel IN ('portal', 'email', 'letter', 'phone', 'other')),
    summary         text NOT NULL DEFAULT '' CHECK (length(summary) <= 4000),
    -- A request's own response date, or the revised date an extension agreed.
    response_due_on date,
    created_by      bigint REFERENCES app_user,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX correspondence_case ON correspondence (case_id, dated_on);

CREATE TABLE determination (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL UNIQUE REFERENCES ombudsman_case,
    decided_on      date NOT NULL,
    correspondence_id bigint REFERENCES correspondence,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE finding (
    id              bigserial PRIMARY KEY,
    determination_id bigint NOT NULL REFERENCES determination ON DELETE CASCADE,
    case_id         bigint NOT NULL REFERENCES ombudsman_case,
    element         text NOT NULL CHECK (length(element) BETWEEN 1 AND 300),
    finding         text NOT NULL CHECK (finding IN (
                        'no_maladministration', 'service_failure', 'maladministration',
                        'severe_maladministration', 'reasonable_redress', 'outside_jurisdiction',
                        'fault_causing_injustice', 'fault_without_injustice', 'no_fault')),
    -- Fault or maladministration found: what the Ombudsmen count as upheld.
    upheld          boolean GENERATED ALWAYS AS (finding IN (
                        'service_failure', 'maladministration', 'severe_maladministration',
                        'fault_causing_injustice', 'fault_without_injustice')) STORED
);
CREATE INDEX finding_case ON finding (case_id);

CREATE TABLE remedy (
    id              bigserial PRIMARY KEY,
    determination_id bigint NOT NULL REFERENCES determination,
    case_id         bigint NOT NULL REFERENCES ombudsman_case,
    type            text NOT NULL CHECK (type IN ('order', 'recommendation')),
    kind            text NOT NULL CHECK (kind IN ('apology', 'compensation', 'works',
                        'policy_review', 'training', 'self_assessment', 'other')),
    description     text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    amount_pence    bigint CHECK (amount_pence BETWEEN 0 AND 100000000),
    paid_pence      bigint CHECK (paid_pence BETWEEN 0 AND 100000000),
    due_on          date NOT NULL,
    complied_on     date,
    confirmed_on    date,
    version         integer NOT NULL DEFAULT 1,
    CHECK ((kind = 'compensation') = (amount_pence IS NOT NULL))
);
CREATE INDEX remedy_case ON remedy (case_id);

CREATE TABLE task (
    id              bigserial PRIMARY KEY,
    case_id         bigint NOT NULL REFERENCES ombudsman_case,
    correspondence_id bigint REFERENCES correspondence,
    remedy_id       bigint REFERENCES remedy,
    kind            text NOT NULL CHECK (kind IN ('information_request', 'corrective_action',
                        'order', 'recommendation', 'chaser_response')),
    -- What exactly the Ombudsman asked for.
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    detail          text NOT NULL DEFAULT '' CHECK (length(detail) <= 4000),
    service_area_id bigint NOT NULL REFERENCES service_area,
    assignee_id     bigint REFERENCES app_user,
    set_on          date NOT NULL,
    due_on          date NOT NULL,
    -- How due_on was found: 'working_days:15', 'weeks:4' or 'given'.
    due_rule        text NOT NULL,
    revised_due_on  date,
    priority        text NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'high', 'urgent')),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress',
                        'submitted', 'validated', 'sent', 'done', 'cancelled')),
    answer          text NOT NULL DEFAULT '' CHECK (length(answer) <= 20000),
    return_comment  text NOT NULL DEFAULT '' CHECK (length(return_comment) <= 4000),
    sent_on         date,
    completed_on    date,
    paused_on       date,
    paused_days     integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX task_case ON task (case_id);
CREATE INDEX task_area_open ON task (service_area_id, (coalesce(revised_due_on, due_on)))
    WHERE status NOT IN ('done', 'cancelled');
CREATE INDEX task_assignee_open ON task (assignee_id, (coalesce(revised_due_on, due_on)))
    WHERE status NOT IN ('done', 'cancelled');
CREATE INDEX task_open_due ON task ((coalesce(revised_due_on, due_on)))
    WHERE status NOT IN ('done', 'cancelled');
CREATE INDEX task_status ON task (status) WHERE status IN ('submitted', 'validated');

ALTER TABLE remedy ADD COLUMN task_id bigint REFERENCES task;

-- Each answer submitted for validation is a version; sign-offs are given to
-- one version, so a change voids them.
CREATE TABLE evidence_version (
    id          bigserial PRIMARY KEY,
    task_id     bigint NOT NULL REFERENCES task,
    case_id     bigint NOT NULL REFERENCES ombudsman_case,
    number      integer NOT NULL,
    answer      text NOT NULL,
    attachments jsonb NOT NULL DEFAULT '[]',
    submitted_by bigint REFERENCES app_user,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (task_id, number)
);

CREATE TABLE signoff (
    id              bigserial PRIMARY KEY,
    evidence_version_id bigint NOT NULL REFERENCES evidence_version,
    case_id         bigint NOT NULL REFERENCES ombudsman_case,
    validator_title_id bigint NOT NULL REFERENCES validator_title,
    user_id         bigint NOT NULL REFERENCES app_user,
    decision        text NOT NULL CHECK (decision IN ('approved', 'returned')),
    comment         text NOT NULL DEFAULT '' CHECK (length(comment) <= 4000),
    at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (evidence_version_id, validator_title_id)
);

-- Who is told of what.  kind: head_of_service, slt_director (of the
-- complaint's service area), position (a named post), link_officers, or a
-- fixed address.
CREATE TABLE notice_recipient (
    id          bigserial PRIMARY KEY,
    event       text NOT NULL CHECK (event IN ('first_chaser', 'final_chaser', 'determination',
                                               'sanction_notice')),
    kind        text NOT NULL CHECK (kind IN ('head_of_service', 'slt_director', 'position',
                                              'link_officers', 'address')),
    position_code text REFERENCES position,
    address     text CHECK (address ~ '^[^@\s]+@[^@\s]+$'),
    CHECK ((kind = 'position') = (position_code IS NOT NULL)),
    CHECK ((kind = 'address') = (address IS NOT NULL))
);
INSERT INTO notice_recipient (event, kind, position_code) VALUES
    ('first_chaser', 'head_of_service', NULL),
    ('first_chaser', 'position', 'head_of_resident_contact'),
    ('final_chaser', 'head_of_service', NULL),
    ('final_chaser', 'position', 'head_of_resident_contact'),
    ('final_chaser', 'position', 'chief_executive'),
    ('sanction_notice', 'head_of_service', NULL),
    ('sanction_notice', 'position', 'head_of_resident_contact'),
    ('sanction_notice', 'position', 'chief_executive'),
    ('determination', 'slt_director', NULL),
    ('determination', 'position', 'head_of_communications');

-- Every message to send, written in the transaction of the change causing
-- it.  Carries case references and task titles, never resident details.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL,
    recipient   text NOT NULL,
    user_id     bigint REFERENCES app_user,
    case_id     bigint REFERENCES ombudsman_case,
    task_id     bigint REFERENCES task,
    subject     text NOT NULL,
    body        text NOT NULL,
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX outbox_queued ON outbox (next_attempt_at) WHERE status = 'queued';
CREATE INDEX outbox_case ON outbox (case_id);

-- A complaint's summary is for those entitled to read it, not the log.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON complaint
    FOR EACH ROW EXECUTE FUNCTION audit_row('', 'summary');
-- Resident details are never copied into the log: only that they changed.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON resident
    FOR EACH ROW EXECUTE FUNCTION audit_row('', 'name', 'address', 'contact',
                                            'vulnerabilities', 'adjustments');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON ombudsman_case
    FOR EACH ROW EXECUTE FUNCTION audit_row('id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON correspondence
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON determination
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON finding
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON remedy
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON task
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON evidence_version
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON signoff
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON notice_recipient
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT ON outbox
    FOR EACH ROW EXECUTE FUNCTION audit_row('case_id');
