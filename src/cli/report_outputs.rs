//! `temper report RUN --outputs`: every cell's clusters with the full text of each, so a run's
//! answers can be read from the command line without the TUI.

use super::style::{Tone, paint};
use crate::analysis::cell::CellReport;
use crate::plural::count;
use crate::sanitize::{for_display, one_line};
use crate::store::SampleRow;
use std::fmt::Write as _;

/// The answer a sample stands for: its text, else its tool calls, else its error.
fn answer(s: &SampleRow) -> &str {
    let s = &s.sample;
    s.output
        .as_deref()
        .filter(|t| !t.is_empty())
        .or(s.tool_calls_json.as_deref())
        .or(s.error.as_deref())
        .unwrap_or("")
}

/// The `--json` form: per cell, its clusters with their members and the representative's text
/// (raw: JSON escapes keep it inert).
pub(super) fn json(cells: &[(CellReport, Vec<SampleRow>)]) -> serde_json::Value {
    let cell = |(report, samples): &(CellReport, Vec<SampleRow>)| {
        let clusters: Vec<serde_json::Value> = report
            .analysis
            .clusters
            .iter()
            .map(|c| {
                let text = samples
                    .iter()
                    .find(|s| s.sample.idx == c.representative())
                    .map(answer);
                serde_json::json!({"members": c.members, "text": text})
            })
            .collect();
        serde_json::json!({"cell_id": report.cell_id, "clusters": clusters})
    };
    serde_json::Value::Array(cells.iter().map(cell).collect())
}

/// One block per cell: its clusters, largest first, each with its members and the full text of
/// its representative (sanitised: a model's output can hold terminal escapes).
pub(super) fn render(cells: &[(CellReport, Vec<SampleRow>)]) -> String {
    let mut out = String::new();
    for (report, samples) in cells {
        let a = &report.analysis;
        let title = format!(
            "#{} {}@{} · {} × {} · {} in {}",
            report.cell_id,
            report.prompt,
            report.version,
            report.variant,
            report.case,
            count(a.ok as u64, "answer"),
            count(a.clusters.len() as u64, "cluster"),
        );
        let _ = writeln!(out, "\n{}", paint(Tone::Strong, &one_line(&title)));
        for (i, cluster) in a.clusters.iter().enumerate() {
            let members: Vec<String> = cluster.members.iter().map(u32::to_string).collect();
            let head = format!(
                "cluster {} · {} · {}",
                i + 1,
                count(cluster.size() as u64, "sample"),
                if cluster.size() == 1 {
                    format!("sample {}", members.join(""))
                } else {
                    format!("samples {}", members.join(", "))
                }
            );
            let _ = writeln!(out, "{}", paint(Tone::Muted, &head));
            let text = samples
                .iter()
                .find(|s| s.sample.idx == cluster.representative())
                .map(answer)
                .unwrap_or("");
            for line in for_display(text).lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        let failed: Vec<&SampleRow> = samples
            .iter()
            .filter(|s| s.sample.error.is_some() && s.sample.output.is_none())
            .collect();
        if !failed.is_empty() {
            let _ = writeln!(
                out,
                "{}",
                paint(
                    Tone::Removed,
                    &format!("{} failed:", count(failed.len() as u64, "sample"))
                )
            );
            for s in failed {
                let _ = writeln!(out, "  sample {}: {}", s.sample.idx, one_line(answer(s)));
            }
        }
    }
    out
}
