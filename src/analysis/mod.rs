//! Nondeterminism analysis and diffs of texts. Everything here is pure (no I/O), so the CLI,
//! the TUI and session checks share one implementation.

pub mod cell;
pub mod cluster;
pub mod diff;
pub mod divergence;
pub mod fields;
pub mod normalize;
pub mod render;
pub mod similarity;
pub mod stored;
pub mod summary;
pub mod versions;
pub mod versions_figures;
pub mod worddiff;

pub use cell::{CellReport, TokenTotals, cell_report};
pub use cluster::{Cluster, Group, Observed};
pub use diff::{Diff, DiffOptions, Granularity, Row, RowKind, diff_texts};
pub use divergence::{Divergence, TokenCount};
pub use fields::FieldStability;
pub use normalize::Mode;
pub use summary::{Analysis, Options, analyze, analyze_groups};
