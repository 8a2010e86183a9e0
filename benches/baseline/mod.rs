//! The regression gate every benchmark shares (docs/performance.md): each bench reports its
//! figures here; they are compared with the committed baseline of that bench
//! (`benches/baseline/<bench>.json`, measured on the machine named in it), and the process exits
//! non-zero when any figure is more than 25% worse. `TEMPER_BENCH_SAVE=1` writes the figures of
//! this run as the new baseline instead (do it on a quiet machine, and commit the file).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

/// How much worse than the baseline a figure may get before the bench fails.
pub const TOLERANCE: f64 = 0.25;

/// Which direction is better for a figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Better {
    /// Times, bytes, ratios of costs.
    Lower,
    /// Rates and speed-ups.
    Higher,
}

/// The figures of one bench run, keyed by a stable name such as `startup.run_wall_ms`.
pub struct Figures {
    bench: String,
    figures: BTreeMap<String, (f64, Better)>,
}

impl Figures {
    /// Figures for the bench named `bench` (the file stem of its baseline).
    pub fn new(bench: &str) -> Figures {
        Figures {
            bench: bench.to_string(),
            figures: BTreeMap::new(),
        }
    }

    /// Records one figure (printed at once, compared at `finish`).
    pub fn record(&mut self, name: &str, value: f64, better: Better) {
        println!("figure {name} = {value:.3}");
        self.figures.insert(name.to_string(), (value, better));
    }

    fn path(&self) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("benches/baseline")
            .join(format!("{}.json", self.bench))
    }

    /// Saves the baseline (with `TEMPER_BENCH_SAVE=1`) or compares against it, exiting with
    /// status 1 when a figure regressed by more than [`TOLERANCE`].
    pub fn finish(self) {
        if std::env::var_os("TEMPER_BENCH_SAVE").is_some() {
            self.save();
            return;
        }
        let baseline = self.load();
        let mut regressed = Vec::new();
        for (name, (value, better)) in &self.figures {
            let Some(base) = baseline.get(name) else {
                println!("baseline {name}: none yet (TEMPER_BENCH_SAVE=1 writes one)");
                continue;
            };
            let worse = match better {
                Better::Lower => *value > base * (1.0 + TOLERANCE),
                Better::Higher => *value < base * (1.0 - TOLERANCE),
            };
            let verdict = if worse { "REGRESSED" } else { "ok" };
            println!("baseline {name}: {base:.3} now {value:.3} {verdict}");
            if worse {
                regressed.push(name.clone());
            }
        }
        if !regressed.is_empty() {
            eprintln!(
                "{} figure(s) regressed by more than {:.0}% against {}: {}",
                regressed.len(),
                TOLERANCE * 100.0,
                self.path().display(),
                regressed.join(", ")
            );
            std::process::exit(1);
        }
    }

    fn load(&self) -> BTreeMap<String, f64> {
        let Ok(text) = std::fs::read_to_string(self.path()) else {
            return BTreeMap::new();
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        json.get("figures")
            .and_then(|f| f.as_object())
            .map(|f| {
                f.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn save(&self) {
        let mut figures = self.load();
        for (name, (value, _)) in &self.figures {
            figures.insert(name.clone(), *value);
        }
        let machine = format!(
            "{} cores, {}",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            std::env::consts::ARCH
        );
        let json = serde_json::json!({ "machine": machine, "figures": figures });
        let text = serde_json::to_string_pretty(&json).unwrap_or_default();
        match std::fs::write(self.path(), text + "\n") {
            Ok(()) => println!("baseline saved to {}", self.path().display()),
            Err(e) => eprintln!("cannot save {}: {e}", self.path().display()),
        }
    }
}
