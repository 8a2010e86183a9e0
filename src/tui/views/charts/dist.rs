//! Distributions of a cell (docs/tui.md, "Charts"): the sizes of its output clusters as bars,
//! the modal answer first and each labelled by its first words, and its variant's latency (and
//! time to first token when streamed) as a histogram with p50 and p95 marked under it. Every
//! bar carries its count as text, so the picture reads without colour.

use super::bars::{fit, hbar, histogram, percentile, sparkline};
use crate::analysis::cell::observed;
use crate::analysis::cluster::clusters;
use crate::analysis::normalize::Mode;
use crate::store::SampleRow;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// Cluster bars shown at most; the rest are counted on one line.
const MAX_CLUSTERS: usize = 6;

/// Lines for the distributions of `cell` (its samples) and `variant` (every loaded sample of the
/// same variant in the run), `width` cells wide.
pub fn lines(
    cell: &[SampleRow],
    variant: &[&SampleRow],
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut out = cluster_lines(cell, width, theme);
    let latency: Vec<f64> = variant.iter().filter_map(|s| s.sample.latency_ms).collect();
    let ttft: Vec<f64> = variant.iter().filter_map(|s| s.sample.ttft_ms).collect();
    out.push(Line::default());
    out.extend(timing_lines("latency", &latency, width, theme));
    if !ttft.is_empty() {
        out.extend(timing_lines("ttft (streamed)", &ttft, width, theme));
    }
    out
}

/// The clusters of `samples` as bars, largest (the modal answer) first.
pub fn cluster_lines(samples: &[SampleRow], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let seen = observed(samples);
    let (groups, _) = clusters(&seen, Mode::Exact);
    let ok: usize = groups.iter().map(|c| c.size()).sum();
    let failed = samples.len() - ok;
    let mut head = format!("clusters: {} distinct of {ok} ok", groups.len());
    if failed > 0 {
        head.push_str(&format!(", {failed} failed"));
    }
    let mut out = vec![Line::styled(head, theme.muted())];
    let label_w = (width / 3).clamp(8, 40);
    let count_w = 10;
    let bar_w = width.saturating_sub(label_w + count_w + 3).max(1);
    let max = groups.first().map_or(1, |c| c.size()) as f64;
    let texts: Vec<&str> = groups
        .iter()
        .map(|c| {
            samples
                .iter()
                .find(|s| s.sample.idx == c.representative())
                .and_then(|s| s.sample.output.as_deref())
                .unwrap_or("")
        })
        .collect();
    let shared = shared_words(&texts);
    for (i, c) in groups.iter().take(MAX_CLUSTERS).enumerate() {
        let text = texts[i];
        let mark = if i == 0 { "◆ " } else { "  " };
        let share = 100.0 * c.size() as f64 / ok.max(1) as f64;
        let color = if i == 0 { theme.ok } else { theme.accent };
        out.push(Line::from(vec![
            Span::styled(mark.to_string(), theme.fg(color)),
            Span::styled(fit(&label(text, shared), label_w), theme.text()),
            Span::raw(" "),
            Span::styled(
                fit(&hbar(c.size() as f64, max, bar_w), bar_w),
                theme.fg(color),
            ),
            Span::styled(format!(" {:>3} {share:>3.0}%", c.size()), theme.muted()),
        ]));
    }
    if groups.len() > MAX_CLUSTERS {
        let rest: usize = groups[MAX_CLUSTERS..].iter().map(|c| c.size()).sum();
        out.push(Line::styled(
            format!(
                "  … {} more clusters, {rest} samples",
                groups.len() - MAX_CLUSTERS
            ),
            theme.muted(),
        ));
    }
    out
}

/// How many leading words every one of `texts` shares (0 for fewer than two texts): a label
/// starts after them, so clusters that differ late still read apart in a narrow pane.
pub fn shared_words(texts: &[&str]) -> usize {
    let Some((first, rest)) = texts.split_first() else {
        return 0;
    };
    if rest.is_empty() {
        return 0;
    }
    let words: Vec<&str> = first.split_whitespace().collect();
    let mut n = words.len();
    for t in rest {
        let same = t
            .split_whitespace()
            .zip(&words)
            .take_while(|(a, b)| a == *b)
            .count();
        n = n.min(same);
    }
    n
}

/// The label of a cluster: its first words after the `skip` words all clusters share (marked
/// with a leading `…`).
pub fn label(text: &str, skip: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().skip(skip).collect();
    let rest = first_words(&words.join(" "));
    if skip > 0 { format!("…{rest}") } else { rest }
}

/// The first words of an output on one line, sanitised: what labels its cluster.
pub fn first_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().take(8).collect();
    let line = crate::sanitize::one_line(&words.join(" "));
    if line.is_empty() {
        "(empty output)".into()
    } else {
        line
    }
}

/// A histogram of `values` (ms) with p50 and p95 marked under it, and the numbers as text.
pub fn timing_lines(what: &str, values: &[f64], width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let (Some(p50), Some(p95)) = (percentile(values, 50.0), percentile(values, 95.0)) else {
        return vec![Line::styled(
            format!("{what}: no timed samples"),
            theme.muted(),
        )];
    };
    // Room after the bars for the range.
    let bins = width.saturating_sub(14).clamp(1, 48);
    let Some((counts, lo, hi)) = histogram(values, bins) else {
        return Vec::new();
    };
    let max = counts.iter().copied().max().unwrap_or(1) as f64;
    let heights: Vec<f64> = counts.iter().map(|c| *c as f64).collect();
    // An empty bin is a gap, not the lowest mark.
    let bars: String = sparkline(&heights, 0.0, max)
        .chars()
        .zip(&counts)
        .map(|(ch, n)| if *n == 0 { ' ' } else { ch })
        .collect();
    let column = |v: f64| {
        let range = (hi - lo).max(f64::EPSILON);
        ((((v - lo) / range) * bins as f64) as usize).min(bins - 1)
    };
    let mut marks = vec![' '; bins];
    marks[column(p50)] = '5';
    // Both in one column: one mark says so.
    marks[column(p95)] = if column(p95) == column(p50) { '*' } else { '9' };
    let marks: String = marks.into_iter().collect();
    vec![
        Line::styled(
            format!(
                "{what}: p50 {p50:.0}ms p95 {p95:.0}ms, {} samples",
                values.len()
            ),
            theme.muted(),
        ),
        Line::from(vec![
            Span::styled(format!("│{bars}│"), theme.fg(theme.accent)),
            Span::styled(format!(" {lo:.0}–{hi:.0}ms"), theme.muted()),
        ]),
        Line::styled(format!(" {}", marks.trim_end()), theme.text()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn row(idx: u32, out: &str, ms: f64) -> SampleRow {
        let mut r = SampleRow {
            created_at: String::new(),
            sample: Default::default(),
        };
        r.sample.idx = idx;
        r.sample.status = Some(crate::store::SampleStatus::Ok);
        r.sample.output = Some(out.into());
        r.sample.latency_ms = Some(ms);
        r
    }

    #[test]
    fn the_modal_cluster_comes_first_with_its_first_words() {
        let theme = Theme::default();
        let rows = vec![
            row(0, "Refunds within 14 days of purchase", 300.0),
            row(1, "Refunds within 30 days of purchase", 310.0),
            row(2, "Refunds within 30 days of purchase", 320.0),
        ];
        let t = text(&cluster_lines(&rows, 60, &theme));
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "clusters: 2 distinct of 3 ok");
        // The words every cluster shares are left out of the labels.
        assert!(lines[1].starts_with("◆ …30 days of purchase"), "{t}");
        assert!(lines[1].ends_with("  2  67%"), "{t}");
        assert!(
            lines[2].starts_with("  …14 days") && lines[2].ends_with("  1  33%"),
            "{t}"
        );
        // The modal bar is full, the other half as long.
        let blocks = |l: &str| l.chars().filter(|c| *c == '█').count();
        assert!(blocks(lines[1]) > 2 * blocks(lines[2]) - 2, "{t}");
        assert!(blocks(lines[1]) <= 2 * blocks(lines[2]) + 1, "{t}");
    }

    #[test]
    fn latency_marks_p50_and_p95_under_the_histogram() {
        let theme = Theme::default();
        let mut v: Vec<f64> = (0..19).map(|i| 100.0 + f64::from(i)).collect();
        v.push(1000.0);
        let t = text(&timing_lines("latency", &v, 24, &theme));
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("latency: p50 109ms p95 118ms"), "{t}");
        // Nineteen fast calls in the first bin, the slow one in the last, gaps between.
        assert_eq!(lines[1], "│█        ▁│ 100–1000ms");
        assert!(lines[2] == " *", "both marks in the first bin: {t}");
        let spread: Vec<f64> = (1..=20).map(|i| f64::from(i) * 100.0).collect();
        let t = text(&timing_lines("latency", &spread, 24, &theme));
        let marks = t.lines().nth(2).unwrap_or_default();
        assert_eq!(marks.find('5'), Some(5), "{t}");
        assert_eq!(marks.find('9'), Some(10), "{t}");
        assert_eq!(
            text(&timing_lines("ttft", &[], 24, &theme)),
            "ttft: no timed samples"
        );
    }
}
