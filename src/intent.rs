//! SQL glue for the intent capability (being written).
