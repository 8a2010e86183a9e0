//! The PostgreSQL side of [`super::db::Db`]: a rust-postgres (sync) client, a cache of prepared
//! statements, `?N` → `$N` placeholders, [`Value`] encoding, and batched inserts (binary `COPY`).
//!
//! The sync client drives a private tokio runtime and panics when called from inside another
//! runtime's async context, so every call goes through [`off_runtime`]: `block_in_place` on a
//! multi-thread runtime, a scoped helper thread on a current-thread one, a plain call elsewhere
//! (the runner's writer thread, `spawn_blocking`, the TUI worker). See docs/postgres.md.

use super::db::{Row, Value};
use super::{Result, StoreError};
use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Statement};
use std::collections::HashMap;
use std::error::Error as StdError;

/// An open PostgreSQL connection and what it was opened as.
pub(crate) struct PgConn {
    client: Client,
    statements: HashMap<String, Statement>,
    /// `host:port`, for errors (never the password).
    pub server: String,
}

impl PgConn {
    /// Wrap a connected client.
    pub fn new(client: Client, server: String) -> PgConn {
        PgConn {
            client,
            statements: HashMap::new(),
            server,
        }
    }

    fn prepared(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let text = dollar_placeholders(sql);
        let client = &mut self.client;
        let stmt = off_runtime(|| client.prepare(&text)).map_err(|e| self.fail(e))?;
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    /// Every row of `sql`.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.prepared(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let client = &mut self.client;
        let rows = off_runtime(|| client.query(&stmt, &refs)).map_err(|e| self.fail(e))?;
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| r.try_get::<_, Value>(i).map_err(|e| self.fail(e)))
                    .collect::<Result<Vec<_>>>()
                    .map(Row)
            })
            .collect()
    }

    /// Run a statement; returns the rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let stmt = self.prepared(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        let client = &mut self.client;
        off_runtime(|| client.execute(&stmt, &refs)).map_err(|e| self.fail(e))
    }

    /// Run statements without parameters.
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        let client = &mut self.client;
        off_runtime(|| client.batch_execute(sql)).map_err(|e| self.fail(e))
    }

    /// Insert `rows` into `table` with one binary `COPY … FROM STDIN`. Rows are encoded as they
    /// are taken from `rows` and sent every [`COPY_CHUNK`] bytes, so the server stores the
    /// first rows while the next are still being encoded (and a batch is never held twice,
    /// as values and as bytes). A batch costs two round trips (the prepared `COPY` starts, then
    /// ends with its row count) and no per-row call into the driver. Column types come from
    /// the server once per table (a cached `LIMIT 0` statement). One `COPY` is atomic: all rows
    /// are stored or none (a row that fails to encode aborts it).
    pub fn insert_rows<R: AsRef<[Value]>>(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: impl Iterator<Item = R> + Send,
    ) -> Result<()> {
        let list = columns.join(", ");
        let types: Vec<Type> = self
            .prepared_raw(&format!("SELECT {list} FROM {table} LIMIT 0"))?
            .columns()
            .iter()
            .map(|c| c.type_().clone())
            .collect();
        let copy = self.prepared_raw(&format!("COPY {table} ({list}) FROM STDIN BINARY"))?;
        let client = &mut self.client;
        let sent = off_runtime(|| {
            let mut writer = client.copy_in(&copy).map_err(CopyFailed::Server)?;
            stream_rows(&types, rows, &mut writer)?;
            writer.finish().map_err(CopyFailed::Server)
        });
        match sent {
            Ok(_) => Ok(()),
            Err(CopyFailed::Server(e)) => Err(self.fail(e)),
            Err(CopyFailed::Encode(e)) => Err(StoreError::Pg(e.to_string())),
            Err(CopyFailed::Io(io)) => Err(StoreError::ConnectionLost {
                server: self.server.clone(),
                detail: io.to_string(),
            }),
        }
    }

    /// Prepare SQL already written with `$N` placeholders.
    fn prepared_raw(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let client = &mut self.client;
        let stmt = off_runtime(|| client.prepare(sql)).map_err(|e| self.fail(e))?;
        self.statements.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }

    /// A failed call as the user should read it: a lost connection names the server.
    pub fn fail(&self, e: postgres::Error) -> StoreError {
        if self.client.is_closed() || e.is_closed() || io_cause(&e) {
            return StoreError::ConnectionLost {
                server: self.server.clone(),
                detail: detail(&e),
            };
        }
        StoreError::Pg(detail(&e))
    }
}

/// Whether the error came from the socket (the server went away).
fn io_cause(e: &postgres::Error) -> bool {
    let mut source = e.source();
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// The error with its causes; a server error as the server worded it, with its detail/hint.
pub(crate) fn detail(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut text = format!("{} ({})", db.message(), db.code().code());
        if let Some(d) = db.detail() {
            text.push_str(&format!("; {d}"));
        }
        if let Some(h) = db.hint() {
            text.push_str(&format!("; hint: {h}"));
        }
        return text;
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(&format!(": {part}"));
        }
        source = s.source();
    }
    text
}

/// Run a blocking client call safely whether or not this thread is inside a tokio runtime.
pub(crate) fn off_runtime<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Err(_) => f(),
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        Ok(_) => std::thread::scope(|s| match s.spawn(f).join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        }),
    }
}

/// Rewrite SQLite's `?N` placeholders to PostgreSQL's `$N`, leaving quoted text alone.
pub(crate) fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

type BoxError = Box<dyn StdError + Sync + Send>;

/// Bytes of encoded rows handed to the server at a time while a `COPY` is being encoded: a
/// batch of 256 samples is sent in about six pieces, so the server starts on it early.
const COPY_CHUNK: usize = 16 * 1024;

/// Why a `COPY` did not complete.
enum CopyFailed {
    Server(postgres::Error),
    Encode(BoxError),
    Io(std::io::Error),
}

/// Write `rows` in PostgreSQL's binary `COPY` format to `out`: the signature and header, per row
/// the field count and each field as a length-prefixed value (-1 for NULL), then the trailer;
/// flushed every [`COPY_CHUNK`] bytes.
fn stream_rows<R: AsRef<[Value]>>(
    types: &[Type],
    rows: impl Iterator<Item = R>,
    out: &mut impl std::io::Write,
) -> std::result::Result<(), CopyFailed> {
    use bytes::BufMut;
    let mut buf = BytesMut::with_capacity(COPY_CHUNK + 4096);
    buf.put_slice(b"PGCOPY\n\xff\r\n\0");
    buf.put_i32(0); // flags
    buf.put_i32(0); // header extension length
    let fields = i16::try_from(types.len()).map_err(|e| CopyFailed::Encode(e.into()))?;
    for row in rows {
        encode_row(types, fields, row.as_ref(), &mut buf).map_err(CopyFailed::Encode)?;
        if buf.len() >= COPY_CHUNK {
            send(out, &mut buf)?;
        }
    }
    buf.put_i16(-1);
    send(out, &mut buf)
}

fn send(out: &mut impl std::io::Write, buf: &mut BytesMut) -> std::result::Result<(), CopyFailed> {
    out.write_all(buf).map_err(CopyFailed::from)?;
    out.flush().map_err(CopyFailed::from)?;
    buf.clear();
    Ok(())
}

impl From<std::io::Error> for CopyFailed {
    /// The driver's writer reports what the server said (a refused row seen while the rest was
    /// being sent) as an I/O error around it: unwrap it, so it reads as the server's error.
    fn from(e: std::io::Error) -> CopyFailed {
        if e.get_ref().is_none() {
            return CopyFailed::Io(e); // an OS error: keep its code and message
        }
        let kind = e.kind();
        match e
            .into_inner()
            .map(|inner| inner.downcast::<postgres::Error>())
        {
            Some(Ok(server)) => CopyFailed::Server(*server),
            Some(Err(other)) => CopyFailed::Io(std::io::Error::new(kind, other)),
            None => CopyFailed::Io(kind.into()),
        }
    }
}

fn encode_row(
    types: &[Type],
    fields: i16,
    row: &[Value],
    out: &mut BytesMut,
) -> std::result::Result<(), BoxError> {
    use bytes::BufMut;
    if row.len() != types.len() {
        return Err(format!("a row of {} values for {} columns", row.len(), types.len()).into());
    }
    out.put_i16(fields);
    for (value, ty) in row.iter().zip(types) {
        let at = out.len();
        out.put_i32(0);
        let len = match value.to_sql(ty, out)? {
            IsNull::Yes => -1,
            IsNull::No => i32::try_from(out.len() - at - 4)?,
        };
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Value, BoxError> {
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::OID => Value::Int(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::BYTEA => Value::Blob(raw.to_vec()),
            _ => Value::Text(String::from_utf8(raw.to_vec())?),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Value, BoxError> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

#[cfg(test)]
#[path = "pg_tests.rs"]
mod tests;
