//! The token split behind the Cost view's 30-day bars and `temper cost --split` (docs/cost.md):
//! one GROUP BY model over the samples stored since a cutoff, summing input, cached input and
//! output tokens and the stored per-call costs. Pricing the split is `crate::cost::split`'s.

use super::db::vals;
use super::{Result, Store};
use serde::Serialize;

/// What one model's samples since the cutoff used, by kind of token.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelTokens {
    /// `provider:model` as the variant called it (the variant name when none was recorded).
    pub model: String,
    pub samples: u64,
    /// Input tokens including the cached ones, as providers report them.
    pub input_tokens: u64,
    /// The part of `input_tokens` served from the provider's prompt cache.
    pub cached_tokens: u64,
    pub output_tokens: u64,
    /// Sum of the stored per-call costs; `None` when no sample has one (unpriced model).
    pub stored_cost_usd: Option<f64>,
}

impl Store {
    /// Per model, the tokens of every sample created at or after `since` (RFC 3339, the
    /// format of `created_at`), by kind; sorted by model.
    pub fn token_split_since(&self, since: &str) -> Result<Vec<ModelTokens>> {
        // The model is the variant's `model` field: the one dialect difference of the query.
        let model = if self.db().is_pg() {
            "(c.variant_json::json ->> 'model')"
        } else {
            "json_extract(c.variant_json, '$.model')"
        };
        let sql = format!(
            "SELECT COALESCE({model}, c.variant_name) AS model, COUNT(*),
                    CAST(SUM(COALESCE(s.input_tokens, 0)) AS BIGINT),
                    CAST(SUM(COALESCE(s.cached_tokens, 0)) AS BIGINT),
                    CAST(SUM(COALESCE(s.output_tokens, 0)) AS BIGINT),
                    SUM(s.cost_usd)
             FROM samples s JOIN cells c ON c.id = s.cell_id
             WHERE s.created_at >= ?1
             GROUP BY 1 ORDER BY 1"
        );
        let count = |v: i64| v.max(0) as u64;
        self.db()
            .query(&sql, vals![since])?
            .into_iter()
            .map(|r| {
                Ok(ModelTokens {
                    model: r.get(0)?,
                    samples: count(r.get(1)?),
                    input_tokens: count(r.get(2)?),
                    cached_tokens: count(r.get(3)?),
                    output_tokens: count(r.get(4)?),
                    stored_cost_usd: r.get(5)?,
                })
            })
            .collect()
    }
}
