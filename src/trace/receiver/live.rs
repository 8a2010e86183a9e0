//! The traces a live session holds: spans grouped by trace id in arrival order, log records
//! attached to their spans (kept aside a while when they arrive before the span), and a span cap:
//! past it the oldest traces are evicted whole and counted, so memory stays bounded however long
//! an app keeps sending.

use super::super::logs::{self, LogEvent};
use super::super::model::Span;
use super::super::{Format, Trace};
use super::{Batch, Counters, LiveSpan};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;

/// Log records waiting for their span are capped at this many; older ones are let go.
const MAX_PENDING_LOGS: usize = 10_000;

/// One trace as received so far.
#[derive(Debug, Clone)]
pub struct LiveTrace {
    /// The OTLP trace id, lowercase hex.
    pub id: String,
    /// Spans in arrival order.
    pub spans: Vec<Span>,
}

impl LiveTrace {
    /// The trace as a span tree, ready for the detectors and the views.
    pub fn build(&self) -> Trace {
        Trace::build(Format::Otlp, self.spans.clone(), Vec::new())
    }
}

/// What one batch changed: the traces it touched (oldest first) and how many spans each gained.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Update {
    pub touched: Vec<(String, usize)>,
    /// The new spans as stored (logs attached), in arrival order: what `--save` appends.
    pub new_spans: Vec<Span>,
    /// Traces whose spans changed without gaining any (log records attached to them): a view
    /// redraws them, the headless lines do not repeat them.
    pub changed: Vec<String>,
}

/// Every trace of a live session, bounded by a span cap.
pub struct LiveTraces {
    traces: VecDeque<LiveTrace>,
    /// Sequence number of `traces[0]`; a trace's index is its sequence minus this.
    base: u64,
    by_trace: HashMap<String, u64>,
    by_span: HashMap<String, u64>,
    /// Log records whose span has not arrived, by span id, and the ids oldest first.
    pending_logs: HashMap<String, Vec<LogEvent>>,
    pending_order: VecDeque<String>,
    held: usize,
    cap: usize,
    counters: std::sync::Arc<Counters>,
}

impl LiveTraces {
    /// An empty session holding at most `cap` spans.
    pub fn new(cap: usize, counters: std::sync::Arc<Counters>) -> LiveTraces {
        LiveTraces {
            traces: VecDeque::new(),
            base: 0,
            by_trace: HashMap::new(),
            by_span: HashMap::new(),
            pending_logs: HashMap::new(),
            pending_order: VecDeque::new(),
            held: 0,
            cap,
            counters,
        }
    }

    /// Take in one batch from the receiver.
    pub fn ingest(&mut self, batch: Batch) -> Update {
        match batch {
            Batch::Spans(spans) => self.add_spans(spans),
            Batch::Logs(events) => Update {
                changed: self.add_logs(events),
                ..Update::default()
            },
        }
    }

    /// Traces in arrival order (oldest first).
    pub fn traces(&self) -> impl DoubleEndedIterator<Item = &LiveTrace> + ExactSizeIterator {
        self.traces.iter()
    }

    /// One trace by id.
    pub fn get(&self, trace_id: &str) -> Option<&LiveTrace> {
        let seq = *self.by_trace.get(trace_id)?;
        self.traces.get(usize::try_from(seq - self.base).ok()?)
    }

    /// Spans held right now.
    pub fn span_count(&self) -> usize {
        self.held
    }

    fn add_spans(&mut self, spans: Vec<LiveSpan>) -> Update {
        let mut update = Update::default();
        for LiveSpan { trace_id, mut span } in spans {
            self.attach_pending(&mut span);
            let seq = self.trace_seq(&trace_id);
            self.by_span.insert(span.id.to_string(), seq);
            update.new_spans.push(span.clone());
            if let Some(t) = self.slot(seq) {
                t.spans.push(span);
            }
            self.held += 1;
            match update.touched.iter_mut().find(|(id, _)| *id == trace_id) {
                Some((_, n)) => *n += 1,
                None => update.touched.push((trace_id, 1)),
            }
        }
        self.evict();
        update
            .touched
            .retain(|(id, _)| self.by_trace.contains_key(id));
        update
    }

    fn trace_seq(&mut self, trace_id: &str) -> u64 {
        if let Some(&seq) = self.by_trace.get(trace_id) {
            return seq;
        }
        let seq = self.base + self.traces.len() as u64;
        self.traces.push_back(LiveTrace {
            id: trace_id.to_string(),
            spans: Vec::new(),
        });
        self.by_trace.insert(trace_id.to_string(), seq);
        seq
    }

    fn slot(&mut self, seq: u64) -> Option<&mut LiveTrace> {
        let i = usize::try_from(seq.checked_sub(self.base)?).ok()?;
        self.traces.get_mut(i)
    }

    /// Drop whole traces, oldest first, until the cap holds; a single trace over the cap by
    /// itself loses its oldest spans instead, so one endless trace cannot grow without bound.
    fn evict(&mut self) {
        while self.held > self.cap && self.traces.len() > 1 {
            let Some(old) = self.traces.pop_front() else {
                break;
            };
            self.base += 1;
            self.by_trace.remove(&old.id);
            self.forget(&old.spans);
        }
        if self.held > self.cap
            && let Some(last) = self.traces.front_mut()
        {
            let cut = (self.held - self.cap).min(last.spans.len());
            let old: Vec<Span> = last.spans.drain(..cut).collect();
            self.forget(&old);
        }
    }

    fn forget(&mut self, spans: &[Span]) {
        for s in spans {
            self.by_span.remove(s.id.as_str());
        }
        self.held -= spans.len();
        self.counters
            .spans_dropped
            .fetch_add(spans.len() as u64, Ordering::Relaxed);
    }

    /// Attach `events` to their spans (or keep them for a span still to come); the ids of the
    /// traces whose spans got records.
    fn add_logs(&mut self, events: Vec<LogEvent>) -> Vec<String> {
        let mut by_seq: HashMap<u64, Vec<LogEvent>> = HashMap::new();
        for event in events {
            match self.by_span.get(&event.span_id) {
                Some(&seq) => by_seq.entry(seq).or_default().push(event),
                None if event.span_id.is_empty() => {}
                None => {
                    self.pending_order.push_back(event.span_id.clone());
                    self.pending_logs
                        .entry(event.span_id.clone())
                        .or_default()
                        .push(event);
                }
            }
        }
        let mut changed = Vec::new();
        for (seq, events) in by_seq {
            if let Some(t) = self.slot(seq) {
                logs::attach(&mut t.spans, &events);
                changed.push(t.id.clone());
            }
        }
        while self.pending_order.len() > MAX_PENDING_LOGS {
            if let Some(id) = self.pending_order.pop_front() {
                self.pending_logs.remove(&id);
            }
        }
        changed
    }

    fn attach_pending(&mut self, span: &mut Span) {
        if let Some(mine) = self.pending_logs.remove(span.id.as_str()) {
            logs::attach(std::slice::from_mut(span), &mine);
        }
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
