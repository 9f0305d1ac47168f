//! In-database tests (`cargo pgrx test`), one section per capability.
//!
//! pgrx's `#[pg_test]` expands to FFI code, hence `allow(unsafe_code)` on this module in
//! lib.rs; nothing here is written with `unsafe`.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;

    // ---- funnel ----

    #[pg_test]
    fn window_funnel_hand_worked() {
        let level = Spi::get_one::<i32>(
            "SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b', e = 'c'], interval '10 seconds')
             FROM (VALUES (timestamptz '2026-01-01 00:00:10', 'b'), ('2026-01-01 00:00:00', 'a'),
                          ('2026-01-01 00:00:11', 'c')) v(ts, e)",
        );
        assert_eq!(level, Ok(Some(2)));
        let level = Spi::get_one::<i32>(
            "SELECT window_funnel(ts, ARRAY[e = 'a', e = 'b'], interval '10 seconds', 'strict_increase')
             FROM (VALUES (timestamptz '2026-01-01 00:00:00', 'a'), ('2026-01-01 00:00:05', 'a'),
                          ('2026-01-01 00:00:05', 'b')) v(ts, e)",
        );
        assert_eq!(level, Ok(Some(2)));
    }

    #[pg_test]
    fn funnel_definition_options_hand_worked() {
        // A@0 B@1 B@9 C@10: with at most 2 s from B to C only B@9 leads to C (3, path 0/9/10);
        // an exclusion event X@5 between step 1 and step 3 drops that chain to 2.
        let rows =
            "FROM (VALUES (timestamptz '2026-01-01 00:00:00', 'A'), ('2026-01-01 00:00:01', 'B'),
                                 ('2026-01-01 00:00:09', 'B'), ('2026-01-01 00:00:10', 'C'),
                                 ('2026-01-01 00:00:05', 'X')) v(ts, e)";
        let level = Spi::get_one::<i32>(&format!(
            "SELECT funnel_level(ts, e, funnel_definition(interval '1 minute', steps => '{{A,B,C}}',
                    step_windows => ARRAY[NULL, interval '2 seconds'])) {rows}"
        ));
        assert_eq!(level, Ok(Some(3)));
        let gap = Spi::get_one::<f64>(&format!(
            "SELECT extract(epoch FROM (p).step_times[3] - (p).step_times[2])::float8
             FROM (SELECT funnel_path(ts, e, funnel_definition(interval '1 minute', steps => '{{A,B,C}}',
                          step_windows => ARRAY[NULL, interval '2 seconds'])) p {rows}) s"
        ));
        assert_eq!(gap, Ok(Some(1.0)));
        let level = Spi::get_one::<i32>(&format!(
            "SELECT funnel_level(ts, e, funnel_definition(interval '1 minute', steps => '{{A,B,C}}',
                    exclusions => '[{{\"event\": \"X\", \"from_step\": 1, \"to_step\": 3}}]')) {rows}"
        ));
        assert_eq!(level, Ok(Some(2)));
    }

    #[pg_test(
        error = "funnel_definition: exclusion 1 must satisfy 1 <= from_step < to_step <= 2, got from_step 2 and to_step 2"
    )]
    fn funnel_definition_rejects_an_empty_exclusion() {
        Spi::run(
            "SELECT funnel_definition(interval '1 hour', steps => '{a,b}',
                    exclusions => '[{\"event\": \"x\", \"from_step\": 2}]')",
        )
        .unwrap();
    }

    #[pg_test]
    fn one_shot_equals_two_stage() {
        let same = Spi::get_one::<bool>(
            "WITH e AS (SELECT * FROM generate_demo_events(300, 30, 7)),
                  one AS (SELECT funnel_step_rates(user_id, ts, event,
                                 ARRAY['view_list','view_detail','click_invest'], interval '7 days') r FROM e),
                  lv AS (SELECT window_funnel(ts, ARRAY[event = 'view_list', event = 'view_detail',
                                 event = 'click_invest'], interval '7 days') l FROM e GROUP BY user_id),
                  two AS (SELECT funnel_step_rates(l, ARRAY['view_list','view_detail','click_invest']) r FROM lv)
             SELECT (SELECT array_agg(x.users ORDER BY x.step) FROM one, unnest(one.r) x)
                  = (SELECT array_agg(x.users ORDER BY x.step) FROM two, unnest(two.r) x)",
        );
        assert_eq!(same, Ok(Some(true)));
    }

    #[pg_test(error = "window_funnel: window must be a positive interval, got '00:00:00'")]
    fn window_funnel_rejects_zero_window() {
        Spi::run("SELECT window_funnel(now(), ARRAY[true], interval '0 seconds')").unwrap();
    }

    // ---- intent ----

    #[pg_test]
    fn intent_score_hand_worked() {
        // view_list 1 + pay 8 in the window; the 15-day-old click and the future pay add 0.
        let v = Spi::get_one::<f64>(
            "SELECT intent_score(e, ts::timestamptz, intent_weights(), '2026-03-15 00:00+00')
             FROM (VALUES ('view_list', '2026-03-14 00:00+00'), ('pay', '2026-03-01 00:00:01+00'),
                          ('click_invest', '2026-02-28 00:00+00'), ('pay', '2026-03-16 00:00+00'),
                          ('unknown', '2026-03-14 00:00+00')) AS t(e, ts)",
        );
        assert_eq!(v, Ok(Some(9.0)));
    }

    #[pg_test]
    fn intent_score_half_life() {
        let v = Spi::get_one::<f64>(
            "SELECT intent_score('pay', '2026-03-08 00:00+00', intent_weights(), '2026-03-15 00:00+00',
                                 '14 days', '7 days')",
        );
        assert_eq!(v, Ok(Some(4.0)));
    }

    #[pg_test(error = "intent weight for key \"pay\" must be a number, got a string \"x\"")]
    fn intent_score_rejects_string_weight() {
        Spi::run("SELECT intent_score('pay', now(), '{\"pay\": \"x\"}', now())").unwrap();
    }

    #[pg_test]
    fn intent_tier_both_forms() {
        let v = Spi::get_one::<String>(
            "SELECT intent_tier(5, 8, 2) || ',' || intent_tier(9, ARRAY[2.0, 8.0]::float8[])",
        );
        assert_eq!(v, Ok(Some("medium,strong".to_string())));
    }

    // ---- rfm ----

    #[pg_test]
    fn rfm_agg_hand_worked() {
        let v = Spi::get_one::<String>(
            "SELECT concat_ws(',', (v).recency_days, (v).frequency, (v).monetary,
                              (v).first_at = '2026-03-01 00:00+00', (v).last_at = '2026-03-05 06:00+00')
             FROM (SELECT rfm_agg(ts::timestamptz, amt, '2026-03-10 12:00+00') v
                   FROM (VALUES ('2026-03-01 00:00+00', 10.5), ('2026-03-05 06:00+00', NULL),
                                ('2026-03-20 00:00+00', 99), (NULL, 7)) AS t(ts, amt)) s",
        );
        assert_eq!(v, Ok(Some("5,2,10.5,t,t".to_string())));
    }

    #[pg_test]
    fn rfm_cell_and_segment() {
        let v = Spi::get_one::<String>(
            "SELECT (rfm_cell(2, 10, 500, b)).cell || ' ' || (rfm_cell(2, 10, 500, b)).segment
             FROM (SELECT rfm_breaks(r, f, m) b
                   FROM generate_series(1, 10) g, LATERAL (SELECT g * 3.0 r, g::float8 f, g * 10.0 m) x) s",
        );
        assert_eq!(v, Ok(Some("R5F5M5 Champions".to_string())));
        let z = Spi::get_one::<String>("SELECT rfm_segment(1, 5, 5, 'value8', 'zh')");
        assert_eq!(z, Ok(Some("重要保持客户".to_string())));
    }

    // ---- channel ----

    #[pg_test]
    fn channel_quadrant_star_and_leaky() {
        let label = Spi::get_one::<String>("SELECT (channel_quadrant(200, 30, 100, 0.1)).label");
        assert_eq!(label, Ok(Some("star".to_string())));
        let q = Spi::get_one::<i32>("SELECT (channel_quadrant(200, 19, 100, 0.1)).quadrant");
        assert_eq!(q, Ok(Some(4)));
        let low = Spi::get_one::<f64>("SELECT (channel_quadrant(200, 30, 0, 0.5)).ci_low")
            .unwrap()
            .unwrap();
        assert!((low - 0.10713593562241996).abs() < 1e-12);
    }

    #[pg_test]
    fn channel_prior_hand_worked() {
        // (100, 10), (100, 30): alpha = 35/23, beta = 140/23 (see core/src/channel.rs).
        let alpha = Spi::get_one::<f64>(
            "SELECT (channel_prior(n, x)).alpha FROM (VALUES (100, 10), (100, 30)) v(n, x)",
        )
        .unwrap()
        .unwrap();
        assert!((alpha - 35.0 / 23.0).abs() < 1e-12);
        let r = Spi::get_one::<f64>(
            "SELECT channel_shrunk_rate(100, 10, p) FROM
               (SELECT channel_prior(n, x) p FROM (VALUES (100, 10), (100, 30)) v(n, x)) s",
        )
        .unwrap()
        .unwrap();
        assert!((r - 265.0 / 2475.0).abs() < 1e-12);
    }

    #[pg_test(error = "conversions (5) must not exceed traffic (3)")]
    fn channel_quadrant_rejects_more_conversions_than_traffic() {
        Spi::run("SELECT channel_quadrant(3, 5, 1, 0.1)").unwrap();
    }

    // ---- lifecycle ----

    #[pg_test]
    fn lifecycle_scalar_rules() {
        let s = |sql: &str| Spi::get_one::<String>(sql).unwrap();
        let base = "'2026-06-30'::timestamptz";
        assert_eq!(
            s(&format!(
                "SELECT lifecycle_stage({base} - interval '200 days', NULL, NULL, {base})"
            )),
            Some("dead".into())
        );
        assert_eq!(
            s(&format!(
                "SELECT lifecycle_stage({base} - interval '200 days', {base} - interval '199 days',
                                        {base} - interval '61 days', {base}, churn_days => 60)"
            )),
            Some("churned".into())
        );
        assert_eq!(
            s(&format!("SELECT lifecycle_stage(NULL, NULL, NULL, {base})")),
            None
        );
    }

    #[pg_test]
    fn lifecycle_aggregate_reactivated() {
        let stage = Spi::get_one::<String>(
            "SELECT lifecycle_stage(ts, c, '2026-06-30') FROM (VALUES
               ('2025-01-01'::timestamptz, true), ('2026-06-25', false)) v(ts, c)",
        );
        assert_eq!(stage, Ok(Some("reactivated".into())));
        let code = Spi::get_one::<String>("SELECT lifecycle_code('reactivated')");
        assert_eq!(code, Ok(Some("B".into())));
    }

    #[pg_test(
        error = "days must increase strictly: dormant_days (90) < churn_days (90) < lost_days (360)"
    )]
    fn lifecycle_rejects_bad_days() {
        Spi::run("SELECT lifecycle_stage(now(), NULL, NULL, now(), dormant_days => 90)").unwrap();
    }

    // ---- stats ----

    #[pg_test]
    fn quantile_breaks_equals_percentile_cont() {
        let same = Spi::get_one::<bool>(
            "WITH d AS (SELECT CASE WHEN g % 17 = 0 THEN NULL ELSE ((g * 7919) % 23)::float8 / 4 END AS v
                        FROM generate_series(1, 5000) g)
             SELECT quantile_breaks(v, ARRAY[0, 0.1, 0.4, 0.5, 0.8, 1])
                  = percentile_cont(ARRAY[0, 0.1, 0.4, 0.5, 0.8, 1]) WITHIN GROUP (ORDER BY v)
             FROM d",
        );
        assert_eq!(same, Ok(Some(true)));
    }

    #[pg_test]
    fn quantile_breaks_empty_group_is_null() {
        let v = Spi::get_one::<Vec<Option<f64>>>(
            "SELECT quantile_breaks(x, ARRAY[0.5]) FROM (SELECT 1.0::float8 x WHERE false) s",
        );
        assert_eq!(v, Ok(None));
    }

    #[pg_test(error = "probability 1.5 is not between 0 and 1")]
    fn quantile_breaks_rejects_bad_probability() {
        Spi::run("SELECT quantile_breaks(1.0, ARRAY[1.5])").unwrap();
    }

    #[pg_test]
    fn wilson_interval_row() {
        let low = Spi::get_one::<f64>("SELECT (wilson_interval(3, 12)).ci_low")
            .unwrap()
            .unwrap();
        assert!((low - 0.08894166839405476).abs() < 1e-12);
    }

    // ---- retention ----

    #[pg_test]
    fn retention_per_user_hand_worked() {
        // registered and paid, never viewed: {1, 0, 1}
        let r = Spi::get_one::<Vec<i32>>(
            "SELECT retention(ARRAY[e = 'register', e = 'view', e = 'pay'])
             FROM (VALUES ('pay'), ('register'), ('other')) v(e)",
        );
        assert_eq!(r, Ok(Some(vec![1, 0, 1])));
    }

    #[pg_test]
    fn retention_matrix_weekly_hand_worked() {
        // One user registering Monday 2026-01-05 and returning the next week: retained in
        // period 1 only.
        let cells = Spi::get_one::<String>(
            "SELECT string_agg(format('%s/%s/%s', c.period, c.cohort_size, c.retained), ' ' ORDER BY c.period)
             FROM (SELECT retention_matrix(1::bigint, ts::timestamptz, e = 'register', e = 'view',
                          retention_definition('2026-02-01', periods => 2)) m
                   FROM (VALUES ('2026-01-05 10:00+00', 'register'), ('2026-01-13 10:00+00', 'view')) v(ts, e)) s,
                  unnest(s.m) c",
        );
        assert_eq!(cells, Ok(Some("0/1/0 1/1/1 2/1/0".to_string())));
    }

    #[pg_test(error = "unknown retention entry 'sometimes'; valid entries are first, recurring")]
    fn retention_definition_rejects_unknown_entry() {
        Spi::run("SELECT retention_definition('2026-01-01', entry => 'sometimes')").unwrap();
    }

    // ---- playbook ----

    #[pg_test]
    fn old_user_matrix_hand_worked() {
        // Grades on the default ladder: 2 days idle is A, 10 days B; three users, two cells.
        let cells = Spi::get_one::<String>(
            "SELECT string_agg(format('%s:%s:%s', c.cell, c.users, c.value_sum), ' ' ORDER BY c.cell)
             FROM (SELECT old_user_matrix(lifecycle_grade(l, '2026-06-30'), value_score(v, '{10,20}'), v) m
                   FROM (VALUES (timestamptz '2026-06-28', 25.0::float8), ('2026-06-28', 20.0),
                                ('2026-06-20', 5.0)) t(l, v)) s,
                  unnest(s.m) c WHERE c.users > 0",
        );
        assert_eq!(cells, Ok(Some("A2:1:20 A3:1:25 B1:1:5".to_string())));
    }

    #[pg_test(error = "holding_agg: amount must not be negative, got -1")]
    fn holding_agg_rejects_negative_amounts() {
        Spi::run(
            "SELECT holding_agg(ts, 'pay', -1, '2026-01-10', 'pay', 'redeem')
             FROM (VALUES (timestamptz '2026-01-01')) t(ts)",
        )
        .unwrap();
    }

    #[pg_test]
    fn intent_reset_rule_hand_worked() {
        // detail 2 and pay 8 before the latest pay count 0; the later view_list counts 1
        let score = Spi::get_one::<f64>(
            "SELECT intent_score(e, ts, intent_definition(intent_weights(), '2026-03-15', reset_events => ARRAY['pay']))
             FROM (VALUES ('view_detail', timestamptz '2026-03-10'), ('pay', '2026-03-11'),
                          ('view_list', '2026-03-13')) v(e, ts)",
        );
        assert_eq!(score, Ok(Some(1.0)));
    }

    // ---- partial states handed over within a process ----

    #[pg_test]
    fn encoded_states_are_not_hand_over_tokens() {
        assert!(crate::pg::agg::handed_over::<u32>(b"G\x03abc", "t").is_none());
        assert!(crate::pg::agg::handed_over::<u32>(&[0xff; 23], "t").is_none());
    }

    #[pg_test(error = "t: a partial state handed over within process 0 is not available here")]
    fn a_hand_over_token_of_another_process_is_an_error() {
        let mut token = [0u8; 24];
        token[..8].copy_from_slice(b"\xffpgopsHO");
        crate::pg::agg::handed_over::<u32>(&token, "t");
    }
}
