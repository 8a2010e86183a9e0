//! The config file and environment: where the DB lives, which providers exist, UI and run
//! defaults. None of it is needed to start: built-in providers and defaults cover a fresh machine.
//!
//! Lookup order for the file: `--config PATH`, then `TEMPER_CONFIG`, then `config.toml` in the
//! user's config dir. For the DB: `--db PATH`, then `TEMPER_DB`, then `db` in the config file,
//! then `temper.db` in the user's data dir.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why the configuration could not be loaded.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("config {path}: {key} = {value} is outside {range}")]
    Range {
        path: PathBuf,
        key: String,
        value: String,
        range: String,
    },
    #[error("no home directory to keep temper's data in; pass --db PATH or set TEMPER_DB")]
    NoHome,
}

/// Which wire protocol a provider speaks.
/// The ranges every numeric setting must fall in, shared by the config file and the CLI flags.
pub mod limits {
    /// Samples per variant.
    pub const MAX_SAMPLES: u32 = 100_000;
    /// Calls in flight at once.
    pub const MAX_CONCURRENCY: usize = 1024;
    /// Retries per sample.
    pub const MAX_RETRIES: u32 = 100;
    /// Seconds per attempt (one day).
    pub const MAX_TIMEOUT_SECS: u64 = 86_400;
    /// Dollar amounts (budgets, confirmation thresholds).
    pub const MAX_USD: f64 = 1_000_000.0;
    /// Largest `[run] max_response_mb`: a bigger answer is not a chat answer.
    pub const MAX_RESPONSE_MB: u64 = 4096;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// `/v1/chat/completions`: OpenAI, Ollama, vLLM, llama.cpp, LM Studio, OpenRouter.
    Openai,
    /// Anthropic Messages API.
    Anthropic,
    /// Built-in offline provider.
    Mock,
    /// Answers from the samples of a stored run.
    Replay,
}

/// One `[providers.NAME]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub kind: ProviderKind,
    #[serde(default)]
    pub base_url: Option<String>,
    /// Name of the env var holding the key; the key itself is never read from or written to files.
    #[serde(default)]
    pub api_key_env: Option<String>,
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// Extra HTTP headers (e.g. OpenRouter's `HTTP-Referer`); never put secrets here.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// `[run]`: defaults for the runner and the spend guard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunDefaults {
    pub samples: u32,
    pub concurrency: usize,
    pub timeout_secs: u64,
    pub max_retries: u32,
    pub budget_usd: Option<f64>,
    /// Ask before an interactive run whose estimate is above this (never asked when not a tty).
    pub confirm_above_usd: Option<f64>,
    /// Most MiB of one response body temper reads (streamed or not) before it stops reading
    /// and stores an error, so an endless answer cannot eat the memory (docs/hardening.md).
    pub max_response_mb: u64,
}

impl Default for RunDefaults {
    fn default() -> Self {
        RunDefaults {
            samples: 10,
            concurrency: 8,
            timeout_secs: 60,
            max_retries: 4,
            budget_usd: None,
            confirm_above_usd: Some(1.0),
            max_response_mb: 32,
        }
    }
}

/// `[ui]`: TUI preferences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    /// A theme name from themes/ (`dark`, `light`, `high-contrast`) or a path to a theme file.
    pub theme: Option<String>,
    /// Key overrides: action name to key (e.g. `quit = "ctrl-q"`).
    pub keys: BTreeMap<String, String>,
}

/// The whole config file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub db: Option<PathBuf>,
    pub providers: BTreeMap<String, ProviderConfig>,
    /// Price overrides keyed by model (`provider:model` or a bare model name); see cost/.
    pub prices: BTreeMap<String, toml::Table>,
    pub run: RunDefaults,
    pub ui: UiConfig,
    /// Where `temper prices update` keeps its table: `prices/` beside the config file (set by
    /// [`Config::load`], not read from the file).
    #[serde(skip)]
    pub prices_dir: Option<PathBuf>,
}

impl Config {
    /// Parse config text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = crate::toml_error::position(text, &e);
            ConfigError::Parse {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        config.check_ranges(path)?;
        Ok(config)
    }

    /// Every numeric setting within [`limits`], so a value the CLI would refuse is refused here
    /// too, with its key.
    fn check_ranges(&self, path: &Path) -> Result<(), ConfigError> {
        let r = &self.run;
        let err = |key: &str, value: String, range: String| ConfigError::Range {
            path: path.to_path_buf(),
            key: key.to_string(),
            value,
            range,
        };
        let ints: [(&str, u64, u64, u64); 5] = [
            (
                "run.samples",
                r.samples.into(),
                1,
                limits::MAX_SAMPLES.into(),
            ),
            (
                "run.concurrency",
                r.concurrency as u64,
                1,
                limits::MAX_CONCURRENCY as u64,
            ),
            (
                "run.timeout_secs",
                r.timeout_secs,
                1,
                limits::MAX_TIMEOUT_SECS,
            ),
            (
                "run.max_retries",
                r.max_retries.into(),
                0,
                limits::MAX_RETRIES.into(),
            ),
            (
                "run.max_response_mb",
                r.max_response_mb,
                1,
                limits::MAX_RESPONSE_MB,
            ),
        ];
        let timeouts = self.providers.iter().filter_map(|(name, p)| {
            let secs = p.timeout_secs?;
            Some((format!("providers.{name}.timeout_secs"), secs))
        });
        let all = ints
            .iter()
            .map(|(k, v, lo, hi)| (k.to_string(), *v, *lo, *hi));
        let all = all.chain(timeouts.map(|(k, v)| (k, v, 1, limits::MAX_TIMEOUT_SECS)));
        for (key, value, lo, hi) in all {
            if !(lo..=hi).contains(&value) {
                return Err(err(&key, value.to_string(), format!("{lo}..={hi}")));
            }
        }
        for (key, value) in [
            ("run.budget_usd", r.budget_usd),
            ("run.confirm_above_usd", r.confirm_above_usd),
        ] {
            if let Some(v) = value
                && !(0.0..=limits::MAX_USD).contains(&v)
            {
                return Err(err(key, v.to_string(), format!("0..={}", limits::MAX_USD)));
            }
        }
        Ok(())
    }

    /// Load from `explicit` (flag or env), else the default location if it exists, else defaults.
    /// Returns the config and the file it came from.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => default_config_path().filter(|p| p.exists()),
        };
        let beside = |p: &Path| p.parent().map(|d| d.join("prices"));
        let Some(path) = path else {
            let prices_dir = default_config_path().as_deref().and_then(beside);
            return Ok((
                Config {
                    prices_dir,
                    ..Config::default()
                },
                None,
            ));
        };
        let text = crate::fsio::read_text(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let mut config = Config::parse(&text, &path)?;
        config.prices_dir = beside(&path);
        Ok((config, Some(path)))
    }

    /// Built-in providers with the user's tables laid over them (a user table replaces a
    /// built-in of the same name).
    pub fn providers(&self) -> BTreeMap<String, ProviderConfig> {
        let mut all = builtin_providers();
        all.extend(self.providers.clone());
        all
    }

    /// The DB path: `explicit` (flag or `TEMPER_DB`), then the config's `db`, then the data dir.
    pub fn db_path(&self, explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
        if let Some(p) = explicit.or(self.db.as_deref()) {
            return Ok(p.to_path_buf());
        }
        project_dirs()
            .map(|d| d.data_dir().join("temper.db"))
            .ok_or(ConfigError::NoHome)
    }
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "temper", "temper")
}

/// `config.toml` in the user's config dir.
pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// Providers that exist with no config file. `OPENAI_BASE_URL` and `ANTHROPIC_BASE_URL` are
/// honoured as the official SDKs do.
pub fn builtin_providers() -> BTreeMap<String, ProviderConfig> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let provider = |kind, base_url: Option<String>, key: Option<&str>| ProviderConfig {
        kind,
        base_url,
        api_key_env: key.map(str::to_string),
        timeout_secs: None,
        headers: BTreeMap::new(),
    };
    BTreeMap::from([
        (
            "openai".to_string(),
            provider(
                ProviderKind::Openai,
                Some(env("OPENAI_BASE_URL").unwrap_or_else(|| "https://api.openai.com/v1".into())),
                Some("OPENAI_API_KEY"),
            ),
        ),
        (
            "anthropic".to_string(),
            provider(
                ProviderKind::Anthropic,
                Some(
                    env("ANTHROPIC_BASE_URL").unwrap_or_else(|| "https://api.anthropic.com".into()),
                ),
                Some("ANTHROPIC_API_KEY"),
            ),
        ),
        (
            "ollama".to_string(),
            provider(
                ProviderKind::Openai,
                Some("http://127.0.0.1:11434/v1".into()),
                None,
            ),
        ),
        ("mock".to_string(), provider(ProviderKind::Mock, None, None)),
        (
            "replay".to_string(),
            provider(ProviderKind::Replay, None, None),
        ),
    ])
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
