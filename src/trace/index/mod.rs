//! Pass one of reading a JSONL trace without holding it (`temper --json trace`, see
//! docs/performance.md "Traces"): every line is parsed once, on every core,
//! and only a few numbers per span are kept: a keyed hash of its id, the place of its line, its
//! parent, and what the document's totals need (model calls' tokens and costs, tool calls).
//! The tree (orphans, cycles, roots in start order, each root's spans) is built from those
//! numbers; pass two (`trace::stream`) re-reads each root's lines and checks the real ids.

mod counts;
mod links;

use super::format::{Format, TraceError};
use super::lines::{self, LineAt, Parsed};
use super::model::{LoadWarning, SpanKind, Usage};
use super::pricing::{SpanCost, span_cost};
use super::reread::Reader;
use jiff::Timestamp;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::io::BufReader;
use std::path::Path;

/// No span (a root's parent, a missing link).
pub(super) const NONE: u32 = u32::MAX;

/// Bytes of the file parsed per block in pass one.
const BLOCK: usize = 1 << 20;

/// What pass one kept of a JSONL trace file: per span 28 bytes (`ids`, `offsets`, `lens`,
/// `parent`, `members`) plus one entry per root, per orphan, cycle and duplicate id.
pub struct Index {
    pub(super) format: Format,
    /// Keyed hash of each span's id, in file order (the key is random per run).
    pub(super) ids: Vec<u64>,
    pub(super) hasher: RandomState,
    /// Byte offset and length of each span's line (several spans may share a line).
    pub(super) offsets: Vec<u64>,
    pub(super) lens: Vec<u32>,
    /// Each span's parent after cycles are cut (`NONE` for a root).
    pub(super) parent: Vec<u32>,
    /// Spans whose parent id is not in the file, in file order.
    pub(super) orphans: Vec<u32>,
    /// Spans whose parent link closed a cycle, with the parent it named, in file order.
    pub(super) cycles: Vec<(u32, u32)>,
    /// (later occurrence, first occurrence) of every repeated id, in file order.
    pub(super) duplicates: Vec<(u32, u32)>,
    /// The spans of root `k` (in start order) are `members[first[k]..first[k + 1]]`, in file
    /// order.
    pub(super) first: Vec<u32>,
    pub(super) members: Vec<u32>,
    /// Bad lines (the first ones described) and how many there were.
    pub(super) warnings: Vec<LoadWarning>,
    pub(super) bad_lines: usize,
    /// The document's totals.
    pub summary: Summary,
    /// Size and modification time of the file when pass one began.
    pub(super) stamp: Stamp,
}

/// The whole-trace figures of a trace's document head, counted as `Trace::model_calls`,
/// `Trace::tool_call_count` and `pricing::billed_spans` count them.
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

/// The identity of the file's content between the passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Stamp {
    /// The stamp of the file at `path` now.
    pub(super) fn of(path: &Path) -> std::io::Result<Stamp> {
        let meta = std::fs::metadata(path)?;
        Ok(Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// The price of a model span's tokens (model, usage), called from the threads of pass one.
pub type Price<'a> = &'a (dyn Fn(&str, &Usage) -> Option<f64> + Sync);

/// A model span (LLM or embedding) as the totals need it.
struct ModelSpan {
    span: u32,
    llm: bool,
    cost: Option<SpanCost>,
    prompt: Option<u64>,
    completion: Option<u64>,
    /// Tool calls its output asked for: (interned name, hashed call id).
    requests: Vec<(u32, Option<u64>)>,
}

/// A model span as a block's thread saw it (span index in the block, names not yet interned).
struct ModelPart {
    span: usize,
    llm: bool,
    cost: Option<SpanCost>,
    usage: Option<Usage>,
    requests: Vec<(String, Option<u64>)>,
}

/// What pass one keeps of one block, made on the thread that parsed it.
#[derive(Default)]
struct Part {
    ids: Vec<u64>,
    parents: Vec<u64>,
    at: Vec<LineAt>,
    /// Start (nanoseconds, `i128::MIN` when unknown) of each span without a parent.
    starts: Vec<(usize, i128)>,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    models: Vec<ModelPart>,
    /// (span in the block, tool name, hashed call id) of every span with a tool call.
    tools: Vec<(usize, String, Option<u64>)>,
    /// Hashed `tool_call_id` of every span that has one.
    ran: Vec<u64>,
    warnings: Vec<LoadWarning>,
    bad: usize,
}

/// Everything pass one gathers before the tree is built.
#[derive(Default)]
struct Gathered {
    ids: Vec<u64>,
    parents: Vec<u64>,
    offsets: Vec<u64>,
    lens: Vec<u32>,
    starts: Vec<(u32, i128)>,
    models: Vec<ModelSpan>,
    tools: Vec<(u32, u32, Option<u64>)>,
    ran: Vec<u64>,
    names: HashMap<String, u32>,
    warnings: Vec<LoadWarning>,
    bad: usize,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    too_big: bool,
}

impl Index {
    /// Pass one over `path`, a JSONL trace in `format` (see `load::line_format`); `price`
    /// estimates a model span's cost from its tokens where the file recorded none.
    pub fn build(path: &Path, format: Format, price: Price) -> Result<Index, TraceError> {
        let io = |source| TraceError::Io {
            path: path.to_path_buf(),
            source,
        };
        let stamp = Stamp::of(path).map_err(io)?;
        let reader =
            BufReader::with_capacity(1 << 20, crate::fsio::open_regular(path).map_err(io)?);
        let hasher = RandomState::new();
        let mut all = Gathered::default();
        let digest = |parsed: Parsed| digest(parsed, &hasher, price);
        lines::for_each_block(reader, format, BLOCK, digest, |part| all.add(part)).map_err(io)?;
        if all.too_big {
            return Err(io(std::io::Error::other(
                "a line longer than 4 GiB or more than 4 billion spans; temper cannot index it",
            )));
        }
        all.into_index(path, format, hasher, stamp)
    }

    /// How many roots (top-level traces) the tree has.
    pub fn roots(&self) -> usize {
        self.first.len().saturating_sub(1)
    }
}

/// Keyed 64-bit hash of an id; 0 is kept for "no parent".
pub(super) fn hash(hasher: &RandomState, id: &str) -> u64 {
    hasher.hash_one(id).max(1)
}

/// Reduce one parsed block to what the index keeps.
fn digest(mut parsed: Parsed, hasher: &RandomState, price: Price) -> Part {
    super::toolcalls::fill(&mut parsed.spans);
    let mut part = Part {
        warnings: parsed.warnings,
        bad: parsed.bad,
        at: parsed.at,
        ..Part::default()
    };
    for (i, span) in parsed.spans.iter().enumerate() {
        part.ids.push(hash(hasher, &span.id));
        let parent = span.parent.as_deref().filter(|p| !p.is_empty());
        part.parents.push(parent.map_or(0, |p| hash(hasher, p)));
        if parent.is_none() {
            part.starts.push((i, nanos(span.start)));
        }
        part.start = earliest(part.start, span.start);
        part.end = part.end.max(span.end);
        if let Some(id) = &span.tool_call_id {
            part.ran.push(hash(hasher, id));
        }
        if let Some(tool) = &span.tool {
            let call = span.tool_call_id.as_deref().map(|id| hash(hasher, id));
            part.tools.push((i, tool.name.to_string(), call));
        }
        if matches!(span.kind, SpanKind::Llm | SpanKind::Embedding) {
            let requests = span.tool_calls.iter();
            part.models.push(ModelPart {
                span: i,
                llm: span.kind == SpanKind::Llm,
                cost: span_cost(span, price),
                usage: span.usage.clone(),
                requests: requests
                    .map(|r| {
                        (
                            r.name.to_string(),
                            r.id.as_deref().map(|id| hash(hasher, id)),
                        )
                    })
                    .collect(),
            });
        }
    }
    part
}

/// A start time as the tree orders it (unknown first).
fn nanos(start: Option<Timestamp>) -> i128 {
    start.map_or(i128::MIN, Timestamp::as_nanosecond)
}

/// The earlier of two optional times (None only when both are).
fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Gathered {
    /// Append one block's part, interning its tool names.
    fn add(&mut self, part: Part) {
        let base = self.ids.len();
        let index = |i: usize| u32::try_from(base + i).unwrap_or(NONE);
        for model in part.models {
            let usage = model.usage.as_ref();
            let requests = model.requests.into_iter();
            let requests = requests.map(|(name, id)| (self.name(name), id)).collect();
            self.models.push(ModelSpan {
                span: index(model.span),
                llm: model.llm,
                cost: model.cost,
                prompt: usage.and_then(|u| u.prompt_tokens),
                completion: usage.and_then(|u| u.completion_tokens),
                requests,
            });
        }
        for (i, name, call) in part.tools {
            let name = self.name(name);
            self.tools.push((index(i), name, call));
        }
        self.ran.extend(part.ran);
        self.ids.extend(part.ids);
        self.parents.extend(part.parents);
        let starts = part.starts.into_iter();
        self.starts.extend(starts.map(|(i, t)| (index(i), t)));
        for at in part.at {
            self.offsets.push(at.offset);
            self.too_big |= at.len > u64::from(u32::MAX);
            self.lens.push(u32::try_from(at.len).unwrap_or(u32::MAX));
        }
        self.start = earliest(self.start, part.start);
        self.end = self.end.max(part.end);
        let room = lines::MAX_WARNINGS.saturating_sub(self.warnings.len());
        self.warnings.extend(part.warnings.into_iter().take(room));
        self.bad += part.bad;
        self.too_big |= self.ids.len() >= NONE as usize;
    }

    fn name(&mut self, name: String) -> u32 {
        let next = self.names.len() as u32;
        *self.names.entry(name).or_insert(next)
    }

    /// Link the spans, cut cycles, order the roots and count the totals. Only spans without a
    /// parent had their start kept: the other roots (orphans, cut cycles) are read again.
    fn into_index(
        self,
        path: &Path,
        format: Format,
        hasher: RandomState,
        stamp: Stamp,
    ) -> Result<Index, TraceError> {
        let Gathered {
            ids,
            parents,
            offsets,
            lens,
            starts,
            models,
            tools,
            ran,
            mut warnings,
            bad,
            start,
            end,
            ..
        } = self;
        warnings.extend(super::load::more_bad_lines(bad));
        let mut reader = None;
        let mut reread = |g: u32| {
            let r = match &mut reader {
                Some(r) => r,
                None => reader.insert(Reader::open(path).ok()?),
            };
            let span = r.span(&offsets, &lens, format, g as usize)?;
            (hash(&hasher, &span.id) == ids[g as usize]).then(|| nanos(span.start))
        };
        let links = links::link(&ids, parents, &starts, &mut reread)
            .map_err(|g| line_changed(path, offsets[g as usize]))?;
        drop((starts, reader));
        let summary = Summary {
            spans: ids.len(),
            start,
            end,
            ..counts::count(&links, &models, &tools, &ran)
        };
        Ok(Index {
            format,
            ids,
            hasher,
            offsets,
            lens,
            parent: links.parent,
            orphans: links.orphans,
            cycles: links.cycles,
            duplicates: links.duplicates,
            first: links.first,
            members: links.members,
            warnings,
            bad_lines: bad,
            summary,
            stamp,
        })
    }
}

/// The error for a line that no longer holds the span the first pass read there.
pub(super) fn line_changed(path: &Path, offset: u64) -> TraceError {
    TraceError::Changed {
        path: path.to_path_buf(),
        what: format!("the line at byte {offset} no longer holds the same span"),
    }
}
