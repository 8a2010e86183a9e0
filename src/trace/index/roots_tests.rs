//! Unit tests of `roots.rs` and of the index it is part of (kept beside it so the module reads
//! without them).

use super::super::links::link;
use super::super::order::order;
use super::super::{Keyed, Place};
use super::*;

/// The index of spans with these hashed `ids`, parent `names` (0: none) and `starts`, built
/// with `budget` bytes per sorter: roots' members in reading order, orphans, cycles,
/// duplicates.
type Built = (Vec<Vec<u32>>, Vec<u32>, Pairs, Pairs);
fn build(ids: &[u64], names: &[u64], starts: &[i128], budget: usize) -> Built {
    let budget = Budget(budget);
    let (mut by_id, mut by_name, mut places) = (
        Sorter::new(budget),
        Sorter::new(budget),
        Sorter::new(budget),
    );
    for g in 0..ids.len() as u32 {
        let i = g as usize;
        by_id.push(Keyed { key: ids[i], g }).unwrap();
        if names[i] != 0 {
            by_name.push(Keyed { key: names[i], g }).unwrap();
        }
        places
            .push(Place {
                g,
                offset: u64::from(g) * 10,
                len: 9,
                nth: 0,
                id: ids[i],
                start: starts[i],
            })
            .unwrap();
    }
    let links = link(&by_id.finish().unwrap(), &by_name.finish().unwrap(), budget).unwrap();
    let roots = roots(ids.len() as u32, &links.parents, budget).unwrap();
    let members = order(&places.finish().unwrap(), &links, &roots, budget).unwrap();
    let mut groups: Vec<Vec<u32>> = Vec::new();
    let mut last = None;
    for m in members.iter().unwrap() {
        let m = m.unwrap();
        if last != Some(m.root) {
            groups.push(Vec::new());
            last = Some(m.root);
        }
        groups.last_mut().unwrap().push(m.g);
    }
    (groups, links.orphans, roots.cycles, links.duplicates)
}

#[test]
fn links_like_the_tree_of_spans() {
    // 0 root, 1 child of 0, 2 orphan, 3<->4 a cycle, 5 a duplicate id of 1, 6 child of 1,
    // 7 below the cycle.
    let ids = [10, 11, 12, 13, 14, 11, 16, 17];
    let names = [0, 10, 99, 14, 13, 10, 11, 14];
    let starts = [5, 1, 3, 2, 2, 0, 0, 0];
    for budget in [1, 64, 1 << 20] {
        let (groups, orphans, cycles, duplicates) = build(&ids, &names, &starts, budget);
        assert_eq!(duplicates, vec![(5, 1)]);
        assert_eq!(orphans, vec![2]);
        assert_eq!(
            cycles,
            vec![(4, 3)],
            "cut where the walk from span 3 closes it"
        );
        // Roots 0 (start 5), 2 (3), 4 (2): in start order 4, 2, 0.
        assert_eq!(
            groups,
            vec![vec![3, 4, 7], vec![2], vec![0, 1, 5, 6]],
            "budget {budget}"
        );
    }
}

/// A chain as deep as the file, and a ring with a tail: the rounds end, the chain has one
/// root, the ring is cut once.
#[test]
fn deep_chains_and_rings_find_their_roots() {
    let n = 3000u64;
    // Spans 0..n: each the parent of the next, written child first.
    let ids: Vec<u64> = (0..n).map(|i| 1000 + (n - 1 - i)).collect();
    let names: Vec<u64> = (0..n)
        .map(|i| if i + 1 == n { 0 } else { 1000 + (n - 2 - i) })
        .collect();
    let starts = vec![0i128; n as usize];
    let (groups, _, cycles, _) = build(&ids, &names, &starts, 4096);
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].len(), n as usize);
    assert!(cycles.is_empty());

    // A ring 0 -> 1 -> ... -> 99 -> 0 (each names the next as parent), span 100 below it.
    let ids: Vec<u64> = (1..=101).collect();
    let mut names: Vec<u64> = (0..101).map(|i| (i + 1) % 100 + 1).collect();
    names[100] = 50;
    let (groups, orphans, cycles, _) = build(&ids, &names, &vec![0; 101], 512);
    assert!(orphans.is_empty());
    assert_eq!(
        cycles,
        vec![(99, 0)],
        "the walk from span 0 closes the ring at span 99"
    );
    assert_eq!(groups, vec![(0..=100).collect::<Vec<u32>>()]);
}
