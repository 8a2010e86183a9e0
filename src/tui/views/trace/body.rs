//! The one span of the Trace view held whole: the packed trace keeps spans as bytes
//! (`crate::trace::packed`), the rows read them in place, and the span the detail pane shows
//! (the selected span, chunk's span or tool call) is decoded once when the selection changes,
//! not in every frame (its input may be 100 KB).

use super::{Loaded, TracePane, TraceView};
use crate::trace::Span;
use std::borrow::Cow;
use std::sync::Arc;

/// The decoded span the detail pane shows, with the trace it came from.
pub(super) struct DetailBody {
    loaded: Arc<Loaded>,
    span: usize,
    decoded: Span,
}

impl TraceView {
    /// The span the detail pane is about: the selected chunk's, the selected tool call's, or
    /// the selected tree row's.
    fn detail_target(&self) -> Option<usize> {
        match self.detail {
            TracePane::Chunks => self.selected_chunk().map(|(s, _)| s),
            TracePane::Tools => self.selected_tool(),
            TracePane::Tree | TracePane::Answer => self.selected_span(),
        }
    }

    /// Decode the detail pane's span when it changed (a key, a click, a new trace or live
    /// frame); called after every action, event and mouse event.
    pub(super) fn sync_body(&mut self) {
        let (Some(loaded), Some(span)) = (&self.loaded, self.detail_target()) else {
            self.body = None;
            return;
        };
        let same = |b: &DetailBody| Arc::ptr_eq(&b.loaded, loaded) && b.span == span;
        if self.body.as_ref().is_some_and(same) {
            return;
        }
        self.body = Some(DetailBody {
            loaded: loaded.clone(),
            span,
            decoded: loaded.trace.span(span),
        });
    }

    /// Span `i` of the shown trace whole: the one decoded for the detail pane, else (a state
    /// `sync_body` has not seen, e.g. a view built by hand) decoded now.
    pub(super) fn decoded(&self, i: usize) -> Option<Cow<'_, Span>> {
        let loaded = self.loaded.as_ref()?;
        match &self.body {
            Some(b) if b.span == i && Arc::ptr_eq(&b.loaded, loaded) => {
                Some(Cow::Borrowed(&b.decoded))
            }
            _ if i < loaded.trace.len() => Some(Cow::Owned(loaded.trace.span(i))),
            _ => None,
        }
    }

    /// The text `y` copies from the focused pane.
    pub(super) fn focused(&self) -> Option<String> {
        let l = self.loaded.as_ref()?;
        match self.focus {
            TracePane::Tree => self.selected_span().map(|i| l.trace.id(i).to_string()),
            TracePane::Chunks => self.selected_chunk().and_then(|(s, d)| {
                let doc = l.trace.documents(s).get(d)?;
                Some(doc.content?.str().to_string())
            }),
            TracePane::Tools => self.selected_tool().and_then(|s| {
                let extra = l.trace.span_ref(s).extra?;
                let t = extra.tool?;
                let args = t.arguments.map_or("", |a| a.str());
                Some(format!("{}({args})", t.name.str()))
            }),
            TracePane::Answer => self.shown().map(|(_, t)| t.answer.clone()),
        }
    }
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
