//! Unit tests of `money.rs` (kept beside it so the module reads without them).

use super::*;
use crate::cost::table::PriceRow;

fn row(input: f64, cached: Option<f64>, output: f64) -> PriceRow {
    PriceRow {
        provider: "p".into(),
        model: "m".into(),
        input,
        cached_input: cached,
        output,
        ..PriceRow::default()
    }
}

#[test]
fn volumes_take_suffixes_and_refuse_junk() {
    assert_eq!(super::parse_volume("50k"), Ok(50_000));
    assert_eq!(super::parse_volume("1.5M"), Ok(1_500_000));
    assert_eq!(super::parse_volume("2b"), Ok(2_000_000_000));
    assert_eq!(super::parse_volume("1,000"), Ok(1000));
    assert!(super::parse_volume("lots").is_err());
    assert!(super::parse_volume("0").is_err());
    assert!(super::parse_volume("-5k").is_err());
}

#[test]
fn cost_to_the_micro_dollar() {
    // gpt-4o-mini list prices: 0.15 in, 0.075 cached, 0.60 out per 1M.
    let r = row(0.15, Some(0.075), 0.60);
    let usage = Usage {
        input: 1200,
        cached: 1000,
        output: 400,
    };
    // 200 x 0.15 + 1000 x 0.075 + 400 x 0.6 = 30 + 75 + 240 = 345 micro-dollars
    assert!((r.cost_micro_usd(&usage) - 345.0).abs() < 1e-9);
    assert_eq!(round_micro(r.cost_usd(&usage)), 0.000345);
    // No cached price: cached tokens billed as input.
    let r = row(30.0, None, 60.0);
    assert_eq!(round_micro(r.cost_usd(&usage)), 0.06);
    // Cached above input is clamped.
    let weird = Usage {
        input: 10,
        cached: 50,
        output: 0,
    };
    assert_eq!(row(1.0, Some(0.5), 1.0).cost_micro_usd(&weird), 5.0);
}

#[test]
fn mean_p95_and_total() {
    let costs: Vec<Option<f64>> = (1..=20)
        .map(|i| Some(i as f64 / 1e6))
        .chain([None])
        .collect();
    let s = summarize(costs);
    assert_eq!(s.samples, 21);
    assert_eq!(s.priced, 20);
    assert_eq!(round_micro(s.total_usd), 0.00021);
    assert!((s.mean_usd.unwrap() - 10.5e-6).abs() < 1e-15);
    assert_eq!(s.p95_usd, Some(19.0 / 1e6));
    assert_eq!(summarize([None]).mean_usd, None);
}

#[test]
fn projection_per_day_and_month() {
    let p = project(0.000345, 10_000);
    assert_eq!(round_micro(p.per_day_usd), 3.45);
    assert_eq!(round_micro(p.per_30_days_usd), 103.5);
}

#[test]
fn money_formats() {
    assert_eq!(format_usd(0.000345), "$0.000345");
    assert_eq!(format_usd(0.5), "$0.5000");
    assert_eq!(format_usd(1234.5), "$1,234.50");
    assert_eq!(format_usd(0.0), "$0");
    assert_eq!(group_thousands("-1000"), "-1,000");
}
