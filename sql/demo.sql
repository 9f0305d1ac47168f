-- generate_demo_events(users, days, seed): an internet-finance app's event stream.
-- The body names the raw function with its schema (the extschema placeholder below, replaced by
-- CREATE EXTENSION):
-- a SQL function body is resolved with the caller's search_path, which need not include the
-- extension's schema (SELECT ops.generate_demo_events(...)) and must not be able to redirect it.
CREATE FUNCTION generate_demo_events(users bigint, days int DEFAULT 180, seed bigint DEFAULT 42)
RETURNS TABLE (user_id bigint, ts timestamptz, event text, channel text, amount numeric)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT g.user_id, g.ts, g.event, g.channel, g.amount_cents * 0.01
  FROM @extschema@.generate_demo_events_raw(users, days, seed) AS g
$$;
COMMENT ON FUNCTION generate_demo_events(bigint, int, bigint) IS
  'Deterministic demo data: users 1..users over days days from 2026-01-01 UTC (same seed, same rows). Events: register, view_list, view_detail, click_invest, click_submit, pay (amount), redeem (amount); channels app_store, search_ads, referral, social, partner differ in traffic and quality. About 20 events per user.';
COMMENT ON FUNCTION generate_demo_events_raw(bigint, int, bigint) IS
  'Internal: generate_demo_events with amounts in integer cents.';
