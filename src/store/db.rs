//! One small SQL interface over both backends (SQLite via rusqlite, PostgreSQL via rust-postgres),
//! so every store query is written once. SQL uses SQLite's `?1` placeholders; the PostgreSQL
//! side rewrites them to `$1`. Values cross the boundary as [`Value`] and rows come back as
//! [`Row`]s, decoded by column index. Where the dialects differ, callers ask [`Db::is_pg`]
//! (docs/architecture.md, "Store backends").

use super::pg::PgConn;
use super::{Result, StoreError};
use std::cell::RefCell;

/// A value bound to or read from SQL: the five storage classes both backends share.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

macro_rules! value_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::Int(i64::from(v))
            }
        }
    )*};
}
value_from_int!(i64, i32, u32, u16, u8);

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Blob(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// `vals![a, b]`: a parameter list, each converted with `Value::from`.
macro_rules! vals {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::db::Value::from($v)),*][..]
    };
}
pub(crate) use vals;

/// Decoding one column into a Rust type; a mismatch is a damaged or foreign DB.
pub(crate) trait FromValue: Sized {
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<i64> {
        match v {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromValue for u32 {
    fn from_value(v: &Value) -> Option<u32> {
        i64::from_value(v).and_then(|i| u32::try_from(i).ok())
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<f64> {
        match v {
            Value::Real(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<String> {
        match v {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Vec<u8>> {
        match v {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Option<T>> {
        match v {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One result row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row(pub Vec<Value>);

impl Row {
    /// Column `i` as `T`; an absent column or another type is an error naming both.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T> {
        let v = self.0.get(i).unwrap_or(&Value::Null);
        T::from_value(v).ok_or_else(|| {
            StoreError::Decode(format!(
                "column {i} holds {v:?}, expected {}",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// The connection behind a [`Db`].
pub(crate) enum Backend {
    Sqlite(rusqlite::Connection),
    Pg(Box<PgConn>),
}

/// A connection to either backend. Methods take `&self` (queries borrow the connection for
/// their duration only), so the store's read methods stay `&self`.
pub(crate) struct Db {
    backend: RefCell<Backend>,
}

impl Db {
    /// Wrap an open connection.
    pub fn new(backend: Backend) -> Db {
        Db {
            backend: RefCell::new(backend),
        }
    }

    /// Whether this is PostgreSQL (for the few statements whose dialects differ).
    pub fn is_pg(&self) -> bool {
        matches!(&*self.backend.borrow(), Backend::Pg(_))
    }

    /// Every row of `sql`.
    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        match &mut *self.backend.borrow_mut() {
            Backend::Sqlite(c) => sqlite_query(c, sql, params),
            Backend::Pg(c) => c.query(sql, params),
        }
    }

    /// Hand every row of `sql` to `f` in turn. SQLite streams them (memory stays flat however
    /// many rows match); PostgreSQL reads them all first, so callers there keep result sets
    /// small and let the server aggregate.
    pub fn for_each(
        &self,
        sql: &str,
        params: &[Value],
        f: &mut dyn FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        if let Backend::Sqlite(c) = &mut *self.backend.borrow_mut() {
            return sqlite_each(c, sql, params, f);
        }
        for row in self.query(sql, params)? {
            f(row)?;
        }
        Ok(())
    }

    /// The first row of `sql`, if any.
    pub fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row of `sql`, which must exist (aggregates, `RETURNING`).
    pub fn query_one(&self, sql: &str, params: &[Value]) -> Result<Row> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Decode(format!("no row from {}", first_line(sql))))
    }

    /// Run a statement; returns the rows it changed.
    pub fn execute(&self, sql: &str, params: &[Value]) -> Result<u64> {
        match &mut *self.backend.borrow_mut() {
            Backend::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))? as u64)
            }
            Backend::Pg(c) => c.execute(sql, params),
        }
    }

    /// Run several statements with no parameters (DDL, BEGIN/COMMIT).
    pub fn batch(&self, sql: &str) -> Result<()> {
        match &mut *self.backend.borrow_mut() {
            Backend::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Backend::Pg(c) => c.batch(sql),
        }
    }

    /// Insert many rows of `columns` values into `table`: one prepared statement per row on
    /// SQLite (inside the caller's transaction), one binary `COPY` on PostgreSQL, so a batch is
    /// one round trip instead of one per row.
    pub fn insert_rows<R: AsRef<[Value]>>(
        &self,
        table: &str,
        columns: &[&str],
        rows: impl ExactSizeIterator<Item = R> + Send,
    ) -> Result<()> {
        if rows.len() == 0 {
            return Ok(());
        }
        match &mut *self.backend.borrow_mut() {
            Backend::Sqlite(c) => {
                let head = format!("INSERT INTO {table}({})", columns.join(", "));
                let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
                let mut stmt = c.prepare_cached(&format!("{head} VALUES ({})", marks.join(",")))?;
                for row in rows {
                    stmt.execute(rusqlite::params_from_iter(row.as_ref().iter()))?;
                }
                Ok(())
            }
            Backend::Pg(c) => c.insert_rows(table, columns, rows),
        }
    }

    /// Start a transaction that takes the write lock at once (SQLite `BEGIN IMMEDIATE`); it rolls
    /// back when dropped uncommitted.
    pub fn begin(&self) -> Result<Tx<'_>> {
        let sql = if self.is_pg() {
            "BEGIN"
        } else {
            "BEGIN IMMEDIATE"
        };
        self.batch(sql)?;
        Ok(Tx {
            db: self,
            done: false,
        })
    }

    /// ` FOR UPDATE` on PostgreSQL, where a row lock serialises writers of one prompt; nothing
    /// on SQLite, where `BEGIN IMMEDIATE` already holds the one write lock.
    pub fn for_update(&self) -> &'static str {
        if self.is_pg() { " FOR UPDATE" } else { "" }
    }
}

/// An open transaction; see [`Db::begin`].
pub(crate) struct Tx<'a> {
    db: &'a Db,
    done: bool,
}

impl Tx<'_> {
    /// Make the transaction's writes permanent.
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.db.batch("COMMIT")
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.db.batch("ROLLBACK");
        }
    }
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or_default()
}

pub(super) fn sqlite_query(
    c: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    sqlite_each(c, sql, params, &mut |row| {
        out.push(row);
        Ok(())
    })?;
    Ok(out)
}

/// Hand each row of `sql` to `f` as SQLite steps to it: nothing is collected.
fn sqlite_each(
    c: &rusqlite::Connection,
    sql: &str,
    params: &[Value],
    f: &mut dyn FnMut(Row) -> Result<()>,
) -> Result<()> {
    let mut stmt = c.prepare_cached(sql)?;
    let width = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    while let Some(r) = rows.next()? {
        let mut row = Vec::with_capacity(width);
        for i in 0..width {
            row.push(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(i) => Value::Int(i),
                rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                rusqlite::types::ValueRef::Text(t) => {
                    Value::Text(String::from_utf8_lossy(t).into_owned())
                }
                rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        f(Row(row))?;
    }
    Ok(())
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}
