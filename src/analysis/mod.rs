//! Nondeterminism analysis and diffs of texts.

pub mod worddiff;
