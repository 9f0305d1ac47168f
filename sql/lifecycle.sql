-- SSPACE (typical bytes per group state) keeps GROUP BY user_id from spilling: see sql/funnel.sql.
-- lifecycle_stage(registered_at, first_conversion_at, last_active_at, as_of [, days...]) -> text
-- The scalar, over a user summary row; implemented by lifecycle_stage_scalar in
-- src/lifecycle.rs (raw V1 calling convention, for speed). Not STRICT: NULL conversion /
-- activity times mean "never".
CREATE FUNCTION lifecycle_stage(registered_at timestamptz, first_conversion_at timestamptz,
                                last_active_at timestamptz, as_of timestamptz,
                                new_days int DEFAULT 90, dead_days int DEFAULT 30,
                                dormant_days int DEFAULT 30, churn_days int DEFAULT 90,
                                lost_days int DEFAULT 360)
RETURNS text IMMUTABLE PARALLEL SAFE
LANGUAGE c AS 'MODULE_PATHNAME', 'lifecycle_stage_scalar';
-- lifecycle_stage(ts timestamptz, converted bool, as_of timestamptz [, new_days, dead_days,
-- dormant_days, churn_days, lost_days]) -> text: a user's stage from the user's raw events.
-- Aggregates cannot have defaults, so there is one aggregate per arity.
-- The support functions are raw V1 functions in src/lifecycle.rs, under the symbol names
-- (and with the signatures) of the first release.
CREATE FUNCTION lifecycle_stage_sfunc(state internal, ts timestamptz, converted bool, as_of timestamptz)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'lifecycle_stage_sfunc_wrapper';
CREATE FUNCTION lifecycle_stage_sfunc_days(state internal, ts timestamptz, converted bool,
                                           as_of timestamptz, new_days int, dead_days int,
                                           dormant_days int, churn_days int, lost_days int)
RETURNS internal LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'lifecycle_stage_sfunc_days_wrapper';
CREATE FUNCTION lifecycle_stage_final(state internal) RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'lifecycle_stage_final_wrapper';
CREATE FUNCTION lifecycle_stage_combine(a internal, b internal) RETURNS internal
LANGUAGE c IMMUTABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'lifecycle_stage_combine_wrapper';
CREATE FUNCTION lifecycle_stage_serial(state internal) RETURNS bytea
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'lifecycle_stage_serial_wrapper';
CREATE FUNCTION lifecycle_stage_deserial(bytes bytea, _unused internal) RETURNS internal
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'lifecycle_stage_deserial_wrapper';
CREATE AGGREGATE lifecycle_stage(ts timestamptz, converted bool, as_of timestamptz) (
    SFUNC = lifecycle_stage_sfunc,
    STYPE = internal,
    SSPACE = 128,
    FINALFUNC = lifecycle_stage_final,
    COMBINEFUNC = lifecycle_stage_combine,
    SERIALFUNC = lifecycle_stage_serial,
    DESERIALFUNC = lifecycle_stage_deserial,
    PARALLEL = SAFE
);
CREATE AGGREGATE lifecycle_stage(ts timestamptz, converted bool, as_of timestamptz,
                                 new_days int, dead_days int, dormant_days int,
                                 churn_days int, lost_days int) (
    SFUNC = lifecycle_stage_sfunc_days,
    STYPE = internal,
    SSPACE = 128,
    FINALFUNC = lifecycle_stage_final,
    COMBINEFUNC = lifecycle_stage_combine,
    SERIALFUNC = lifecycle_stage_serial,
    DESERIALFUNC = lifecycle_stage_deserial,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE lifecycle_stage(timestamptz, bool, timestamptz) IS
  'Lifecycle stage of one user from the user''s events (GROUP BY user): the first event is the registration, the first converted event the first conversion, the latest event the last activity; events after as_of are ignored. Same rules as the scalar lifecycle_stage with default days (new 90, dead 30, dormant 30, churn 90, lost 360), plus reactivated: a converted, not new user whose latest event came more than churn_days after the previous distinct event and is within dormant_days of as_of. NULL ts rows are skipped, NULL converted counts as false; NULL when no event is at or before as_of. 22023 for a NULL as_of or as_of varying within a group.';
COMMENT ON AGGREGATE lifecycle_stage(timestamptz, bool, timestamptz, int, int, int, int, int) IS
  'Lifecycle stage of one user from the user''s events with explicit new_days, dead_days, dormant_days, churn_days, lost_days (same as the 3-argument aggregate otherwise). 22023 for NULL, negative or not strictly increasing (dormant < churn < lost) days, or days varying within a group.';
COMMENT ON FUNCTION lifecycle_stage(timestamptz, timestamptz, timestamptz, timestamptz, int, int, int, int, int) IS
  'Lifecycle stage of a user summary row, first match wins: registered after as_of -> NULL; never converted (first_conversion_at NULL) -> dead if as_of - coalesce(last_active_at, registered_at) > dead_days, else registered; converted and as_of - registered_at <= new_days -> new; else by as_of - greatest(last_active_at, first_conversion_at): <= dormant_days active, <= churn_days dormant, <= lost_days churned, else lost. Timestamps after as_of count as NULL. NULL registered_at, as_of or days -> NULL. 22023 for activity or conversion before registration, infinite timestamps, negative or not strictly increasing days.';
COMMENT ON FUNCTION lifecycle_code(text) IS
  'One-letter code of a lifecycle stage: R registered, D dead, N new, A active, S dormant (sleeping), C churned, L lost, B reactivated (back). 22023 for an unknown stage name.';
COMMENT ON FUNCTION lifecycle_stage_sfunc(internal, timestamptz, bool, timestamptz) IS 'Internal: transition function of the 3-argument lifecycle_stage aggregate.';
COMMENT ON FUNCTION lifecycle_stage_sfunc_days(internal, timestamptz, bool, timestamptz, int, int, int, int, int) IS 'Internal: transition function of the 8-argument lifecycle_stage aggregate.';
COMMENT ON FUNCTION lifecycle_stage_final(internal) IS 'Internal: final function of the lifecycle_stage aggregates.';
COMMENT ON FUNCTION lifecycle_stage_combine(internal, internal) IS 'Internal: combine function of the lifecycle_stage aggregates.';
COMMENT ON FUNCTION lifecycle_stage_serial(internal) IS 'Internal: serial function of the lifecycle_stage aggregates.';
COMMENT ON FUNCTION lifecycle_stage_deserial(bytea, internal) IS 'Internal: deserial function of the lifecycle_stage aggregates.';
COMMENT ON FUNCTION lifecycle_stages() IS
  'Every lifecycle stage with its one-letter code and the rule that assigns it, in the order the rules are tried (first match wins). A lookup table for BI legends.';
