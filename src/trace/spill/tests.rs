use super::*;
use std::io::Write;

record! {
    struct Pair { key: u64, g: u32 }
}

/// A record of variable length: a text after its key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Named {
    key: u32,
    name: String,
}

impl Record for Named {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.key.to_le_bytes());
        out.extend_from_slice(self.name.as_bytes());
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let (key, name) = bytes.split_first_chunk()?;
        Some(Named {
            key: u32::from_le_bytes(*key),
            name: String::from_utf8(name.to_vec()).ok()?,
        })
    }
}

fn pseudo_random(n: usize) -> Vec<Pair> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..n as u32)
        .map(|g| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Pair { key: x % 1000, g }
        })
        .collect()
}

fn sorted_by<T: Record>(budget: usize, records: &[T]) -> (Run<T>, Vec<T>) {
    let mut sorter = Sorter::new(Budget(budget));
    for r in records {
        sorter.push(r.clone()).unwrap();
    }
    let run = sorter.finish().unwrap();
    let out = run.iter().unwrap().collect::<io::Result<Vec<T>>>().unwrap();
    (run, out)
}

#[test]
fn records_past_the_budget_are_sorted_through_files() {
    let records = pseudo_random(10_000);
    let mut want = records.clone();
    want.sort();
    for budget in [700, 4096, 1 << 30] {
        let (run, got) = sorted_by(budget, &records);
        assert_eq!(got, want, "budget {budget}");
        assert_eq!(run.len(), 10_000);
        assert_eq!(
            matches!(run, Run::Held(_)),
            budget == 1 << 30,
            "budget {budget}"
        );
        // A run is read again from its start.
        let again = run.iter().unwrap().collect::<io::Result<Vec<_>>>().unwrap();
        assert_eq!(again, want);
    }
}

#[test]
fn records_of_any_length_and_no_records_come_back() {
    let names: Vec<Named> = (0..500u32)
        .rev()
        .map(|k| Named {
            key: k % 7,
            name: "x".repeat(k as usize % 40),
        })
        .collect();
    let mut want = names.clone();
    want.sort();
    assert_eq!(sorted_by(64, &names).1, want);
    let (run, empty) = sorted_by::<Named>(1, &[]);
    assert!(empty.is_empty() && run.len() == 0);
}

#[test]
fn a_fixed_record_refuses_bytes_of_another_length() {
    let mut bytes = Vec::new();
    Pair { key: 7, g: 3 }.encode(&mut bytes);
    assert_eq!(bytes.len(), 12);
    assert_eq!(Pair::decode(&bytes), Some(Pair { key: 7, g: 3 }));
    assert_eq!(Pair::decode(&bytes[..11]), None);
    bytes.push(0);
    assert_eq!(Pair::decode(&bytes), None);
}

#[test]
fn a_spool_gives_back_what_was_written_past_its_budget() {
    let text: Vec<u8> = (0..50_000u32).flat_map(|i| i.to_le_bytes()).collect();
    for budget in [0, 1000, 1 << 20] {
        let mut spool = Spool::new(Budget(budget), "test");
        for piece in text.chunks(777) {
            spool.write_all(piece).unwrap();
        }
        assert_eq!(spool.file.is_some(), budget < text.len(), "budget {budget}");
        let mut out = Vec::new();
        spool.copy_to(&mut out).unwrap();
        assert_eq!(out, text, "budget {budget}");
    }
}
