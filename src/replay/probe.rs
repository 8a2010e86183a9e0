//! The grounding probe of `temper replay --without-chunk ID --shuffle-chunks`: the chunks the
//! trace's retriever spans returned are located in the rebuilt messages, then removed or
//! reordered, so a rerun shows whether the answer depends on them (docs/replay.md).

use crate::prompt::PromptBody;
use crate::trace::{SpanKind, Trace};
use thiserror::Error;

/// A retrieved chunk: its id and the text the retriever returned.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub id: String,
    pub content: String,
}

/// Why a probe cannot be made; nothing is saved or fired.
#[derive(Debug, Error)]
pub enum ProbeError {
    #[error(
        "no retrieved chunk {id:?} in {file}: its retriever spans returned {known} (ids as `temper trace {file}` lists them)"
    )]
    UnknownChunk {
        id: String,
        file: String,
        known: String,
    },
    #[error(
        "the text of chunk {id} is not in the messages of span {span}: the application reformatted it, so it cannot be removed or moved"
    )]
    NotInMessages { id: String, span: String },
    #[error(
        "--shuffle-chunks needs two retrieved chunks in the messages of span {span}, found {found}"
    )]
    TooFew { span: String, found: usize },
}

/// A request with its chunks changed, and what was changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub body: PromptBody,
    /// Ids of the chunks removed.
    pub removed: Vec<String>,
    /// Ids of the reordered chunks in their new order (empty when not shuffled).
    pub order: Vec<String>,
}

/// Every chunk with an id and text returned by a retriever or reranker span, first seen first.
pub fn chunks(trace: &Trace) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    let retrieving = trace
        .spans
        .iter()
        .filter(|s| matches!(s.kind, SpanKind::Retriever | SpanKind::Reranker));
    for doc in retrieving.flat_map(|s| &s.documents) {
        if let (Some(id), Some(content)) = (&doc.id, &doc.content)
            && !content.trim().is_empty()
            && !out.iter().any(|c| &c.id == id)
        {
            out.push(Chunk {
                id: id.clone(),
                content: content.clone(),
            });
        }
    }
    out
}

/// Where a chunk's text sits: message index and byte range.
#[derive(Debug, Clone, Copy)]
struct Place {
    message: usize,
    start: usize,
    end: usize,
}

fn locate(body: &PromptBody, chunk: &Chunk) -> Option<Place> {
    body.messages.iter().enumerate().find_map(|(i, m)| {
        m.content.find(&chunk.content).map(|start| Place {
            message: i,
            start,
            end: start + chunk.content.len(),
        })
    })
}

/// The chunk an id names: exact, else a unique prefix.
fn named<'c>(chunks: &'c [Chunk], id: &str, file: &str) -> Result<&'c Chunk, ProbeError> {
    let exact = chunks.iter().find(|c| c.id == id);
    let mut prefixed = chunks
        .iter()
        .filter(|c| !id.is_empty() && c.id.starts_with(id));
    match (exact, prefixed.next(), prefixed.next()) {
        (Some(c), _, _) | (None, Some(c), None) => Ok(c),
        _ => Err(ProbeError::UnknownChunk {
            id: id.into(),
            file: file.into(),
            known: if chunks.is_empty() {
                "no chunk with its text".into()
            } else {
                chunks
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        }),
    }
}

/// `body` with the chunks `without` names removed and, when `shuffle`, the remaining chunks of
/// each message in reverse order (deterministic, so a rerun probes the same request).
pub fn apply(
    body: &PromptBody,
    chunks: &[Chunk],
    without: &[String],
    shuffle: bool,
    (span, file): (&str, &str),
) -> Result<Probe, ProbeError> {
    let mut out = body.clone();
    let mut removed = Vec::new();
    for id in without {
        let chunk = named(chunks, id, file)?;
        let place = locate(&out, chunk).ok_or_else(|| ProbeError::NotInMessages {
            id: chunk.id.clone(),
            span: span.into(),
        })?;
        out.messages[place.message]
            .content
            .replace_range(place.start..place.end, "");
        removed.push(chunk.id.clone());
    }
    let order = if shuffle {
        reverse_chunks(&mut out, chunks, span)?
    } else {
        Vec::new()
    };
    Ok(Probe {
        body: out,
        removed,
        order,
    })
}

/// Reverse the order of the located, non-overlapping chunks within each message.
fn reverse_chunks(
    body: &mut PromptBody,
    chunks: &[Chunk],
    span: &str,
) -> Result<Vec<String>, ProbeError> {
    let mut placed: Vec<(Place, &Chunk)> = chunks
        .iter()
        .filter_map(|c| locate(body, c).map(|p| (p, c)))
        .collect();
    placed.sort_by_key(|(p, _)| (p.message, p.start));
    placed.dedup_by(|b, a| b.0.message == a.0.message && b.0.start < a.0.end);
    if placed.len() < 2 {
        return Err(ProbeError::TooFew {
            span: span.into(),
            found: placed.len(),
        });
    }
    let mut order = Vec::new();
    for message in 0..body.messages.len() {
        let here: Vec<&(Place, &Chunk)> = placed
            .iter()
            .filter(|(p, _)| p.message == message)
            .collect();
        if here.len() < 2 {
            order.extend(here.iter().map(|(_, c)| c.id.clone()));
            continue;
        }
        let text = &body.messages[message].content;
        let mut rebuilt = String::with_capacity(text.len());
        let mut at = 0;
        for (slot, (place, _)) in here.iter().enumerate() {
            let moved = here[here.len() - 1 - slot].1;
            rebuilt.push_str(&text[at..place.start]);
            rebuilt.push_str(&moved.content);
            order.push(moved.id.clone());
            at = place.end;
        }
        rebuilt.push_str(&text[at..]);
        body.messages[message].content = rebuilt;
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{Message, Role};

    fn body(text: &str) -> PromptBody {
        PromptBody {
            messages: vec![Message {
                role: Role::User,
                content: text.into(),
                tool_calls: Vec::new(),
                tool_call_id: None,
            }],
            ..PromptBody::default()
        }
    }

    fn chunk(id: &str, content: &str) -> Chunk {
        Chunk {
            id: id.into(),
            content: content.into(),
        }
    }

    #[test]
    fn removes_and_reverses_chunks_in_place() {
        let chunks = [
            chunk("aa1", "alpha"),
            chunk("bb2", "beta"),
            chunk("cc3", "gamma"),
        ];
        let b = body("ctx: alpha | beta | gamma. Q?");
        let p = apply(&b, &chunks, &["bb".into()], false, ("s", "f")).expect("probe");
        assert_eq!(p.body.messages[0].content, "ctx: alpha |  | gamma. Q?");
        assert_eq!(p.removed, ["bb2"]);
        let p = apply(&b, &chunks, &[], true, ("s", "f")).expect("probe");
        assert_eq!(p.body.messages[0].content, "ctx: gamma | beta | alpha. Q?");
        assert_eq!(p.order, ["cc3", "bb2", "aa1"]);
    }

    #[test]
    fn unknown_or_absent_chunks_are_refused() {
        let chunks = [chunk("aa1", "alpha"), chunk("ab2", "not there")];
        let b = body("alpha");
        let err = |r: Result<Probe, ProbeError>| r.expect_err("refused").to_string();
        assert!(err(apply(&b, &chunks, &["zz".into()], false, ("s", "f"))).contains("aa1, ab2"));
        assert!(
            err(apply(&b, &chunks, &["a".into()], false, ("s", "f")))
                .contains("no retrieved chunk")
        );
        assert!(
            err(apply(&b, &chunks, &["ab2".into()], false, ("s", "f")))
                .contains("not in the messages")
        );
        assert!(err(apply(&b, &chunks, &[], true, ("s", "f"))).contains("found 1"));
    }
}
