//! The whole trace's totals (the head of `temper --json trace`) counted root by root as pass
//! two reads them, the same figures `cli::trace::totals` counts on a loaded trace: model calls,
//! their tokens, the billed spans' costs summed in file order, and tool calls from the facts of
//! `Trace::tool_facts`. What depends on other roots (a call answered by id anywhere in the
//! file, costs in file order) goes through sorters, so memory does not grow with the file.

use super::Root;
use crate::trace::pricing::{CostSource, SpanCost, billed_spans};
use crate::trace::spill::{Budget, Cursor, Record, Sorter, record};
use crate::trace::{ToolFact, Usage};
use jiff::Timestamp;
use std::io;

/// The whole-trace figures of a trace's document head.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub spans: usize,
    /// Model requests: LLM spans with no LLM span below.
    pub llm_calls: usize,
    /// Tool spans plus the calls models asked for that no span ran.
    pub tool_calls: usize,
    /// Tokens of the model requests.
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Costs of the billed spans as the file recorded them, and as estimated where it did not.
    pub cost_from_file: Option<f64>,
    pub cost_estimated: Option<f64>,
    /// Earliest start and latest end of any span.
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
}

/// What the totals need of one root, taken on the thread that read it.
pub struct RootFacts {
    llm_calls: usize,
    prompt_tokens: u64,
    completion_tokens: u64,
    costs: Vec<CostAt>,
    calls: Vec<CallFact>,
    names: Vec<NameCount>,
    tool_spans: usize,
}

record! {
    /// Billed span `g` costs `usd` (its bits) from `source` (0 the file, 1 the price table).
    struct CostAt { g: u32, usd: u64, source: u8 }
}

/// Kinds of call-id facts, in the order a call id's facts are read: whether any span ran the
/// call, then the requests (counted when none did), then the TOOL spans (counted by name when
/// no model call asked for that id).
const RAN: u8 = 0;
const ASKED: u8 = 1;
const TOOL: u8 = 2;

/// A tool fact with a call id; `root` is the root's index in the file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CallFact {
    id: String,
    kind: u8,
    root: u32,
    name: String,
}

/// Requests (`asked`) and TOOL spans not linked by id (`spans`) of tool `name` under `root`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct NameCount {
    root: u32,
    name: String,
    asked: u32,
    spans: u32,
}

impl RootFacts {
    /// The facts of `root`, whose spans cost `costs` (`span_costs` of its trace).
    pub fn of(root: &Root, costs: &[Option<SpanCost>]) -> RootFacts {
        let trace = &root.trace;
        let global = |i: usize| root.spans[i] as u32;
        let calls = trace.model_calls();
        let tokens = |f: fn(&Usage) -> Option<u64>| {
            let each = calls.iter().filter_map(|&i| trace.spans[i].usage.as_ref());
            each.filter_map(f).fold(0u64, u64::saturating_add)
        };
        let mut facts = RootFacts {
            llm_calls: calls.len(),
            prompt_tokens: tokens(|u| u.prompt_tokens),
            completion_tokens: tokens(|u| u.completion_tokens),
            costs: Vec::new(),
            calls: Vec::new(),
            names: Vec::new(),
            tool_spans: 0,
        };
        for i in billed_spans(trace, costs) {
            if let Some(c) = costs[i] {
                facts.costs.push(CostAt {
                    g: global(i),
                    usd: c.usd.to_bits(),
                    source: u8::from(c.source == CostSource::PriceTable),
                });
            }
        }
        for fact in trace.tool_facts() {
            facts.add_tool_fact(fact, global);
        }
        facts
    }

    fn add_tool_fact(&mut self, fact: ToolFact, global: impl Fn(usize) -> u32) {
        let (kind, root, name, id) = match fact {
            ToolFact::Ran(id) => (RAN, 0, "", Some(id)),
            ToolFact::Asked { root, name, id } => (ASKED, global(root), name, id),
            ToolFact::Tool { root, name, id } => (TOOL, global(root), name, id),
        };
        self.tool_spans += usize::from(kind == TOOL);
        let name = name.to_string();
        match id {
            Some(id) => self.calls.push(CallFact {
                id: id.to_string(),
                kind,
                root,
                name,
            }),
            None => self.names.push(NameCount::one(kind, root, name)),
        }
    }
}

/// The totals gathered root by root, until `Stream::summary` counts them.
pub struct Tally {
    llm_calls: usize,
    prompt_tokens: u64,
    completion_tokens: u64,
    tool_spans: usize,
    costs: Sorter<CostAt>,
    calls: Sorter<CallFact>,
    names: Sorter<NameCount>,
}

impl Tally {
    pub fn new(budget: Budget) -> Tally {
        Tally {
            llm_calls: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
            tool_spans: 0,
            costs: Sorter::new(budget),
            calls: Sorter::new(budget),
            names: Sorter::new(budget),
        }
    }

    /// Add one root's facts.
    pub fn add(&mut self, facts: RootFacts) -> io::Result<()> {
        self.llm_calls += facts.llm_calls;
        self.prompt_tokens = self.prompt_tokens.saturating_add(facts.prompt_tokens);
        self.completion_tokens = (self.completion_tokens).saturating_add(facts.completion_tokens);
        self.tool_spans += facts.tool_spans;
        facts
            .costs
            .into_iter()
            .try_for_each(|c| self.costs.push(c))?;
        facts
            .calls
            .into_iter()
            .try_for_each(|c| self.calls.push(c))?;
        facts.names.into_iter().try_for_each(|n| self.names.push(n))
    }

    /// The totals once every root was added; `spans`, `start` and `end` come from pass one.
    pub fn finish(
        self,
        spans: usize,
        start: Option<Timestamp>,
        end: Option<Timestamp>,
    ) -> io::Result<Summary> {
        let Tally {
            calls, mut names, ..
        } = self;
        let calls = calls.finish()?;
        let mut call = Cursor::new(&calls)?;
        while let Some(first) = call.head().map(|c| c.id.clone()) {
            let (mut ran, mut asked) = (false, false);
            while let Some(c) = call.take_if(|c| c.id == first)? {
                ran |= c.kind == RAN;
                asked |= c.kind == ASKED;
                let counted = (c.kind == ASKED && !ran) || (c.kind == TOOL && !asked);
                if counted {
                    names.push(NameCount::one(c.kind, c.root, c.name))?;
                }
            }
        }
        let costs = self.costs.finish()?;
        Ok(Summary {
            spans,
            llm_calls: self.llm_calls,
            tool_calls: self.tool_spans + unanswered(&names.finish()?)?,
            prompt_tokens: self.prompt_tokens,
            completion_tokens: self.completion_tokens,
            cost_from_file: cost_sum(&costs, 0)?,
            cost_estimated: cost_sum(&costs, 1)?,
            start,
            end,
        })
    }
}

/// Per root and tool name, the requests beyond the TOOL spans that may have answered them.
fn unanswered(names: &crate::trace::spill::Run<NameCount>) -> io::Result<usize> {
    let mut names = Cursor::new(names)?;
    let mut total = 0usize;
    while let Some((root, name)) = names.head().map(|n| (n.root, n.name.clone())) {
        let (mut asked, mut spans) = (0usize, 0usize);
        while let Some(n) = names.take_if(|n| n.root == root && n.name == name)? {
            asked += n.asked as usize;
            spans += n.spans as usize;
        }
        total += asked.saturating_sub(spans);
    }
    Ok(total)
}

/// The sum, in file order as a loaded trace sums them, of the costs from `source`; None when
/// no billed span has one.
fn cost_sum(costs: &crate::trace::spill::Run<CostAt>, source: u8) -> io::Result<Option<f64>> {
    let (mut failed, mut any) = (None, false);
    let sum: f64 = costs
        .iter()?
        .map_while(|c| c.map_err(|e| failed = Some(e)).ok())
        .filter(|c| c.source == source)
        .inspect(|_| any = true)
        .map(|c| f64::from_bits(c.usd))
        .sum();
    match failed {
        Some(e) => Err(e),
        None => Ok(any.then_some(sum)),
    }
}

impl NameCount {
    /// One request (`ASKED`) or one TOOL span (`TOOL`) of tool `name` under `root`.
    fn one(kind: u8, root: u32, name: String) -> NameCount {
        NameCount {
            root,
            name,
            asked: u32::from(kind == ASKED),
            spans: u32::from(kind == TOOL),
        }
    }
}

impl Record for CallFact {
    fn encode(&self, out: &mut Vec<u8>) {
        put_text(out, &self.id);
        out.push(self.kind);
        out.extend_from_slice(&self.root.to_le_bytes());
        out.extend_from_slice(self.name.as_bytes());
    }

    fn decode(bytes: &[u8]) -> Option<CallFact> {
        let (id, rest) = take_text(bytes)?;
        let (&kind, rest) = rest.split_first()?;
        let (root, name) = rest.split_first_chunk()?;
        Some(CallFact {
            id,
            kind,
            root: u32::from_le_bytes(*root),
            name: String::from_utf8(name.to_vec()).ok()?,
        })
    }
}

impl Record for NameCount {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.root.to_le_bytes());
        out.extend_from_slice(&self.asked.to_le_bytes());
        out.extend_from_slice(&self.spans.to_le_bytes());
        out.extend_from_slice(self.name.as_bytes());
    }

    fn decode(bytes: &[u8]) -> Option<NameCount> {
        let (root, rest) = bytes.split_first_chunk()?;
        let (asked, rest) = rest.split_first_chunk()?;
        let (spans, name) = rest.split_first_chunk()?;
        Some(NameCount {
            root: u32::from_le_bytes(*root),
            asked: u32::from_le_bytes(*asked),
            spans: u32::from_le_bytes(*spans),
            name: String::from_utf8(name.to_vec()).ok()?,
        })
    }
}

/// A text as its length (u32) then its bytes.
fn put_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// The text `put_text` wrote at the start of `bytes`, and what follows it.
fn take_text(bytes: &[u8]) -> Option<(String, &[u8])> {
    let (len, rest) = bytes.split_first_chunk()?;
    let len = u32::from_le_bytes(*len) as usize;
    let text = rest.get(..len)?;
    Some((String::from_utf8(text.to_vec()).ok()?, &rest[len..]))
}
