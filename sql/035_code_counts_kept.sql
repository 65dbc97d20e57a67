-- The Complaint Handling Code's shares, kept (issue 18: the annual report
-- under 200 ms at full size).  code_figures (sql/functions/35_code.sql)
-- read a period's complaints and their complaint_days rows on every
-- report (20,000 a year, 100 to 350 ms at 200,000 complaints); it now
-- sums these counts for the whole months of a period, and reads
-- complaints only for the days of a part month at either end.
--
-- code_month: for each code, stage 1 complaints by month of receipt and
-- stage 2 by month of the escalation request, by service area and for the
-- whole organisation (area_id 0: a year is 24 rows to sum): how many,
-- how many acknowledged in time, how many answered in time.  Every code is
-- counted, so choosing another needs no recount.  What is in time, the
-- triggers that keep these counts and the first fill are in 35_code.sql
-- (the one definition; applied after the migrations, and again, with a
-- recount, whenever it changes).
CREATE TABLE code_month (
    code     text NOT NULL,
    stage    smallint NOT NULL CHECK (stage IN (1, 2)),
    month    date NOT NULL,
    area_id  bigint NOT NULL,
    n        bigint NOT NULL,
    ack      bigint NOT NULL,
    answered bigint NOT NULL,
    PRIMARY KEY (code, area_id, stage, month)
);
COMMENT ON TABLE code_month IS
    'the Complaint Handling Code''s counts by code, stage, month and area, kept by triggers (sql/functions/35_code.sql)';

-- The part months at a period's ends are read from the complaints.
CREATE INDEX complaint_received_on ON complaint (received_on);
CREATE INDEX complaint_escalation_requested_on ON complaint (escalation_requested_on)
    WHERE escalation_requested_on IS NOT NULL;
