-- quantile_breaks(value float8, probs float8[]) -> float8[]
-- Exactly percentile_cont(probs) WITHIN GROUP (ORDER BY value), as a parallel-safe aggregate.
CREATE AGGREGATE quantile_breaks(value float8, probs float8[]) (
    SFUNC = quantile_breaks_sfunc,
    STYPE = internal,
    FINALFUNC = quantile_breaks_final,
    COMBINEFUNC = quantile_breaks_combine,
    SERIALFUNC = quantile_breaks_serial,
    DESERIALFUNC = quantile_breaks_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE quantile_breaks(float8, float8[]) IS
  'Breaks at the given probabilities, exactly equal to percentile_cont(probs) WITHIN GROUP (ORDER BY value); parallel safe. NULL values are skipped; no rows gives NULL.';
COMMENT ON FUNCTION wilson_interval(bigint, bigint, float8) IS
  'Wilson score interval (rate, ci_low, ci_high) of successes/trials at the given two-sided confidence (default 0.95). NULL when trials = 0; 22023 for negative counts, successes > trials or confidence outside (0,1).';
COMMENT ON FUNCTION quantile_breaks_sfunc(internal, float8, float8[]) IS 'Internal: transition function of quantile_breaks.';
COMMENT ON FUNCTION quantile_breaks_final(internal) IS 'Internal: final function of quantile_breaks.';
COMMENT ON FUNCTION quantile_breaks_combine(internal, internal) IS 'Internal: combine function of quantile_breaks.';
COMMENT ON FUNCTION quantile_breaks_serial(internal) IS 'Internal: serial function of quantile_breaks.';
COMMENT ON FUNCTION quantile_breaks_deserial(bytea, internal) IS 'Internal: deserial function of quantile_breaks.';
