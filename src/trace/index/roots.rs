//! The root above every span, from the joined links, with bounded memory whatever the depth:
//! pointer jumping. Each round every span not yet at its root asks the span it points to
//! where that one points, so the distance covered doubles: a tree of depth d takes about
//! log2(d) + 1 rounds of sorting, each reading the spans once. A round in which no span
//! reaches its root leaves only spans on or below a cycle; those few are cut in memory with
//! the same `cycle_cuts` as `Trace::build` (it cuts the same links on any set of spans that
//! holds a cycle and everything leading into it).

use super::NONE;
use super::links::Link;
use crate::trace::spill::{Budget, Cursor, Run, Sorter, record};
use crate::trace::tree::cycle_cuts;
use std::io;

record! {
    /// Span `g` points to `to`, which is its root when `done` is 1.
    pub(super) struct State { g: u32, to: u32, done: u8 }
}

record! {
    /// Span `g` asks where span `to` points.
    struct Ask { to: u32, g: u32 }
}

/// The root of every span.
pub(super) struct Roots {
    /// For every span in file order; `to` is its root unless the span is in `cyclic`.
    pub states: Run<State>,
    /// (span, root) of the spans on or below a cycle, in file order.
    pub cyclic: Vec<(u32, u32)>,
    /// Spans whose parent link closed a cycle, with the parent it named, in file order.
    pub cycles: Vec<(u32, u32)>,
}

/// The roots of spans `0..n` linked by `parents` (sorted by child).
pub(super) fn roots(n: u32, parents: &Run<Link>, budget: Budget) -> io::Result<Roots> {
    let mut states = first_states(n, parents, budget)?;
    while let Some(next) = jump(&states, budget)? {
        states = next;
    }
    let (cyclic, cycles) = cut_cycles(&states, parents)?;
    Ok(Roots {
        states,
        cyclic,
        cycles,
    })
}

/// Each span points to its parent; a span without one is its own root.
fn first_states(n: u32, parents: &Run<Link>, budget: Budget) -> io::Result<Run<State>> {
    let mut links = Cursor::new(parents)?;
    let mut states = Sorter::new(budget);
    for g in 0..n {
        states.push(match links.take_if(|l| l.g == g)? {
            Some(l) => State {
                g,
                to: l.parent,
                done: 0,
            },
            None => State { g, to: g, done: 1 },
        })?;
    }
    states.finish()
}

/// One round: every span not at its root points where the span it points to points. None
/// when no span reached its root (nothing left, or only spans on or below a cycle).
fn jump(states: &Run<State>, budget: Budget) -> io::Result<Option<Run<State>>> {
    let mut asks = Sorter::new(budget);
    for s in states.iter()? {
        let s = s?;
        if s.done == 0 {
            asks.push(Ask { to: s.to, g: s.g })?;
        }
    }
    let asks = asks.finish()?;
    let mut table = Cursor::new(states)?;
    let mut answers = Sorter::new(budget);
    let mut arrived = 0u64;
    for ask in asks.iter()? {
        let ask = ask?;
        table.skip_while(|t| t.g < ask.to)?;
        let t = table
            .head()
            .filter(|t| t.g == ask.to)
            .ok_or_else(super::corrupt)?;
        arrived += u64::from(t.done);
        answers.push(State { g: ask.g, ..*t })?;
    }
    if arrived == 0 {
        return Ok(None);
    }
    let answers = answers.finish()?;
    let mut answers = Cursor::new(&answers)?;
    let mut next = Sorter::new(budget);
    for s in states.iter()? {
        let s = s?;
        next.push(answers.take_if(|a| a.g == s.g)?.unwrap_or(s))?;
    }
    next.finish().map(Some)
}

/// Pairs of spans (span, root or parent), in file order of the first.
type Pairs = Vec<(u32, u32)>;

/// The spans left pointing at no root lie on or below a cycle: cut each cycle where
/// `Trace::build` cuts it and find their roots, in memory: (span, root) of each, and (span,
/// parent it named) of each cut link.
fn cut_cycles(states: &Run<State>, parents: &Run<Link>) -> io::Result<(Pairs, Pairs)> {
    let mut caught = Vec::new();
    for s in states.iter()? {
        let s = s?;
        if s.done == 0 {
            caught.push(s.g);
        }
    }
    if caught.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let local = |g: u32| caught.binary_search(&g).ok();
    let mut parent = vec![None; caught.len()];
    for l in parents.iter()? {
        let l = l?;
        if let Some(i) = local(l.g) {
            parent[i] = Some(local(l.parent).ok_or_else(super::corrupt)?);
        }
    }
    let cuts = cycle_cuts(caught.len(), |i| parent[i]);
    let mut cycles = Vec::with_capacity(cuts.len());
    for &i in &cuts {
        let named = parent[i].take().ok_or_else(super::corrupt)?;
        cycles.push((caught[i], caught[named]));
    }
    let root = roots_of(&parent);
    let cyclic = (0..caught.len())
        .map(|i| (caught[i], caught[root[i]]))
        .collect();
    Ok((cyclic, cycles))
}

/// The root above every span of an acyclic `parent` list, each link followed once.
fn roots_of(parent: &[Option<usize>]) -> Vec<usize> {
    let mut root = vec![NONE as usize; parent.len()];
    let mut path = Vec::new();
    for i in 0..parent.len() {
        let mut j = i;
        while root[j] == NONE as usize {
            path.push(j);
            match parent[j] {
                None => root[j] = j,
                Some(p) => j = p,
            }
        }
        let r = root[j];
        for p in path.drain(..) {
            root[p] = r;
        }
    }
    root
}

#[cfg(test)]
#[path = "roots_tests.rs"]
mod tests;
