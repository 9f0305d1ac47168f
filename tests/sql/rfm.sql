-- RFM: rfm_agg, rfm_breaks, rfm_cell, rfm_segment.
CREATE EXTENSION pg_operations;
SET TimeZone = 'UTC';

-- rfm_agg hand-worked: as_of 2026-03-10 12:00.
CREATE TABLE tx (user_id int, ts timestamptz, amount numeric);
INSERT INTO tx VALUES
  (1, '2026-03-01 00:00', 10.50), (1, '2026-03-05 06:00', NULL),   -- NULL amount: counted, not summed
  (1, '2026-03-20 00:00', 99),                                      -- after as_of: ignored
  (1, NULL, 7),                                                     -- NULL ts: skipped
  (2, '2026-03-10 12:00', 0.001), (2, '2026-03-10 11:59', 1e-20),   -- exactly as_of: recency 0
  (3, '2026-04-01 00:00', 5),                                       -- only future rows
  (4, '2026-01-01 00:00', NULL);                                    -- only NULL amounts
SELECT user_id, (r).* FROM (SELECT user_id, rfm_agg(ts, amount, '2026-03-10 12:00') r FROM tx GROUP BY user_id) s
ORDER BY user_id;
-- Recency is whole days (floor): 4 days 23:59 → 4.
SELECT (rfm_agg(ts, 1, '2026-03-06 05:59')).recency_days FROM (VALUES ('2026-03-01 06:00'::timestamptz)) v(ts);
SELECT rfm_agg(ts, 1, '2026-03-06') IS NULL AS empty_is_null FROM tx WHERE false;

-- Oracle on demo data: plain max/count/sum over pay events.
CREATE TABLE demo AS SELECT * FROM generate_demo_events(3000, 120, 7);
ANALYZE demo;
CREATE TABLE vals AS
SELECT user_id, (rfm_agg(ts, amount, '2026-04-15')).* FROM demo WHERE event = 'pay' GROUP BY user_id;
SELECT count(*) AS users,
       count(*) FILTER (WHERE v.recency_days = o.recency_days AND v.frequency = o.frequency
                        AND v.monetary = o.monetary AND v.first_at = o.first_at AND v.last_at = o.last_at) AS equal,
       sum(v.frequency) AS txns, sum(v.monetary) AS revenue
FROM vals v JOIN (SELECT user_id, floor(extract(epoch FROM timestamptz '2026-04-15' - max(ts)) / 86400)::float8 AS recency_days,
                         count(ts) AS frequency, sum(amount) AS monetary, min(ts) AS first_at, max(ts) AS last_at
                  FROM demo WHERE event = 'pay' AND ts <= '2026-04-15' GROUP BY user_id) o USING (user_id);
SELECT count(*) AS users_without_counted_pay FROM vals WHERE frequency = 0;

-- rfm_breaks = percentile_cont(k / bins) per metric (5 and 4 bins).
CREATE TABLE pop AS SELECT user_id, recency_days AS r, frequency::float8 AS f, monetary::float8 AS m FROM vals WHERE frequency > 0;
SELECT (b).bins, (b).recency = o.r AS recency_ok, (b).frequency = o.f AS frequency_ok, (b).monetary = o.m AS monetary_ok,
       (b).recency, (b).frequency
FROM (SELECT rfm_breaks(r, f, m) b, percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY r) r,
             percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY f) f,
             percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY m) m FROM pop) o;
SELECT (b).bins, (b).recency = o.r AS recency_ok, (b).frequency = o.f AS frequency_ok, (b).monetary = o.m AS monetary_ok
FROM (SELECT rfm_breaks(r, f, m, 4) b, percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY r) r,
             percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY f) f,
             percentile_cont(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY m) m FROM pop) o;
-- Hand-worked: 1..10 with 5 bins → {2.8, 4.6, 6.4, 8.2}; NULLs skipped per metric; a metric with no value → {}.
SELECT rfm_breaks(x, CASE WHEN x % 2 = 0 THEN x END, NULL) AS breaks,
       percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY x) AS oracle
FROM generate_series(1, 10) x;
SELECT rfm_breaks(NULL::float8, NULL, NULL) IS NULL AS all_null_is_null;

-- rfm_cell: tie-aware scores vs a plain-SQL oracle (1 + number of breaks exceeded).
CREATE TABLE brk AS SELECT rfm_breaks(r, f, m) AS b FROM pop;
CREATE TABLE cells AS SELECT p.user_id, p.r AS rv, p.f AS fv, p.m AS mv, (rfm_cell(p.r, p.f, p.m, b)).* FROM pop p, brk;
SELECT count(*) AS users,
       count(*) FILTER (WHERE c.r = 1 + (SELECT count(*) FROM unnest((brk.b).recency) x WHERE c.rv < x)
                          AND c.f = 1 + (SELECT count(*) FROM unnest((brk.b).frequency) x WHERE c.fv > x)
                          AND c.m = 1 + (SELECT count(*) FROM unnest((brk.b).monetary) x WHERE c.mv > x)
                          AND c.cell = format('R%sF%sM%s', c.r, c.f, c.m)
                          AND c.segment = rfm_segment(c.r, c.f, c.m)) AS agree_with_oracle
FROM cells c, brk;
-- Ties: users with equal values always share a score.
SELECT (SELECT count(*) FROM (SELECT rv FROM cells GROUP BY rv HAVING count(DISTINCT r) > 1) a) AS split_r,
       (SELECT count(*) FROM (SELECT fv FROM cells GROUP BY fv HAVING count(DISTINCT f) > 1) a) AS split_f,
       (SELECT count(*) FROM (SELECT mv FROM cells GROUP BY mv HAVING count(DISTINCT m) > 1) a) AS split_m;
-- Frequency is heavily tied (breaks {1,1,2,3}): no score 2, each value in exactly one score.
SELECT f AS score, count(*) AS users, min(fv), max(fv) FROM cells GROUP BY f ORDER BY f;
SELECT r AS score, count(*) AS users, min(rv), max(rv) FROM cells GROUP BY r ORDER BY r;
-- Segment counts per cell (top 10) and per segment.
SELECT cell, segment, count(*) AS users FROM cells GROUP BY cell, segment ORDER BY users DESC, cell LIMIT 10;
SELECT segment, count(*) AS users FROM cells GROUP BY segment ORDER BY users DESC, segment;
-- NULL metric → NULL score and NULL cell/segment; NULL breaks → NULL; 4 bins → no classic segment.
SELECT (rfm_cell(NULL, 3, 100, b)).* FROM brk;
SELECT rfm_cell(1, 1, 1, NULL) IS NULL AS null_breaks;
SELECT (rfm_cell(r, f, m, rfm_breaks(r, f, m, 4) OVER ())).* FROM (VALUES (1.0::float8, 5.0::float8, 50.0::float8), (2, 4, 40), (3, 3, 30), (4, 2, 20), (5, 1, 10)) v(r, f, m) ORDER BY 1 DESC;
-- Breaks that change between rows of one query (per-call-site cache must follow them).
SELECT k, (rfm_cell(3, 3, 3, CASE WHEN k = 1 THEN ROW(5, ARRAY[1, 2, 4, 5], ARRAY[1, 2, 4, 5], ARRAY[1, 2, 4, 5])::_pg_operations_internal.rfm_breaks
                                   ELSE ROW(3, ARRAY[2, 4], ARRAY[2, 4], ARRAY[2, 4])::_pg_operations_internal.rfm_breaks END)).*
FROM generate_series(1, 4) k ORDER BY k;
-- Hand-written breaks.
SELECT (rfm_cell(10, 3, 250, ROW(5, ARRAY[5, 10, 20, 40], ARRAY[1, 2, 3, 5], ARRAY[100, 200, 300, 400])::_pg_operations_internal.rfm_breaks)).*;

-- CDNOW-style fixture: (customer, date, quantity, amount), scored with 5 bins and checked against
-- an independent plain-SQL oracle (percentile_cont breaks, counting, the classic grid as a CASE).
CREATE TABLE cdnow (customer_id int, order_date date, quantity int, amount numeric(10,2));
INSERT INTO cdnow VALUES
 (1,'1997-01-01',1,11.77),(2,'1997-01-12',1,12.00),(2,'1997-01-12',5,77.00),(3,'1997-01-02',2,20.76),
 (3,'1997-03-30',2,20.76),(3,'1997-04-02',2,19.54),(3,'1997-11-15',5,57.45),(3,'1997-11-25',4,20.96),
 (3,'1998-05-28',1,16.99),(4,'1997-01-01',2,29.33),(4,'1997-01-18',2,29.73),(4,'1997-08-02',1,14.96),
 (4,'1997-12-12',2,26.48),(5,'1997-01-01',2,29.33),(5,'1997-01-14',1,13.97),(5,'1997-02-04',3,38.90),
 (5,'1997-04-11',3,45.55),(5,'1997-05-31',3,38.71),(5,'1997-06-16',2,26.14),(5,'1997-07-22',2,28.14),
 (5,'1997-09-15',3,40.47),(5,'1997-12-08',4,46.46),(5,'1997-12-12',3,40.47),(5,'1998-01-03',3,37.47),
 (6,'1997-01-01',1,20.99),(7,'1997-01-01',2,28.74),(7,'1997-10-11',7,97.43),(7,'1998-03-22',9,138.50),
 (8,'1997-01-01',1,9.77),(8,'1997-02-13',1,13.97),(8,'1997-03-07',1,13.98),(8,'1997-03-13',1,13.97),
 (8,'1997-05-02',3,36.37),(8,'1997-06-05',3,46.76),(8,'1997-06-16',1,13.97),(8,'1997-12-28',3,37.07),
 (8,'1998-01-12',1,14.97),(9,'1997-01-01',2,30.33),(9,'1997-03-14',1,11.77),(9,'1998-04-21',2,26.90),
 (10,'1997-01-21',3,39.31),(11,'1997-01-01',4,58.55),(11,'1997-02-11',2,26.76),(11,'1997-03-09',1,11.77),
 (11,'1997-06-09',1,14.97),(11,'1998-03-18',2,27.13),(11,'1998-06-27',2,29.17),(12,'1997-01-01',1,15.99),
 (13,'1997-01-01',1,16.99),(13,'1997-05-26',3,52.30),(14,'1997-01-01',1,14.96),(15,'1997-01-01',3,33.98),
 (15,'1997-06-08',1,14.99),(15,'1998-01-20',2,27.53),(16,'1997-01-01',3,41.97),(16,'1997-03-31',2,19.58),
 (17,'1997-01-01',1,13.97),(17,'1997-10-08',1,16.99),(18,'1997-01-04',1,14.96),(18,'1997-02-25',2,26.48),
 (19,'1997-01-01',1,14.96),(19,'1998-06-01',2,41.96),(20,'1997-01-01',3,47.97),(20,'1997-01-12',7,82.12),
 (21,'1997-01-01',1,13.97),(21,'1997-01-18',3,48.96),(22,'1997-01-01',1,21.97),(23,'1997-01-01',2,24.74),
 (23,'1997-04-22',3,42.48),(23,'1998-02-08',1,14.49),(24,'1997-01-01',4,56.45),(24,'1997-11-21',2,35.98),
 (25,'1997-01-01',2,27.35),(25,'1997-02-01',1,14.99),(25,'1997-04-10',2,27.09),(25,'1997-05-14',3,41.92),
 (25,'1997-07-09',3,44.95),(25,'1997-09-26',2,27.96),(25,'1998-02-10',3,39.87),(25,'1998-06-10',2,29.98),
 (26,'1997-01-01',1,11.77),(27,'1997-01-01',2,29.18),(27,'1997-03-14',2,25.96),(27,'1998-05-09',1,14.49),
 (28,'1997-01-01',3,44.97),(28,'1997-01-24',1,13.97),(29,'1997-01-01',3,48.27),(29,'1997-10-17',4,55.93),
 (30,'1997-01-01',1,13.97),(30,'1998-03-27',6,83.74);
CREATE TABLE cd_vals AS
SELECT customer_id, (rfm_agg(order_date::timestamptz, amount, '1998-07-01')).* FROM cdnow GROUP BY customer_id;
CREATE TABLE cd_ours AS
SELECT customer_id, recency_days, frequency, monetary, (rfm_cell(recency_days, frequency, monetary::float8, b)).*
FROM cd_vals, (SELECT rfm_breaks(recency_days, frequency, monetary::float8) b FROM cd_vals) s;
-- Oracle: values, breaks and scores in plain SQL, segment from the documented grid.
CREATE TABLE cd_oracle AS
WITH v AS (SELECT customer_id, ('1998-07-01'::date - max(order_date))::float8 AS r, count(*)::float8 AS f, sum(amount)::float8 AS m
           FROM cdnow GROUP BY customer_id),
     b AS (SELECT percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY r) br,
                  percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY f) bf,
                  percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY m) bm FROM v),
     s AS (SELECT customer_id,
                  1 + (SELECT count(*) FROM unnest(br) x WHERE r < x) AS rs,
                  1 + (SELECT count(*) FROM unnest(bf) x WHERE f > x) AS fs,
                  1 + (SELECT count(*) FROM unnest(bm) x WHERE m > x) AS ms
           FROM v, b)
SELECT customer_id, rs, fs, ms, (fs + ms + 1) / 2 AS fm,
       CASE WHEN rs = 5 AND (fs + ms + 1) / 2 >= 4 THEN 'Champions'
            WHEN rs IN (3, 4) AND (fs + ms + 1) / 2 >= 4 THEN 'Loyal'
            WHEN rs >= 4 AND (fs + ms + 1) / 2 IN (2, 3) THEN 'Potential Loyalist'
            WHEN rs = 5 THEN 'New'
            WHEN rs = 4 THEN 'Promising'
            WHEN rs = 3 AND (fs + ms + 1) / 2 = 3 THEN 'Need Attention'
            WHEN rs = 3 THEN 'About to Sleep'
            WHEN (fs + ms + 1) / 2 = 5 THEN 'Can''t Lose Them'
            WHEN (fs + ms + 1) / 2 >= 3 THEN 'At Risk'
            WHEN rs = 2 THEN 'Hibernating'
            ELSE 'Lost' END AS segment
FROM s;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE o.rs = c.r AND o.fs = c.f AND o.ms = c.m AND o.segment = c.segment) AS agree
FROM cd_ours c JOIN cd_oracle o USING (customer_id);
SELECT customer_id, recency_days, frequency, monetary, cell, segment FROM cd_ours ORDER BY customer_id;
SELECT segment, count(*) FROM cd_ours GROUP BY segment ORDER BY count(*) DESC, segment;

-- rfm_segment table in both schemes and languages.
SELECT r, f, m, rfm_segment(r, f, m) AS classic, rfm_segment(r, f, m, 'classic', 'zh') AS classic_zh,
       rfm_segment(r, f, m, 'value8') AS value8, rfm_segment(r, f, m, 'value8', 'zh') AS value8_zh
FROM (VALUES (5,5,5),(5,1,1),(4,1,1),(4,3,2),(3,5,4),(3,3,3),(3,1,2),(2,4,3),(1,5,5),(2,1,2),(1,1,1),(4,4,3),(1,4,5)) v(r, f, m)
ORDER BY r DESC, f DESC, m DESC;
-- Every (r, f, m) in 1..5 gets exactly one segment (125 in all); value8 high/low = 2/3 scores per dimension.
SELECT rfm_segment(r, f, m) AS segment, count(*) FROM generate_series(1, 5) r, generate_series(1, 5) f, generate_series(1, 5) m
GROUP BY 1 ORDER BY 1;
SELECT rfm_segment(r, f, m, 'value8') AS segment, count(*) FROM generate_series(1, 5) r, generate_series(1, 5) f, generate_series(1, 5) m
GROUP BY 1 ORDER BY 1;

-- Forced parallel plan equals serial.
CREATE TABLE big AS SELECT d.user_id + 3000 * g AS user_id, (d.user_id + 3000 * g) % 5 AS k, d.ts - g * interval '1 day' AS ts, d.amount
FROM demo d, generate_series(0, 3) g WHERE d.event = 'pay';
ANALYZE big;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT rfm_agg(ts, amount, '2026-04-15') FROM big;
EXPLAIN (COSTS OFF) SELECT rfm_agg(ts, amount, '2026-04-15') AS a, k FROM big GROUP BY k;
CREATE TEMP TABLE par AS
SELECT rfm_agg(ts, amount, '2026-04-15') AS a, k FROM big GROUP BY k;
CREATE TEMP TABLE par_b AS
SELECT rfm_breaks(extract(epoch FROM ts)::float8, user_id::float8, amount::float8) AS b,
       rfm_breaks(extract(epoch FROM ts)::float8, user_id::float8, amount::float8, 7) AS b7 FROM big;
EXPLAIN (COSTS OFF) SELECT rfm_breaks(extract(epoch FROM ts)::float8, user_id::float8, amount::float8) FROM big;
RESET ALL;
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.a::text = s.a::text) AS equal
FROM par p JOIN (SELECT rfm_agg(ts, amount, '2026-04-15') AS a, k FROM big GROUP BY k) s USING (k);
SELECT (SELECT b FROM par_b)::text = rfm_breaks(extract(epoch FROM ts)::float8, user_id::float8, amount::float8)::text AS breaks_equal,
       (SELECT b7 FROM par_b)::text = rfm_breaks(extract(epoch FROM ts)::float8, user_id::float8, amount::float8, 7)::text AS breaks7_equal
FROM big;
RESET ALL;
SET TimeZone = 'UTC';

-- Errors.
SELECT rfm_breaks(x, x, x, 1) FROM generate_series(1, 3) x;
SELECT rfm_breaks(x, x, x, 1000) FROM generate_series(1, 3) x;
SELECT rfm_breaks(x, x, x, NULL) FROM generate_series(1, 3) x;
SELECT rfm_agg(now(), 1, 'infinity');
SELECT rfm_agg(now(), 1, NULL);
SELECT rfm_segment(1, 2, 3, 'fancy');
SELECT rfm_segment(1, 2, 3, 'classic', 'fr');
SELECT rfm_segment(0, 2, 3);
SELECT rfm_segment(1, 6, 3, 'value8');
SELECT rfm_cell(1, 1, 1, ROW(5, ARRAY[1, 2], ARRAY[1, 2, 3, 4], ARRAY[1, 2, 3, 4])::_pg_operations_internal.rfm_breaks);
SELECT rfm_cell(1, 1, 1, ROW(5, ARRAY[4, 3, 2, 1], ARRAY[1, 2, 3, 4], ARRAY[1, 2, 3, 4])::_pg_operations_internal.rfm_breaks);
SELECT rfm_cell(1, 1, 1, ROW(5, ARRAY[1, NULL, 3, 4], ARRAY[1, 2, 3, 4], ARRAY[1, 2, 3, 4])::_pg_operations_internal.rfm_breaks);
SELECT rfm_cell(1, 1, 1, ROW(NULL, ARRAY[1, 2, 3, 4], ARRAY[1, 2, 3, 4], ARRAY[1, 2, 3, 4])::_pg_operations_internal.rfm_breaks);
SELECT rfm_cell(1, 1, 1, ROW(1, '{}', '{}', '{}')::_pg_operations_internal.rfm_breaks);
SELECT rfm_segment(NULL, 1, 1) IS NULL AS strict_null;
SELECT 1 AS still_alive;

-- ==== rfm_means, value8 by the mean, rfm_segment with bins, rfm_agg count_by (issue #20)
CREATE TABLE d AS SELECT * FROM generate_demo_events(2000, 90, 5);
CREATE TABLE r AS
SELECT user_id, (v).recency_days, (v).frequency::float8 AS frequency, (v).monetary::float8 AS monetary
FROM (SELECT user_id, rfm_agg(ts, amount, '2026-03-31') FILTER (WHERE event = 'pay') AS v FROM d GROUP BY 1) s
WHERE (v).frequency > 0;
-- the means equal avg(); cells and value8 classes equal a hand-written CASE on the means
WITH m AS (SELECT rfm_means(recency_days, frequency, monetary) AS b FROM r),
a AS (SELECT avg(recency_days) ar, avg(frequency) af, avg(monetary) am FROM r)
SELECT abs((b).recency[1] - ar) < 1e-9 AS recency_mean_ok, abs((b).frequency[1] - af) < 1e-9 AS frequency_mean_ok,
       abs((b).monetary[1] - am) < 1e-6 AS monetary_mean_ok, (b).bins,
       (SELECT count(*) FROM r, rfm_cell(recency_days, frequency, monetary, m.b) c
         WHERE c.r <> CASE WHEN recency_days < (m.b).recency[1] THEN 2 ELSE 1 END
            OR c.f <> CASE WHEN frequency > (m.b).frequency[1] THEN 2 ELSE 1 END
            OR c.m <> CASE WHEN monetary > (m.b).monetary[1] THEN 2 ELSE 1 END
            OR c.segment <> rfm_segment(c.r, c.f, c.m, 2)) AS cells_differ,
       (SELECT count(DISTINCT c.segment) FROM r, rfm_cell(recency_days, frequency, monetary, m.b) c) AS segments_seen
FROM m, a;
SELECT rfm_means(x, y, z) IS NULL AS all_null_is_null FROM (VALUES (NULL::float8, NULL::float8, NULL::float8)) v(x, y, z);
SELECT (rfm_means(x, y, z)).* FROM (VALUES (1.0::float8, NULL::float8, 2.0::float8), (2.0, NULL, 4.0)) v(x, y, z);
SELECT r, f, m, rfm_segment(r, f, m, 2) AS b2, rfm_segment(r, f, m, 2, 'value8', 'zh') AS b2_zh,
       rfm_segment(r, f, m, 4) AS b4, rfm_segment(r + 3, f + 3, m + 3, 5) = rfm_segment(r + 3, f + 3, m + 3, 'value8') AS b5_same
FROM (VALUES (2, 2, 2), (1, 2, 1), (2, 1, 1), (1, 1, 2)) v(r, f, m);
-- count_by 'days' == count(DISTINCT local date) in SQL, in UTC and in a zone with DST
SELECT tz, count(*) AS users,
       count(*) FILTER (WHERE (v).frequency <> o.days) AS differ,
       count(*) FILTER (WHERE (v).frequency < o.rows) AS fewer_days_than_rows
FROM unnest(ARRAY['UTC', 'America/New_York']) tz,
     LATERAL (SELECT user_id, rfm_agg(ts, amount, '2026-03-31', 'days', tz) AS v FROM d WHERE event <> 'register' GROUP BY 1) ours
     JOIN LATERAL (SELECT user_id, count(DISTINCT (ts AT TIME ZONE tz)::date) AS days, count(*) AS rows
                   FROM d WHERE event <> 'register' AND ts <= '2026-03-31' GROUP BY 1) o USING (user_id)
GROUP BY tz ORDER BY tz;
SELECT (rfm_agg(ts, amount, '2026-03-31', 'rows')) = (rfm_agg(ts, amount, '2026-03-31')) AS rows_is_default FROM d WHERE user_id = 7;
SELECT (rfm_agg(ts, amount, '2026-03-31', 'days')).frequency AS utc_days FROM (VALUES (timestamptz '2026-03-01 23:00+00', 1.0), ('2026-03-02 01:00+00', 1.0)) v(ts, amount);
SELECT rfm_agg(ts, amount, '2026-03-31', 'Days') IS NOT NULL AS case_insensitive FROM (VALUES (timestamptz '2026-03-01', 1.0)) v(ts, amount);
SELECT rfm_agg(ts, amount, '2026-03-31', 'weekly') FROM (VALUES (timestamptz '2026-03-01', 1.0)) v(ts, amount);
SELECT rfm_agg(ts, amount, '2026-03-31', by) FROM (VALUES (timestamptz '2026-03-01', 1.0, 'days'), ('2026-03-02', 1.0, 'rows')) v(ts, amount, by);
SELECT rfm_segment(3, 1, 1, 2);
SELECT rfm_segment(1, 1, 1, 3, 'classic');
