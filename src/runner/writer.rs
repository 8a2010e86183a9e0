//! The one writer of a run: a dedicated thread that owns its own [`Store`], creates the run and
//! its cells, and commits samples in batches, so a crash loses only the calls in flight and
//! async tasks never wait on SQLite. A sample's clock starts when it is queued, and a batch is
//! committed once its oldest sample is [`FLUSH_EVERY`] old, so queue wait plus commit stays
//! within the documented bound (docs/hardening.md: 250 ms, target 100 ms). The first failed commit stops the run
//! (the `halt` token): no new calls are made for answers that could not be stored.
//!
//! Samples queue in a shared vector: a sender wakes the writer only when the queue was empty, is
//! full or the run finishes, so the writer wakes once per batch, not once per sample (a wake-up
//! per sample was most of the runner's system time at 10,000+ samples/s).

use crate::store::{NewCell, NewSample, RunStatus, Store, StoreError};
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Oldest a pending sample may get before its batch is committed: under a third of the 100 ms
/// promise, leaving the rest for the commit itself.
pub const FLUSH_EVERY: Duration = Duration::from_millis(30);
/// Largest batch committed in one transaction (bounds how long one commit takes).
const MAX_BATCH: usize = 256;

/// What the runner handed over and the writer has not taken yet.
#[derive(Default)]
struct Pending {
    samples: Vec<NewSample>,
    /// When the oldest of `samples` was queued.
    oldest: Option<Instant>,
    /// Set once by [`Writer::finish`].
    finish: Option<RunStatus>,
    /// The runner's handle is gone without finishing (a panic): stop as interrupted.
    dropped: bool,
}

/// The queue between the runner and the writer thread.
#[derive(Default)]
struct Queue {
    pending: Mutex<Pending>,
    wake: Condvar,
}

impl Queue {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // A panic while holding the lock leaves plain data: keep using it.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
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
    queue: Arc<Queue>,
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
        let queue = Arc::new(Queue::default());
        let thread_queue = queue.clone();
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
                        write_loop(store, run_id, &thread_queue, (&halt, &thread_stats))
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
                queue,
                handle: Some(handle),
                stats,
            },
            created,
        ))
    }

    /// Queue a sample; it is committed within [`FLUSH_EVERY`]. Wakes the writer only when the
    /// queue was empty (to start the batch's clock) or is now full.
    pub fn send(&self, sample: NewSample) {
        let wake = {
            let mut pending = self.queue.lock();
            pending.samples.push(sample);
            if pending.oldest.is_none() {
                pending.oldest = Some(Instant::now());
            }
            pending.samples.len() == 1 || pending.samples.len() == MAX_BATCH
        };
        if wake {
            self.queue.wake.notify_one();
        }
    }

    /// Commit what is queued, close the run with `status`, and wait for the thread. A storage
    /// error anywhere during the run is returned here (the run is then marked failed).
    pub async fn finish(mut self, status: RunStatus) -> Result<(), StoreError> {
        self.queue.lock().finish = Some(status);
        self.queue.wake.notify_one();
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

/// Wait for the next batch and move it into `batch` (empty on entry): once samples are queued,
/// wait until the oldest is [`FLUSH_EVERY`] old, [`MAX_BATCH`] are queued or the run ends.
/// Returns the run's end when it came, and when the batch's oldest sample was queued.
fn take_batch(queue: &Queue, batch: &mut Vec<NewSample>) -> (Option<RunStatus>, Option<Instant>) {
    let mut pending = queue.lock();
    loop {
        let end = pending
            .finish
            .or(pending.dropped.then_some(RunStatus::Interrupted));
        let due = pending
            .oldest
            .map(|t| FLUSH_EVERY.saturating_sub(t.elapsed()));
        if end.is_some() {
            std::mem::swap(batch, &mut pending.samples);
            return (end, pending.oldest.take());
        }
        if pending.samples.len() >= MAX_BATCH || due == Some(Duration::ZERO) {
            let take = pending.samples.len().min(MAX_BATCH);
            batch.extend(pending.samples.drain(..take));
            // The rest keeps the batch's clock: none of it is older than that.
            let oldest = match pending.samples.is_empty() {
                true => pending.oldest.take(),
                false => pending.oldest,
            };
            return (None, oldest);
        }
        pending = match due {
            None => queue.wake.wait(pending).unwrap_or_else(|e| e.into_inner()),
            Some(wait) => match queue.wake.wait_timeout(pending, wait) {
                Ok((p, _)) => p,
                Err(e) => e.into_inner().0,
            },
        };
    }
}

impl Drop for Writer {
    /// A runner that unwinds without [`Writer::finish`] still lets the writer commit what it
    /// has and close the run as interrupted.
    fn drop(&mut self) {
        self.queue.lock().dropped = true;
        self.queue.wake.notify_one();
    }
}

fn write_loop(
    mut store: Store,
    run_id: i64,
    queue: &Queue,
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
        let (end, queued) = take_batch(queue, &mut batch);
        if let Some(queued) = queued {
            oldest = queued;
        }
        if let Some(status) = end {
            break status;
        }
        flush(&mut store, &mut batch, oldest);
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
