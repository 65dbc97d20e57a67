-- The demo organisation loaded by `linkdesk seed-demo` (and `make run`) into
-- an empty database.  Never for production: its passwords are published.

INSERT INTO setting (name, value, description) VALUES
    ('organisation_name', 'Demo Borough Council', 'name shown on the dashboard');
