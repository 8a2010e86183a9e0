//! Work spread over a few threads with the results taken in order: JSONL blocks parsed in pass
//! one (`lines`) and roots checked and written in pass two (`cli::trace::json`). Only a few
//! jobs are in flight at once, so memory does not grow with the number of jobs.

use std::collections::BTreeMap;
use std::sync::{Mutex, mpsc};

/// Run `work` on every job `produce` sends (its `send` returns false once nothing more is
/// wanted) on a few threads, and hand the results to `consume` in the order the jobs were
/// sent; `consume` returns false to stop early. Returns what `produce` returned.
pub(crate) fn ordered_map<J: Send, T: Send, R>(
    produce: impl FnOnce(&mut dyn FnMut(J) -> bool) -> R,
    work: impl Fn(J) -> T + Sync,
    consume: impl FnMut(T) -> bool,
) -> R {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let (jobs_tx, jobs_rx) = mpsc::sync_channel::<(usize, J)>(workers);
    let jobs_rx = Mutex::new(jobs_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, T)>();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (jobs, done, work) = (&jobs_rx, done_tx.clone(), &work);
            scope.spawn(move || {
                // The lock is held only to take the next job, never while working.
                while let Ok((seq, job)) = jobs
                    .lock()
                    .map_err(drop)
                    .and_then(|rx| rx.recv().map_err(drop))
                {
                    if done.send((seq, work(job))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut order = InOrder {
            waiting: BTreeMap::new(),
            next: 0,
            going: true,
            consume,
        };
        let mut seq = 0;
        // Jobs are handed out from here while the finished ones are consumed in order.
        let result = produce(&mut |job| {
            while let Ok((done, part)) = done_rx.try_recv() {
                order.take(done, part);
            }
            let sent = order.going && jobs_tx.send((seq, job)).is_ok();
            seq += 1;
            sent
        });
        drop(jobs_tx);
        for (done, part) in done_rx.iter() {
            order.take(done, part);
        }
        result
    })
}

/// Results put back in the order of their jobs.
struct InOrder<T, C> {
    waiting: BTreeMap<usize, T>,
    next: usize,
    going: bool,
    consume: C,
}

impl<T, C: FnMut(T) -> bool> InOrder<T, C> {
    fn take(&mut self, seq: usize, part: T) {
        if !self.going {
            return;
        }
        self.waiting.insert(seq, part);
        while self.going
            && let Some(part) = self.waiting.remove(&self.next)
        {
            self.next += 1;
            self.going = (self.consume)(part);
        }
    }
}

#[cfg(test)]
#[path = "parallel_tests.rs"]
mod tests;
