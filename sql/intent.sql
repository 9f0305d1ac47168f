-- SSPACE (typical bytes per group state) keeps GROUP BY user_id from spilling: see sql/funnel.sql.
-- Purchase intent: intent_score / intent_score_detail aggregates (three arities each).
-- The transition functions (raw V1 functions in src/intent.rs).
CREATE FUNCTION intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'intent_score_sfunc4_wrapper';
CREATE FUNCTION intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz, interval)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'intent_score_sfunc5_wrapper';
CREATE FUNCTION intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz, interval, interval)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'intent_score_sfunc6_wrapper';
CREATE AGGREGATE intent_score(event text, ts timestamptz, weights jsonb, as_of timestamptz) (
    SFUNC = intent_score_sfunc, STYPE = internal,
    SSPACE = 256, FINALFUNC = intent_score_final,
    COMBINEFUNC = intent_score_combine, SERIALFUNC = intent_score_serial,
    DESERIALFUNC = intent_score_deserial, PARALLEL = SAFE
);
CREATE AGGREGATE intent_score(event text, ts timestamptz, weights jsonb, as_of timestamptz,
                              lookback interval) (
    SFUNC = intent_score_sfunc, STYPE = internal,
    SSPACE = 256, FINALFUNC = intent_score_final,
    COMBINEFUNC = intent_score_combine, SERIALFUNC = intent_score_serial,
    DESERIALFUNC = intent_score_deserial, PARALLEL = SAFE
);
CREATE AGGREGATE intent_score(event text, ts timestamptz, weights jsonb, as_of timestamptz,
                              lookback interval, half_life interval) (
    SFUNC = intent_score_sfunc, STYPE = internal,
    SSPACE = 256, FINALFUNC = intent_score_final,
    COMBINEFUNC = intent_score_combine, SERIALFUNC = intent_score_serial,
    DESERIALFUNC = intent_score_deserial, PARALLEL = SAFE
);
CREATE AGGREGATE intent_score_detail(event text, ts timestamptz, weights jsonb, as_of timestamptz) (
    SFUNC = intent_score_sfunc, STYPE = internal,
    SSPACE = 256, FINALFUNC = intent_score_detail_final,
    COMBINEFUNC = intent_score_combine, SERIALFUNC = intent_score_serial,
    DESERIALFUNC = intent_score_deserial, PARALLEL = SAFE
);
CREATE AGGREGATE intent_score_detail(event text, ts timestamptz, weights jsonb, as_of timestamptz,
                                     lookback interval) (
    SFUNC = intent_score_sfunc, STYPE = internal,
    SSPACE = 256, FINALFUNC = intent_score_detail_final,
    COMBINEFUNC = intent_score_combine, SERIALFUNC = intent_score_serial,
    DESERIALFUNC = intent_score_deserial, PARALLEL = SAFE
);
CREATE AGGREGATE intent_score_detail(event text, ts timestamptz, weights jsonb, as_of timestamptz,
                                     lookback interval, half_life interval) (
    SFUNC = intent_score_sfunc, STYPE = internal,
    SSPACE = 256, FINALFUNC = intent_score_detail_final,
    COMBINEFUNC = intent_score_combine, SERIALFUNC = intent_score_serial,
    DESERIALFUNC = intent_score_deserial, PARALLEL = SAFE
);

COMMENT ON AGGREGATE intent_score(text, timestamptz, jsonb, timestamptz) IS
  'Purchase-intent score of a group (usually one user): the sum of weights->>event over events with as_of - 14 days < ts <= as_of. Unweighted events and events outside the window add 0 (a user with rows but none in the window scores 0); NULL event/ts rows are skipped. A weight that is not a finite number is error 22023 naming the key.';
COMMENT ON AGGREGATE intent_score(text, timestamptz, jsonb, timestamptz, interval) IS
  'Purchase-intent score with an explicit look-back window: sum of weights->>event over events with as_of - lookback < ts <= as_of (1 day = 24 h, 1 month = 30 days). Negative lookback is error 22023.';
COMMENT ON AGGREGATE intent_score(text, timestamptz, jsonb, timestamptz, interval, interval) IS
  'Time-decayed purchase-intent score: each weight in the window (as_of - lookback, as_of] is multiplied by 0.5 ^ ((as_of - ts) / half_life). NULL half_life means no decay; a half_life <= 0 is error 22023.';
COMMENT ON AGGREGATE intent_score_detail(text, timestamptz, jsonb, timestamptz) IS
  'Breakdown of intent_score (same arguments): one intent_contribution (event, events, contribution) per weighted event seen in the window, by contribution descending.';
COMMENT ON AGGREGATE intent_score_detail(text, timestamptz, jsonb, timestamptz, interval) IS
  'Breakdown of intent_score with a look-back window (same arguments): intent_contribution[] by contribution descending.';
COMMENT ON AGGREGATE intent_score_detail(text, timestamptz, jsonb, timestamptz, interval, interval) IS
  'Breakdown of the time-decayed intent_score (same arguments): intent_contribution[] by contribution descending.';
COMMENT ON FUNCTION intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz) IS
  'Internal: transition function of intent_score / intent_score_detail.';
COMMENT ON FUNCTION intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz, interval) IS
  'Internal: transition function of intent_score / intent_score_detail with lookback.';
COMMENT ON FUNCTION intent_score_sfunc(internal, text, timestamptz, jsonb, timestamptz, interval, interval) IS
  'Internal: transition function of intent_score / intent_score_detail with lookback and half_life.';
COMMENT ON FUNCTION intent_score_final(internal) IS 'Internal: final function of intent_score.';
COMMENT ON FUNCTION intent_score_detail_final(internal) IS 'Internal: final function of intent_score_detail.';
COMMENT ON FUNCTION intent_score_combine(internal, internal) IS 'Internal: combine function of intent_score / intent_score_detail.';
COMMENT ON FUNCTION intent_score_serial(internal) IS 'Internal: serial function of intent_score / intent_score_detail.';
COMMENT ON FUNCTION intent_score_deserial(bytea, internal) IS 'Internal: deserial function of intent_score / intent_score_detail.';
COMMENT ON FUNCTION intent_weights(text) IS
  'Documented default intent weights as jsonb: preset ''invest'' (view_list 1, view_detail 2, click_invest 3, click_submit 5, pay 8) or ''loan'' (exposure 0.5, click 1, register 2, apply 4, submit 6, first_review 7, second_review 8, reloan 10). Unknown preset is error 22023.';
COMMENT ON FUNCTION intent_tier(float8, float8, float8) IS
  '''strong'' if score > strong_above, ''medium'' if score > medium_above, else ''weak''. strong_above < medium_above or NaN is error 22023.';
COMMENT ON FUNCTION intent_tier(float8, float8[]) IS
  'Tier from breaks = quantile_breaks(score, ARRAY[0.4, 0.8]): ''strong'' above breaks[2] (top 20 %), ''medium'' above breaks[1] (next 40 %), else ''weak''.';
