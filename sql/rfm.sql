-- SSPACE (typical bytes per group state) keeps GROUP BY user_id from spilling: see sql/funnel.sql.
-- RFM: rfm_agg (per-user values), rfm_breaks (population breaks); rfm_cell and rfm_segment
-- are plain functions.
CREATE AGGREGATE rfm_agg(ts timestamptz, amount numeric, as_of timestamptz) (
    SFUNC = rfm_agg_sfunc, STYPE = internal,
    SSPACE = 160, FINALFUNC = rfm_agg_final,
    COMBINEFUNC = rfm_agg_combine, SERIALFUNC = rfm_agg_serial,
    DESERIALFUNC = rfm_agg_deserial, PARALLEL = SAFE
);
CREATE AGGREGATE rfm_breaks(recency_days float8, frequency float8, monetary float8) (
    SFUNC = rfm_breaks_sfunc3, STYPE = internal, FINALFUNC = rfm_breaks_final,
    COMBINEFUNC = rfm_breaks_combine, SERIALFUNC = rfm_breaks_serial,
    DESERIALFUNC = rfm_breaks_deserial, PARALLEL = SAFE
);
CREATE AGGREGATE rfm_breaks(recency_days float8, frequency float8, monetary float8, bins int) (
    SFUNC = rfm_breaks_sfunc4, STYPE = internal, FINALFUNC = rfm_breaks_final,
    COMBINEFUNC = rfm_breaks_combine, SERIALFUNC = rfm_breaks_serial,
    DESERIALFUNC = rfm_breaks_deserial, PARALLEL = SAFE
);

COMMENT ON AGGREGATE rfm_agg(timestamptz, numeric, timestamptz) IS
  'Per-user RFM values (recency_days, frequency, monetary, first_at, last_at) over transactions with ts <= as_of: recency is whole days from the last transaction to as_of, frequency counts rows with a non-NULL ts, monetary sums the non-NULL amounts exactly (as count(ts) and sum(amount)). Infinite as_of is error 22023.';
COMMENT ON AGGREGATE rfm_breaks(float8, float8, float8) IS
  'Population breaks for 5 RFM bins: per metric, percentile_cont(k / 5) for k = 1 .. 4 (NULLs skipped per metric). Feed the result to rfm_cell.';
COMMENT ON AGGREGATE rfm_breaks(float8, float8, float8, int) IS
  'Population breaks for bins RFM bins (2 .. 100): per metric, percentile_cont(k / bins) for k = 1 .. bins-1. bins < 2 is error 22023, bins > 100 is 54000.';
COMMENT ON FUNCTION rfm_cell(float8, float8, float8, rfm_breaks) IS
  'Tie-aware RFM scores from population breaks: f = 1 + #{breaks.frequency < frequency}, m likewise, r = 1 + #{breaks.recency > recency_days}; cell ''R5F4M3'' and the classic segment (5 bins). A NULL metric gives a NULL score (and NULL cell/segment); NULL breaks give NULL.';
COMMENT ON FUNCTION rfm_segment(int, int, int, text, text) IS
  'Named RFM segment of 1..5 scores: scheme ''classic'' (11 segments on R and FM = (F + M + 1) / 2) or ''value8'' (high = score > 3 per dimension, 8 value classes); lang ''en'' or ''zh''. Unknown scheme/lang or a score outside 1..5 is error 22023.';
COMMENT ON FUNCTION rfm_agg_sfunc(internal, timestamptz, numeric, timestamptz) IS 'Internal: transition function of rfm_agg.';
COMMENT ON FUNCTION rfm_agg_final(internal) IS 'Internal: final function of rfm_agg.';
COMMENT ON FUNCTION rfm_agg_combine(internal, internal) IS 'Internal: combine function of rfm_agg.';
COMMENT ON FUNCTION rfm_agg_serial(internal) IS 'Internal: serial function of rfm_agg.';
COMMENT ON FUNCTION rfm_agg_deserial(bytea, internal) IS 'Internal: deserial function of rfm_agg.';
COMMENT ON FUNCTION rfm_breaks_sfunc3(internal, float8, float8, float8) IS 'Internal: transition function of rfm_breaks (5 bins).';
COMMENT ON FUNCTION rfm_breaks_sfunc4(internal, float8, float8, float8, int) IS 'Internal: transition function of rfm_breaks.';
COMMENT ON FUNCTION rfm_breaks_final(internal) IS 'Internal: final function of rfm_breaks.';
COMMENT ON FUNCTION rfm_breaks_combine(internal, internal) IS 'Internal: combine function of rfm_breaks.';
COMMENT ON FUNCTION rfm_breaks_serial(internal) IS 'Internal: serial function of rfm_breaks.';
COMMENT ON FUNCTION rfm_breaks_deserial(bytea, internal) IS 'Internal: deserial function of rfm_breaks.';
