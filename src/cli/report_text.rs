//! `temper report`'s text form: the table of cells, each cell's details, what was sent, the
//! variants' agreement and, with a session, the cost per passing answer.

use super::report::Sent;
use super::style::{Tone, paint};
use crate::analysis::Mode;
use crate::analysis::cell::CellReport;
use crate::sanitize::one_line;
use crate::store::RunInfo;

/// With a session's checks: per variant, its cost per passing answer (total cost / answers that
/// pass every per-sample check; crate::cost::cascade).
pub(super) fn passing_cost_lines(outcomes: &[crate::cost::cascade::Outcome]) -> String {
    let mut out = String::new();
    for o in outcomes {
        let passed = (o.pass_rate * o.samples as f64).round() as u64;
        out.push_str(&format!(
            "variant {}: {} per passing answer ({passed} of {} passed the checks, {} per call)\n",
            one_line(&o.steps.join("")),
            o.cost_per_passing_usd.map_or_else(
                || if o.cost_per_request_usd.is_some() {
                    "none passed".into()
                } else {
                    "unpriced".into()
                },
                crate::cost::format_usd
            ),
            crate::plural::count(o.samples as u64, "answer"),
            o.cost_per_request_usd
                .map_or_else(|| "unpriced".into(), crate::cost::format_usd),
        ));
    }
    out
}

/// One line per variant: its cases, TARr@N, TARa@N, pass@k and pass^k.
pub(super) fn variant_lines(metrics: &[crate::session::VariantMetrics]) -> String {
    let mut out = String::new();
    for m in metrics {
        out.push_str(&format!(
            "variant {} [{}] over {} case{}: tar_raw {:.2} · tar_answer {:.2} · pass@{k} {:.2} · pass^{k} {:.2}\n",
            one_line(&m.variant),
            one_line(&m.prompt),
            m.cases,
            if m.cases == 1 { "" } else { "s" },
            m.tar_raw,
            m.tar_answer,
            m.pass_at_k,
            m.pass_all_k,
            k = m.samples
        ));
    }
    if out.is_empty() {
        return out;
    }
    format!("\n{out}")
}

/// Per cell, one line of what was sent and its latency (p50/p95, TTFT when streamed), and a
/// note when the temperature was above 0.
pub(super) fn sent_lines(reports: &[CellReport], sent: &[Sent]) -> String {
    use crate::runner::sent::{params_line, temperature_above_zero};
    let ms = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.0} ms"));
    let mut out = String::new();
    for (r, s) in reports.iter().zip(sent) {
        let params = s
            .params
            .as_ref()
            .map_or_else(|| "not recorded".to_string(), params_line);
        let mut line = format!(
            "#{} sent: {params} · latency p50 {} p95 {}",
            r.cell_id,
            ms(s.stats.latency_p50_ms),
            ms(s.stats.latency_p95_ms)
        );
        if s.stats.ttft_p50_ms.is_some() {
            line.push_str(&format!(
                " · ttft p50 {} p95 {}",
                ms(s.stats.ttft_p50_ms),
                ms(s.stats.ttft_p95_ms)
            ));
        }
        out.push_str(&paint(Tone::Muted, &line));
        out.push('\n');
        if let Some(t) = s.params.as_ref().and_then(temperature_above_zero) {
            out.push_str(&format!(
                "#{} note: temperature {t} was sent, above 0: outputs are expected to vary, stability falls by design\n",
                r.cell_id
            ));
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("\n{out}")
}

pub(super) fn render_report(
    run: &RunInfo,
    mode: Mode,
    reports: &[CellReport],
    fields: usize,
) -> String {
    let mut out = format!(
        "{} · {} · {} · mode {mode} · {} cell{}\n",
        paint(Tone::Strong, &format!("run #{}", run.id)),
        run.status.as_str(),
        run.started_at,
        reports.len(),
        if reports.len() == 1 { "" } else { "s" }
    );
    if reports.is_empty() {
        out.push_str("no cells\n");
        return out;
    }
    out.push_str(&table(reports));
    for r in reports {
        out.push_str(&details(r, fields));
    }
    out
}

const HEADER: [&str; 12] = [
    "CELL",
    "PROMPT",
    "VARIANT",
    "CASE",
    "N",
    "OK",
    "DISTINCT",
    "STABILITY",
    "DIVERGES",
    "SIMILARITY",
    "TOKENS IN/OUT",
    "COST",
];

fn table(reports: &[CellReport]) -> String {
    let dash = || "—".to_string();
    let rows: Vec<[String; 12]> = reports
        .iter()
        .map(|r| {
            let a = &r.analysis;
            [
                format!("#{}", r.cell_id),
                one_line(&format!("{}@{}", r.prompt, r.version)),
                one_line(&r.variant),
                one_line(&r.case),
                a.n.to_string(),
                a.ok.to_string(),
                a.distinct.to_string(),
                a.stability.map_or_else(dash, |s| format!("{s:.2}")),
                a.divergence
                    .as_ref()
                    .map_or_else(dash, |d| match d.token_offset {
                        Some(t) => format!("char {} / tok {t}", d.char_offset),
                        None => format!("char {}", d.char_offset),
                    }),
                a.similarity.map_or_else(dash, |s| format!("{s:.2}")),
                match (r.tokens.input, r.tokens.output) {
                    (None, None) => dash(),
                    (i, o) => format!(
                        "{}/{}",
                        i.map_or_else(dash, |v| v.to_string()),
                        o.map_or_else(dash, |v| v.to_string())
                    ),
                },
                r.cost_usd.map_or_else(dash, |c| format!("${c:.4}")),
            ]
        })
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([HEADER[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..HEADER.len()).map(width).collect();
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    let mut out = paint(Tone::Muted, line(&header).trim_end()) + "\n";
    for (r, cells) in reports.iter().zip(&rows) {
        let text = line(cells);
        let holds = r.analysis.stability.is_some_and(|s| s >= 1.0) && r.analysis.failed == 0;
        let tone = if holds { Tone::Good } else { Tone::Removed };
        let stability = &cells[7];
        // Colour only the stability figure; the rest stays plain for readability.
        let idx = text
            .find(stability.as_str())
            .filter(|_| !stability.is_empty());
        match idx {
            Some(_) => out.push_str(&text.replacen(stability.as_str(), &paint(tone, stability), 1)),
            None => out.push_str(&text),
        }
    }
    out
}

fn details(r: &CellReport, fields: usize) -> String {
    let a = &r.analysis;
    let mut lines: Vec<String> = Vec::new();
    if a.failed > 0 {
        lines.push(format!(
            "{} of {} failed (not clustered)",
            a.failed,
            crate::plural::count(a.n as u64, "sample")
        ));
    }
    if let Some(d) = &a.divergence {
        let token = d
            .token_offset
            .map(|t| format!(", token {t}"))
            .unwrap_or_default();
        lines.push(format!(
            "{} of {} {} the modal output (sample {}); first at char {}{token}, in sample {}:",
            d.samples_diverging,
            crate::plural::count(a.ok as u64, "sample"),
            if d.samples_diverging == 1 {
                "leaves"
            } else {
                "leave"
            },
            d.modal_sample,
            d.char_offset,
            d.other_sample
        ));
        lines.push(format!("  …{}", paint(Tone::Muted, &one_line(&d.context))));
        lines.push(format!(
            "  modal  → {}",
            paint(Tone::Removed, &one_line(&d.modal_continuation))
        ));
        lines.push(format!(
            "  other  → {}",
            paint(Tone::Added, &one_line(&d.other_continuation))
        ));
        let sizes: Vec<String> = a
            .clusters
            .iter()
            .take(8)
            .map(|c| c.size().to_string())
            .collect();
        let more = if a.clusters.len() > 8 { " …" } else { "" };
        lines.push(format!(
            "  clusters: {}{more} · entropy {:.2} bits",
            sizes.join(" + "),
            a.entropy_bits
        ));
    }
    for f in a.json_fields.iter().take(fields) {
        lines.push(format!(
            "  {} varies in {}/{} ({} values)",
            one_line(&f.path),
            f.varies,
            f.of,
            f.distinct
        ));
    }
    if a.json_fields.len() > fields {
        lines.push(format!(
            "  … {} more varying fields (--fields N, or --json)",
            a.json_fields.len() - fields
        ));
    }
    for note in &a.notes {
        lines.push(format!("  note: {note}"));
    }
    if lines.is_empty() {
        return String::new();
    }
    let title = format!(
        "#{} {} × {}:",
        r.cell_id,
        one_line(&r.variant),
        one_line(&r.case)
    );
    let mut out = format!("\n{}\n", paint(Tone::Strong, &title));
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}
