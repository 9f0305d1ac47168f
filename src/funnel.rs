//! SQL glue for the funnel capability (being written).
