-- Plain-SQL equivalent of holding_agg: sum/count/min/max FILTER per event, holding and fully_redeemed
SELECT user_id, inv AS invested, red AS redeemed, CASE WHEN red >= inv THEN 0 ELSE inv - red END AS holding,
       invests, redeems, first_invest_at, last_invest_at, last_redeem_at, invests > 0 AND red >= inv AS fully_redeemed
FROM (SELECT user_id,
             coalesce(sum(amount) FILTER (WHERE event = 'pay'), 0) AS inv,
             coalesce(sum(amount) FILTER (WHERE event = 'redeem'), 0) AS red,
             count(*) FILTER (WHERE event = 'pay') AS invests, count(*) FILTER (WHERE event = 'redeem') AS redeems,
             min(ts) FILTER (WHERE event = 'pay') AS first_invest_at, max(ts) FILTER (WHERE event = 'pay') AS last_invest_at,
             max(ts) FILTER (WHERE event = 'redeem') AS last_redeem_at
      FROM events WHERE ts <= '2026-06-30 00:00+00' GROUP BY user_id) s;
