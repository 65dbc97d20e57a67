-- The Ombudsman inbox (issue 21): messages from the link officers' shared
-- mailbox, each stored whole with its attachments and a proposal of what to
-- register, which a person accepts, edits or dismisses.  The rules the
-- proposals follow are rows: the domains each Ombudsman writes from and the
-- phrases that mark each kind of correspondence (adding the PHSO, or a
-- phrase, is an INSERT).  Each Ombudsman's reference mask is its own row's.

CREATE TABLE inbox_sender (
    id           bigserial PRIMARY KEY,
    ombudsman_id bigint NOT NULL REFERENCES ombudsman,
    -- Lower case; its subdomains are the Ombudsman's too.
    domain       text NOT NULL UNIQUE
                 CHECK (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$')
);

CREATE TABLE inbox_phrase (
    id           bigserial PRIMARY KEY,
    -- NULL: any Ombudsman's letters.
    ombudsman_id bigint REFERENCES ombudsman,
    kind         text NOT NULL CHECK (kind IN (
                     'notification', 'information_request', 'first_chaser', 'final_chaser',
                     'draft_decision', 'determination', 'sanction_notice',
                     'extension_agreed', 'orders_confirmed', 'other')),
    phrase       text NOT NULL CHECK (length(phrase) BETWEEN 3 AND 120),
    UNIQUE NULLS NOT DISTINCT (ombudsman_id, phrase)
);

INSERT INTO inbox_sender (ombudsman_id, domain)
SELECT o.id, x.domain FROM ombudsman o JOIN (VALUES
    ('HOS', 'housing-ombudsman.org.uk'),
    ('LGSCO', 'lgo.org.uk')
) AS x(code, domain) ON x.code = o.code;

-- Phrases are tried longest first, in the subject before the body, so
-- "final chaser" wins over "chaser".
INSERT INTO inbox_phrase (ombudsman_id, kind, phrase)
SELECT o.id, x.kind, x.phrase FROM (VALUES
    (NULL, 'information_request', 'request for information'),
    (NULL, 'information_request', 'information request'),
    (NULL, 'information_request', 'evidence request'),
    ('HOS', 'information_request', 'we require the following information'),
    ('LGSCO', 'information_request', 'enquiry letter'),
    ('LGSCO', 'information_request', 'we are making enquiries'),
    (NULL, 'first_chaser', 'first chaser'),
    (NULL, 'first_chaser', '1st chaser'),
    (NULL, 'first_chaser', 'chaser'),
    (NULL, 'first_chaser', 'we have not yet received'),
    (NULL, 'final_chaser', 'final chaser'),
    (NULL, 'final_chaser', '2nd chaser'),
    (NULL, 'final_chaser', 'second chaser'),
    ('LGSCO', 'final_chaser', 'witness summons'),
    ('HOS', 'final_chaser', 'may issue a complaint handling failure order'),
    (NULL, 'extension_agreed', 'extension agreed'),
    (NULL, 'extension_agreed', 'agreed to extend'),
    (NULL, 'extension_agreed', 'agreed an extension'),
    (NULL, 'draft_decision', 'draft decision'),
    (NULL, 'draft_decision', 'provisional view'),
    (NULL, 'determination', 'final decision'),
    ('HOS', 'determination', 'determination'),
    (NULL, 'orders_confirmed', 'confirmation of compliance'),
    (NULL, 'orders_confirmed', 'orders have been complied with'),
    (NULL, 'orders_confirmed', 'satisfied that the orders'),
    (NULL, 'orders_confirmed', 'remedy has been completed'),
    ('HOS', 'sanction_notice', 'complaint handling failure order issued'),
    ('HOS', 'sanction_notice', 'we have issued a complaint handling failure order'),
    (NULL, 'notification', 'new complaint'),
    (NULL, 'notification', 'we have received a complaint')
) AS x(code, kind, phrase) LEFT JOIN ombudsman o ON o.code = x.code;

CREATE TABLE inbox_message (
    id              bigserial PRIMARY KEY,
    source          text NOT NULL CHECK (source IN ('import', 'upload', 'imap')),
    -- The Message-ID without its angle brackets; with the bytes' SHA-256
    -- it keeps a message from being taken twice.
    message_id      text UNIQUE CHECK (length(message_id) BETWEEN 1 AND 998),
    sha256          text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size            bigint NOT NULL CHECK (size >= 0),
    -- The exact bytes; NULL for a message refused by the virus scan (its
    -- hash is kept, so it is not taken again) and once retention has run.
    raw             bytea,
    from_address    text NOT NULL DEFAULT '',
    subject         text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    body_text       text NOT NULL DEFAULT '',
    state           text NOT NULL DEFAULT 'waiting'
                    CHECK (state IN ('waiting', 'accepted', 'dismissed', 'quarantined')),
    scan_status     text NOT NULL CHECK (scan_status IN ('available', 'not_scanned', 'quarantined')),
    scan_detail     text NOT NULL DEFAULT '',
    -- The proposal, and why, in words.
    proposed_target text NOT NULL CHECK (proposed_target IN ('none', 'case', 'new_case')),
    proposed_case_id bigint REFERENCES ombudsman_case,
    proposed_ombudsman_id bigint REFERENCES ombudsman,
    proposed_reference text,
    proposed_kind   text NOT NULL,
    proposed_received_on date NOT NULL,
    proposed_due_on date,
    reasons         text NOT NULL,
    -- What a person decided.
    correspondence_id bigint UNIQUE REFERENCES correspondence,
    handled_by      bigint REFERENCES app_user,
    handled_at      timestamptz,
    dismiss_reason  text CHECK (length(dismiss_reason) BETWEEN 1 AND 500),
    received_at     timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1,
    CHECK ((state = 'accepted') = (correspondence_id IS NOT NULL)),
    CHECK ((state = 'dismissed') = (dismiss_reason IS NOT NULL)),
    CHECK ((state = 'quarantined') = (scan_status = 'quarantined'))
);
CREATE INDEX inbox_message_waiting ON inbox_message (received_at) WHERE state = 'waiting';

CREATE TABLE inbox_attachment (
    id           bigserial PRIMARY KEY,
    message_id   bigint NOT NULL REFERENCES inbox_message ON DELETE CASCADE,
    position     integer NOT NULL CHECK (position >= 1),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content      bytea,
    -- Proposed to keep as a file of the correspondence, and kept.
    keep_proposed boolean NOT NULL,
    kept         boolean NOT NULL DEFAULT false,
    UNIQUE (message_id, position)
);

-- A message of an IMAP mailbox, claimed by one server at a time: the key is
-- the mailbox, its UIDVALIDITY and the message's UID.  A claim that lapses
-- (its server died mid-fetch) is taken again; a message stored is done and
-- never fetched again, only moved to the handled folder.
CREATE TABLE inbox_fetch (
    key           text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 2000),
    claimed_by    text NOT NULL,
    claimed_until timestamptz NOT NULL,
    tries         integer NOT NULL DEFAULT 1,
    message_id    bigint REFERENCES inbox_message,
    outcome       text NOT NULL DEFAULT '',
    done_at       timestamptz,
    moved_at      timestamptz
);

-- The bodies, subjects and senders hold residents' names: never copied
-- into the audit log.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON inbox_message
    FOR EACH ROW EXECUTE FUNCTION audit_row('', 'raw', 'body_text', 'subject', 'from_address');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON inbox_sender
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON inbox_phrase
    FOR EACH ROW EXECUTE FUNCTION audit_row('');
