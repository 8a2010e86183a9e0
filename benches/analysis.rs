//! Analysis speed: N samples of ~2 KB each (target: 1,000 in ≤ 200 ms), and how the cost grows
//! with N (it must stay sub-quadratic), plus a 1 MB diff that must degrade instead of hanging.
//!
//! Run: `cargo bench --bench analysis`

use std::hint::black_box;
use std::time::{Duration, Instant};
use temper::analysis::{DiffOptions, Mode, Observed, Options, analyze, diff_texts};

/// ~2 KB of prose-like text; sample `i` drifts (one number changed) when `drift(i)`.
fn sample(i: usize, drift: bool) -> String {
    let mut out = String::with_capacity(2100);
    let mut w = 0usize;
    while out.len() < 2048 {
        let word = match w % 7 {
            0 => "refund",
            1 => "annual",
            2 => "plans",
            3 => "within",
            4 => "purchase",
            5 => "[c2]",
            _ => "days",
        };
        if drift && w == 150 + i % 100 {
            out.push_str(&format!("{} ", i));
        } else {
            out.push_str(word);
            out.push(' ');
        }
        w += 1;
    }
    out
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        f();
        best = best.min(start.elapsed());
    }
    best
}

fn scenario(name: &str, n: usize, drift: impl Fn(usize) -> bool, mode: Mode) -> Duration {
    let texts: Vec<String> = (0..n).map(|i| sample(i, drift(i))).collect();
    let observed: Vec<Observed> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Observed::ok(i as u32, t))
        .collect();
    let took = time(3, || {
        black_box(analyze(black_box(&observed), Options::mode(mode)));
    });
    let a = analyze(&observed, Options::mode(mode));
    println!(
        "{name:<28} n={n:>5}  {:>8.1} ms  distinct={:>5} stability={:.2} similarity={:.3} ({:?})",
        took.as_secs_f64() * 1000.0,
        a.distinct,
        a.stability.unwrap_or(0.0),
        a.similarity.unwrap_or(0.0),
        a.similarity_method
    );
    took
}

fn main() {
    println!("analysis of N samples of ~2 KB (best of 3)");
    let mut all_distinct = Vec::new();
    for n in [200, 1000, 5000] {
        scenario("40% drift, exact", n, |i| i % 5 < 2, Mode::Exact);
        all_distinct.push((
            n,
            scenario("every sample distinct, exact", n, |_| true, Mode::Exact),
        ));
        scenario("every sample distinct, ws", n, |_| true, Mode::Whitespace);
    }
    let t1000 = scenario("every sample distinct, json*", 1000, |_| true, Mode::Json);
    println!(
        "(*json mode on non-JSON text: parse attempt + exact fallback)  {:.1} ms",
        t1000.as_secs_f64() * 1000.0
    );
    if let [(n0, t0), .., (n1, t1)] = all_distinct.as_slice() {
        let growth = t1.as_secs_f64() / t0.as_secs_f64();
        let linear = *n1 as f64 / *n0 as f64;
        println!(
            "growth {n0} -> {n1} samples: x{growth:.1} time for x{linear:.0} samples (quadratic would be x{:.0})",
            linear * linear
        );
    }

    let big_old: String = (0..20_000)
        .map(|i| format!("line {i} of a long output\n"))
        .collect();
    let big_new = big_old
        .replace("line 777 of", "line 777 in")
        .replace("line 15000 of", "row 15000 of");
    let d = time(3, || {
        black_box(diff_texts(&big_old, &big_new, &DiffOptions::default()));
    });
    let diff = diff_texts(&big_old, &big_new, &DiffOptions::default());
    println!(
        "diff of two {:.1} MB outputs: {:.1} ms, granularity {:?} ({})",
        big_old.len() as f64 / 1e6,
        d.as_secs_f64() * 1000.0,
        diff.granularity,
        diff.degraded.as_deref().unwrap_or("not degraded")
    );
    let one_line_old = "word ".repeat(200_000);
    let one_line_new = format!("{one_line_old}tail");
    let d = time(1, || {
        black_box(diff_texts(
            &one_line_old,
            &one_line_new,
            &DiffOptions::default(),
        ));
    });
    println!(
        "diff of two 1 MB single-line outputs: {:.1} ms",
        d.as_secs_f64() * 1000.0
    );
}
