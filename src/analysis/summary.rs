//! The whole nondeterminism picture of one cell's samples, as one pure function.

use super::cluster::{Cluster, Group, Observed, clusters, clusters_of_groups, entropy_bits};
use super::divergence::{Divergence, TokenCount, first_divergence};
use super::fields::{FieldStability, field_stability};
use super::normalize::Mode;
use super::similarity::{SimilarityMethod, mean_pairwise};
use serde::Serialize;
use std::collections::HashMap;

/// Knobs of [`analyze`].
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    pub mode: Mode,
    /// Adds a token offset to the divergence point (see [`TokenCount`]).
    pub tokens: Option<&'a dyn TokenCount>,
}

impl<'a> Options<'a> {
    /// Options with a mode and no tokenizer.
    pub fn mode(mode: Mode) -> Self {
        Options { mode, tokens: None }
    }
}

/// What the samples of one cell say about nondeterminism.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub mode: Mode,
    /// All samples, failed ones included.
    pub n: usize,
    pub ok: usize,
    /// Samples that failed or were skipped: counted here, never clustered.
    pub failed: usize,
    /// Number of clusters of successful samples.
    pub distinct: usize,
    /// Largest cluster / ok samples, in (0, 1]; `None` without any successful sample.
    pub stability: Option<f64>,
    /// Shannon entropy of the cluster sizes.
    pub entropy_bits: f64,
    /// Mean pairwise similarity (0..1) of successful samples; `None` below two.
    pub similarity: Option<f64>,
    pub similarity_method: Option<SimilarityMethod>,
    /// Largest first.
    pub clusters: Vec<Cluster>,
    pub divergence: Option<Divergence>,
    /// JSON leaves that vary, most unstable first.
    pub json_fields: Vec<FieldStability>,
    /// Caveats worth showing (e.g. JSON mode fell back to exact text).
    pub notes: Vec<String>,
}

/// Analyse the samples of one cell. Pure: no I/O, deterministic.
pub fn analyze(samples: &[Observed<'_>], options: Options<'_>) -> Analysis {
    let (clusters, fell_back) = clusters(samples, options.mode);
    let text_of: HashMap<u32, &str> = samples
        .iter()
        .filter_map(|s| s.output.map(|o| (s.idx, o)))
        .collect();
    finish(samples.len(), clusters, fell_back, &text_of, options)
}

/// [`analyze`] over groups of identical answers of a cell of `n` samples: the same analysis
/// without holding each sample's text, so a cell read as groups from the store costs its
/// distinct answers, not its samples. Groups known by their size and first member only give
/// clusters listing only those firsts (every figure is the same).
pub fn analyze_groups(n: usize, groups: &[Group<'_>], options: Options<'_>) -> Analysis {
    let (clusters, fell_back) = clusters_of_groups(groups.iter().copied(), options.mode);
    let text_of: HashMap<u32, &str> = groups
        .iter()
        .filter_map(|g| Some((*g.members.first()?, g.text)))
        .collect();
    finish(n, clusters, fell_back, &text_of, options)
}

/// The figures of a cell of `n` samples from its clusters; `text_of` maps (at least) each
/// cluster's representative to its raw text.
fn finish(
    n: usize,
    clusters: Vec<Cluster>,
    fell_back: usize,
    text_of: &HashMap<u32, &str>,
    options: Options<'_>,
) -> Analysis {
    let ok: usize = clusters.iter().map(Cluster::size).sum();
    let mut notes = Vec::new();
    if fell_back > 0 {
        notes.push(format!(
            "{fell_back} of {} {} not JSON; {} compared as exact text",
            crate::plural::count(ok as u64, "sample"),
            if fell_back == 1 { "is" } else { "are" },
            if fell_back == 1 {
                "it was"
            } else {
                "they were"
            }
        ));
    }
    let weighted: Vec<(usize, &str)> = clusters
        .iter()
        .filter_map(|c| text_of.get(&c.representative()).map(|t| (c.size(), *t)))
        .collect();
    let similarity = mean_pairwise(&clusters);
    Analysis {
        mode: options.mode,
        n,
        ok,
        failed: n.saturating_sub(ok),
        distinct: clusters.len(),
        stability: clusters.first().map(|c| c.size() as f64 / ok as f64),
        entropy_bits: entropy_bits(&clusters),
        similarity: similarity.map(|s| s.0),
        similarity_method: similarity.map(|s| s.1),
        divergence: first_divergence(&clusters, options.tokens),
        json_fields: field_stability(&weighted),
        clusters,
        notes,
    }
}

impl Analysis {
    /// Index of the sample that stands for the modal output.
    pub fn modal_sample(&self) -> Option<u32> {
        self.clusters.first().map(Cluster::representative)
    }
}
