//! Server-sent events framing: bytes in as they arrive, `(event name, data)` out per blank line.
//! A stream carries one event per token, so the framing allocates nothing per event: lines are
//! read in place from the chunk (only a line split across chunks is copied), and the name and
//! data buffers are reused from one event to the next (docs/architecture.md, provider).

use super::http_stream::excerpt;

/// The SSE reader of one stream.
#[derive(Default)]
pub(crate) struct SseParser {
    /// The start of a line whose end has not arrived yet.
    pending: Vec<u8>,
    /// `event:` of the event being read (empty: none).
    name: String,
    has_name: bool,
    /// Its `data:` lines, joined by `\n`.
    data: String,
    /// Events dispatched so far.
    pub events: usize,
}

impl SseParser {
    /// Feed bytes, calling `on_event(name, data)` for every event they complete, until it
    /// returns `Ok(true)` (stop: the end marker) or an error; a line that is not SSE is an error
    /// naming it. Returns whether `on_event` asked to stop.
    pub(crate) fn push(
        &mut self,
        mut bytes: &[u8],
        mut on_event: impl FnMut(Option<&str>, &str) -> Result<bool, String>,
    ) -> Result<bool, String> {
        if !self.pending.is_empty() {
            // Finish the line split across chunks first; the rest is read in place.
            let Some(end) = bytes.iter().position(|b| *b == b'\n') else {
                self.pending.extend_from_slice(bytes);
                return Ok(false);
            };
            let mut line = std::mem::take(&mut self.pending);
            line.extend_from_slice(&bytes[..end]);
            bytes = &bytes[end + 1..];
            let stop = self.line(&line, &mut on_event);
            line.clear();
            self.pending = line;
            if stop? {
                return Ok(true);
            }
        }
        while let Some(end) = bytes.iter().position(|b| *b == b'\n') {
            if self.line(&bytes[..end], &mut on_event)? {
                return Ok(true);
            }
            bytes = &bytes[end + 1..];
        }
        self.pending.extend_from_slice(bytes);
        Ok(false)
    }

    fn line(
        &mut self,
        line: &[u8],
        on_event: &mut impl FnMut(Option<&str>, &str) -> Result<bool, String>,
    ) -> Result<bool, String> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            if self.data.is_empty() && !self.has_name {
                return Ok(false);
            }
            self.events += 1;
            let name = self.has_name.then_some(self.name.as_str());
            let stop = on_event(name, &self.data);
            self.data.clear();
            self.name.clear();
            self.has_name = false;
            return stop;
        }
        if line.starts_with(b":") {
            return Ok(false);
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = line.split_once(':').unwrap_or((&line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "data" => {
                if !self.data.is_empty() {
                    self.data.push('\n');
                }
                self.data.push_str(value);
            }
            "event" => {
                self.name.clear();
                self.name.push_str(value);
                self.has_name = true;
            }
            "id" | "retry" => {}
            _ => {
                return Err(format!(
                    "not server-sent events: received {:?}",
                    excerpt(&line)
                ));
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
#[path = "stream_sse_tests.rs"]
mod tests;
