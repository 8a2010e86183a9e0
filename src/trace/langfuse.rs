//! Langfuse trace exports (`GET /api/public/traces/{id}` and the UI's JSON export): a trace
//! object with `observations` of type SPAN / GENERATION / EVENT (and the newer AGENT, TOOL,
//! RETRIEVER, EMBEDDING, CHAIN). The trace itself becomes the root span; observations without a
//! `parentObservationId` hang under it. Accepts one trace, an array, `{"data": [...]}`, or JSONL.

use super::model::{Document, Span, SpanExtra, SpanKind, Status, ToolCall, Usage};
use serde_json::{Map, Value};

/// Why `doc` is not a Langfuse export, or Ok when it looks like one.
pub fn sniff(doc: &Value) -> Result<(), String> {
    let first = traces_of(doc).first().copied();
    // The UI download keeps observations beside the trace, the API inside it.
    match first.and_then(|t| {
        t.get("observations")
            .or_else(|| t.get("trace")?.get("observations"))
    }) {
        Some(Value::Array(_)) => Ok(()),
        Some(_) => Err(r#""observations" is not an array"#.into()),
        None => Err(r#"no trace object with an "observations" array"#.into()),
    }
}

/// The spans of one document (a trace, an array of traces, or `{"data": [...]}`).
pub fn read(doc: Value, out: &mut Vec<Span>) -> Result<(), String> {
    sniff(&doc)?;
    let traces = match unwrap(doc) {
        Value::Array(items) => items,
        Value::Object(mut o) if o.get("data").is_some_and(Value::is_array) => {
            match o.remove("data") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            }
        }
        other => vec![other],
    };
    for (i, t) in traces.into_iter().enumerate() {
        let Value::Object(t) = t else {
            return Err(format!("trace #{i} is not a JSON object"));
        };
        trace(t, out).map_err(|e| format!("trace #{i}: {e}"))?;
    }
    Ok(())
}

/// The UI's download is `{trace: {...}, observations: [...]}` (tRPC responses wrap it in
/// `result.data.json`); make it one trace object with its observations, like the API's.
fn unwrap(doc: Value) -> Value {
    let doc = match doc.pointer("/result/data/json") {
        Some(inner) => inner.clone(),
        None => doc,
    };
    match doc {
        Value::Object(mut o) if o.get("trace").is_some_and(Value::is_object) => {
            let observations = o.remove("observations");
            let Some(Value::Object(mut t)) = o.remove("trace") else {
                return Value::Object(o);
            };
            if let Some(obs) = observations {
                t.insert("observations".into(), obs);
            }
            if let Some(scores) = o.remove("scores") {
                t.entry("scores").or_insert(scores);
            }
            Value::Object(t)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(unwrap).collect()),
        other => other,
    }
}

fn traces_of(doc: &Value) -> Vec<&Value> {
    if let Some(inner) = doc.pointer("/result/data/json") {
        return traces_of(inner);
    }
    if doc.get("trace").is_some_and(Value::is_object) {
        return vec![doc];
    }
    match doc {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) => match o.get("data") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => vec![doc],
        },
        _ => Vec::new(),
    }
}

fn trace(mut t: Map<String, Value>, out: &mut Vec<Span>) -> Result<(), String> {
    let trace_id = str_of(&t, "id").ok_or_else(|| r#"trace has no "id""#.to_string())?;
    let observations = match t.remove("observations") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    let root_at = out.len();
    out.push(
        Span {
            id: trace_id.as_str().into(),
            kind: SpanKind::Chain,
            name: str_of(&t, "name").unwrap_or_else(|| "trace".into()).into(),
            start: t.get("timestamp").and_then(super::attrs::timestamp),
            input: t.remove("input").and_then(text),
            output: t.remove("output").and_then(text),
            ..Span::default()
        }
        .with_extra(SpanExtra {
            cost: num(&t, "totalCost"),
            ..SpanExtra::default()
        }),
    );
    let mut last_end = None;
    for (i, o) in observations.into_iter().enumerate() {
        let Value::Object(o) = o else {
            return Err(format!("observation #{i} is not a JSON object"));
        };
        let span = observation(o, &trace_id).map_err(|e| format!("observation #{i}: {e}"))?;
        last_end = last_end.max(span.end.or(span.start));
        out.push(span);
    }
    if let Some(root) = out.get_mut(root_at) {
        root.end = last_end.filter(|e| root.start.is_none_or(|s| *e >= s));
    }
    Ok(())
}

fn observation(mut o: Map<String, Value>, trace_id: &str) -> Result<Span, String> {
    let id = str_of(&o, "id").ok_or_else(|| r#"no "id""#.to_string())?;
    let kind = match str_of(&o, "type")
        .unwrap_or_default()
        .to_ascii_uppercase()
        .as_str()
    {
        "GENERATION" => SpanKind::Llm,
        "EVENT" => SpanKind::Unknown,
        other => SpanKind::parse(other),
    };
    let failed = str_of(&o, "level").is_some_and(|l| l.eq_ignore_ascii_case("error"));
    let usage = usage(&o);
    let attrs = OtelAttributes::of(&mut o);
    let kind = attrs.refine(kind);
    let output_value = o.remove("output").map(decoded);
    let documents = match kind {
        SpanKind::Chain | SpanKind::Unknown | SpanKind::Retriever => {
            output_value.as_ref().map(documents).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let kind = match kind {
        SpanKind::Chain | SpanKind::Unknown if !documents.is_empty() => SpanKind::Retriever,
        k => k,
    };
    let name = str_of(&o, "name").unwrap_or_default();
    let input = o.remove("input").and_then(text);
    let output = output_value
        .and_then(text)
        .filter(|t| !matches!(t.trim(), "" | "{}"))
        .or_else(|| attrs.text("output.value"));
    let tool = (kind == SpanKind::Tool).then(|| ToolCall {
        name: attrs.tool_name().unwrap_or_else(|| name.clone()),
        arguments: input.clone(),
        result: output.clone(),
    });
    Ok(Span {
        id: id.into(),
        parent: Some(
            str_of(&o, "parentObservationId")
                .unwrap_or_else(|| trace_id.to_string())
                .into(),
        ),
        kind,
        name: name.into(),
        start: o.get("startTime").and_then(super::attrs::timestamp),
        end: o.get("endTime").and_then(super::attrs::timestamp),
        status: if failed { Status::Error } else { Status::Unset },
        input,
        output,
        model: str_of(&o, "model").map(Into::into),
        extra: None,
    }
    .with_extra(SpanExtra {
        error: failed.then(|| str_of(&o, "statusMessage").unwrap_or_else(|| "level ERROR".into())),
        usage: (!usage.is_empty()).then_some(usage),
        cost: num(&o, "calculatedTotalCost")
            .or_else(|| {
                o.get("costDetails")
                    .and_then(|c| c.get("total"))
                    .and_then(Value::as_f64)
            })
            .or_else(|| num(&o, "totalCost")),
        documents,
        tool,
        tool_calls: Vec::new(),
        tool_call_id: attrs.tool_call_id(),
        output_schema: o
            .get("modelParameters")
            .and_then(super::semconv::schema_of_params),
        request: o
            .get("modelParameters")
            .filter(|p| p.is_object())
            .map(|p| super::JsonText::new(&serde_json::json!({"params": p}))),
    }))
}

fn usage(o: &Map<String, Value>) -> Usage {
    let count = |obj: Option<&Map<String, Value>>, keys: &[&str]| {
        let obj = obj?;
        keys.iter()
            .find_map(|k| obj.get(*k).and_then(Value::as_u64))
    };
    let detail = o.get("usageDetails").and_then(Value::as_object);
    let legacy = o.get("usage").and_then(Value::as_object);
    let top = Some(o);
    Usage {
        prompt_tokens: count(detail, &["input", "prompt_tokens"])
            .or_else(|| count(legacy, &["input", "promptTokens"]))
            .or_else(|| count(top, &["promptTokens", "inputUsage"])),
        completion_tokens: count(detail, &["output", "completion_tokens"])
            .or_else(|| count(legacy, &["output", "completionTokens"]))
            .or_else(|| count(top, &["completionTokens", "outputUsage"])),
        total_tokens: count(detail, &["total"])
            .or_else(|| count(legacy, &["total", "totalTokens"]))
            .or_else(|| count(top, &["totalTokens", "totalUsage"])),
    }
}

/// The OpenTelemetry attributes Langfuse keeps of a span it received over OTLP
/// (`metadata.attributes`, the metadata often JSON-encoded): where frameworks put the tool's
/// name and call id (`gen_ai.tool.*`, OpenInference `tool.name`) and the span's real output.
struct OtelAttributes(Map<String, Value>);

impl OtelAttributes {
    /// Takes `metadata` out of the observation (nothing else reads it), so it is not copied.
    fn of(o: &mut Map<String, Value>) -> OtelAttributes {
        let attrs = o.remove("metadata").map(decoded).and_then(|m| match m {
            Value::Object(mut m) => match m.remove("attributes").map(decoded) {
                Some(Value::Object(a)) => Some(a),
                _ => None,
            },
            _ => None,
        });
        OtelAttributes(attrs.unwrap_or_default())
    }

    fn text(&self, key: &str) -> Option<String> {
        str_of(&self.0, key)
    }

    fn tool_name(&self) -> Option<String> {
        self.text("gen_ai.tool.name")
            .or_else(|| self.text("tool.name"))
    }

    /// The call id; some SDKs record a list (the framework's id and the provider's `call_…`).
    fn tool_call_id(&self) -> Option<String> {
        match self.0.get("gen_ai.tool.call.id")? {
            Value::String(s) => Some(s.clone()).filter(|s| !s.is_empty()),
            Value::Array(ids) => {
                let ids: Vec<&str> = ids.iter().filter_map(Value::as_str).collect();
                let pick = ids.iter().find(|i| i.starts_with("call_")).or(ids.first());
                pick.map(|s| s.to_string())
            }
            _ => None,
        }
    }

    /// A generic observation (SPAN, CHAIN, EVENT) that ran a tool is a TOOL span.
    fn refine(&self, kind: SpanKind) -> SpanKind {
        let says_tool = self
            .text("openinference.span.kind")
            .is_some_and(|k| k.eq_ignore_ascii_case("tool"))
            || self.text("gen_ai.tool.name").is_some();
        match kind {
            SpanKind::Chain | SpanKind::Unknown if says_tool => SpanKind::Tool,
            k => k,
        }
    }
}

/// Retriever output: an array of chunks, or `{documents: [...]}`, with LangChain's
/// `page_content` or plain `content`/`text`.
fn documents(output: &Value) -> Vec<Document> {
    let items = match output {
        Value::Array(items) => items,
        Value::Object(o) => match o.get("documents") {
            Some(Value::Array(items)) => items,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let docs: Vec<Document> = items
        .iter()
        .filter(|d| d.get("role").is_none())
        .filter_map(|d| {
            let content = ["page_content", "pageContent", "content", "text"]
                .iter()
                .find_map(|k| d.get(*k)?.as_str())?;
            let meta = d.get("metadata");
            let pick = |k: &str| d.get(k).or_else(|| meta?.get(k));
            Some(Document {
                id: pick("id")
                    .or_else(|| pick("chunk_id"))
                    .and_then(scalar_text),
                source: pick("source").or_else(|| pick("url")).and_then(scalar_text),
                score: pick("score").and_then(Value::as_f64),
                content: Some(content.to_string()),
            })
        })
        .collect();
    if docs.len() == items.len() {
        docs
    } else {
        Vec::new()
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn str_of(o: &Map<String, Value>, key: &str) -> Option<String> {
    o.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn num(o: &Map<String, Value>, key: &str) -> Option<f64> {
    o.get(key).and_then(Value::as_f64)
}

/// Langfuse stores `input`/`output`/`metadata` as JSON-encoded strings in some exports: decode
/// a string that holds a JSON object, array or string.
fn decoded(v: Value) -> Value {
    match v {
        Value::String(s)
            if matches!(s.trim_start().as_bytes().first(), Some(b'{' | b'[' | b'"')) =>
        {
            serde_json::from_str(&s).unwrap_or(Value::String(s))
        }
        other => other,
    }
}

/// Input/output as shown: strings as is, anything else as compact JSON.
fn text(v: Value) -> Option<String> {
    match decoded(v) {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
#[path = "langfuse_tests.rs"]
mod tests;
