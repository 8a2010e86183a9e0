//! The one writer of a run: a dedicated thread that owns its own [`Store`], creates the run and
//! its cells, and commits samples in batches, so a crash loses only the calls in flight and
//! async tasks never wait on SQLite. A sample's clock starts when it is queued, and a batch is
//! committed once its oldest sample is [`FLUSH_EVERY`] old, so queue wait plus commit stays
//! within the documented bound (docs/hardening.md: 250 ms, target 100 ms). The first failed commit stops the run
//! (the `halt` token): no new calls are made for answers that could not be stored.

use crate::store::{NewCell, NewSample, RunStatus, Store, StoreError};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Oldest a pending sample may get before its batch is committed: under a third of the 100 ms
/// promise, leaving the rest for the commit itself.
pub const FLUSH_EVERY: Duration = Duration::from_millis(30);
/// Largest batch committed in one transaction (bounds how long one commit takes).
const MAX_BATCH: usize = 256;

enum Message {
    Sample(Box<NewSample>, Instant),
    Finish(RunStatus),
}

/// What the writer saw: samples committed and the longest time from queueing a sample to its
/// commit, in microseconds (the commit lag a `kill -9` can cost).
#[derive(Debug, Default)]
pub(crate) struct WriterStats {
    pub committed: AtomicUsize,
    pub max_lag_us: AtomicU64,
}

/// Handle to the writer thread.
pub(crate) struct Writer {
    tx: mpsc::Sender<Message>,
    handle: Option<JoinHandle<Result<(), StoreError>>>,
    /// Shared with the thread; read after [`Writer::finish`].
    pub stats: Arc<WriterStats>,
}

/// The run the writer created.
pub(crate) struct Created {
    pub run_id: i64,
    pub cell_ids: Vec<i64>,
}

impl Writer {
    /// Open the DB on a new thread, create the run and cells, and start taking samples. The
    /// first failed commit cancels `halt`.
    pub fn start(
        db_path: &Path,
        (source, session): (&str, Option<&str>),
        cells: Vec<NewCell>,
        halt: CancellationToken,
    ) -> Result<(Writer, Created), StoreError> {
        let (tx, rx) = mpsc::channel::<Message>();
        let (ready_tx, ready_rx) = mpsc::channel();
        let path = db_path.to_path_buf();
        let source = source.to_string();
        let session = session.map(str::to_string);
        let stats = Arc::new(WriterStats::default());
        let thread_stats = stats.clone();
        let handle = std::thread::Builder::new()
            .name("temper-writer".into())
            .spawn(move || {
                let created = (|| {
                    let mut store = Store::open(&path)?;
                    let run_id = store.create_run(&source, session.as_deref())?;
                    let cell_ids = cells
                        .iter()
                        .map(|c| store.add_cell(run_id, c))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok::<_, StoreError>((store, Created { run_id, cell_ids }))
                })();
                match created {
                    Ok((store, info)) => {
                        let run_id = info.run_id;
                        let _ = ready_tx.send(Ok(info));
                        write_loop(store, run_id, &rx, (&halt, &thread_stats))
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        Ok(())
                    }
                }
            })
            .map_err(|e| StoreError::Invalid {
                what: "writer thread".into(),
                why: e.to_string(),
            })?;
        let created = ready_rx.recv().map_err(|_| StoreError::Invalid {
            what: "writer thread".into(),
            why: "stopped before creating the run".into(),
        })??;
        Ok((
            Writer {
                tx,
                handle: Some(handle),
                stats,
            },
            created,
        ))
    }

    /// Queue a sample; it is committed within [`FLUSH_EVERY`].
    pub fn send(&self, sample: NewSample) {
        let _ = self
            .tx
            .send(Message::Sample(Box::new(sample), Instant::now()));
    }

    /// Commit what is queued, close the run with `status`, and wait for the thread. A storage
    /// error anywhere during the run is returned here (the run is then marked failed).
    pub async fn finish(mut self, status: RunStatus) -> Result<(), StoreError> {
        let _ = self.tx.send(Message::Finish(status));
        let Some(handle) = self.handle.take() else {
            return Ok(());
        };
        tokio::task::spawn_blocking(move || handle.join())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_else(|| {
                Err(StoreError::Invalid {
                    what: "writer thread".into(),
                    why: "it panicked".into(),
                })
            })
    }
}

fn write_loop(
    mut store: Store,
    run_id: i64,
    rx: &mpsc::Receiver<Message>,
    (halt, stats): (&CancellationToken, &WriterStats),
) -> Result<(), StoreError> {
    let mut batch: Vec<NewSample> = Vec::new();
    let mut oldest = Instant::now();
    let mut failure: Option<StoreError> = None;
    let mut flush = |store: &mut Store, batch: &mut Vec<NewSample>, oldest: Instant| {
        if batch.is_empty() {
            return;
        }
        match store.insert_samples(batch) {
            Ok(()) => {
                stats.committed.fetch_add(batch.len(), Ordering::Relaxed);
                let lag = u64::try_from(oldest.elapsed().as_micros()).unwrap_or(u64::MAX);
                stats.max_lag_us.fetch_max(lag, Ordering::Relaxed);
            }
            Err(e) => {
                failure.get_or_insert(e);
                halt.cancel();
            }
        }
        batch.clear();
    };
    let status = loop {
        let message = if batch.is_empty() {
            rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
        } else {
            rx.recv_timeout(FLUSH_EVERY.saturating_sub(oldest.elapsed()))
        };
        match message {
            Ok(Message::Sample(s, queued)) => {
                if batch.is_empty() {
                    oldest = queued;
                }
                batch.push(*s);
                // Take what queued up meanwhile (e.g. during the last commit) into this batch.
                let mut finish = None;
                while batch.len() < MAX_BATCH && finish.is_none() {
                    match rx.try_recv() {
                        Ok(Message::Sample(s, _)) => batch.push(*s),
                        Ok(Message::Finish(status)) => finish = Some(status),
                        Err(_) => break,
                    }
                }
                if let Some(status) = finish {
                    break status;
                }
                if batch.len() >= MAX_BATCH || oldest.elapsed() >= FLUSH_EVERY {
                    flush(&mut store, &mut batch, oldest);
                }
            }
            Ok(Message::Finish(status)) => break status,
            Err(RecvTimeoutError::Timeout) => flush(&mut store, &mut batch, oldest),
            // The runner vanished without finishing: keep what arrived, say so.
            Err(RecvTimeoutError::Disconnected) => break RunStatus::Interrupted,
        }
    };
    flush(&mut store, &mut batch, oldest);
    let failure_seen = failure.take();
    let status = if failure_seen.is_some() {
        RunStatus::Failed
    } else {
        status
    };
    store.finish_run(run_id, status)?;
    failure_seen.map_or(Ok(()), Err)
}
