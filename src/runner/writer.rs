//! The one writer of a run: a dedicated thread that owns its own [`Store`], creates the run and
//! its cells, and commits samples in batches at most 100 ms old, so a crash loses only the calls
//! in flight and async tasks never wait on SQLite.

use crate::store::{NewCell, NewSample, RunStatus, Store, StoreError};
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Oldest a pending sample may get before it is committed.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);
/// Largest batch committed in one transaction.
const MAX_BATCH: usize = 512;

enum Message {
    Sample(Box<NewSample>),
    Finish(RunStatus),
}

/// Handle to the writer thread.
pub(crate) struct Writer {
    tx: mpsc::Sender<Message>,
    handle: Option<JoinHandle<Result<(), StoreError>>>,
}

/// The run the writer created.
pub(crate) struct Created {
    pub run_id: i64,
    pub cell_ids: Vec<i64>,
}

impl Writer {
    /// Open the DB on a new thread, create the run and cells, and start taking samples.
    pub fn start(
        db_path: &Path,
        source: &str,
        session: Option<&str>,
        cells: Vec<NewCell>,
    ) -> Result<(Writer, Created), StoreError> {
        let (tx, rx) = mpsc::channel::<Message>();
        let (ready_tx, ready_rx) = mpsc::channel();
        let path = db_path.to_path_buf();
        let source = source.to_string();
        let session = session.map(str::to_string);
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
                        write_loop(store, run_id, &rx)
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
            },
            created,
        ))
    }

    /// Queue a sample; it is committed within [`FLUSH_EVERY`].
    pub fn send(&self, sample: NewSample) {
        let _ = self.tx.send(Message::Sample(Box::new(sample)));
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
) -> Result<(), StoreError> {
    let mut batch: Vec<NewSample> = Vec::new();
    let mut oldest = Instant::now();
    let mut failure: Option<StoreError> = None;
    let mut flush = |store: &mut Store, batch: &mut Vec<NewSample>| {
        if batch.is_empty() {
            return;
        }
        if let Err(e) = store.insert_samples(batch) {
            failure.get_or_insert(e);
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
            Ok(Message::Sample(s)) => {
                if batch.is_empty() {
                    oldest = Instant::now();
                }
                batch.push(*s);
                if batch.len() >= MAX_BATCH || oldest.elapsed() >= FLUSH_EVERY {
                    flush(&mut store, &mut batch);
                }
            }
            Ok(Message::Finish(status)) => break status,
            Err(RecvTimeoutError::Timeout) => flush(&mut store, &mut batch),
            // The runner vanished without finishing: keep what arrived, say so.
            Err(RecvTimeoutError::Disconnected) => break RunStatus::Interrupted,
        }
    };
    flush(&mut store, &mut batch);
    let failure_seen = failure.take();
    let status = if failure_seen.is_some() {
        RunStatus::Failed
    } else {
        status
    };
    store.finish_run(run_id, status)?;
    failure_seen.map_or(Ok(()), Err)
}
