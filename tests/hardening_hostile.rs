//! Hostile text through the real binary: prompt text and trace fields carrying terminal escapes,
//! C1 controls, NUL, bidi overrides, invalid UTF-8, a 10 MB line and JSON nested 10,000 deep.
//! Whatever reaches stdout/stderr must be inert (no ESC, BEL, C1, NUL or bidi control), what is
//! stored must be the original bytes, and nothing may panic, hang or overflow the stack.

mod hardening_support;

use hardening_support::{Env, HOSTILE, assert_inert, hostile_arg, nested_json, repo_file};
use serde_json::{Value, json};
use temper::prompt::{Message, PromptBody, PromptFile, Role};
use temper::store::Store;

/// A prompt file whose every free-text field is hostile.
fn hostile_prompt(name: &str, extra: &str) -> PromptFile {
    let mut body = PromptBody::default();
    body.messages.push(Message::new(Role::System, HOSTILE));
    body.messages.push(Message::new(
        Role::User,
        format!("{{{{q}}}} {extra}{HOSTILE}"),
    ));
    body.vars.insert("q".into(), HOSTILE.into());
    body.params.stop = vec![HOSTILE.into()];
    PromptFile {
        name: name.into(),
        message: Some(format!("{extra}{HOSTILE}")),
        labels: Vec::new(),
        body,
    }
}

fn import(env: &Env, file: &PromptFile, as_name: &str) {
    let path = env.file(as_name, file.to_toml());
    env.ok_inert(&["prompt", "import", path.to_str().unwrap()]);
}

#[test]
fn hostile_prompt_is_stored_intact_and_every_view_is_inert() {
    let env = Env::new();
    import(&env, &hostile_prompt("evil", ""), "v1.toml");
    import(&env, &hostile_prompt("evil", "second "), "v2.toml");

    let store = Store::open(&env.db()).unwrap();
    let v1 = store.resolve_str("evil@1").unwrap();
    assert_eq!(v1.body.messages[0].content, HOSTILE);
    assert_eq!(v1.body.vars["q"], HOSTILE);
    assert_eq!(v1.body.params.stop, vec![HOSTILE.to_string()]);
    assert_eq!(v1.info.message, HOSTILE);
    drop(store);

    for args in [
        &["prompt", "list"][..],
        &["prompt", "log", "evil"],
        &["prompt", "show", "evil@1"],
        &["prompt", "show", "evil", "--render"],
        &[
            "prompt",
            "show",
            "evil",
            "--render",
            "--var",
            &format!("q={}", hostile_arg()),
        ],
        &["prompt", "diff", "evil@1", "evil@2"],
        &["prompt", "label", "evil@1", "prod"],
        &["prompt", "label", "evil", "--history"],
    ] {
        env.ok_inert(args);
    }
    let shown = env.ok_inert(&["prompt", "show", "evil", "--render"]);
    assert!(String::from_utf8_lossy(&shown).contains("trojan<U+202E>devil"));

    // --json is inert on a terminal too, yet still decodes to the original bytes.
    let json: Value =
        serde_json::from_slice(&env.ok_inert(&["prompt", "show", "evil@1", "--json"])).unwrap();
    assert_eq!(json["body"]["messages"][0]["content"], HOSTILE);
    let log: Value =
        serde_json::from_slice(&env.ok_inert(&["prompt", "log", "evil", "--json"])).unwrap();
    assert_eq!(log[1]["message"], HOSTILE);
    env.ok_inert(&["prompt", "list", "--json"]);
    env.ok_inert(&["prompt", "diff", "evil@1", "evil@2", "--json"]);

    // Export writes the original bytes back out.
    let out = env.path("export");
    env.ok_inert(&["prompt", "export", "evil", "-o", out.to_str().unwrap()]);
    let exported = PromptFile::read(&out.join("evil/0001.toml")).unwrap();
    assert_eq!(exported.body.messages[0].content, HOSTILE);
}

#[test]
fn hostile_names_and_broken_files_give_inert_errors() {
    let env = Env::new();
    let bad_ref = format!("x{}", hostile_arg());
    for args in [
        &["prompt", "show", bad_ref.as_str()][..],
        &["prompt", "log", bad_ref.as_str()],
        &["prompt", "new", bad_ref.as_str(), "--user", &hostile_arg()],
    ] {
        let (ok, _, stderr) = env.run_inert(args);
        assert!(
            !ok && !stderr.is_empty(),
            "{args:?} should fail with a message"
        );
    }
    // A TOML error quotes the offending line: escapes in it must not reach the terminal.
    let broken = env.file(
        "broken.toml",
        format!("name = \"a\"\n[[messages]]\nrole = \"user\"\ncontent = \"{HOSTILE}\"\n"),
    );
    let invalid_utf8 = env.file(
        "binary.toml",
        b"name = \"a\xff\x9b2J\"\n[[messages]]\nrole = \"user\"\ncontent = \"x\"\n",
    );
    let bad_label = {
        let mut f = hostile_prompt("labelled", "");
        f.labels = vec![HOSTILE.into()];
        env.file("label.toml", f.to_toml())
    };
    for path in [broken, invalid_utf8, bad_label] {
        let (ok, _, stderr) = env.run_inert(&["prompt", "import", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&stderr);
        assert!(!ok, "{} should be refused", path.display());
        assert!(
            stderr.contains(path.file_name().unwrap().to_str().unwrap()),
            "the error names the file: {stderr}"
        );
    }
}

#[test]
fn ten_megabyte_single_line_prompt_round_trips() {
    let env = Env::new();
    let line = format!("{}{HOSTILE}", "word ".repeat(2 * 1024 * 1024));
    let mut file = hostile_prompt("huge", "");
    file.body.messages[1].content = line.clone();
    import(&env, &file, "huge.toml");
    let shown = env.ok_inert(&["prompt", "show", "huge", "--render"]);
    assert!(shown.len() > 10_000_000);
    env.ok_inert(&["prompt", "list"]);
    let store = Store::open(&env.db()).unwrap();
    assert_eq!(
        store.resolve_str("huge").unwrap().body.messages[1].content,
        line
    );
}

#[test]
fn deeply_nested_response_schema_is_refused_or_kept_without_overflow() {
    let env = Env::new();
    let toml = format!(
        "name = \"deep\"\n[params]\nresponse_schema = {}\n[[messages]]\nrole = \"user\"\ncontent = \"x\"\n",
        nested_json(10_000)
    );
    let path = env.file("deep.toml", toml);
    let (ok, _, _) = env.run_inert(&["prompt", "import", path.to_str().unwrap()]);
    if ok {
        // Stored: then every view of it must work too.
        env.ok_inert(&["prompt", "show", "deep"]);
        env.ok_inert(&["prompt", "show", "deep", "--json"]);
    }
}

// ---- traces -------------------------------------------------------------------------------

/// Strings that carry a format's structure (kinds, status codes, timestamps) stay as they are.
fn structural(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "key"
            | "type"
            | "kind"
            | "span_kind"
            | "status_code"
            | "code"
            | "level"
            | "traceid"
            | "trace_id"
    ) || k.contains("time")
        || k.contains("start")
        || k.contains("end")
        || k.contains("value") && k != "stringvalue"
}

/// OTLP/OpenInference attributes whose value is structural.
const STRUCTURAL_ATTRS: [&str; 5] = [
    "openinference.span.kind",
    "gen_ai.operation.name",
    "input.mime_type",
    "output.mime_type",
    "gen_ai.system",
];

/// Append the hostile payload to every free-text string of a trace document (ids included,
/// consistently, so parent links still resolve).
fn poison(v: &mut Value, key: &str) {
    match v {
        Value::Object(o) => {
            let attr_key = o.get("key").and_then(Value::as_str).unwrap_or("");
            if STRUCTURAL_ATTRS.contains(&attr_key) {
                return;
            }
            for (k, child) in o.iter_mut() {
                if STRUCTURAL_ATTRS.contains(&k.as_str()) {
                    continue;
                }
                poison(child, k);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| poison(i, key)),
        // Ids are passed back as `--span ID`, and argv cannot carry NUL.
        Value::String(s) if key.to_ascii_lowercase().ends_with("id") => s.push_str(&hostile_arg()),
        Value::String(s) if !structural(key) && !s.is_empty() => s.push_str(HOSTILE),
        _ => {}
    }
}

/// The example trace with its free text poisoned, in its original layout (JSON or JSONL).
fn poisoned_example(name: &str) -> String {
    let text = std::fs::read_to_string(repo_file(&format!("examples/traces/{name}"))).unwrap();
    if name.ends_with(".jsonl") {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let mut v: Value = serde_json::from_str(l).unwrap();
                poison(&mut v, "");
                v.to_string() + "\n"
            })
            .collect()
    } else {
        let mut v: Value = serde_json::from_str(&text).unwrap();
        poison(&mut v, "");
        serde_json::to_string_pretty(&v).unwrap()
    }
}

#[test]
fn hostile_trace_fields_are_read_intact_and_printed_inert() {
    let env = Env::new();
    for name in [
        "rag-answer.temper.jsonl",
        "rag-answer.openinference.jsonl",
        "rag-answer.otlp.json",
        "rag-answer.langfuse.json",
        "agent-tools.otlp.json",
        "agent-tools.openinference.json",
        "agent-tools.temper.jsonl",
    ] {
        let clean = repo_file(&format!("examples/traces/{name}"));
        let original: Value =
            serde_json::from_slice(&env.ok_inert(&["trace", clean.to_str().unwrap(), "--json"]))
                .unwrap();
        let path = env.file(name, poisoned_example(name));
        let path = path.to_str().unwrap();
        env.run_inert(&["trace", path]);
        let out = env.ok_inert(&["trace", path, "--json"]);
        let trace: Value = serde_json::from_slice(&out).unwrap();
        let spans = trace["spans"].as_array().unwrap();
        assert_eq!(
            spans.len(),
            original["spans"].as_array().unwrap().len(),
            "{name}: span count"
        );
        // The hostile text came through intact (the test poisons what the reader keeps).
        let intact = spans
            .iter()
            .filter(|s| s["name"].as_str().is_some_and(|n| n.ends_with(HOSTILE)))
            .count();
        assert!(intact > 0, "{name}: no span name kept the payload");
        // One span in full for each kind of detail: chunks, a tool call, an error, an LLM call.
        let detailed = ["documents", "tool", "error", "model"]
            .iter()
            .filter_map(|field| spans.iter().find(|s| !s[field].is_null()));
        for s in detailed {
            env.ok_inert(&["trace", path, "--span", s["id"].as_str().unwrap()]);
        }
        let first = spans[0]["id"].as_str().unwrap();
        env.ok_inert(&["trace", path, "--span", first, "--json"]);
    }
}

#[test]
fn broken_lines_huge_lines_and_deep_json_in_a_trace() {
    let env = Env::new();
    let span = |id: &str, output: &str| {
        json!({"id": id, "kind": "llm", "name": HOSTILE, "output": output}).to_string()
    };
    let mut file = Vec::new();
    file.extend_from_slice(span("a", HOSTILE).as_bytes());
    file.extend_from_slice(
        b"\n{\"id\": \"b\", \"kind\": \"tool\", \"name\": \"bad \xff\x9b2J utf8\"}\n",
    );
    file.extend_from_slice(nested_json(10_000).as_bytes());
    file.extend_from_slice(
        format!(
            "\n{{\"id\": \"c\", \"kind\": \"llm\", \"output\": {}}}\n",
            nested_json(10_000)
        )
        .as_bytes(),
    );
    file.extend_from_slice(
        format!(
            "{{\"id\": \"d\", \"kind\": \"chain\", \"error\": \"{}\"}}\n",
            "\\u001b[2J".repeat(10)
        )
        .as_bytes(),
    );
    let huge = format!("{}{HOSTILE}", "x".repeat(10 * 1024 * 1024));
    file.extend_from_slice(span("e", &huge).as_bytes());
    file.push(b'\n');
    let path = env.file("mixed.jsonl", &file);
    let path = path.to_str().unwrap();

    let out = env.ok_inert(&["trace", path, "--json"]);
    let trace: Value = serde_json::from_slice(&out).unwrap();
    let ids: Vec<&str> = trace["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["a", "d", "e"],
        "good lines load, bad ones are warnings"
    );
    assert_eq!(trace["bad_lines"], 3);
    assert_eq!(trace["spans"][2]["output"], huge.as_str());
    env.ok_inert(&["trace", path]);
    env.ok_inert(&["trace", path, "--span", "e"]);
}

#[test]
fn deep_json_documents_and_attributes_do_not_overflow() {
    let env = Env::new();
    let deep = nested_json(10_000);
    let dotted_key = vec!["a"; 10_000].join(".");
    let cases = [
        ("deep.json", format!("{{\n\"resourceSpans\": {deep}\n}}\n")),
        ("deep-array.json", format!("{deep}\n")),
        (
            "deep-input.jsonl",
            json!({"name": "x", "context": {"span_id": "s1", "trace_id": "t"}, "span_kind": "LLM",
                   "attributes": {"openinference.span.kind": "LLM", "input.value": deep, "llm.input_messages": deep}})
            .to_string(),
        ),
        (
            "dotted.jsonl",
            json!({"name": "x", "context": {"span_id": "s1", "trace_id": "t"}, "span_kind": "LLM",
                   "attributes": {"openinference.span.kind": "LLM", dotted_key: HOSTILE}})
            .to_string(),
        ),
    ];
    for (name, content) in cases {
        let path = env.file(name, content);
        let (ok, stdout, stderr) = env.run_inert(&["trace", path.to_str().unwrap()]);
        assert!(ok || !stderr.is_empty(), "{name}: a failure must say why");
        assert!(ok || stdout.is_empty(), "{name}");
        env.run_inert(&["trace", path.to_str().unwrap(), "--json"]);
    }
}

#[test]
fn inert_check_catches_each_payload() {
    // Guard the guard: every ingredient of HOSTILE is caught when printed raw.
    for c in HOSTILE.chars().filter(|&c| hardening_support::is_active(c)) {
        let raw = format!("x{c}y");
        let caught = std::panic::catch_unwind(|| assert_inert(raw.as_bytes(), "probe"));
        assert!(caught.is_err(), "U+{:04X} slipped through", c as u32);
    }
    assert!(std::panic::catch_unwind(|| assert_inert(b"a\x9bb", "raw 8-bit")).is_err());
    assert_inert("plain text — with ünïcode\nand\ttabs".as_bytes(), "clean");
}
