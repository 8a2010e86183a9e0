//! The Cost view: for the prompt version selected in the Prompts view, what its stored runs
//! cost per model (mean and p95 per call, output tokens, stability) and the projection per day
//! and per 30 days at an adjustable calls/day. The cheapest model that meets the stability bar
//! is highlighted. Figures come from `crate::cost` (history, projection, price table date).

use super::widgets::{InputOutcome, LineInput, empty_state, pane};
use super::{Effect, Level, View};
use crate::cost::estimate::ModelEstimate;
use crate::cost::history::ModelHistory;
use crate::cost::{format_usd, parse_volume, project};
use crate::tui::action::{Action, Tab};
use crate::tui::event::{Event, Request, VersionCost};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

/// A model is "stable enough" at or above this share of identical outputs.
pub const STABILITY_BAR: f64 = 0.9;

/// State of the Cost view.
pub struct CostView {
    /// Calls per day the projection assumes.
    pub calls_per_day: u64,
    /// The version to show (set from the Prompts view when the tab opens).
    pub wanted: Option<(i64, String)>,
    data: Option<VersionCost>,
    /// Models added with `v` (any priced model, run or not) and their estimates per call.
    added: Vec<ModelEstimate>,
    /// `c` (calls/day) or `v` (models) being typed.
    input: Option<(Typing, LineInput)>,
    /// The last 30 days per model, split by kind of token (the bars under the tables).
    split: Option<Vec<crate::cost::split::CostSplit>>,
}

/// What the input line of the Cost view is asking for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typing {
    CallsPerDay,
    Models,
}

impl Default for CostView {
    fn default() -> Self {
        CostView {
            calls_per_day: 1000,
            wanted: None,
            data: None,
            added: Vec::new(),
            input: None,
            split: None,
        }
    }
}

impl CostView {
    /// Apply what was typed: a volume, or the models to estimate.
    fn submit(&mut self, typing: Typing, text: &str) -> Vec<Effect> {
        match typing {
            Typing::CallsPerDay => match parse_volume(text) {
                Ok(n) => {
                    self.calls_per_day = n;
                    Vec::new()
                }
                Err(e) => vec![Effect::Status(Level::Error, e)],
            },
            Typing::Models => {
                let models: Vec<String> = text
                    .split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect();
                if models.is_empty() {
                    self.added.clear();
                    return Vec::new();
                }
                vec![self.estimate_request(models)]
            }
        }
    }

    fn estimate_request(&self, models: Vec<String>) -> Effect {
        let (version_id, label) = self.wanted.clone().unwrap_or_default();
        Effect::Request(Request::EstimateCost {
            version_id,
            label,
            models,
        })
    }

    /// The table of models, or what to do when there is none.
    fn draw_body(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let title = match &self.wanted {
            Some((_, label)) => format!(" Cost of {label} "),
            None => " Cost ".into(),
        };
        let block = pane(
            crate::tui::text::one_line(&title, theme.text()),
            true,
            theme,
        );
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let inner = super::cost_split::draw_below(frame, inner, self.split.as_deref(), theme);
        let data = match (&self.wanted, &self.data) {
            (None, _) => {
                let text = "Select a prompt version in the Prompts view (1), then come back:\nits stored runs are priced here per model.";
                return empty_state(frame, inner, text, theme.muted());
            }
            (Some(_), None) => return empty_state(frame, inner, "loading…", theme.muted()),
            (Some((id, _)), Some(d)) if d.version_id != *id => {
                return empty_state(frame, inner, "loading…", theme.muted());
            }
            (Some(_), Some(d)) => d,
        };
        if data.models.is_empty() && self.added.is_empty() {
            let text = format!(
                "No stored runs of {} yet.\nRun it (temper run {} -n 10 --model mock:drift) to price it per model,\nor press v to estimate any priced model (e.g. openai:gpt-4o-mini)",
                data.label, data.label
            );
            return empty_state(
                frame,
                inner,
                &crate::sanitize::for_display(&text),
                theme.muted(),
            );
        }
        let [head, table] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
        let best = self.recommended().map(|m| m.model.clone());
        let verdict = match &best {
            Some(m) => Span::styled(
                format!("cheapest with stability ≥ {STABILITY_BAR}: {m}"),
                theme.fg(theme.ok).add_modifier(Modifier::BOLD),
            ),
            None => Span::styled(
                format!("no model reaches stability {STABILITY_BAR}"),
                theme.fg(theme.warning),
            ),
        };
        let header = vec![
            Line::from(vec![
                Span::styled(
                    format!(
                        "{} calls/day (c type, +/-) · v add models",
                        crate::cost::group_thousands(&self.calls_per_day.to_string())
                    ),
                    theme.fg(theme.accent),
                ),
                Span::styled(
                    format!(" · prices as of {}", data.table_date),
                    theme.muted(),
                ),
            ]),
            Line::from(verdict),
        ];
        frame.render_widget(Paragraph::new(header), head);
        let money = |v: Option<f64>| v.map_or("-".to_string(), format_usd);
        let mut rows: Vec<Row> = self
            .sorted()
            .into_iter()
            .map(|m| {
                let month = m
                    .cost
                    .mean_usd
                    .map(|c| format_usd(project(c, self.calls_per_day).per_30_days_usd));
                let style = if best.as_deref() == Some(m.model.as_str()) {
                    theme.selected(true)
                } else {
                    theme.text()
                };
                Row::new(vec![
                    Cell::from(crate::sanitize::one_line(&m.model)),
                    Cell::from(m.samples.to_string()),
                    Cell::from(
                        m.mean_output_tokens
                            .map_or("-".into(), |t| format!("{t:.0}")),
                    ),
                    Cell::from(
                        m.stability
                            .map_or("-".into(), |s| format!("{:.0}%", s * 100.0)),
                    ),
                    Cell::from(money(m.cost.mean_usd)),
                    Cell::from(money(m.cost.p95_usd)),
                    Cell::from(month.unwrap_or_else(|| "unpriced".into())),
                ])
                .style(style)
            })
            .collect();
        rows.extend(self.added_rows());
        let widths = [
            Constraint::Min(16),
            Constraint::Length(7),
            Constraint::Length(7),
            Constraint::Length(9),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Length(10),
        ];
        let header = Row::new([
            "model",
            "samples",
            "out tok",
            "stability",
            "$/call",
            "p95",
            "30 days",
        ])
        .style(theme.muted().add_modifier(Modifier::BOLD));
        let calls = self.calls_per_day;
        let table =
            super::cost_cascade::draw_below(frame, table, data.cascade.as_ref(), calls, theme);
        frame.render_widget(Table::new(rows, widths).header(header), table);
    }

    /// The rows of models added with `v`: estimated, not measured.
    fn added_rows(&self) -> Vec<Row<'static>> {
        self.added
            .iter()
            .map(|m| {
                let per_call = m.projection.map(|p| p.per_call_usd);
                let month = per_call.map_or_else(
                    || "unpriced".to_string(),
                    |c| format_usd(project(c, self.calls_per_day).per_30_days_usd),
                );
                Row::new(vec![
                    Cell::from(crate::sanitize::one_line(&format!("{} (est.)", m.model))),
                    Cell::from("-"),
                    Cell::from(m.output_tokens.to_string()),
                    Cell::from("-"),
                    Cell::from(per_call.map_or("-".to_string(), format_usd)),
                    Cell::from("-"),
                    Cell::from(month),
                ])
            })
            .collect()
    }

    /// Models sorted by mean cost per call (unpriced last).
    pub fn sorted(&self) -> Vec<&ModelHistory> {
        let mut rows: Vec<&ModelHistory> = self.data.iter().flat_map(|d| &d.models).collect();
        rows.sort_by(|a, b| {
            let key = |m: &ModelHistory| m.cost.mean_usd.unwrap_or(f64::INFINITY);
            key(a).total_cmp(&key(b))
        });
        rows
    }

    /// The cheapest model whose stability meets [`STABILITY_BAR`].
    pub fn recommended(&self) -> Option<&ModelHistory> {
        self.sorted()
            .into_iter()
            .find(|m| m.stability.is_some_and(|s| s >= STABILITY_BAR) && m.cost.mean_usd.is_some())
    }
}

impl View for CostView {
    fn tab(&self) -> Tab {
        Tab::Cost
    }

    fn on_show(&mut self) -> Vec<Effect> {
        let mut out = vec![Effect::Request(Request::LoadCostSplit)];
        let Some((version_id, label)) = &self.wanted else {
            return out;
        };
        out.push(Effect::Request(Request::LoadCost {
            version_id: *version_id,
            label: label.clone(),
        }));
        if !self.added.is_empty() {
            out.push(self.estimate_request(self.added.iter().map(|m| m.model.clone()).collect()));
        }
        out
    }

    fn capture_key(&mut self, key: &KeyEvent) -> Option<Vec<Effect>> {
        let (typing, input) = self.input.as_mut()?;
        let typing = *typing;
        Some(match input.key(key) {
            InputOutcome::Submit => {
                let text = input.value.trim().to_string();
                self.input = None;
                self.submit(typing, &text)
            }
            InputOutcome::Cancel => {
                self.input = None;
                Vec::new()
            }
            _ => Vec::new(),
        })
    }

    fn capture_hint(&self) -> Option<&'static str> {
        self.input.as_ref().map(|(typing, _)| match typing {
            Typing::CallsPerDay => "calls per day: 1000, 50k, 1.5M · enter · esc",
            Typing::Models => {
                "models to add, comma separated (e.g. openai:gpt-4o-mini, anthropic:claude-haiku-4-5) · enter · esc"
            }
        })
    }

    fn on_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        match action {
            Action::More => self.calls_per_day = (self.calls_per_day * 2).min(1 << 40),
            Action::Less => self.calls_per_day = (self.calls_per_day / 2).max(1),
            Action::SetVolume => {
                let now = self.calls_per_day.to_string();
                self.input = Some((Typing::CallsPerDay, LineInput::new(now)));
            }
            Action::Variants if self.wanted.is_some() => {
                let now: Vec<String> = self.added.iter().map(|m| m.model.clone()).collect();
                self.input = Some((Typing::Models, LineInput::new(now.join(", "))));
            }
            Action::Refresh => return Some(self.on_show()),
            _ => return None,
        }
        Some(Vec::new())
    }

    fn on_event(&mut self, event: &Event) -> Vec<Effect> {
        if let Event::Cost(cost) = event
            && self
                .wanted
                .as_ref()
                .is_some_and(|(id, _)| *id == cost.version_id)
        {
            self.data = Some((**cost).clone());
        }
        if let Event::CostSplit(split) = event {
            self.split = Some(split.clone());
        }
        if let Event::CostEstimate { version_id, models } = event
            && self.wanted.as_ref().is_some_and(|(id, _)| id == version_id)
        {
            self.added = models.clone();
        }
        Vec::new()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        self.draw_body(frame, area, theme);
        if let Some((typing, input)) = &self.input {
            let prompt = match typing {
                Typing::CallsPerDay => "calls/day: ",
                Typing::Models => "add models: ",
            };
            super::widgets::bottom_input(frame, area, input.line(prompt, theme), theme);
        }
    }

    fn hints(&self) -> Vec<Action> {
        vec![
            Action::More,
            Action::Less,
            Action::Refresh,
            Action::Help,
            Action::Quit,
        ]
    }

    fn focused_text(&self) -> Option<String> {
        self.recommended().map(|m| m.model.clone())
    }
}

#[cfg(test)]
#[path = "cost_tests.rs"]
mod tests;
