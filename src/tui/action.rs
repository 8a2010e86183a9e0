//! What the user asks for. Keys map to actions through the keymap; views handle actions.

/// The views, in tab order (number keys 1-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Prompts,
    Run,
    Diff,
    Trace,
    Cost,
}

impl Tab {
    /// Every tab, in the order of the tab bar.
    pub const ALL: [Tab; 5] = [Tab::Prompts, Tab::Run, Tab::Diff, Tab::Trace, Tab::Cost];

    /// The title in the tab bar.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Prompts => "Prompts",
            Tab::Run => "Run",
            Tab::Diff => "Diff",
            Tab::Trace => "Trace",
            Tab::Cost => "Cost",
        }
    }

    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// One thing the user can ask for. The name (see [`Action::name`]) is what `[ui.keys]` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Back,
    ShowTab(Tab),
    NextTab,
    PrevTab,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Copy,
    Refresh,
    Filter,
    Edit,
    ExternalEdit,
    Label,
    DiffParent,
    DiffWith,
    Start,
    Cancel,
    NextChange,
    PrevChange,
    Open,
    More,
    Less,
    Variants,
    NextCell,
    PrevCell,
    NextTrace,
    PrevTrace,
    Explain,
    CompareOutputs,
    SaveSession,
    SetVolume,
    Waterfall,
    Zoom,
    Confidence,
    Replay,
    ProbeChunk,
    Distributions,
    Trends,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: [Action; 49] = [
        Action::Quit,
        Action::Help,
        Action::Back,
        Action::ShowTab(Tab::Prompts),
        Action::ShowTab(Tab::Run),
        Action::ShowTab(Tab::Diff),
        Action::ShowTab(Tab::Trace),
        Action::ShowTab(Tab::Cost),
        Action::NextTab,
        Action::PrevTab,
        Action::FocusNext,
        Action::FocusPrev,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Copy,
        Action::Refresh,
        Action::Filter,
        Action::Edit,
        Action::ExternalEdit,
        Action::Label,
        Action::DiffParent,
        Action::DiffWith,
        Action::Start,
        Action::Cancel,
        Action::NextChange,
        Action::PrevChange,
        Action::Open,
        Action::More,
        Action::Less,
        Action::Variants,
        Action::NextCell,
        Action::PrevCell,
        Action::NextTrace,
        Action::PrevTrace,
        Action::Explain,
        Action::CompareOutputs,
        Action::SaveSession,
        Action::SetVolume,
        Action::Waterfall,
        Action::Zoom,
        Action::Confidence,
        Action::Replay,
        Action::ProbeChunk,
        Action::Distributions,
        Action::Trends,
    ];

    /// The name used in `[ui.keys]` (e.g. `quit = "ctrl-q"`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Back => "back",
            Action::ShowTab(Tab::Prompts) => "tab_prompts",
            Action::ShowTab(Tab::Run) => "tab_run",
            Action::ShowTab(Tab::Diff) => "tab_diff",
            Action::ShowTab(Tab::Trace) => "tab_trace",
            Action::ShowTab(Tab::Cost) => "tab_cost",
            Action::NextTab => "next_tab",
            Action::PrevTab => "prev_tab",
            Action::FocusNext => "focus_next",
            Action::FocusPrev => "focus_prev",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Copy => "copy",
            Action::Refresh => "refresh",
            Action::Filter => "filter",
            Action::Edit => "edit",
            Action::ExternalEdit => "external_edit",
            Action::Label => "label",
            Action::DiffParent => "diff_parent",
            Action::DiffWith => "diff_with",
            Action::Start => "start",
            Action::Cancel => "cancel",
            Action::NextChange => "next_change",
            Action::PrevChange => "prev_change",
            Action::Open => "open",
            Action::More => "more",
            Action::Less => "less",
            Action::Variants => "variants",
            Action::NextCell => "next_cell",
            Action::PrevCell => "prev_cell",
            Action::NextTrace => "next_trace",
            Action::PrevTrace => "prev_trace",
            Action::Explain => "explain",
            Action::CompareOutputs => "compare_outputs",
            Action::SaveSession => "save_session",
            Action::SetVolume => "set_volume",
            Action::Waterfall => "waterfall",
            Action::Zoom => "zoom",
            Action::Confidence => "confidence",
            Action::Replay => "replay",
            Action::ProbeChunk => "probe_chunk",
            Action::Distributions => "distributions",
            Action::Trends => "trends",
        }
    }

    /// The action called `name`, if any.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    /// One or two words for the status-bar hints.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Filter => "filter",
            Action::Edit => "edit",
            Action::ExternalEdit => "$EDITOR",
            Action::Label => "label",
            Action::DiffParent => "diff",
            Action::DiffWith => "diff with",
            Action::Start => "start",
            Action::Cancel => "cancel",
            Action::More => "more",
            Action::Less => "less",
            Action::NextChange => "next change",
            Action::PrevChange => "prev change",
            Action::Open => "open",
            Action::Copy => "copy",
            Action::Variants => "models",
            Action::NextCell => "next cell",
            Action::PrevCell => "prev cell",
            Action::NextTrace => "next trace",
            Action::PrevTrace => "prev trace",
            Action::Explain => "explain",
            Action::CompareOutputs => "outputs",
            Action::FocusNext => "switch pane",
            Action::Refresh => "reload",
            Action::SaveSession => "save",
            Action::SetVolume => "calls/day",
            Action::Waterfall => "wide bars",
            Action::Zoom => "zoom",
            Action::Confidence => "confidence",
            Action::Replay => "replay",
            Action::ProbeChunk => "without chunk",
            Action::Distributions => "distributions",
            Action::Trends => "trends",
            other => other.name(),
        }
    }

    /// What the action does, for the help overlay.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit temper",
            Action::Help => "show / hide this help",
            Action::Back => "close, cancel or clear the filter",
            Action::ShowTab(Tab::Prompts) => "Prompts view",
            Action::ShowTab(Tab::Run) => "Run view",
            Action::ShowTab(Tab::Diff) => "Diff view",
            Action::ShowTab(Tab::Trace) => "Trace view",
            Action::ShowTab(Tab::Cost) => "Cost view",
            Action::NextTab => "next view",
            Action::PrevTab => "previous view",
            Action::FocusNext => "focus the next pane",
            Action::FocusPrev => "focus the previous pane",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::Copy => "copy the focused text",
            Action::Refresh => "reload from the database",
            Action::Filter => "filter the list",
            Action::Edit => "edit the version in place (ctrl-s saves)",
            Action::ExternalEdit => "edit the version in $EDITOR",
            Action::Label => "set or move a label to this version",
            Action::DiffParent => "diff with the parent version",
            Action::DiffWith => "diff with a version you pick",
            Action::Start => "start the run",
            Action::Cancel => "cancel the run",
            Action::NextChange => "next change",
            Action::PrevChange => "previous change",
            Action::Open => "open a file",
            Action::More => "increase",
            Action::Less => "decrease",
            Action::Variants => "choose the models (comma separated)",
            Action::SetVolume => "type the calls per day (1000, 50k, 1.5M)",
            Action::NextCell => "compare the next cell of the run (the least stable comes first)",
            Action::PrevCell => "compare the previous cell of the run",
            Action::NextTrace => "show the next trace of the file (one per root span)",
            Action::PrevTrace => "show the previous trace of the file",
            Action::CompareOutputs => {
                "compare this version's outputs with its parent's (or the diffed version's) in the Diff view"
            }
            Action::Explain => {
                "explain the split: token probabilities, near-ties, backends, batch probe"
            }
            Action::Waterfall => {
                "toggle tree / waterfall widths: the span bars get most of the width"
            }
            Action::Zoom => {
                "zoom the waterfall to the selected span's subtree (again or esc: back)"
            }
            Action::Confidence => {
                "colour each token by its logprob margin (near-ties in the warning colour)"
            }
            Action::Replay => {
                "replay the selected LLM span and compare with its recorded answer (again: confirm)"
            }
            Action::ProbeChunk => {
                "rerun the request without the selected chunk: does the answer change? (again: confirm)"
            }
            Action::Trends => {
                "stability, cost per call and p95 latency across the prompt's versions"
            }
            Action::Distributions => {
                "the cell's clusters as bars and its variant's latency histogram (p50/p95)"
            }
            Action::SaveSession => {
                "save the workspace (prompt, models, N, checks, trace) to sessions/NAME.toml"
            }
        }
    }
}

#[cfg(test)]
#[path = "action_tests.rs"]
mod tests;
