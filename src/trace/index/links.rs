//! The tree of an index, from hashed ids alone: links to the first span of each id, orphans,
//! cycles cut where `Trace::build` cuts them (the same `cycle_cuts`), roots in start order, and
//! each root's spans grouped in file order. O(n log n) for the sort of ids, O(n) otherwise;
//! 4 to 16 bytes per span while it runs, no map of strings; the start time is known only for
//! spans without a parent, the other roots (orphans, cut cycles) are read again to date them.

use super::NONE;
use crate::trace::tree::cycle_cuts;

/// The linked tree (see `Index` for the meaning of each list).
pub(super) struct Links {
    pub parent: Vec<u32>,
    /// The root above every span (itself for a root).
    pub root: Vec<u32>,
    pub orphans: Vec<u32>,
    pub cycles: Vec<(u32, u32)>,
    pub duplicates: Vec<(u32, u32)>,
    pub first: Vec<u32>,
    pub members: Vec<u32>,
}

/// Link spans with hashed `ids` to the hashed `parents` they name (0: none), roots ordered by
/// start (nanoseconds, `i128::MIN` when unknown) then file order, as `Trace::build` does: from
/// `starts` (span, start) for spans without a parent, else from `reread` (None: the span's
/// line changed, the error is that span).
pub(super) fn link(
    ids: &[u64],
    parents: Vec<u64>,
    starts: &[(u32, i128)],
    reread: &mut dyn FnMut(u32) -> Option<i128>,
) -> Result<Links, u32> {
    let n = ids.len();
    let at = |i: u32| i as usize;
    // Span indices sorted by (id, index): the first of each run of equal ids is its target.
    let mut by_id: Vec<u32> = (0..n as u32).collect();
    by_id.sort_unstable_by_key(|&i| (ids[at(i)], i));
    let mut duplicates = Vec::new();
    let mut head = 0;
    for k in 1..n {
        if ids[at(by_id[k])] == ids[at(by_id[head])] {
            duplicates.push((by_id[k], by_id[head]));
        } else {
            head = k;
        }
    }
    duplicates.sort_unstable();
    let find = |h: u64| {
        let k = by_id.partition_point(|&i| ids[at(i)] < h);
        by_id.get(k).copied().filter(|&i| ids[at(i)] == h)
    };
    let mut parent = vec![NONE; n];
    let mut orphans = Vec::new();
    for (i, &h) in parents.iter().enumerate() {
        match (h, find(h)) {
            (0, _) => {}
            (_, Some(p)) => parent[i] = p,
            (_, None) => orphans.push(i as u32),
        }
    }
    drop((parents, by_id));
    let cuts = cycle_cuts(n, |i| (parent[i] != NONE).then(|| at(parent[i])));
    let cycles = cuts.iter().map(|&i| (i as u32, parent[i])).collect();
    for &i in &cuts {
        parent[i] = NONE;
    }
    let root = roots_of(&parent);
    let mut keyed = Vec::new();
    for r in (0..n as u32).filter(|&i| parent[at(i)] == NONE) {
        let start = match starts.binary_search_by_key(&r, |s| s.0) {
            Ok(k) => starts[k].1,
            Err(_) => reread(r).ok_or(r)?,
        };
        keyed.push((start, r));
    }
    keyed.sort_unstable();
    let roots: Vec<u32> = keyed.into_iter().map(|k| k.1).collect();
    let (first, members) = group(&root, &roots);
    Ok(Links {
        parent,
        root,
        orphans,
        cycles,
        duplicates,
        first,
        members,
    })
}

/// The root above every span of an acyclic `parent` list, each link followed once.
fn roots_of(parent: &[u32]) -> Vec<u32> {
    let mut root = vec![NONE; parent.len()];
    let mut path = Vec::new();
    for i in 0..parent.len() {
        let mut j = i;
        while root[j] == NONE {
            path.push(j);
            match parent[j] {
                NONE => root[j] = j as u32,
                p => j = p as usize,
            }
        }
        let r = root[j];
        for p in path.drain(..) {
            root[p] = r;
        }
    }
    root
}

/// The spans of each root of `roots` (in that order) in file order: `members[first[k]..
/// first[k + 1]]` for root k. A counting sort: O(n).
fn group(root: &[u32], roots: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let mut ordinal = vec![NONE; root.len()];
    for (k, &r) in roots.iter().enumerate() {
        ordinal[r as usize] = k as u32;
    }
    let mut first = vec![0u32; roots.len() + 1];
    for &r in root {
        first[ordinal[r as usize] as usize + 1] += 1;
    }
    for k in 1..first.len() {
        first[k] += first[k - 1];
    }
    let mut next = first.clone();
    let mut members = vec![0u32; root.len()];
    for (i, &r) in root.iter().enumerate() {
        let k = ordinal[r as usize] as usize;
        members[next[k] as usize] = i as u32;
        next[k] += 1;
    }
    (first, members)
}

#[cfg(test)]
#[path = "links_tests.rs"]
mod tests;
