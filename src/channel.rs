//! SQL glue for the channel capability (being written).
