//! The fixture the HTTP tests and benches share: a SQLite file in a tempdir holding one prompt,
//! and a config whose providers are OpenAI-compatible servers (usually a [`super::TestServer`]
//! on 127.0.0.1).
//!
//! ```ignore
//! let f = common::fixture::Fixture::new("greet", &body).with_server("local", &server);
//! let registry = temper::runner::registry(&f.config, &f.db);
//! ```

use super::TestServer;
use std::collections::BTreeMap;
use std::path::PathBuf;
use temper::config::{Config, ProviderConfig, ProviderKind};
use temper::prompt::PromptBody;
use temper::store::Store;

/// A DB with one saved prompt and the config to run it with; the tempdir lives as long as this.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub config: Config,
}

impl Fixture {
    /// A fresh `temper.db` holding prompt `name` (one version, `body`), and the default config.
    pub fn new(name: &str, body: &PromptBody) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("temper.db");
        Store::open(&db)
            .unwrap()
            .save_version(name, body, "first")
            .unwrap();
        Fixture {
            dir,
            db,
            config: Config::default(),
        }
    }

    /// Add provider `name` speaking the OpenAI format at `api_root` (`http://host/v1`).
    pub fn with_provider(mut self, name: &str, api_root: &str) -> Fixture {
        self.config
            .providers
            .insert(name.into(), openai_provider(api_root));
        self
    }

    /// Add provider `name` answered by `server`.
    pub fn with_server(self, name: &str, server: &TestServer) -> Fixture {
        let root = format!("{}/v1", server.base_url());
        self.with_provider(name, &root)
    }
}

/// A keyless OpenAI-compatible provider at `api_root`, no extra headers or timeout.
pub fn openai_provider(api_root: &str) -> ProviderConfig {
    ProviderConfig {
        kind: ProviderKind::Openai,
        base_url: Some(api_root.to_string()),
        api_key_env: None,
        timeout_secs: None,
        headers: BTreeMap::new(),
    }
}
