//! Reading ahead of a streamed run: the walk in a thread of its own, files read and extracted
//! on every core, and the results handed back in walk order, a batch at a time.
//!
//! The run's own steps for a batch (resolve, check, select, print) are done on one thread; while
//! it does them, the reading threads go on with the next files, so that no core waits for the
//! others at the end of a batch. At most `window` files are in flight (walked, not yet taken):
//! memory is bounded by the window, not by the tree.

use std::collections::{BTreeMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Mutex;

use crate::engine::{self, Gathered, Input, Outcome, Read, RunOptions};
use crate::source::FileId;

type Done = (FileId, Input, std::thread::Result<Read>);

/// The inputs of a run, read ahead; see the module documentation.
pub(crate) struct ReadAhead {
    walk: Receiver<Gathered>,
    walk_done: bool,
    jobs: SyncSender<(FileId, Input)>,
    done: Receiver<Done>,
    window: usize,
    next_id: u32,
    /// Inputs handed to the reading threads and not yet taken, in walk order.
    queued: VecDeque<(FileId, PathBuf)>,
    /// What the reading threads gave back ahead of its turn.
    arrived: BTreeMap<FileId, (Input, std::thread::Result<Read>)>,
}

/// Run `f` with the inputs of `paths` read ahead, at most `window` at a time; file ids start at
/// `first_id`. Every thread has stopped when this returns, however `f` ends.
pub(crate) fn read_ahead<R>(
    paths: &[PathBuf],
    opts: &RunOptions,
    window: usize,
    first_id: FileId,
    f: impl FnOnce(&mut ReadAhead) -> R,
) -> R {
    let window = window.max(1);
    let stop = AtomicBool::new(false);
    let (jobs, job_rx) = mpsc::sync_channel::<(FileId, Input)>(window);
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        let (walk_tx, walk) = mpsc::sync_channel(window);
        scope.spawn(move || engine::gather_each(paths, opts, &mut |g| walk_tx.send(g).is_ok()));
        let (done_tx, done) = mpsc::channel::<Done>();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        for _ in 0..threads {
            let (done_tx, job_rx, stop) = (done_tx.clone(), &job_rx, &stop);
            scope.spawn(move || loop {
                let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((id, input)) = job else { break };
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                // A panic is handed back and raised again on the run's thread in its turn,
                // never left as a file that does not come.
                let read = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    engine::read_input(&input, id, opts)
                }));
                if done_tx.send((id, input, read)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let mut ahead = ReadAhead {
            walk,
            walk_done: false,
            jobs,
            done,
            window,
            next_id: first_id.0,
            queued: VecDeque::new(),
            arrived: BTreeMap::new(),
        };
        let r = f(&mut ahead);
        // Dropping the queues ends the walk and the reading threads at their next step.
        stop.store(true, Ordering::Relaxed);
        drop(ahead);
        r
    })
}

impl ReadAhead {
    /// Hand inputs from the walk to the reading threads until `window` are in flight or the walk
    /// is done; the walk's errors and warnings go to `out`.
    fn fill(&mut self, out: &mut Outcome) {
        while self.queued.len() < self.window && !self.walk_done {
            match self.walk.recv() {
                Ok(Gathered::Input(input)) => {
                    let id = FileId(self.next_id);
                    self.next_id += 1;
                    self.queued.push_back((id, input.path.clone()));
                    // Never full: no more than `window` are queued.
                    let _ = self.jobs.send((id, input));
                }
                Ok(Gathered::Error(e)) => out.errors.push(e),
                Ok(Gathered::Warning(w)) => out.warnings.push(w),
                Err(_) => self.walk_done = true,
            }
        }
    }

    /// The next `n` inputs in walk order, read and extracted, each with its file id (fewer at
    /// the end of the run).
    pub(crate) fn take(&mut self, n: usize, out: &mut Outcome) -> Vec<(Input, FileId, Read)> {
        let mut batch = Vec::with_capacity(n);
        self.fill(out);
        while batch.len() < n {
            let Some(&(id, _)) = self.queued.front() else {
                break;
            };
            let (input, read) = loop {
                if let Some(x) = self.arrived.remove(&id) {
                    break x;
                }
                match self.done.recv() {
                    Ok((i, input, read)) => {
                        self.arrived.insert(i, (input, read));
                    }
                    // Every reading thread is gone: nothing more can come.
                    Err(_) => return batch,
                }
            };
            self.queued.pop_front();
            match read {
                Ok(read) => batch.push((input, id, read)),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            // Keep the reading threads busy while the batch is checked.
            self.fill(out);
        }
        batch
    }

    /// The path of the next input, if any.
    pub(crate) fn upcoming(&mut self, out: &mut Outcome) -> Option<&Path> {
        self.fill(out);
        self.queued.front().map(|(_, p)| p.as_path())
    }
}
