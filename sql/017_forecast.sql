-- Forecasts of late answers (core/forecast.c, server/store/forecast_store.c).
--
-- The forecast reads the task history once per database snapshot: the
-- tasks set in the last two years, and every open task.  The open ones
-- come through task_open_due; this index finds the recent ones by the day
-- they were set, whatever their kind, without reading the years before.
-- Working days are counted by core's calendar, not here: SQL hands over
-- the dates.  The sanction-risk rules are a table in core/forecast.c.
CREATE INDEX task_set ON task (set_on) WHERE status <> 'cancelled';
