//! SQL glue for the rfm capability (being written).
