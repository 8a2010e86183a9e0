//! Unit tests of `registry.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn parses_model_refs() {
    let m = ModelRef::parse("mock:drift?p=0.3&seed=7").unwrap();
    assert_eq!(
        (m.provider.as_str(), m.model.as_str(), m.query.as_str()),
        ("mock", "drift", "p=0.3&seed=7")
    );
    assert_eq!(
        ModelRef::parse("ollama:llama3.2:1b").unwrap().model,
        "llama3.2:1b"
    );
    assert!(ModelRef::parse("gpt-4o").is_err());
    assert!(ModelRef::parse(":x").is_err());
}

#[test]
fn unknown_provider_lists_known_ones() {
    let r = Registry::new(&Config::default());
    let e = r.resolve("opneai:gpt-4o").err().unwrap().to_string();
    assert!(
        e.contains("known providers: anthropic, mock, ollama, openai, replay"),
        "{e}"
    );
    let (p, model) = r.resolve("mock:echo").unwrap();
    assert_eq!((p.name(), model.as_str()), ("mock", "echo"));
}

#[test]
fn missing_key_names_the_env_var() {
    let mut config = Config::default();
    config.providers.insert(
        "keyed".into(),
        ProviderConfig {
            kind: ProviderKind::Openai,
            base_url: Some("http://127.0.0.1:9/v1".into()),
            api_key_env: Some("TEMPER_TEST_SURELY_UNSET_KEY".into()),
            timeout_secs: None,
            headers: BTreeMap::new(),
        },
    );
    let e = Registry::new(&config)
        .resolve("keyed:m")
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("set the environment variable TEMPER_TEST_SURELY_UNSET_KEY"),
        "{e}"
    );
}
