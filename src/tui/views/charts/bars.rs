//! Block-character drawing shared by every chart: bars with eighth-cell precision, bars placed
//! on an axis, stacked bars, sparklines and histograms. Pure: numbers in, text out, so each is
//! unit-tested and the same picture is drawn whatever the theme (see docs/tui.md).

/// Left-aligned blocks by eighths of a cell: `EIGHTHS[n]` fills `n`/8 of the cell from the left.
pub const EIGHTHS: [char; 9] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// Column heights by eighths, for sparklines and histograms (`LEVELS[0]` is the lowest mark).
pub const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A bar `value / max` of `width` cells, the last cell partial: the length of a number is read at
/// an eighth of a cell. An empty string when there is nothing to draw.
pub fn hbar(value: f64, max: f64, width: usize) -> String {
    if !(value > 0.0 && max > 0.0) || width == 0 {
        return String::new();
    }
    let eighths = ((value / max).min(1.0) * width as f64 * 8.0).round() as usize;
    // A value above zero always shows: one eighth at least.
    let eighths = eighths.max(1);
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(EIGHTHS[eighths % 8]);
    }
    out
}

/// A bar from `start` to `end` (fractions of the axis, 0..=1) across `width` cells: the cells
/// before it blank, its ends at sub-cell precision (left-aligned eighths at the end, a right half
/// block where it starts mid-cell). A bar too short to see is drawn one eighth wide.
pub fn axis_bar(start: f64, end: f64, width: usize) -> String {
    let scale = width as f64 * 8.0;
    // A bar that starts at the very end still shows its last eighth.
    let last = (width * 8).saturating_sub(1);
    let s = ((start.clamp(0.0, 1.0) * scale).round() as usize).min(last);
    let e = ((end.clamp(0.0, 1.0) * scale).round() as usize).max(s + 1);
    let mut out = String::with_capacity(width * 3);
    for cell in 0..width {
        let (lo, hi) = (cell * 8, cell * 8 + 8);
        let (from, to) = (s.max(lo), e.min(hi));
        let c = if to <= from {
            ' '
        } else if from == lo {
            EIGHTHS[to - lo]
        } else if to == hi {
            // Starts inside the cell and runs on: only a right half or eighth block exists.
            if hi - from >= 3 { '▐' } else { '▕' }
        } else {
            // Starts and ends inside one cell: its width at least, its place to the cell.
            EIGHTHS[(to - from).max(1)]
        };
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out
}

/// Split `width` cells among `parts` in proportion to their values (largest remainders get the
/// leftover cells); a part above zero gets one cell at least while cells are left.
pub fn split_cells(parts: &[f64], total: f64, width: usize) -> Vec<usize> {
    if total.is_nan() || total <= 0.0 {
        return vec![0; parts.len()];
    }
    let exact: Vec<f64> = parts
        .iter()
        .map(|p| (p.max(0.0) / total) * width as f64)
        .collect();
    let mut cells: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let used: usize = cells.iter().sum();
    let target = exact.iter().sum::<f64>().round() as usize;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| {
        (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor()))
    });
    for &i in order.iter().take(target.saturating_sub(used)) {
        cells[i] += 1;
    }
    // A part above zero shows: its cell comes from the widest part while that has two or more.
    for i in 0..parts.len() {
        if parts[i] > 0.0 && cells[i] == 0 {
            let widest = (0..cells.len()).max_by_key(|j| cells[*j]).unwrap_or(i);
            if cells[widest] > 1 {
                cells[widest] -= 1;
                cells[i] = 1;
            }
        }
    }
    cells
}

/// Shrink `values` to at most `width` columns, keeping the smallest value of each group (a dip
/// must never vanish when a long series is squeezed).
pub fn squeeze_min(values: &[f64], width: usize) -> Vec<f64> {
    if values.len() <= width || width == 0 {
        return values.to_vec();
    }
    (0..width)
        .map(|c| {
            let (a, b) = (c * values.len() / width, (c + 1) * values.len() / width);
            values[a..b.max(a + 1)]
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

/// One column character per value, scaled between `lo` and `hi`.
pub fn sparkline(values: &[f64], lo: f64, hi: f64) -> String {
    let range = (hi - lo).max(f64::EPSILON);
    values
        .iter()
        .map(|v| {
            let level = (((v - lo) / range).clamp(0.0, 1.0) * 7.0).round() as usize;
            LEVELS[level.min(7)]
        })
        .collect()
}

/// Counts of `values` in `bins` equal bins from their minimum to their maximum, with those
/// bounds. None when there are no finite values.
pub fn histogram(values: &[f64], bins: usize) -> Option<(Vec<u64>, f64, f64)> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if finite.is_empty() || bins == 0 {
        return None;
    }
    let mut counts = vec![0u64; bins];
    let range = (hi - lo).max(f64::EPSILON);
    for v in finite {
        let bin = (((v - lo) / range) * bins as f64) as usize;
        counts[bin.min(bins - 1)] += 1;
    }
    Some((counts, lo, hi))
}

/// The `p`-th percentile (0..=100) of `values`, nearest rank; None when empty.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// `text` cut to `width` display cells (with `…` when cut) and padded with spaces to it.
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let mut out = String::new();
    let mut used = 0;
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    let room = if total > width {
        width.saturating_sub(1)
    } else {
        width
    };
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }
    if total > width && width > 0 {
        out.push('…');
        used += 1;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

#[cfg(test)]
#[path = "bars_tests.rs"]
mod tests;
