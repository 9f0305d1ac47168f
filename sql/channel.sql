-- channel_prior(traffic bigint, conversions bigint) -> channel_prior
-- Empirical-Bayes (method-of-moments beta-binomial) prior over channels, one row per channel.
CREATE AGGREGATE channel_prior(traffic bigint, conversions bigint) (
    SFUNC = channel_prior_sfunc,
    STYPE = internal,
    FINALFUNC = channel_prior_final,
    COMBINEFUNC = channel_prior_combine,
    SERIALFUNC = channel_prior_serial,
    DESERIALFUNC = channel_prior_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE channel_prior(bigint, bigint) IS
  'Fits a Beta(alpha, beta) prior on conversion rates over channels (one row per channel: traffic, conversions) by the method of moments of the beta-binomial model: mean = pooled rate sum(conversions)/sum(traffic). Falls back to the pooled mean with weight sum(traffic) when channels vary no more than binomial noise. Rows with NULL counts and channels with traffic 0 are skipped; fewer than 2 channels gives NULL. 22023 for negative counts or conversions > traffic.';
COMMENT ON FUNCTION channel_quadrant(bigint, bigint, float8, float8, bigint, float8) IS
  'Channel quadrant: traffic > traffic_cut is high volume, conversions/traffic > rate_cut is high quality; 1 star (keep and increase investment), 2 potential (scale up delivery while watching quality), 3 weak (be careful: keep monitoring and adjust in small steps), 4 leaky (target delivery more precisely). Below min_traffic (default 30) the quadrant is NULL and the label insufficient_data. rate, ci_low, ci_high: Wilson interval at confidence (default 0.95); significant: the interval excludes rate_cut. 22023 for negative counts, conversions > traffic, non-finite cuts or confidence outside (0,1).';
COMMENT ON FUNCTION channel_shrunk_rate(bigint, bigint, channel_prior) IS
  'Shrunk (posterior-mean) conversion rate (conversions + alpha) / (traffic + alpha + beta) of a channel under a channel_prior; small channels are pulled toward the pooled rate. 22023 for negative counts, conversions > traffic, or a prior with a NULL, negative or non-finite field.';
COMMENT ON FUNCTION channel_prior_sfunc(internal, bigint, bigint) IS 'Internal: transition function of channel_prior.';
COMMENT ON FUNCTION channel_prior_final(internal) IS 'Internal: final function of channel_prior.';
COMMENT ON FUNCTION channel_prior_combine(internal, internal) IS 'Internal: combine function of channel_prior.';
COMMENT ON FUNCTION channel_prior_serial(internal) IS 'Internal: serial function of channel_prior.';
COMMENT ON FUNCTION channel_prior_deserial(bytea, internal) IS 'Internal: deserial function of channel_prior.';
