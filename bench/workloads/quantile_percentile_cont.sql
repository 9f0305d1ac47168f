-- percentile_cont over every event's amount: the built-in equivalent of quantile_breaks
SELECT percentile_cont(ARRAY[0.4, 0.8]) WITHIN GROUP (ORDER BY amount::float8) FROM events;
