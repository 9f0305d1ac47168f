-- quantile_breaks over every event's amount (NULLs skipped) vs the same with percentile_cont below
-- vs: quantile_percentile_cont
SELECT quantile_breaks(amount::float8, ARRAY[0.4, 0.8]) FROM events;
