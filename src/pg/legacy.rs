//! The C symbols of released install scripts (`sql/released/`), kept forever: a database
//! created by an earlier release (or not yet updated with `ALTER EXTENSION ... UPDATE`)
//! calls them through its catalog. Each forwards to the entry point `declare!` generates
//! for the same SQL signature today.

use pgrx::pg_sys;

macro_rules! legacy_symbols {
    ($($old:ident / $finfo:ident => $new:ident,)*) => {
        extern "C-unwind" {
            $(fn $new(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum;)*
        }
        $(
            #[doc(hidden)]
            #[no_mangle]
            pub unsafe extern "C-unwind" fn $old(fcinfo: pg_sys::FunctionCallInfo) -> pg_sys::Datum {
                // SAFETY: same SQL signature and calling convention as the entry point.
                unsafe { $new(fcinfo) }
            }
            #[doc(hidden)]
            #[no_mangle]
            pub extern "C" fn $finfo() -> &'static pg_sys::Pg_finfo_record {
                &super::V1_API
            }
        )*
    };
}

legacy_symbols! {
    channel_prior_combine_wrapper / pg_finfo_channel_prior_combine_wrapper => pgops_channel_prior_combine,
    channel_prior_deserial_wrapper / pg_finfo_channel_prior_deserial_wrapper => pgops_channel_prior_deserial,
    channel_prior_final_wrapper / pg_finfo_channel_prior_final_wrapper => pgops_channel_prior_final,
    channel_prior_serial_wrapper / pg_finfo_channel_prior_serial_wrapper => pgops_channel_prior_serial,
    channel_prior_sfunc_wrapper / pg_finfo_channel_prior_sfunc_wrapper => pgops_channel_prior_transition_bigint_bigint,
    channel_quadrant_wrapper / pg_finfo_channel_quadrant_wrapper => pgops_channel_quadrant_bigint_bigint_float8_float8_bigint_float8,
    channel_shrunk_rate_wrapper / pg_finfo_channel_shrunk_rate_wrapper => pgops_channel_shrunk_rate_bigint_bigint_channel_prior,
    funnel_levels_combine_wrapper / pg_finfo_funnel_levels_combine_wrapper => pgops_funnel_step_rates_levels_combine,
    funnel_levels_deserial_wrapper / pg_finfo_funnel_levels_deserial_wrapper => pgops_funnel_step_rates_levels_deserial,
    funnel_levels_final_wrapper / pg_finfo_funnel_levels_final_wrapper => pgops_funnel_step_rates_levels_final,
    funnel_levels_serial_wrapper / pg_finfo_funnel_levels_serial_wrapper => pgops_funnel_step_rates_levels_serial,
    funnel_levels_sfunc_wrapper / pg_finfo_funnel_levels_sfunc_wrapper => pgops_funnel_step_rates_transition_int_text_arr,
    funnel_rates_id_combine_wrapper / pg_finfo_funnel_rates_id_combine_wrapper => pgops_funnel_step_rates_byid_combine,
    funnel_rates_id_deserial_wrapper / pg_finfo_funnel_rates_id_deserial_wrapper => pgops_funnel_step_rates_byid_deserial,
    funnel_rates_id_event_mode_sfunc_wrapper / pg_finfo_funnel_rates_id_event_mode_sfunc_wrapper => pgops_funnel_step_rates_transition_bigint_timestamptz_text_text_arr_interval_text,
    funnel_rates_id_event_sfunc_wrapper / pg_finfo_funnel_rates_id_event_sfunc_wrapper => pgops_funnel_step_rates_transition_bigint_timestamptz_text_text_arr_interval,
    funnel_rates_id_final_wrapper / pg_finfo_funnel_rates_id_final_wrapper => pgops_funnel_step_rates_byid_final,
    funnel_rates_id_names_mode_sfunc_wrapper / pg_finfo_funnel_rates_id_names_mode_sfunc_wrapper => pgops_funnel_step_rates_transition_bigint_timestamptz_bool_arr_interval_text_arr_text,
    funnel_rates_id_names_sfunc_wrapper / pg_finfo_funnel_rates_id_names_sfunc_wrapper => pgops_funnel_step_rates_transition_bigint_timestamptz_bool_arr_interval_text_arr,
    funnel_rates_id_serial_wrapper / pg_finfo_funnel_rates_id_serial_wrapper => pgops_funnel_step_rates_byid_serial,
    funnel_rates_id_sfunc_wrapper / pg_finfo_funnel_rates_id_sfunc_wrapper => pgops_funnel_step_rates_transition_bigint_timestamptz_bool_arr_interval,
    funnel_rates_text_combine_wrapper / pg_finfo_funnel_rates_text_combine_wrapper => pgops_funnel_step_rates_bytext_combine,
    funnel_rates_text_deserial_wrapper / pg_finfo_funnel_rates_text_deserial_wrapper => pgops_funnel_step_rates_bytext_deserial,
    funnel_rates_text_event_mode_sfunc_wrapper / pg_finfo_funnel_rates_text_event_mode_sfunc_wrapper => pgops_funnel_step_rates_transition_text_timestamptz_text_text_arr_interval_text,
    funnel_rates_text_event_sfunc_wrapper / pg_finfo_funnel_rates_text_event_sfunc_wrapper => pgops_funnel_step_rates_transition_text_timestamptz_text_text_arr_interval,
    funnel_rates_text_final_wrapper / pg_finfo_funnel_rates_text_final_wrapper => pgops_funnel_step_rates_bytext_final,
    funnel_rates_text_names_mode_sfunc_wrapper / pg_finfo_funnel_rates_text_names_mode_sfunc_wrapper => pgops_funnel_step_rates_transition_text_timestamptz_bool_arr_interval_text_arr_text,
    funnel_rates_text_names_sfunc_wrapper / pg_finfo_funnel_rates_text_names_sfunc_wrapper => pgops_funnel_step_rates_transition_text_timestamptz_bool_arr_interval_text_arr,
    funnel_rates_text_serial_wrapper / pg_finfo_funnel_rates_text_serial_wrapper => pgops_funnel_step_rates_bytext_serial,
    funnel_rates_text_sfunc_wrapper / pg_finfo_funnel_rates_text_sfunc_wrapper => pgops_funnel_step_rates_transition_text_timestamptz_bool_arr_interval,
    generate_demo_events_raw_wrapper / pg_finfo_generate_demo_events_raw_wrapper => pgops_generate_demo_events_raw_bigint_int_bigint,
    intent_score_combine_wrapper / pg_finfo_intent_score_combine_wrapper => pgops_intent_score_combine,
    intent_score_deserial_wrapper / pg_finfo_intent_score_deserial_wrapper => pgops_intent_score_deserial,
    intent_score_detail_final_wrapper / pg_finfo_intent_score_detail_final_wrapper => pgops_intent_score_detail_final,
    intent_score_final_wrapper / pg_finfo_intent_score_final_wrapper => pgops_intent_score_final,
    intent_score_serial_wrapper / pg_finfo_intent_score_serial_wrapper => pgops_intent_score_serial,
    intent_score_sfunc4_wrapper / pg_finfo_intent_score_sfunc4_wrapper => pgops_intent_score_transition_text_timestamptz_jsonb_timestamptz,
    intent_score_sfunc5_wrapper / pg_finfo_intent_score_sfunc5_wrapper => pgops_intent_score_transition_text_timestamptz_jsonb_timestamptz_interval,
    intent_score_sfunc6_wrapper / pg_finfo_intent_score_sfunc6_wrapper => pgops_intent_score_transition_text_timestamptz_jsonb_timestamptz_interval_interval,
    intent_tier_breaks_wrapper / pg_finfo_intent_tier_breaks_wrapper => pgops_intent_tier_float8_float8_arr,
    intent_tier_wrapper / pg_finfo_intent_tier_wrapper => pgops_intent_tier_float8_float8_float8,
    intent_weights_wrapper / pg_finfo_intent_weights_wrapper => pgops_intent_weights_text,
    lifecycle_code_wrapper / pg_finfo_lifecycle_code_wrapper => pgops_lifecycle_code_text,
    lifecycle_stage_combine_wrapper / pg_finfo_lifecycle_stage_combine_wrapper => pgops_lifecycle_stage_combine,
    lifecycle_stage_deserial_wrapper / pg_finfo_lifecycle_stage_deserial_wrapper => pgops_lifecycle_stage_deserial,
    lifecycle_stage_final_wrapper / pg_finfo_lifecycle_stage_final_wrapper => pgops_lifecycle_stage_final,
    lifecycle_stage_scalar / pg_finfo_lifecycle_stage_scalar => pgops_lifecycle_stage_timestamptz_timestamptz_timestamptz_timestamptz_int_int_int_int_int,
    lifecycle_stage_serial_wrapper / pg_finfo_lifecycle_stage_serial_wrapper => pgops_lifecycle_stage_serial,
    lifecycle_stage_sfunc_days_wrapper / pg_finfo_lifecycle_stage_sfunc_days_wrapper => pgops_lifecycle_stage_transition_timestamptz_bool_timestamptz_int_int_int_int_int,
    lifecycle_stage_sfunc_wrapper / pg_finfo_lifecycle_stage_sfunc_wrapper => pgops_lifecycle_stage_transition_timestamptz_bool_timestamptz,
    lifecycle_stages_wrapper / pg_finfo_lifecycle_stages_wrapper => pgops_lifecycle_stages,
    pg_operations_version_wrapper / pg_finfo_pg_operations_version_wrapper => pgops_pg_operations_version,
    quantile_breaks_combine_wrapper / pg_finfo_quantile_breaks_combine_wrapper => pgops_quantile_breaks_combine,
    quantile_breaks_deserial_wrapper / pg_finfo_quantile_breaks_deserial_wrapper => pgops_quantile_breaks_deserial,
    quantile_breaks_final_wrapper / pg_finfo_quantile_breaks_final_wrapper => pgops_quantile_breaks_final,
    quantile_breaks_serial_wrapper / pg_finfo_quantile_breaks_serial_wrapper => pgops_quantile_breaks_serial,
    quantile_breaks_sfunc_wrapper / pg_finfo_quantile_breaks_sfunc_wrapper => pgops_quantile_breaks_transition_float8_float8_arr,
    rfm_agg_combine_wrapper / pg_finfo_rfm_agg_combine_wrapper => pgops_rfm_agg_combine,
    rfm_agg_deserial_wrapper / pg_finfo_rfm_agg_deserial_wrapper => pgops_rfm_agg_deserial,
    rfm_agg_final_wrapper / pg_finfo_rfm_agg_final_wrapper => pgops_rfm_agg_final,
    rfm_agg_serial_wrapper / pg_finfo_rfm_agg_serial_wrapper => pgops_rfm_agg_serial,
    rfm_agg_sfunc_wrapper / pg_finfo_rfm_agg_sfunc_wrapper => pgops_rfm_agg_transition_timestamptz_numeric_timestamptz,
    rfm_breaks_combine_wrapper / pg_finfo_rfm_breaks_combine_wrapper => pgops_rfm_breaks_combine,
    rfm_breaks_deserial_wrapper / pg_finfo_rfm_breaks_deserial_wrapper => pgops_rfm_breaks_deserial,
    rfm_breaks_final_wrapper / pg_finfo_rfm_breaks_final_wrapper => pgops_rfm_breaks_final,
    rfm_breaks_serial_wrapper / pg_finfo_rfm_breaks_serial_wrapper => pgops_rfm_breaks_serial,
    rfm_breaks_sfunc3_wrapper / pg_finfo_rfm_breaks_sfunc3_wrapper => pgops_rfm_breaks_transition_float8_float8_float8,
    rfm_breaks_sfunc4_wrapper / pg_finfo_rfm_breaks_sfunc4_wrapper => pgops_rfm_breaks_transition_float8_float8_float8_int,
    rfm_cell_wrapper / pg_finfo_rfm_cell_wrapper => pgops_rfm_cell_float8_float8_float8_rfm_breaks,
    rfm_segment_wrapper / pg_finfo_rfm_segment_wrapper => pgops_rfm_segment_int_int_int_text_text,
    wilson_interval_wrapper / pg_finfo_wilson_interval_wrapper => pgops_wilson_interval_bigint_bigint_float8,
    window_funnel_combine_wrapper / pg_finfo_window_funnel_combine_wrapper => pgops_window_funnel_combine,
    window_funnel_deserial_wrapper / pg_finfo_window_funnel_deserial_wrapper => pgops_window_funnel_deserial,
    window_funnel_final_wrapper / pg_finfo_window_funnel_final_wrapper => pgops_window_funnel_final,
    window_funnel_mode_sfunc_wrapper / pg_finfo_window_funnel_mode_sfunc_wrapper => pgops_window_funnel_transition_timestamptz_bool_arr_interval_text,
    window_funnel_serial_wrapper / pg_finfo_window_funnel_serial_wrapper => pgops_window_funnel_serial,
    window_funnel_sfunc_wrapper / pg_finfo_window_funnel_sfunc_wrapper => pgops_window_funnel_transition_timestamptz_bool_arr_interval,
}
