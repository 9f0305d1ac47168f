-- Two-step use for incremental refreshes (docs/recipes.md, "Incremental refresh"): daily
-- partials rolled up equal the one-shot answer where the roll-up is valid (RFM values;
-- intent score without decay and with integer weights), and funnel levels are refreshed by
-- re-running window_funnel for the users with new events (levels cannot be summed).
SET TimeZone = 'UTC';
CREATE EXTENSION pg_operations;
CREATE TABLE ev AS SELECT * FROM generate_demo_events(2000, 60, 11);
SELECT count(*) AS events, count(DISTINCT user_id) AS users, min(ts)::date, max(ts)::date FROM ev;

-- The daily job for day d aggregates the events in (d, d + 1 day] (the same boundaries as
-- as_of: ts <= as_of counts), one row per user with events that day. Here all days at once.
CREATE TABLE daily_user (
    day date, user_id bigint,
    first_pay timestamptz, last_pay timestamptz, pays bigint, paid numeric,  -- RFM partial
    intent float8,                                                           -- intent partial
    PRIMARY KEY (day, user_id)
);
INSERT INTO daily_user
SELECT day::date, user_id, (r).first_at, (r).last_at, (r).frequency, (r).monetary, intent
FROM (
    SELECT d.day, e.user_id,
           rfm_agg(e.ts, e.amount, d.day + interval '1 day') FILTER (WHERE e.event = 'pay') AS r,
           intent_score(e.event, e.ts, intent_weights(), d.day + interval '1 day', interval '1 day') AS intent
    FROM generate_series(timestamptz '2025-12-31', '2026-03-02', '1 day') AS d(day)
    JOIN ev e ON e.ts > d.day AND e.ts <= d.day + interval '1 day'
    GROUP BY d.day, e.user_id
) AS s;
-- every event falls in exactly one day
SELECT sum(pays) = (SELECT count(*) FROM ev WHERE event = 'pay') AS all_pays_counted FROM daily_user;

-- RFM roll-up as of a day boundary D: min / max / sum of the partials of the days before D,
-- recency recomputed from the rolled-up last_pay. Equals rfm_agg over the raw events.
CREATE TABLE rfm_rollup AS
SELECT user_id,
       floor(extract(epoch FROM timestamptz '2026-02-15' - max(last_pay)) / 86400)::float8 AS recency_days,
       sum(pays)::bigint AS frequency, sum(paid) AS monetary, min(first_pay) AS first_at, max(last_pay) AS last_at
FROM daily_user WHERE day < '2026-02-15'
GROUP BY user_id HAVING sum(pays) > 0;
CREATE TABLE rfm_oneshot AS
SELECT user_id, (v).*
FROM (SELECT user_id, rfm_agg(ts, amount, '2026-02-15') AS v FROM ev WHERE event = 'pay' GROUP BY user_id) s
WHERE (v).frequency > 0;
SELECT (SELECT count(*) FROM rfm_oneshot) AS users,
       (SELECT count(*) FROM (TABLE rfm_rollup EXCEPT ALL TABLE rfm_oneshot) x) AS only_rollup,
       (SELECT count(*) FROM (TABLE rfm_oneshot EXCEPT ALL TABLE rfm_rollup) x) AS only_oneshot;

-- Intent roll-up (no decay, integer weights): the 14-day score as of D is the sum of the 14
-- daily partials for (D - 14 days, D]. Every user of ev is compared (missing = 0).
CREATE TABLE intent_rollup AS
SELECT user_id, sum(intent) AS score FROM daily_user
WHERE day >= date '2026-02-15' - 14 AND day < '2026-02-15' GROUP BY user_id;
CREATE TABLE intent_oneshot AS
SELECT user_id, intent_score(event, ts, intent_weights(), '2026-02-15') AS score FROM ev GROUP BY user_id;
SELECT count(*) AS users, count(*) FILTER (WHERE o.score > 0) AS scored,
       count(*) FILTER (WHERE o.score IS DISTINCT FROM coalesce(r.score, 0)) AS mismatches
FROM intent_oneshot o LEFT JOIN intent_rollup r USING (user_id);
SELECT count(*) AS rollup_users_missing_in_oneshot
FROM intent_rollup r LEFT JOIN intent_oneshot o USING (user_id) WHERE o.user_id IS NULL;

-- Variant: daily per-event counts times the weights (weights can change without
-- recomputing the partials).
CREATE TABLE daily_event_counts AS
SELECT d.day::date AS day, e.user_id, e.event, count(*) AS n
FROM generate_series(timestamptz '2025-12-31', '2026-03-02', '1 day') AS d(day)
JOIN ev e ON e.ts > d.day AND e.ts <= d.day + interval '1 day'
GROUP BY 1, 2, 3;
SELECT count(*) FILTER (WHERE o.score IS DISTINCT FROM coalesce(c.score, 0)) AS mismatches
FROM intent_oneshot o
LEFT JOIN (SELECT user_id, sum(n * coalesce((intent_weights() ->> event)::float8, 0)) AS score
           FROM daily_event_counts
           WHERE day >= date '2026-02-15' - 14 AND day < '2026-02-15' GROUP BY user_id) c USING (user_id);

-- Funnel levels are not additive: the deepest step of a chain that crosses midnight is not
-- the max of the daily levels.
CREATE TABLE levels_oneshot AS
SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], '3 days') AS level
FROM ev GROUP BY user_id;
SELECT count(*) FILTER (WHERE d.level <> o.level) AS max_of_daily_levels_wrong_for_users
FROM levels_oneshot o JOIN (
    SELECT user_id, max(level) AS level FROM (
        SELECT date_trunc('day', ts) AS day, user_id,
               window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], '3 days') AS level
        FROM ev GROUP BY 1, 2) x GROUP BY user_id) d USING (user_id);
-- Instead: keep a user_levels table; after loading new events, re-run window_funnel over the
-- full history of just the users with new events and upsert them.
CREATE TABLE user_levels (user_id bigint PRIMARY KEY, level int);
INSERT INTO user_levels
SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], '3 days')
FROM ev WHERE ts <= '2026-02-15' GROUP BY user_id;
INSERT INTO user_levels
SELECT user_id, window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail', event = 'click_invest', event = 'click_submit', event = 'pay'], '3 days')
FROM ev WHERE user_id IN (SELECT user_id FROM ev WHERE ts > '2026-02-15')
GROUP BY user_id
ON CONFLICT (user_id) DO UPDATE SET level = excluded.level;
SELECT (SELECT count(*) FROM ev WHERE ts > '2026-02-15') AS new_events,
       (SELECT count(DISTINCT user_id) FROM ev WHERE ts > '2026-02-15') AS users_recomputed,
       (SELECT count(*) FROM (TABLE user_levels EXCEPT TABLE levels_oneshot) x)
     + (SELECT count(*) FROM (TABLE levels_oneshot EXCEPT TABLE user_levels) x) AS mismatches;
-- the population funnel from the maintained levels counts the same users as the one-shot form
SELECT (SELECT array_agg(s.users ORDER BY s.step)
        FROM (SELECT funnel_step_rates(level, ARRAY['list', 'detail', 'invest', 'submit', 'pay']) AS r FROM user_levels) t, unnest(r) s)
     = (SELECT array_agg(s.users ORDER BY s.step)
        FROM (SELECT funnel_step_rates(user_id, ts, event, ARRAY['view_list', 'view_detail', 'click_invest', 'click_submit', 'pay'], '3 days') AS r FROM ev) t, unnest(r) s)
       AS same_users_per_step;
