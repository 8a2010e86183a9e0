//! Spans read again from their lines by offset (the second pass of `trace::stream`): the file
//! is read through one buffer, only as much as asked for, so lines scattered over the file
//! cost no more than their bytes.

use super::format::Format;
use super::model::Span;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// A reader of spans by the place of their line.
pub(super) struct Reader {
    window: Window,
    /// The last line parsed and its spans not yet taken (a line may hold several).
    line: Option<(u64, Vec<Option<Span>>)>,
}

impl Reader {
    pub(super) fn open(path: &Path) -> std::io::Result<Reader> {
        Ok(Reader {
            window: Window::new(crate::fsio::open_regular(path)?),
            line: None,
        })
    }

    /// Hold the bytes `from..to` (the lines of a root that lie together) for the next reads.
    pub(super) fn load(&mut self, from: u64, to: u64) -> std::io::Result<()> {
        self.window.load(from, to)
    }

    /// The `nth` span of the line of `len` bytes at `offset`, parsed as `format`; None when the
    /// line no longer holds it.
    pub(super) fn span(&mut self, offset: u64, len: u32, nth: u32, format: Format) -> Option<Span> {
        if self.line.as_ref().is_none_or(|l| l.0 != offset) {
            let bytes = self.window.bytes(offset, len as usize).ok()?;
            let mut spans = Vec::new();
            // A line that held a bad span after good ones fails again the same way.
            let _ = super::lines::parse_line(bytes, format, &mut spans);
            self.line = Some((offset, spans.into_iter().map(Some).collect()));
        }
        self.line.as_mut()?.1.get_mut(nth as usize)?.take()
    }
}

/// Reads of a file at any offset through one buffer.
struct Window {
    file: File,
    start: u64,
    buf: Vec<u8>,
}

impl Window {
    fn new(file: File) -> Window {
        Window {
            file,
            start: 0,
            buf: Vec::new(),
        }
    }

    /// Hold the bytes `from..to` unless they are held already; an error when the file ends
    /// before them.
    fn load(&mut self, from: u64, to: u64) -> std::io::Result<()> {
        let end = self.start + self.buf.len() as u64;
        if from >= self.start && to <= end {
            return Ok(());
        }
        let len = usize::try_from(to - from).map_err(std::io::Error::other)?;
        self.buf.resize(len, 0);
        self.start = from;
        self.file
            .read_exact_at(&mut self.buf, from)
            .inspect_err(|_| {
                self.buf.clear();
            })
    }

    /// The `len` bytes at `offset`.
    fn bytes(&mut self, offset: u64, len: usize) -> std::io::Result<&[u8]> {
        self.load(offset, offset + len as u64)?;
        let from = (offset - self.start) as usize;
        Ok(&self.buf[from..from + len])
    }
}
