//! The compact encoding of a sample's token logprobs in `samples.logprobs` (one blob per sample).
//!
//! Layout, little-endian: a version byte (`1`), then a varint token count, then per token: a
//! varint byte length and the token's UTF-8 bytes, its `f32` logprob, one byte with the number of
//! alternatives, and per alternative the same length, bytes and `f32`. About a ninth of the
//! JSON the provider sent, and decoded without a parser.

use super::{Alternative, TokenLogprob};
use thiserror::Error;

const VERSION: u8 = 1;

/// Why a stored blob could not be read back.
#[derive(Debug, Error, PartialEq)]
pub enum CodecError {
    #[error("logprobs blob: unknown encoding version {0} (written by a newer temper?)")]
    Version(u8),
    #[error("logprobs blob: truncated at byte {0}")]
    Truncated(usize),
    #[error("logprobs blob: a token at byte {0} is not UTF-8")]
    NotUtf8(usize),
}

/// Encode a sample's tokens.
pub fn encode(tokens: &[TokenLogprob]) -> Vec<u8> {
    let size: usize = tokens
        .iter()
        .map(|t| 6 + t.token.len() + t.top.iter().map(|a| 5 + a.token.len()).sum::<usize>())
        .sum();
    let mut out = Vec::with_capacity(size + 6);
    out.push(VERSION);
    varint(&mut out, tokens.len());
    for t in tokens {
        text(&mut out, &t.token);
        out.extend_from_slice(&t.logprob.to_le_bytes());
        let top = &t.top[..t.top.len().min(u8::MAX as usize)];
        out.push(top.len() as u8);
        for a in top {
            text(&mut out, &a.token);
            out.extend_from_slice(&a.logprob.to_le_bytes());
        }
    }
    out
}

/// Decode a blob written by [`encode`].
pub fn decode(blob: &[u8]) -> Result<Vec<TokenLogprob>, CodecError> {
    let mut r = Reader { blob, at: 0 };
    let version = r.byte()?;
    if version != VERSION {
        return Err(CodecError::Version(version));
    }
    let count = r.varint()?;
    // Each token takes at least 6 bytes: never trust a count beyond what the blob can hold.
    let mut tokens = Vec::with_capacity(count.min(blob.len() / 6));
    for _ in 0..count {
        let token = r.text()?;
        let logprob = r.f32()?;
        let n = r.byte()?;
        let mut top = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let token = r.text()?;
            top.push(Alternative {
                token,
                logprob: r.f32()?,
            });
        }
        tokens.push(TokenLogprob {
            token,
            logprob,
            top,
        });
    }
    Ok(tokens)
}

fn varint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn text(out: &mut Vec<u8>, s: &str) {
    varint(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    blob: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], CodecError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.blob.len())
            .ok_or(CodecError::Truncated(self.at))?;
        let bytes = &self.blob[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }

    fn varint(&mut self) -> Result<usize, CodecError> {
        let mut n: usize = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err(CodecError::Truncated(self.at))
    }

    fn f32(&mut self) -> Result<f32, CodecError> {
        let b = self.take(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn text(&mut self) -> Result<String, CodecError> {
        let len = self.varint()?;
        let at = self.at;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::NotUtf8(at))
    }
}

#[cfg(test)]
#[path = "logprob_codec_tests.rs"]
mod tests;
