//! Unit tests of `bars.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn hbar_reads_to_an_eighth() {
    assert_eq!(hbar(1.0, 1.0, 4), "████");
    assert_eq!(hbar(0.5, 1.0, 3), "█▌");
    assert_eq!(hbar(1.0, 8.0, 1), "▏");
    assert_eq!(hbar(0.0001, 1.0, 10), "▏", "a value above zero shows");
    assert_eq!(hbar(0.0, 1.0, 10), "");
    assert_eq!(hbar(f64::NAN, 1.0, 10), "");
}

#[test]
fn axis_bar_places_both_ends_inside_cells() {
    assert_eq!(axis_bar(0.0, 1.0, 4), "████");
    assert_eq!(axis_bar(0.5, 1.0, 4), "  ██");
    // Starts mid-cell (right half), ends a quarter into a cell.
    assert_eq!(axis_bar(0.125, 0.5625, 4), "▐█▎");
    // Too short to see: one eighth.
    assert_eq!(axis_bar(0.5, 0.5, 4), "  ▏");
    assert_eq!(axis_bar(0.25, 0.75, 0), "");
    assert_eq!(axis_bar(1.0, 1.0, 2), " ▕");
}

#[test]
fn split_cells_keeps_the_total_and_small_parts() {
    assert_eq!(split_cells(&[1.0, 1.0, 2.0], 4.0, 8), [2, 2, 4]);
    assert_eq!(split_cells(&[100.0, 0.1, 0.0], 100.1, 10), [9, 1, 0]);
    assert_eq!(split_cells(&[1.0], 0.0, 10), [0]);
}

#[test]
fn squeeze_keeps_every_dip() {
    let mut v = vec![1.0; 1000];
    v[517] = 0.01;
    let s = squeeze_min(&v, 10);
    assert_eq!(s.len(), 10);
    assert_eq!(s[5], 0.01);
    assert_eq!(s.iter().filter(|x| **x < 1.0).count(), 1);
}

#[test]
fn sparkline_histogram_and_percentiles() {
    assert_eq!(sparkline(&[0.0, 0.5, 1.0], 0.0, 1.0), "▁▅█");
    let (counts, lo, hi) = histogram(&[1.0, 2.0, 2.0, 10.0], 3).unwrap();
    assert_eq!((counts, lo, hi), (vec![3, 0, 1], 1.0, 10.0));
    assert!(histogram(&[], 3).is_none());
    let v: Vec<f64> = (1..=100).map(f64::from).collect();
    assert_eq!(percentile(&v, 50.0), Some(50.0));
    assert_eq!(percentile(&v, 95.0), Some(95.0));
    assert_eq!(percentile(&[], 95.0), None);
}

#[test]
fn fit_cuts_and_pads_by_display_width() {
    assert_eq!(fit("abc", 5), "abc  ");
    assert_eq!(fit("abcdef", 4), "abc…");
    assert_eq!(fit("日本語", 4), "日… ");
}
