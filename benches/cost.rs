//! Cost benchmarks (plain `fn main`, run with `cargo bench --bench cost`).
//!
//! Targets (issue 5): encoder initialisation cold ≤ 150 ms; counting a 1 MB text ≤ 100 ms.

use std::time::{Duration, Instant};

use temper::cost::{Encoding, PriceBook, Usage, count_text, warm_up};

/// About 1 MB of varied English prose, code and numbers (deterministic, no file needed).
fn one_megabyte() -> String {
    const WORDS: &[&str] = &[
        "the",
        "refund",
        "window",
        "for",
        "annual",
        "plans",
        "is",
        "30",
        "days",
        "[c2]",
        "customers",
        "can",
        "cancel",
        "at",
        "any",
        "time;",
        "invoice",
        "#INV-2291",
        "total:",
        "$267.50",
        "fn",
        "main()",
        "{",
        "}",
        "let",
        "x",
        "=",
        "42;",
        "Überweisung",
        "東京",
        "latency",
        "p95",
        "alarms",
        "fired",
        "at",
        "14:02",
        "UTC.",
        "Is",
        "payments",
        "degraded?",
        "\n",
        "  ",
        "JSON:",
        "{\"vendor\":",
        "\"Northwind\"}",
        "well-known",
        "don't",
        "it's",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut text = String::with_capacity(1 << 20);
    while text.len() < 1_000_000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let word = WORDS[(state >> 33) as usize % WORDS.len()];
        text.push_str(word);
        text.push(' ');
    }
    text
}

/// Wall time and, where Linux reports it, this thread's on-CPU time: on a shared machine the
/// wall time includes waiting for a core, the CPU time does not.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
struct Timing {
    wall: Duration,
    cpu: Option<Duration>,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.1} ms wall", ms(self.wall))?;
        if let Some(cpu) = self.cpu {
            write!(f, " / {:.1} ms on-CPU", ms(cpu))?;
        }
        Ok(())
    }
}

fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Timing) {
    let cpu_start = thread_cpu();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed();
    let cpu = thread_cpu()
        .zip(cpu_start)
        .map(|(end, start)| end.saturating_sub(start));
    (out, Timing { wall, cpu })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let (ok, o200k_cold) = time(|| warm_up(Encoding::O200kBase));
    assert!(ok, "o200k_base failed to load");
    let (ok, cl100k_cold) = time(|| warm_up(Encoding::Cl100kBase));
    assert!(ok, "cl100k_base failed to load");
    let (_, warm) = time(|| warm_up(Encoding::O200kBase));
    println!(
        "encoder init cold (target ≤ 150 ms): o200k_base {o200k_cold}; cl100k_base {cl100k_cold}; warm {:.3} ms",
        ms(warm.wall)
    );

    let text = one_megabyte();
    for model in ["openai:gpt-4o", "openai:gpt-4"] {
        let mut runs = Vec::new();
        let mut tokens = 0;
        for _ in 0..5 {
            let (count, d) = time(|| count_text(model, &text));
            tokens = count.tokens;
            runs.push(d);
        }
        runs.sort_by_key(|t: &Timing| t.wall);
        println!(
            "count 1 MB ({} bytes, {tokens} tokens) for {model} (target ≤ 100 ms): median {}; best {}",
            text.len(),
            runs[2],
            runs[0]
        );
    }

    let (book, load) = time(|| PriceBook::builtin().expect("embedded table"));
    let usage = Usage {
        input: 1200,
        cached: 200,
        output: 300,
    };
    let models = [
        "openai:gpt-4o-2024-08-06",
        "anthropic:claude-sonnet-4-5",
        "ollama:llama3.2",
        "foo:bar",
    ];
    let (_, lookups) = time(|| {
        for _ in 0..2500 {
            for m in models {
                std::hint::black_box(book.cost_usd(m, &usage).ok());
            }
        }
    });
    println!(
        "price table parse {load}; lookup + cost {:.2} µs each",
        lookups.wall.as_secs_f64() * 1e6 / 10_000.0
    );
}
