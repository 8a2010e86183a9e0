//! A loaded trace: spans in one flat Vec with parent/children indices, so 100k spans cost a few
//! small Vecs and the TUI can render any window of the tree without walking pointers.
//! Broken parent links never loop: orphans become roots and every cycle is cut once.

use super::format::Format;
use super::model::{Flag, FlagKind, LoadWarning, Span};
use serde::Serialize;
use std::collections::HashMap;

/// A trace file after loading: the spans, their tree, and what went wrong on the way.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    pub format: Format,
    pub spans: Vec<Span>,
    /// `parent[i]`: index of span i's parent, None for roots (incl. orphans and cut cycles).
    #[serde(skip)]
    pub parent: Vec<Option<usize>>,
    /// `children[i]`: indices of span i's children, ordered by start time then file order.
    #[serde(skip)]
    pub children: Vec<Vec<usize>>,
    /// Spans without a parent, in the same order as children.
    #[serde(skip)]
    pub roots: Vec<usize>,
    /// `root[i]`: the root above span i (i itself for a root), so grouping by root is O(1).
    #[serde(skip)]
    pub root: Vec<usize>,
    /// Bad lines and other problems; the rest of the file still loaded.
    pub warnings: Vec<LoadWarning>,
    /// Lines that could not be read (all counted, even past the listed warnings).
    pub bad_lines: usize,
    /// Spans whose parent id is not in the file (shown at the root).
    #[serde(skip)]
    pub orphans: Vec<usize>,
    /// Spans whose parent link was cut because it closed a cycle.
    #[serde(skip)]
    pub cycles: Vec<usize>,
    /// Detector findings (see `detectors::run`); empty until detectors ran.
    pub flags: Vec<Flag>,
}

impl Trace {
    /// Link spans into a tree. Duplicate ids keep the first span as the link target.
    pub fn build(format: Format, spans: Vec<Span>, mut warnings: Vec<LoadWarning>) -> Trace {
        let n = spans.len();
        let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(n);
        for (i, span) in spans.iter().enumerate() {
            if by_id.insert(span.id.as_str(), i).is_some() {
                warnings.push(duplicate_warning(&span.id));
            }
        }
        // Re-insert in reverse so the first occurrence wins.
        for (i, span) in spans.iter().enumerate().rev() {
            by_id.insert(span.id.as_str(), i);
        }
        let mut parent = vec![None; n];
        let mut orphans = Vec::new();
        for (i, span) in spans.iter().enumerate() {
            let Some(pid) = span.parent.as_deref().filter(|p| !p.is_empty()) else {
                continue;
            };
            match by_id.get(pid) {
                Some(&p) => parent[i] = Some(p),
                None => orphans.push(i),
            }
        }
        drop(by_id);
        Trace::from_links(format, spans, parent, orphans, warnings)
    }

    /// The tree of `spans` whose parent links are already resolved (`orphans`: the spans whose
    /// parent is missing, in index order): LLM spans given the tool calls their output asks
    /// for, cycles cut, children and roots ordered by start time then index, structure flags
    /// raised. `build` resolves the links by id; `trace::stream`
    /// gives the links of one root's spans from its index of the whole file.
    pub(crate) fn from_links(
        format: Format,
        mut spans: Vec<Span>,
        mut parent: Vec<Option<usize>>,
        orphans: Vec<usize>,
        warnings: Vec<LoadWarning>,
    ) -> Trace {
        super::toolcalls::fill(&mut spans);
        spans.iter_mut().for_each(Span::compact);
        let n = spans.len();
        let cycles = cycle_cuts(n, |i| parent[i]);
        for &i in &cycles {
            parent[i] = None;
        }
        let mut children = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, p) in parent.iter().enumerate() {
            match p {
                Some(p) => children[*p].push(i),
                None => roots.push(i),
            }
        }
        let by_start = |a: &usize, b: &usize| spans[*a].start.cmp(&spans[*b].start).then(a.cmp(b));
        for list in &mut children {
            if list.len() > 1 {
                list.sort_by(by_start);
            }
        }
        roots.sort_by(by_start);
        let root = root_indices(&roots, &children);
        let mut trace = Trace {
            format,
            spans,
            parent,
            children,
            roots,
            root,
            warnings,
            bad_lines: 0,
            orphans,
            cycles,
            flags: Vec::new(),
        };
        trace.flag_structure();
        trace.flags.sort_by_key(|f| f.span);
        trace
    }

    fn flag_structure(&mut self) {
        for &i in &self.orphans {
            let pid = self.spans[i].parent.clone().unwrap_or_default();
            self.flags.push(Flag {
                span: i,
                span_id: self.spans[i].id.to_string(),
                kind: FlagKind::Orphan,
                reason: format!("parent {pid:?} is not in the file; shown at the root"),
            });
        }
        for &i in &self.cycles {
            let pid = self.spans[i].parent.clone().unwrap_or_default();
            self.flags.push(Flag {
                span: i,
                span_id: self.spans[i].id.to_string(),
                kind: FlagKind::Cycle,
                reason: format!("parent link to {pid:?} closes a cycle; cut and shown at the root"),
            });
        }
    }

    /// Pre-order walk of the whole tree as (span index, depth), without recursion.
    pub fn walk(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::with_capacity(self.spans.len());
        let mut stack: Vec<(usize, usize)> = self.roots.iter().rev().map(|&r| (r, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            out.push((i, depth));
            stack.extend(self.children[i].iter().rev().map(|&c| (c, depth + 1)));
        }
        out
    }

    /// Index of the root above span `i` (the span itself when it is a root). O(1).
    pub fn root_of(&self, i: usize) -> usize {
        self.root.get(i).copied().unwrap_or(i)
    }

    /// For every span, how many spans strictly below it satisfy `pred`: one bottom-up pass,
    /// O(n) whatever the depth, so detectors never walk each span's descendants.
    pub fn count_below(&self, pred: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut below = vec![0usize; self.spans.len()];
        // Reverse pre-order visits every child before its parent.
        for (i, _) in self.walk().into_iter().rev() {
            if let Some(p) = self.parent[i] {
                below[p] += below[i] + usize::from(pred(i));
            }
        }
        below
    }

    /// Indices of all spans below `i` (not including `i`), pre-order.
    pub fn descendants(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.children[i].iter().rev().copied().collect();
        while let Some(c) = stack.pop() {
            out.push(c);
            stack.extend(self.children[c].iter().rev());
        }
        out
    }

    /// Index of the first span with this id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.spans.iter().position(|s| s.id == id)
    }

    /// The flags on span `i` (a binary search: `flags` is kept sorted by span index).
    pub fn flags_of(&self, i: usize) -> &[Flag] {
        let from = self.flags.partition_point(|f| f.span < i);
        let to = self.flags.partition_point(|f| f.span <= i);
        &self.flags[from..to]
    }
}

/// The warning for a span whose id an earlier span already has.
pub(crate) fn duplicate_warning(id: &str) -> LoadWarning {
    LoadWarning {
        line: 0,
        column: None,
        message: format!("duplicate span id {id:?}; links go to its first occurrence"),
    }
}

/// The root above every span, by walking down from each root (every span is reachable once
/// cycles are cut).
fn root_indices(roots: &[usize], children: &[Vec<usize>]) -> Vec<usize> {
    let mut root: Vec<usize> = (0..children.len()).collect();
    let mut stack = Vec::new();
    for &r in roots {
        stack.push(r);
        while let Some(i) = stack.pop() {
            root[i] = r;
            stack.extend(&children[i]);
        }
    }
    root
}

/// The spans whose parent link closes a cycle (cutting each once breaks every cycle), in index
/// order, from the links `parent(i)` of spans `0..n`. O(n). Each cycle is cut at the link the
/// first walk from the lowest index into it closes, so any subset of spans that holds a cycle
/// and everything that leads into it cuts it at the same place (see `trace::stream`).
pub(crate) fn cycle_cuts(n: usize, parent: impl Fn(usize) -> Option<usize>) -> Vec<usize> {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![NEW; n];
    let mut cut = Vec::new();
    let mut path = Vec::new();
    for start in 0..n {
        let mut i = start;
        while state[i] == NEW {
            state[i] = ON_PATH;
            path.push(i);
            match parent(i) {
                Some(p) if state[p] == ON_PATH => {
                    cut.push(i);
                    break;
                }
                Some(p) => i = p,
                None => break,
            }
        }
        for j in path.drain(..) {
            state[j] = DONE;
        }
    }
    cut.sort_unstable();
    cut
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
