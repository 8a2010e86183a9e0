//! The fields of one streamed chat-completion chunk that temper reads, deserialised straight from
//! the event text: strings are borrowed unless JSON escapes force a copy, and nothing else of the
//! chunk is built. A stream carries one such chunk per token, so this is the per-token cost of
//! streaming (see docs/architecture.md, provider).

use serde::Deserialize;
use serde::de::{self, IgnoredAny, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// One `data:` event of an OpenAI-compatible stream.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Chunk<'a> {
    #[serde(borrow)]
    pub model: Text<'a>,
    #[serde(borrow)]
    pub system_fingerprint: Text<'a>,
    /// Present once, in the last chunk when `stream_options.include_usage` was sent.
    pub usage: Option<Value>,
    #[serde(borrow)]
    pub choices: Option<FirstChoice<'a>>,
    /// Any non-null `error` makes the chunk an error event.
    pub error: Option<IgnoredAny>,
}

/// `choices`, of which temper reads the first (it asks for one answer): the rest are skipped
/// and no list is built.
#[derive(Default)]
pub(crate) struct FirstChoice<'a>(pub Option<Choice<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for FirstChoice<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(FirstVisitor(PhantomData))
    }
}

struct FirstVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for FirstVisitor<'a> {
    type Value = FirstChoice<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of choices")
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let first = seq.next_element::<Choice<'a>>()?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FirstChoice(first))
    }
}

/// One entry of `choices`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Choice<'a> {
    #[serde(borrow)]
    pub finish_reason: Text<'a>,
    #[serde(borrow)]
    pub delta: Option<Delta<'a>>,
    pub logprobs: Option<Logprobs>,
}

/// What a chunk adds to the answer.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Delta<'a> {
    #[serde(borrow)]
    pub content: Text<'a>,
    /// Tool-call fragments, rare enough to keep as JSON.
    pub tool_calls: Option<Vec<Value>>,
}

/// `choices[0].logprobs`: the token entries, kept as JSON until the answer is complete.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Logprobs {
    pub content: Option<Vec<Value>>,
}

/// A string field that servers sometimes fill with something else (`null`, a number, an array):
/// anything but a string reads as absent, as the untyped reading did.
#[derive(Default)]
pub(crate) struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_seq(seq).map(|_| Text(None))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        IgnoredAny.visit_map(map).map(|_| Text(None))
    }
}

impl Text<'_> {
    /// The string, when there was one.
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

#[cfg(test)]
#[path = "stream_chunk_tests.rs"]
mod tests;
