//! Unit tests of `config.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn empty_config_is_default() {
    let c = Config::parse("", Path::new("c.toml")).unwrap();
    assert_eq!(c, Config::default());
    assert!(c.providers().contains_key("mock"));
}

#[test]
fn user_provider_and_error_position() {
    let c = Config::parse(
        "[providers.local]\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:8080/v1\"\n",
        Path::new("c.toml"),
    )
    .unwrap();
    assert_eq!(c.providers()["local"].kind, ProviderKind::Openai);
    let err = Config::parse("[run]\nsamples = \"many\"\n", Path::new("c.toml")).unwrap_err();
    assert!(err.to_string().starts_with("config c.toml:2:"), "{err}");
}

#[test]
fn readme_config_example_parses() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("## Config file and environment")
        .nth(1)
        .expect("README has a config section");
    let example = section
        .split("```toml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("the section has a toml block");
    let config = Config::parse(example, Path::new("README.md")).unwrap();
    assert!(config.providers.contains_key("local"));
    assert_eq!(config.run.budget_usd, Some(5.0));
}

#[test]
fn explicit_db_wins() {
    let c = Config {
        db: Some("/from/config.db".into()),
        ..Default::default()
    };
    assert_eq!(
        c.db_path(Some(Path::new("/flag.db"))).unwrap(),
        PathBuf::from("/flag.db")
    );
    assert_eq!(c.db_path(None).unwrap(), PathBuf::from("/from/config.db"));
}
