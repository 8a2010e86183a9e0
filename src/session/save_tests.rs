//! Saving sessions: the TOML reads back to the same matrix, paths are rebased onto the new
//! file's directory, untrusted text survives, and every refusal says why.

use super::save::{SaveError, file_stem, save, to_toml};
use super::{Session, SessionError};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

const FULL: &str = r#"name = "full"
samples = 7
concurrency = 3
mode = "json"
prompts = ["support-answer@2", "classify-ticket:prod"]
traces = ["../traces/rag.jsonl", "../traces/agent.jsonl"]

[[variants]]
name = "steady"
model = "mock:echo"
temperature = 0.0
top_p = 0.5
max_tokens = 300
seed = 7
stop = ["\n\n", "END"]

[[variants]]
name = "drifting"
model = "mock:drift?p=0.4&seed=3"

[[cases]]
name = "hostile"
vars = { question = "a \"quoted\" \\ back\nslash \u001b[31m red \u202e rtl ''' and \"\"\" fences", context = "" }

[[cases]]
vars = { question = "second, unnamed" }

[check]
min_stability = 0.9
max_distinct = 2
json_schema = "../schemas/answer.schema.json"
must_contain = ["[c2]"]
must_not_contain = ["As an AI"]
regex = ['^\S', '(?i)refund']
max_cost_per_call_usd = 0.002
max_p95_latency_ms = 3000.0
max_p95_ttft_ms = 800.0
budget_usd = 0.5
allow_errors = true
max_stability_drop = 0.1
max_cost_increase_pct = 20.0

[[check.must_equal]]
prompt = "support-answer@1"
output = "Refunds take 5 days. [c2]"

[[check.must_equal]]
output = "any \"prompt\"\nsecond line"
min_similarity = 0.8
"#;

/// A temp dir with `orig/full.toml`, its traces and schema in sibling directories.
fn workspace() -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["orig", "traces", "schemas", "sessions"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    std::fs::write(dir.path().join("traces/rag.jsonl"), "").unwrap();
    std::fs::write(dir.path().join("traces/agent.jsonl"), "").unwrap();
    std::fs::write(
        dir.path().join("schemas/answer.schema.json"),
        r#"{"type": "object"}"#,
    )
    .unwrap();
    let path = dir.path().join("orig/full.toml");
    std::fs::write(&path, FULL).unwrap();
    let session = Session::read(&path).unwrap();
    (dir, session)
}

/// The matrix with file paths made canonical, so sessions in different directories compare.
fn matrix(mut s: Session) -> Session {
    s.path = PathBuf::new();
    for p in s.prompts.iter_mut() {
        p.line = 0;
    }
    for v in s.variants.iter_mut() {
        v.model.line = 0;
    }
    for t in s.traces.iter_mut() {
        *t = t.canonicalize().unwrap();
    }
    if let Some(schema) = s.check.json_schema.as_mut() {
        schema.path = schema.path.canonicalize().unwrap();
    }
    s
}

#[test]
fn a_saved_session_reads_back_to_the_same_matrix() {
    let (dir, session) = workspace();
    let sessions = dir.path().join("sessions");
    let path = save(&sessions, "copy", &session).unwrap();
    assert_eq!(path, sessions.join("copy.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"../traces/rag.jsonl\""), "{text}");
    assert!(
        text.contains("json_schema = \"../schemas/answer.schema.json\""),
        "{text}"
    );
    let back = Session::read(&path).unwrap();
    assert_eq!(
        back.cases[0].vars["question"],
        session.cases[0].vars["question"]
    );
    assert_eq!(back.cases[1].name, "case-2");
    assert_eq!(matrix(back), matrix(session));
}

#[test]
fn the_implicit_default_case_is_not_written() {
    let (dir, mut session) = workspace();
    session.cases = vec![super::Case {
        name: "default".into(),
        vars: Default::default(),
    }];
    let text = to_toml(&session, &dir.path().join("sessions")).unwrap();
    assert!(!text.contains("[[cases]]"), "{text}");
    let back = Session::parse(&text, &dir.path().join("sessions/x.toml")).unwrap();
    assert_eq!(back.cases, session.cases);
}

#[test]
fn an_existing_file_is_never_overwritten() {
    let (dir, session) = workspace();
    let sessions = dir.path().join("sessions");
    std::fs::write(sessions.join("taken.toml"), "keep me").unwrap();
    let err = save(&sessions, "taken", &session).unwrap_err();
    assert!(matches!(err, SaveError::Exists { .. }), "{err:?}");
    assert!(
        err.to_string().contains("taken.toml already exists"),
        "{err}"
    );
    let kept = std::fs::read_to_string(sessions.join("taken.toml")).unwrap();
    assert_eq!(kept, "keep me");
}

#[test]
fn names_must_be_simple_file_stems() {
    for bad in [
        "",
        "  ",
        "../up",
        "a/b",
        "a\\b",
        ".hidden",
        "two words",
        "x\u{1b}y",
    ] {
        let err = file_stem(bad).unwrap_err();
        assert!(matches!(err, SaveError::BadName { .. }), "{bad:?}: {err:?}");
        assert!(err.to_string().contains("not a session name"), "{err}");
    }
    assert!(file_stem(&"a".repeat(65)).is_err());
    assert_eq!(
        file_stem(" refund-drift_v2.1 ").unwrap(),
        "refund-drift_v2.1"
    );
    assert_eq!(file_stem("mine.toml").unwrap(), "mine");
    let (dir, session) = workspace();
    let err = save(&dir.path().join("sessions"), "../escape", &session).unwrap_err();
    assert!(matches!(err, SaveError::BadName { .. }));
    assert!(!dir.path().join("escape.toml").exists());
}

#[test]
fn an_unwritable_directory_is_a_clear_error() {
    let (dir, session) = workspace();
    // A regular file where the directory should be: fails even for root.
    let blocker = dir.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let err = save(&blocker.join("sessions"), "s", &session).unwrap_err();
    assert!(matches!(err, SaveError::Write { .. }), "{err:?}");
    assert!(err.to_string().starts_with("cannot write "), "{err}");
    assert!(err.to_string().contains("blocker"), "{err}");
}

#[test]
fn a_session_that_would_not_read_back_is_not_written() {
    let (dir, mut session) = workspace();
    session.prompts.clear();
    let sessions = dir.path().join("sessions");
    let err = save(&sessions, "empty", &session).unwrap_err();
    assert!(matches!(err, SaveError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("`prompts`"), "{err}");
    assert!(!sessions.join("empty.toml").exists());
}

#[test]
fn traces_resolve_against_the_file_and_a_missing_one_names_its_line() {
    let (dir, session) = workspace();
    assert_eq!(
        session.traces[0].canonicalize().unwrap(),
        dir.path().join("traces/rag.jsonl").canonicalize().unwrap()
    );
    let text = FULL.replace("../traces/agent.jsonl", "../traces/gone.jsonl");
    let path = dir.path().join("orig/broken.toml");
    let err = Session::parse(&text, &path).unwrap_err();
    assert!(
        matches!(err, SessionError::Invalid { line: 6, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("broken.toml:6: `traces`"), "{msg}");
    assert!(msg.contains("gone.jsonl"), "{msg}");
    let text = FULL.replace("../traces/agent.jsonl", "../traces");
    let err = Session::parse(&text, &path).unwrap_err().to_string();
    assert!(err.contains("is not a file"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any text in a var or a name survives the trip through TOML.
    #[test]
    fn any_text_round_trips(var in any::<String>(), name in "[^\u{0}]{1,20}", value in any::<String>()) {
        let mut session = base();
        session.cases[0].vars.insert(var.clone(), value.clone());
        session.name = name.trim().to_string();
        prop_assume!(!session.name.is_empty());
        let text = to_toml(&session, Path::new(".")).unwrap();
        let back = Session::parse(&text, Path::new("x.toml")).unwrap();
        prop_assert_eq!(&back.cases[0].vars[&var], &value);
        prop_assert_eq!(back.name, session.name);
    }
}

fn base() -> Session {
    let text = "name = \"p\"\nprompts = [\"a\"]\n[[variants]]\nname = \"v\"\nmodel = \"mock:echo\"\n[[cases]]\nname = \"c\"\n";
    Session::parse(text, Path::new("x.toml")).unwrap()
}
