//! The price book: the embedded table with the user's overrides laid over it, and the answer to
//! "what does this model cost?" — a price row, free because it runs locally, or unpriced.
//! Never a silent zero.

use super::litellm::canonical_provider;
use super::local::is_local_provider;
use super::money::Usage;
use super::overrides::{self, FileInfo, PriceError, PricePatch, merge, split_key};
pub use super::pricing::{PriceListing, Pricing};
use super::table::{self, PriceRow, TableInfo};
use crate::config::{Config, ProviderConfig, ProviderKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

/// Providers that make the models they serve: a bare model name that several hosts list
/// (`gpt-4o` on openai, azure and others) is priced at its maker's row.
const VENDORS: [&str; 12] = [
    "openai",
    "anthropic",
    "google",
    "mistral",
    "deepseek",
    "xai",
    "cohere",
    "ai21",
    "moonshot",
    "zai",
    "minimax",
    "perplexity",
];

/// The embedded table, overrides and providers: everything needed to price a model.
#[derive(Debug, Clone)]
pub struct PriceBook {
    info: TableInfo,
    rows: Arc<Vec<PriceRow>>,
    /// Providers of `rows`, lower case.
    table_providers: Arc<BTreeSet<String>>,
    /// Override layers, lowest priority first (config, then `--prices`).
    layers: Vec<Vec<PricePatch>>,
    files: Vec<FileInfo>,
    providers: BTreeMap<String, ProviderConfig>,
}

impl PriceBook {
    /// The embedded table alone, with the built-in providers.
    pub fn builtin() -> Result<PriceBook, PriceError> {
        let (info, rows) = super::snapshot::builtin().map_err(PriceError::Table)?;
        let table_providers = rows
            .iter()
            .map(|r| r.provider.to_ascii_lowercase())
            .collect();
        Ok(PriceBook {
            info,
            rows,
            table_providers: Arc::new(table_providers),
            layers: Vec::new(),
            files: Vec::new(),
            providers: crate::config::builtin_providers(),
        })
    }

    /// The embedded table, the config's providers and `[prices]`, then `prices_file` on top.
    pub fn load(config: &Config, prices_file: Option<&Path>) -> Result<PriceBook, PriceError> {
        let mut book = PriceBook::builtin()?;
        if let Some(dir) = &config.prices_dir
            && let Some(stored) = super::stored::load(dir).map_err(PriceError::Table)?
        {
            let (info, rows) =
                super::stored::apply((&book.info, &book.rows), (&stored.0, stored.1), dir);
            book.table_providers = Arc::new(
                rows.iter()
                    .map(|r| r.provider.to_ascii_lowercase())
                    .collect(),
            );
            book.info = info;
            book.rows = Arc::new(rows);
        }
        book.providers = config.providers();
        book.add_layer(overrides::from_config(&config.prices)?)?;
        if let Some(path) = prices_file {
            let (info, patches) = overrides::load_file(path)?;
            book.add_layer(patches)?;
            book.files.push(info);
        }
        Ok(book)
    }

    /// Add overrides above the existing ones. A patch that does not name a built-in row must
    /// set both input and output.
    pub fn add_layer(&mut self, patches: Vec<PricePatch>) -> Result<(), PriceError> {
        for p in &patches {
            let complete = p.fields.input.is_some() && p.fields.output.is_some();
            if complete {
                continue;
            }
            let base = self.table_rows(p.provider.as_deref(), &p.model);
            if base.len() != 1 && vendor_row(&base).is_none() {
                let why = if base.is_empty() {
                    "it is not in the built-in table, so set both input and output".to_string()
                } else {
                    let keys: Vec<String> = base.iter().map(|r| r.key()).collect();
                    format!(
                        "it matches {}; name one as provider:model or set both input and output",
                        keys.join(", ")
                    )
                };
                return Err(PriceError::Incomplete {
                    origin: p.origin.clone(),
                    key: p.key.clone(),
                    message: why,
                });
            }
        }
        self.layers.push(patches);
        Ok(())
    }

    /// The table's date, note and sources.
    pub fn table_info(&self) -> &TableInfo {
        &self.info
    }

    /// Price files loaded with `--prices`.
    pub fn files(&self) -> &[FileInfo] {
        &self.files
    }

    /// Every row the book prices with: built-in rows with overrides applied, then override rows
    /// for models the table does not have. For `temper models`.
    pub fn rows(&self) -> Vec<PriceRow> {
        let mut out: Vec<PriceRow> = Vec::new();
        for row in self.rows.iter() {
            let merged = self
                .patch_for(Some(&row.provider), &row.model)
                .ok()
                .flatten()
                .map(|p| merge(Some(row), p))
                .unwrap_or_else(|| row.clone());
            out.push(merged);
        }
        for layer in &self.layers {
            for p in layer {
                if table::find_rows(&self.rows, p.provider.as_deref(), &p.model).is_empty() {
                    out.push(merge(None, p));
                }
            }
        }
        out
    }

    /// Rows, table date and sources and override files in one value, ready to print or
    /// serialise (`temper models`).
    pub fn listing(&self) -> PriceListing {
        PriceListing {
            table: self.info.clone(),
            price_files: self.files.clone(),
            rows: self.rows(),
        }
    }

    /// Whether `provider` runs on this machine or offline: mock and replay providers, and
    /// OpenAI-compatible servers on a loopback address (ollama, llama.cpp, LM Studio, vLLM).
    pub fn is_local(&self, provider: &str) -> bool {
        self.providers.get(provider).is_some_and(is_local_provider)
    }

    /// Which loopback rule priced `model`, when its provider is an HTTP server on a loopback
    /// URL: a known hosted model is priced whatever the URL (a LiteLLM proxy or gateway may
    /// forward to the paid API), only an unknown model there is local ($0). `None` otherwise.
    pub fn loopback_rule(&self, model: &str) -> Option<&'static str> {
        let (provider, _) = self.split(model);
        provider.filter(|p| self.is_loopback_http(p))?;
        Some(match self.lookup(model).ok()? {
            Pricing::Local { .. } => "unknown model on a loopback URL: local, $0",
            _ => {
                "known hosted model: priced although its URL is loopback (a proxy may forward \
                  to the paid API; a price override of 0 marks it local)"
            }
        })
    }

    fn is_loopback_http(&self, provider: &str) -> bool {
        self.providers.get(provider).is_some_and(|c| {
            matches!(c.kind, ProviderKind::Openai | ProviderKind::Anthropic) && is_local_provider(c)
        })
    }

    /// Price `model` (`provider:model` or a bare name; dated snapshots resolve to their row).
    /// A bare name that matches rows of several providers is an error naming them.
    pub fn lookup(&self, model: &str) -> Result<Pricing, PriceError> {
        let (provider, name) = self.split(model);
        let base = self.table_rows(provider, name);
        let single = match base.as_slice() {
            [one] => Some(*one),
            many => vendor_row(many),
        };
        if let Some(p) = self.patch_for(provider, name)? {
            let complete = p.fields.input.is_some() && p.fields.output.is_some();
            if single.is_some() || complete {
                return Ok(Pricing::Priced {
                    row: Box::new(merge(single, p)),
                });
            }
        }
        if let Some(p) = provider.filter(|p| self.is_local(p)) {
            if let Some(row) = single
                .filter(|_| self.is_loopback_http(p))
                .filter(is_hosted)
            {
                return Ok(Pricing::Priced {
                    row: Box::new(row.clone()),
                });
            }
            return Ok(Pricing::Local {
                provider: p.to_string(),
            });
        }
        match base.as_slice() {
            [] => Ok(Pricing::Unpriced {
                model: model.to_string(),
            }),
            [row] => Ok(Pricing::Priced {
                row: Box::new((*row).clone()),
            }),
            many => match vendor_row(many) {
                Some(row) => Ok(Pricing::Priced {
                    row: Box::new(row.clone()),
                }),
                None => Err(ambiguous(model, many.iter().map(|r| r.key()))),
            },
        }
    }

    /// When `provider:model` has no row but the model is priced under other providers (or a
    /// close name), those rows' keys, makers first: the "did you mean" of an unpriced model.
    pub fn did_you_mean(&self, model: &str) -> Vec<String> {
        let (provider, name) = self.split(model);
        let Some(p) = provider.filter(|p| self.table_provider(p) && !self.is_local(p)) else {
            return Vec::new();
        };
        if !self.table_rows(Some(p), name).is_empty() {
            return Vec::new();
        }
        let mut hits = table::find_rows(&self.rows, None, name);
        hits.sort_by_key(|r| !VENDORS.contains(&r.provider.as_str()));
        if hits.is_empty() {
            let wanted = canonical_provider(p);
            let mut close: Vec<(f64, &PriceRow)> = self
                .rows
                .iter()
                .filter(|r| r.provider.eq_ignore_ascii_case(&wanted))
                .map(|r| (strsim::jaro_winkler(&r.model, name), r))
                .filter(|(score, _)| *score >= 0.9)
                .collect();
            close.sort_by(|a, b| b.0.total_cmp(&a.0));
            hits = close.into_iter().map(|(_, r)| r).collect();
        }
        hits.iter().take(3).map(|r| r.key()).collect()
    }

    /// Cost of a call of `model` with `usage`, in USD; `Ok(None)` when the model is unpriced.
    pub fn cost_usd(&self, model: &str, usage: &Usage) -> Result<Option<f64>, PriceError> {
        Ok(self.lookup(model)?.cost_usd(usage))
    }

    /// Split `provider:model` when the prefix is a provider temper knows (configured or in the
    /// table or an override); otherwise the whole text is a bare name (`llama3.2:3b`).
    fn split<'a>(&self, model: &'a str) -> (Option<&'a str>, &'a str) {
        match split_key(model) {
            (Some(p), rest)
                if self.providers.contains_key(p)
                    || self.table_provider(p)
                    || self.patch_provider(p) =>
            {
                (Some(p), rest)
            }
            _ => (None, model),
        }
    }

    fn patch_provider(&self, provider: &str) -> bool {
        self.layers
            .iter()
            .flatten()
            .any(|p| p.provider.as_deref() == Some(provider))
    }

    fn table_provider(&self, provider: &str) -> bool {
        self.table_providers.contains(&canonical_provider(provider))
    }

    /// Table rows for a model; a provider the table does not know (openrouter, a company
    /// proxy) is looked up by model name alone, a vendor path (`openai/gpt-4o`) at its maker.
    fn table_rows(&self, provider: Option<&str>, name: &str) -> Vec<&PriceRow> {
        let provider = provider
            .filter(|p| self.table_provider(p))
            .map(canonical_provider);
        if provider.is_none()
            && let Some((vendor, rest)) = name.split_once('/')
            && VENDORS.contains(&canonical_provider(vendor).as_str())
        {
            let hits = table::find_rows(&self.rows, Some(&canonical_provider(vendor)), rest);
            if !hits.is_empty() {
                return hits;
            }
        }
        table::find_rows(&self.rows, provider.as_deref(), name)
    }

    /// The override for a model from the highest layer that has one.
    fn patch_for(
        &self,
        provider: Option<&str>,
        name: &str,
    ) -> Result<Option<&PricePatch>, PriceError> {
        for layer in self.layers.iter().rev() {
            let hits: Vec<&PricePatch> = layer
                .iter()
                .filter(|p| match (&p.provider, provider) {
                    (Some(pp), Some(q)) => pp.eq_ignore_ascii_case(q),
                    _ => true,
                })
                .filter(|p| {
                    p.model.eq_ignore_ascii_case(name) || self.patch_names_row(p, provider, name)
                })
                .collect();
            match hits.as_slice() {
                [] => continue,
                [one] => return Ok(Some(one)),
                many => {
                    return Err(ambiguous(name, many.iter().map(|p| p.key.clone())));
                }
            }
        }
        Ok(None)
    }

    /// Whether a patch keyed by a row's id or alias applies to `name`, which resolves to the
    /// same row (e.g. an override of `gpt-4o` applies to `gpt-4o-2024-08-06`).
    fn patch_names_row(&self, patch: &PricePatch, provider: Option<&str>, name: &str) -> bool {
        let rows = self.table_rows(provider, name);
        let [row] = rows.as_slice() else {
            return false;
        };
        row.answers_to(&patch.model)
            && patch
                .provider
                .as_deref()
                .is_none_or(|p| row.provider.eq_ignore_ascii_case(p))
    }
}

/// The one row among `rows` from the model's maker, if exactly one is.
fn vendor_row<'a>(rows: &[&'a PriceRow]) -> Option<&'a PriceRow> {
    let mut makers = rows
        .iter()
        .filter(|r| VENDORS.contains(&r.provider.as_str()));
    match (makers.next(), makers.next()) {
        (Some(one), None) => Some(*one),
        _ => None,
    }
}

/// A row of a maker that sells the model as a hosted API (not a reseller's row of open weights).
fn is_hosted(row: &&PriceRow) -> bool {
    VENDORS.contains(&row.provider.as_str())
}

fn ambiguous(name: &str, keys: impl Iterator<Item = String>) -> PriceError {
    PriceError::Ambiguous {
        name: name.to_string(),
        candidates: keys.collect(),
    }
}
