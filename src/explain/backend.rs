//! Which backend answered each sample (`system_fingerprint`, the model name the server reports,
//! a region header) and whether the outputs split along backends rather than within one.

use crate::store::SampleRow;
use serde::Serialize;
use std::collections::BTreeMap;

/// What identifies the serving backend of one sample; all parts optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Backend {
    pub fingerprint: Option<String>,
    /// The `model` the server says answered (e.g. `gpt-4o-mini-2024-07-18`).
    pub served_model: Option<String>,
    pub region: Option<String>,
}

impl Backend {
    /// The backend of a stored sample.
    pub fn of(row: &SampleRow) -> Backend {
        let s = &row.sample;
        Backend {
            fingerprint: s.system_fingerprint.clone(),
            served_model: s.response_json.as_deref().and_then(served_model),
            region: s.region.clone(),
        }
    }

    /// A short label: `fp_44709d6fcb · gpt-4o-mini-2024-07-18 · eastus`.
    pub fn label(&self) -> String {
        let parts: Vec<&str> = [&self.fingerprint, &self.served_model, &self.region]
            .into_iter()
            .filter_map(|p| p.as_deref())
            .collect();
        if parts.is_empty() {
            "unreported".into()
        } else {
            parts.join(" · ")
        }
    }
}

/// The top-level `model` field of a response body, without parsing the rest as a document.
fn served_model(json: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        model: Option<String>,
    }
    serde_json::from_str::<Head>(json)
        .ok()?
        .model
        .filter(|m| !m.is_empty())
}

/// Samples of one backend and the output clusters they fell into.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackendGroup {
    pub backend: Backend,
    pub samples: Vec<u32>,
    /// Indices into the cell's clusters (largest first) that these samples belong to.
    pub clusters: Vec<usize>,
}

/// How outputs relate to backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendVerdict {
    /// One backend (or none reported): nothing to compare.
    Single,
    /// Several backends, and all outputs agree anyway.
    AgreeAcross,
    /// Each backend gave one output and they differ: the backend changed, not the prompt.
    SplitByBackend,
    /// Outputs differ within at least one backend too.
    Mixed,
}

/// Group samples by backend and judge the split. `cluster_of` maps a sample index to its
/// cluster; samples without an output are left out.
pub fn backend_split(
    samples: &[SampleRow],
    cluster_of: &BTreeMap<u32, usize>,
) -> (Vec<BackendGroup>, BackendVerdict) {
    let mut groups: BTreeMap<Backend, BackendGroup> = BTreeMap::new();
    for row in samples {
        let Some(&cluster) = cluster_of.get(&row.sample.idx) else {
            continue;
        };
        let backend = Backend::of(row);
        let group = groups.entry(backend.clone()).or_insert(BackendGroup {
            backend,
            samples: Vec::new(),
            clusters: Vec::new(),
        });
        group.samples.push(row.sample.idx);
        if !group.clusters.contains(&cluster) {
            group.clusters.push(cluster);
        }
    }
    let mut groups: Vec<BackendGroup> = groups.into_values().collect();
    for g in &mut groups {
        g.clusters.sort_unstable();
    }
    let distinct_clusters = cluster_of
        .values()
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let verdict = if groups.len() < 2 {
        BackendVerdict::Single
    } else if distinct_clusters < 2 {
        BackendVerdict::AgreeAcross
    } else if groups.iter().all(|g| g.clusters.len() == 1) {
        BackendVerdict::SplitByBackend
    } else {
        BackendVerdict::Mixed
    };
    (groups, verdict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewSample;

    fn row(idx: u32, fp: &str, body: Option<&str>) -> SampleRow {
        SampleRow {
            created_at: String::new(),
            sample: NewSample {
                idx,
                system_fingerprint: Some(fp.into()),
                response_json: body.map(str::to_string),
                ..NewSample::default()
            },
        }
    }

    #[test]
    fn judges_backend_splits() {
        let rows = vec![
            row(0, "fp_a", None),
            row(1, "fp_a", None),
            row(2, "fp_b", None),
        ];
        let split = BTreeMap::from([(0, 0), (1, 0), (2, 1)]);
        let (groups, verdict) = backend_split(&rows, &split);
        assert_eq!(verdict, BackendVerdict::SplitByBackend);
        assert_eq!(groups[1].samples, vec![2]);
        let mixed = BTreeMap::from([(0, 0), (1, 1), (2, 1)]);
        assert_eq!(backend_split(&rows, &mixed).1, BackendVerdict::Mixed);
        let agree = BTreeMap::from([(0, 0), (1, 0), (2, 0)]);
        assert_eq!(backend_split(&rows, &agree).1, BackendVerdict::AgreeAcross);
        assert_eq!(backend_split(&rows[..2], &split).1, BackendVerdict::Single);
    }

    #[test]
    fn served_model_and_label() {
        let r = row(
            0,
            "fp_a",
            Some(r#"{"model":"gpt-4o-mini-2024-07-18","choices":[]}"#),
        );
        let b = Backend::of(&r);
        assert_eq!(b.label(), "fp_a · gpt-4o-mini-2024-07-18");
        assert_eq!(Backend::default().label(), "unreported");
        assert_eq!(served_model("not json"), None);
    }
}
