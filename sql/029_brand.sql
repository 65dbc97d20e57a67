-- The organisation's brand on the dashboard (issue 16): the colour of its
-- header and the logo beside its name.  The organisation's name is the
-- setting organisation_name; the colour is the setting brand_colour, a
-- #rrggbb that white text can be read on (core/brand.c checks it); the logo
-- is one uploaded PNG or SVG, kept here and served with a policy that runs
-- no script in it.
INSERT INTO setting (name, value, description) VALUES
    ('brand_colour', '#1d70b8', 'colour of the dashboard''s header, #rrggbb')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE brand_logo (
    id           integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/svg+xml')),
    bytes        bytea NOT NULL CHECK (octet_length(bytes) BETWEEN 1 AND 204800),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON brand_logo
    FOR EACH ROW EXECUTE FUNCTION audit_row('', 'bytes');
