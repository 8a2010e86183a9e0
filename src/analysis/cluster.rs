//! Group equal samples (under a [`Mode`]) into clusters, largest first.

use super::normalize::{Mode, normalize};
use serde::Serialize;
use std::collections::HashMap;

/// One sample as the analysis sees it: its index in the cell and its output, `None` when the
/// call failed or was skipped (those are counted, never clustered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observed<'a> {
    pub idx: u32,
    pub output: Option<&'a str>,
}

impl<'a> Observed<'a> {
    /// A sample that produced `output`.
    pub fn ok(idx: u32, output: &'a str) -> Self {
        Observed {
            idx,
            output: Some(output),
        }
    }

    /// A sample that failed.
    pub fn failed(idx: u32) -> Self {
        Observed { idx, output: None }
    }
}

/// A group of samples that are equal under the mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// Sample indices, ascending; the first is the representative. Every member, unless the
    /// cluster was built from group sizes alone ([`Group::first`]): then each group's first.
    pub members: Vec<u32>,
    /// How many samples it holds (`members.len()` when every member is listed).
    #[serde(skip)]
    pub size: usize,
    /// The comparison form shared by every member (canonical JSON in json mode).
    #[serde(skip)]
    pub normalized: String,
}

impl Cluster {
    /// The sample that stands for the cluster.
    pub fn representative(&self) -> u32 {
        self.members.first().copied().unwrap_or_default()
    }

    /// How many samples it holds.
    pub fn size(&self) -> usize {
        self.size
    }

    /// A cluster of exactly `members` (ascending), as the comparison form `normalized`.
    pub fn of(members: Vec<u32>, normalized: String) -> Cluster {
        Cluster {
            size: members.len(),
            members,
            normalized,
        }
    }
}

/// Samples already known to be identical (a text, as the store groups answers by hash).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group<'a> {
    /// The answer text every member gave.
    pub text: &'a str,
    /// How many samples gave it.
    pub size: usize,
    /// Members known, ascending: all of them, or only the first (the Diff view shows sizes,
    /// so a large cell's members are never read).
    pub members: &'a [u32],
}

impl<'a> Group<'a> {
    /// A group listing every member.
    pub fn all(text: &'a str, members: &'a [u32]) -> Group<'a> {
        Group {
            text,
            size: members.len(),
            members,
        }
    }

    /// A group known by its size and its first member only.
    pub fn first(text: &'a str, size: usize, first: &'a u32) -> Group<'a> {
        Group {
            text,
            size,
            members: std::slice::from_ref(first),
        }
    }
}

/// Clusters (largest first, ties by earliest member) and how many samples fell back to exact.
pub fn clusters(samples: &[Observed<'_>], mode: Mode) -> (Vec<Cluster>, usize) {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Cluster> = Vec::new();
    let mut fell_back = 0;
    for sample in samples {
        let Some(text) = sample.output else { continue };
        let norm = normalize(text, mode);
        fell_back += usize::from(norm.fell_back);
        match index.get(&norm.text) {
            Some(&i) => {
                out[i].members.push(sample.idx);
                out[i].size += 1;
            }
            None => {
                index.insert(norm.text.clone(), out.len());
                out.push(Cluster::of(vec![sample.idx], norm.text));
            }
        }
    }
    (ordered(out), fell_back)
}

/// Clusters of groups of samples already known to be identical (as the store groups answers
/// by hash): each group is normalised once, not each sample. Same result as [`clusters`] over
/// the samples (members as the groups list them); fell-back counts every sample of a group.
pub fn clusters_of_groups<'a>(
    groups: impl IntoIterator<Item = Group<'a>>,
    mode: Mode,
) -> (Vec<Cluster>, usize) {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Cluster> = Vec::new();
    let mut fell_back = 0;
    for group in groups {
        let norm = normalize(group.text, mode);
        if norm.fell_back {
            fell_back += group.size;
        }
        match index.get(&norm.text) {
            Some(&i) => {
                out[i].members.extend_from_slice(group.members);
                out[i].size += group.size;
            }
            None => {
                index.insert(norm.text.clone(), out.len());
                out.push(Cluster {
                    members: group.members.to_vec(),
                    size: group.size,
                    normalized: norm.text,
                });
            }
        }
    }
    (ordered(out), fell_back)
}

/// Members ascending, then largest first, ties by earliest member.
fn ordered(mut out: Vec<Cluster>) -> Vec<Cluster> {
    for c in &mut out {
        c.members.sort_unstable();
    }
    out.sort_by(|a, b| {
        b.size()
            .cmp(&a.size())
            .then(a.representative().cmp(&b.representative()))
    });
    out
}

/// Shannon entropy of the cluster sizes, in bits (0 when every sample agrees).
pub fn entropy_bits(clusters: &[Cluster]) -> f64 {
    let n: usize = clusters.iter().map(Cluster::size).sum();
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    let h: f64 = clusters
        .iter()
        .map(|c| {
            let p = c.size() as f64 / n;
            -p * p.log2()
        })
        .sum();
    h.max(0.0)
}

#[cfg(test)]
#[path = "cluster_tests.rs"]
mod tests;
