-- Foundation: bank holidays and organisation settings.

CREATE TABLE holiday (
    division    text    NOT NULL
                CHECK (division IN ('england-and-wales', 'scotland', 'northern-ireland')),
    day         date    NOT NULL,
    title       text    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    notes       text    NOT NULL DEFAULT '' CHECK (length(notes) <= 200),
    -- Generated from the standard rules for a year GOV.UK has not yet
    -- published; replaced when the published feed is imported.
    provisional boolean NOT NULL DEFAULT false,
    PRIMARY KEY (division, day)
);

COMMENT ON TABLE holiday IS
    'Bank holidays per division; the working-day calendar covers every whole year present here';

-- Settings an administrator changes at run time (server settings are
-- environment variables instead).
CREATE TABLE setting (
    name        text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    value       text NOT NULL,
    description text NOT NULL DEFAULT '',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO setting (name, value, description) VALUES
    ('holiday_division', 'england-and-wales',
     'bank-holiday division of the organisation');
