-- The demo: generated investment-app events and a segmentation report.
\pset footer off
\set ON_ERROR_STOP 1
CREATE EXTENSION pg_operations;
CREATE TABLE events AS SELECT * FROM generate_demo_events(:users, 180, 42);
CREATE INDEX ON events (user_id, ts);
ANALYZE events;

\echo
\echo '== Data: events per type'
SELECT event, count(*) AS events, count(DISTINCT user_id) AS users
FROM events GROUP BY event ORDER BY events DESC;

\echo
\echo '== Channels: users, payers and conversion rate with its 95% Wilson interval'
WITH c AS (
    SELECT channel, count(DISTINCT user_id) AS users,
           count(DISTINCT user_id) FILTER (WHERE event = 'pay') AS payers
    FROM events GROUP BY channel
)
SELECT channel, users, payers, round(w.rate::numeric, 3) AS rate,
       round(w.ci_low::numeric, 3) AS ci_low, round(w.ci_high::numeric, 3) AS ci_high
FROM c, LATERAL wilson_interval(payers, users) AS w
ORDER BY users DESC;

\echo
\echo '== Invested amount per paying user: tier breaks at the 40th and 80th percentile'
WITH u AS (SELECT user_id, sum(amount) AS invested FROM events WHERE event = 'pay' GROUP BY user_id)
SELECT quantile_breaks(invested::float8, ARRAY[0.4, 0.8]) AS breaks,
       count(*) AS paying_users
FROM u;

\echo
\echo '== Investment funnel (7-day window), one call over the raw events'
SELECT step, name, users, round(rate_from_previous::numeric, 3) AS from_prev,
       round(rate_from_first::numeric, 3) AS from_first,
       round(ci_low::numeric, 3) AS ci_low, round(ci_high::numeric, 3) AS ci_high,
       round(median_seconds_from_previous::numeric) AS median_s
FROM unnest((SELECT funnel_step_rates(user_id, ts, event,
        ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], interval '7 days')
      FROM events));

\echo
\echo '== Monthly retention: registrations coming back to view a product (rate per month after)'
SELECT cohort_start AS cohort, max(cohort_size) AS users,
       round(max(rate) FILTER (WHERE period = 1)::numeric, 3) AS month_1,
       round(max(rate) FILTER (WHERE period = 2)::numeric, 3) AS month_2,
       round(max(rate) FILTER (WHERE period = 3)::numeric, 3) AS month_3
FROM (SELECT retention_matrix(user_id, ts, event, ARRAY['register'], ARRAY['view_detail'],
             retention_definition('2026-06-30 00:00+00', period => 'month', periods => 3)) AS m
      FROM events) s, unnest(s.m) c
WHERE complete OR period = 0
GROUP BY 1 ORDER BY 1;

\echo
\echo '== Channel report: traffic, payers, quadrant (cuts = averages over channels)'
WITH c AS (
    SELECT channel, count(DISTINCT user_id) AS traffic,
           count(DISTINCT user_id) FILTER (WHERE event = 'pay') AS conversions
    FROM events GROUP BY channel
), q AS (
    SELECT channel, traffic, conversions,
           channel_quadrant(traffic, conversions, avg(traffic) OVER (),
                            sum(conversions) OVER () / sum(traffic) OVER ()) AS cq
    FROM c
)
SELECT channel, traffic, conversions, (cq).label, round((cq).rate::numeric, 3) AS rate,
       round((cq).ci_low::numeric, 3) AS ci_low, round((cq).ci_high::numeric, 3) AS ci_high,
       (cq).significant, (cq).strategy
FROM q ORDER BY (cq).quadrant NULLS LAST, traffic DESC;

-- Per-user segmentation as of the end of the data, kept in a materialized view that is
-- refreshed with an explicit as_of (the same refresh twice gives the same rows).
CREATE TABLE report_settings (as_of timestamptz NOT NULL);
INSERT INTO report_settings VALUES ('2026-06-30 00:00:00+00');
CREATE MATERIALIZED VIEW user_segments AS
WITH s AS (SELECT as_of FROM report_settings),
per_user AS (
    SELECT e.user_id,
           intent_score(e.event, e.ts, intent_weights('invest'), s.as_of) AS intent,
           rfm_agg(e.ts, e.amount, s.as_of) FILTER (WHERE e.event = 'pay') AS rfm,
           lifecycle_stage(e.ts, e.event = 'pay', s.as_of) AS stage,
           max(e.ts) FILTER (WHERE e.ts <= s.as_of) AS last_active_at,
           holding_agg(e.ts, e.event, e.amount, s.as_of, 'pay', 'redeem') AS holding,
           s.as_of
    FROM events e CROSS JOIN s
    GROUP BY e.user_id, s.as_of
), breaks AS (
    SELECT intent_breaks(intent) AS intent_breaks,
           rfm_breaks((rfm).recency_days, (rfm).frequency, (rfm).monetary::float8) AS rfm_breaks
    FROM per_user
)
SELECT p.user_id, p.intent, intent_share_tier(p.intent, b.intent_breaks) AS intent_tier,
       c.r, c.f, c.m, c.cell, c.segment, p.stage, lifecycle_code(p.stage) AS stage_code,
       -- the six-month demo grades inactivity on a shorter ladder than the default
       CASE WHEN (p.rfm).frequency > 0 THEN lifecycle_grade(p.last_active_at, p.as_of, '{3,7,30,60,120}') END AS grade,
       (p.rfm).monetary::float8 AS invested, (p.holding).fully_redeemed
FROM per_user p CROSS JOIN breaks b
CROSS JOIN LATERAL rfm_cell((p.rfm).recency_days, (p.rfm).frequency, (p.rfm).monetary::float8, b.rfm_breaks) AS c;
CREATE UNIQUE INDEX ON user_segments (user_id);
REFRESH MATERIALIZED VIEW CONCURRENTLY user_segments;

-- The channel report as a materialized view too (what a BI dashboard reads).
CREATE MATERIALIZED VIEW channel_report AS
WITH s AS (SELECT as_of FROM report_settings),
per_channel AS (
    SELECT e.channel, count(DISTINCT e.user_id) AS traffic,
           count(DISTINCT e.user_id) FILTER (WHERE e.event = 'pay') AS conversions,
           funnel_step_rates(e.user_id, e.ts, e.event,
               ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'],
               interval '7 days') AS steps
    FROM events e CROSS JOIN s WHERE e.ts <= s.as_of
    GROUP BY e.channel
)
SELECT channel, traffic, conversions, steps,
       channel_quadrant(traffic, conversions, avg(traffic) OVER (),
                        sum(conversions) OVER () / sum(traffic) OVER ()) AS quadrant
FROM per_channel;
CREATE UNIQUE INDEX ON channel_report (channel);
REFRESH MATERIALIZED VIEW CONCURRENTLY channel_report;

\echo
\echo '== Purchase intent tiers among users with intent (strong: at most the top 20%, ties kept together)'
SELECT intent_tier, count(*) AS users, round(min(intent)::numeric, 1) AS min_score,
       round(max(intent)::numeric, 1) AS max_score
FROM user_segments GROUP BY intent_tier ORDER BY min(intent) DESC;

\echo
\echo '== RFM segments of paying users'
SELECT segment, count(*) AS users, string_agg(DISTINCT cell, ' ' ORDER BY cell) FILTER (WHERE cell IS NOT NULL) AS example_cells
FROM user_segments WHERE segment IS NOT NULL GROUP BY segment ORDER BY users DESC;

\echo
\echo '== Lifecycle stages'
SELECT stage, stage_code, count(*) AS users FROM user_segments GROUP BY stage, stage_code ORDER BY users DESC;

\echo
\echo '== Old-user matrix: inactivity grade A-F x value score 1-5 (30 cells, paying users)'
SELECT c.grade, g.label_en AS inactive,
       max(c.users) FILTER (WHERE c.score = 5) AS "5", max(c.users) FILTER (WHERE c.score = 4) AS "4",
       max(c.users) FILTER (WHERE c.score = 3) AS "3", max(c.users) FILTER (WHERE c.score = 2) AS "2",
       max(c.users) FILTER (WHERE c.score = 1) AS "1", round(sum(c.value_sum)) AS invested
FROM (SELECT old_user_matrix(grade, m, invested) AS cells FROM user_segments) s, unnest(s.cells) c
JOIN lifecycle_grades('{3,7,30,60,120}') g USING (grade)
GROUP BY c.grade, g.label_en ORDER BY c.grade;

\echo
\echo '== Seed segment: old customers whose funds are all redeemed, with strong intent'
SELECT count(*) AS users, round(avg(intent)::numeric, 1) AS avg_intent
FROM user_segments WHERE fully_redeemed AND intent_tier = 'strong';

\echo
\echo '== Scheduled refresh: pg_cron refreshes the materialized views every night'
CREATE EXTENSION IF NOT EXISTS pg_cron;
SELECT cron.schedule('refresh-user-segments', '0 2 * * *',
       $$REFRESH MATERIALIZED VIEW CONCURRENTLY user_segments$$) AS job_id \gset
SELECT cron.schedule('refresh-channel-report', '5 2 * * *',
       $$REFRESH MATERIALIZED VIEW CONCURRENTLY channel_report$$) AS job_id \gset
SELECT jobname, schedule, command FROM cron.job ORDER BY jobid;
