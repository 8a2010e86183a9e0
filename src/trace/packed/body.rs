//! A packed span's arena bytes (written by `encode`) read back: borrowed by [`SpanRef::read`]
//! (a string is only checked as UTF-8 when asked for, so skipping a 100 KB input costs a jump)
//! and owned by [`SpanRef::to_span`], exactly the span that was written.

use super::encode::{
    COST, DOCUMENTS, ERROR, EXTRA, INPUT, MODEL, OUTPUT, PARENT_LINKED, PARENT_TEXT, REQUEST,
    SCHEMA, TOOL, TOOL_CALL_ID, TOOL_CALLS, USAGE,
};
use crate::trace::model::{Document, Span, SpanExtra, ToolCall, ToolRequest, Usage};
use crate::trace::wire::JsonText;

/// A cursor over bytes `encode` wrote. Reading past the end (which only a bug could cause)
/// yields zeros and empty strings rather than a panic.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.bytes.len());
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        head
    }

    fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
        }
        v
    }

    fn word<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        let got = self.take(N);
        out[..got.len()].copy_from_slice(got);
        out
    }

    fn f64(&mut self) -> f64 {
        f64::from_bits(u64::from_le_bytes(self.word()))
    }

    /// A string's bytes, not yet checked as UTF-8.
    pub(super) fn text(&mut self) -> Text<'a> {
        let n = usize::try_from(self.varint()).unwrap_or(usize::MAX);
        Text(self.take(n))
    }

    fn opt(&mut self, present: bool) -> Option<Text<'a>> {
        present.then(|| self.text())
    }
}

/// A string of the arena, checked as UTF-8 only when read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text<'a>(&'a [u8]);

impl<'a> Text<'a> {
    /// The text (empty if the bytes were not UTF-8, which `encode` never writes).
    pub fn str(self) -> &'a str {
        std::str::from_utf8(self.0).unwrap_or_default()
    }

    /// Its length in bytes.
    pub fn len(self) -> usize {
        self.0.len()
    }

    /// Whether it is the empty string.
    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }
}

fn own(t: Option<Text<'_>>) -> Option<String> {
    t.map(|t| t.str().to_string())
}

/// A packed span's arena bytes, read in place.
#[derive(Debug, Clone, Copy)]
pub struct SpanRef<'a> {
    pub id: Text<'a>,
    pub name: Text<'a>,
    /// Whether the parent id is the linked parent's id (then `parent` is None).
    pub parent_linked: bool,
    /// The parent id when it is not the linked parent's (orphans, cut cycles).
    pub parent: Option<Text<'a>>,
    pub model: Option<Text<'a>>,
    pub input: Option<Text<'a>>,
    pub output: Option<Text<'a>>,
    pub extra: Option<ExtraRef<'a>>,
}

/// The rare fields of a packed span (see `SpanExtra`), read in place.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtraRef<'a> {
    pub error: Option<Text<'a>>,
    pub usage: Option<(Option<u64>, Option<u64>, Option<u64>)>,
    pub cost: Option<f64>,
    pub documents: Documents<'a>,
    pub tool: Option<ToolRef<'a>>,
    tool_calls: (usize, Reader<'a>),
    pub tool_call_id: Option<Text<'a>>,
    pub output_schema: Option<Text<'a>>,
    pub request: Option<Text<'a>>,
}

/// A TOOL span's call, read in place.
#[derive(Debug, Clone, Copy)]
pub struct ToolRef<'a> {
    pub name: Text<'a>,
    pub arguments: Option<Text<'a>>,
    pub result: Option<Text<'a>>,
}

/// A retrieved chunk, read in place.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocRef<'a> {
    pub id: Option<Text<'a>>,
    pub source: Option<Text<'a>>,
    pub score: Option<f64>,
    pub content: Option<Text<'a>>,
}

/// A span's retrieved chunks in the arena: decoded one by one as they are iterated.
#[derive(Debug, Clone, Copy, Default)]
pub struct Documents<'a> {
    len: usize,
    at: Reader<'a>,
}

impl<'a> Documents<'a> {
    /// How many chunks.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The chunks in order.
    pub fn iter(&self) -> impl Iterator<Item = DocRef<'a>> + use<'a> {
        let mut r = self.at;
        (0..self.len).map(move |_| read_document(&mut r))
    }

    /// Chunk `d`, when there is one.
    pub fn get(&self, d: usize) -> Option<DocRef<'a>> {
        self.iter().nth(d)
    }
}

fn read_document<'a>(r: &mut Reader<'a>) -> DocRef<'a> {
    let mask = r.byte();
    DocRef {
        id: r.opt(mask & 1 != 0),
        source: r.opt(mask & 2 != 0),
        score: (mask & 4 != 0).then(|| r.f64()),
        content: r.opt(mask & 8 != 0),
    }
}

/// Move `r` past `n` documents.
fn skip_documents(r: &mut Reader<'_>, n: usize) {
    for _ in 0..n {
        read_document(r);
    }
}

impl<'a> SpanRef<'a> {
    /// Read the bytes `encode` wrote for one span.
    pub fn read(bytes: &'a [u8]) -> SpanRef<'a> {
        let mut r = Reader::new(bytes);
        let id = r.text();
        let name = r.text();
        let mask = r.byte();
        SpanRef {
            id,
            name,
            parent_linked: mask & PARENT_LINKED != 0,
            parent: r.opt(mask & PARENT_TEXT != 0),
            model: r.opt(mask & MODEL != 0),
            input: r.opt(mask & INPUT != 0),
            output: r.opt(mask & OUTPUT != 0),
            extra: (mask & EXTRA != 0).then(|| read_extra(&mut r)),
        }
    }

    /// The rare fields, or none of them.
    pub fn extra(&self) -> ExtraRef<'a> {
        self.extra.unwrap_or_default()
    }

    /// The span as it was packed; `head` gives what the trace keeps outside the arena (kind,
    /// status, times) and `linked_parent` the parent's id when `parent_linked`.
    pub fn to_span(&self, head: Span, linked_parent: Option<&str>) -> Span {
        let parent = match (self.parent_linked, self.parent) {
            (true, _) => linked_parent.map(Into::into),
            (false, p) => p.map(|p| p.str().into()),
        };
        let span = Span {
            id: self.id.str().into(),
            name: self.name.str().into(),
            parent,
            model: self.model.map(|m| m.str().into()),
            input: own(self.input),
            output: own(self.output),
            extra: None,
            ..head
        };
        match &self.extra {
            Some(x) => span.with_extra(x.to_extra()),
            None => span,
        }
    }
}

fn read_extra<'a>(r: &mut Reader<'a>) -> ExtraRef<'a> {
    let mask = u16::from_le_bytes(r.word());
    let has = |flag: u16| mask & flag != 0;
    let error = r.opt(has(ERROR));
    let usage = has(USAGE).then(|| {
        let m = r.byte();
        let mut count = |k: u8| (m & (1 << k) != 0).then(|| r.varint());
        (count(0), count(1), count(2))
    });
    let cost = has(COST).then(|| r.f64());
    let documents = if has(DOCUMENTS) {
        let len = usize::try_from(r.varint()).unwrap_or(0);
        let at = *r;
        skip_documents(r, len);
        Documents { len, at }
    } else {
        Documents::default()
    };
    let tool = has(TOOL).then(|| {
        let name = r.text();
        let m = r.byte();
        ToolRef {
            name,
            arguments: r.opt(m & 1 != 0),
            result: r.opt(m & 2 != 0),
        }
    });
    let tool_calls = if has(TOOL_CALLS) {
        let len = usize::try_from(r.varint()).unwrap_or(0);
        let at = *r;
        (0..len).for_each(|_| {
            read_call(r);
        });
        (len, at)
    } else {
        (0, Reader::default())
    };
    ExtraRef {
        error,
        usage,
        cost,
        documents,
        tool,
        tool_calls,
        tool_call_id: r.opt(has(TOOL_CALL_ID)),
        output_schema: r.opt(has(SCHEMA)),
        request: r.opt(has(REQUEST)),
    }
}

/// A requested tool call in place: (id, name, arguments).
type CallRef<'a> = (Option<Text<'a>>, Text<'a>, Option<Text<'a>>);

fn read_call<'a>(r: &mut Reader<'a>) -> CallRef<'a> {
    let m = r.byte();
    let id = r.opt(m & 1 != 0);
    let name = r.text();
    (id, name, r.opt(m & 2 != 0))
}

impl ExtraRef<'_> {
    /// The tool calls an LLM span's output asked for, decoded.
    pub fn tool_calls(&self) -> Vec<ToolRequest> {
        let (len, mut r) = self.tool_calls;
        (0..len)
            .map(|_| {
                let (id, name, arguments) = read_call(&mut r);
                ToolRequest {
                    id: own(id),
                    name: name.str().to_string(),
                    arguments: own(arguments),
                }
            })
            .collect()
    }

    /// Whether the output asked for tool calls.
    pub fn has_tool_calls(&self) -> bool {
        self.tool_calls.0 > 0
    }

    /// The fields decoded, owned.
    pub fn to_extra(&self) -> SpanExtra {
        SpanExtra {
            error: own(self.error),
            usage: self.usage.map(|(p, c, t)| Usage {
                prompt_tokens: p,
                completion_tokens: c,
                total_tokens: t,
            }),
            cost: self.cost,
            documents: self.documents.iter().map(|d| d.to_document()).collect(),
            tool: self.tool.map(|t| ToolCall {
                name: t.name.str().to_string(),
                arguments: own(t.arguments),
                result: own(t.result),
            }),
            tool_calls: self.tool_calls(),
            tool_call_id: own(self.tool_call_id),
            // The text was written from a `Value`, so it parses back to the same value.
            output_schema: self
                .output_schema
                .map(|s| serde_json::from_str(s.str()).unwrap_or_default()),
            request: self.request.map(|t| JsonText::from_text(t.str())),
        }
    }
}

impl DocRef<'_> {
    /// The chunk decoded, owned.
    pub fn to_document(&self) -> Document {
        Document {
            id: own(self.id),
            source: own(self.source),
            score: self.score,
            content: own(self.content),
        }
    }
}
