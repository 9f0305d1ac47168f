//! SQL glue for the lifecycle capability (being written).
