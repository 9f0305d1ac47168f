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
