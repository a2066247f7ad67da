//! Reading ahead of a streamed run: the walk in a thread of its own, files read and extracted
//! on every core, and the results handed back in walk order, a batch at a time.
//!
//! The run's own steps for a batch (resolve, check, select, print) are done on one thread; while
//! it does them, the reading threads go on with the next files, so that no core waits for the
//! others at the end of a batch.
//!
//! Memory is bounded twice: at most `window` files are in flight (walked and not yet taken), and
//! the texts read ahead and not yet done with are held to [`AHEAD_BYTES`] (a reading thread waits
//! before it extracts a file that would pass it), so that a tree of large files costs no more
//! than a tree of small ones. The file the run waits for next is never held back, and a batch
//! ends once its texts reach [`BATCH_BYTES`].

use std::collections::{BTreeMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Condvar, Mutex};

use crate::engine::{self, Gathered, Input, Outcome, Read, RunOptions};
use crate::source::FileId;

/// Bytes of text read ahead and not yet done with, beyond the file the run waits for.
pub const AHEAD_BYTES: usize = 4 << 20;

/// A batch takes no more files once their texts reach this many bytes.
pub const BATCH_BYTES: usize = 1 << 20;

type Done = (FileId, Input, std::thread::Result<Read>);

/// What the run's thread and the reading threads share: the byte budget and the stop signal.
#[derive(Default)]
struct Shared {
    /// Bytes of text reserved by files read and not yet done with.
    used: Mutex<usize>,
    changed: Condvar,
    /// The file the run waits for next: it may always go on, or the run could wait for ever.
    front: AtomicU32,
    stop: AtomicBool,
}

impl Shared {
    /// Wait until `size` more bytes fit (or `id` is the file the run waits for, or nothing is
    /// held, or the run stops), then reserve them.
    fn reserve(&self, id: FileId, size: usize) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0
            && *used + size > AHEAD_BYTES
            && self.front.load(Ordering::Acquire) != id.0
            && !self.stop.load(Ordering::Acquire)
        {
            used = (self.changed.wait(used)).unwrap_or_else(|e| e.into_inner());
        }
        *used += size;
    }

    fn release(&self, size: usize) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(size);
        self.changed.notify_all();
    }

    fn wait_for(&self, id: FileId) {
        // Under the lock, so that a thread cannot check the old front and then miss the wake.
        let _used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        self.front.store(id.0, Ordering::Release);
        self.changed.notify_all();
    }

    fn stop(&self) {
        let _used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        self.stop.store(true, Ordering::Release);
        self.changed.notify_all();
    }
}

/// The inputs of a run, read ahead; see the module documentation.
pub(crate) struct ReadAhead<'s> {
    walk: Receiver<Gathered>,
    walk_done: bool,
    jobs: SyncSender<(FileId, Input)>,
    done: Receiver<Done>,
    shared: &'s Shared,
    window: usize,
    next_id: u32,
    /// Inputs handed to the reading threads and not yet taken, in walk order.
    queued: VecDeque<(FileId, PathBuf)>,
    /// What the reading threads gave back ahead of its turn.
    arrived: BTreeMap<FileId, (Input, std::thread::Result<Read>)>,
}

impl Drop for ReadAhead<'_> {
    /// However the run ends (a panic too), the reading threads stop waiting and the queues
    /// close, so that the scope's threads end.
    fn drop(&mut self) {
        self.shared.stop();
    }
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
    let read =
        |input: &Input, id, reserve: &dyn Fn(usize)| engine::read_input(input, id, opts, reserve);
    read_ahead_with(paths, opts, window, first_id, &read, f)
}

/// How a reading thread reads one input as a file id; it calls `reserve` with the size of the
/// text before it does the costly part (which may make it wait for room).
type ReadFn<'a> = dyn Fn(&Input, FileId, &dyn Fn(usize)) -> Read + Sync + 'a;

/// [`read_ahead`] with the reading step given (tests give one that panics or waits).
fn read_ahead_with<R>(
    paths: &[PathBuf],
    opts: &RunOptions,
    window: usize,
    first_id: FileId,
    read: &ReadFn,
    f: impl FnOnce(&mut ReadAhead) -> R,
) -> R {
    let window = window.max(1);
    let shared = Shared::default();
    let (jobs, job_rx) = mpsc::sync_channel::<(FileId, Input)>(window);
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|scope| {
        let (walk_tx, walk) = mpsc::sync_channel(window);
        scope.spawn(move || engine::gather_each(paths, opts, &mut |g| walk_tx.send(g).is_ok()));
        let (done_tx, done) = mpsc::channel::<Done>();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        for _ in 0..threads {
            let (done_tx, job_rx, shared) = (done_tx.clone(), &job_rx, &shared);
            scope.spawn(move || loop {
                let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((id, input)) = job else { break };
                if shared.stop.load(Ordering::Acquire) {
                    break;
                }
                // A panic is handed back and raised again on the run's thread in its turn,
                // never left as a file that does not come.
                let read = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    read(&input, id, &|size| shared.reserve(id, size))
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
            shared: &shared,
            window,
            next_id: first_id.0,
            queued: VecDeque::new(),
            arrived: BTreeMap::new(),
        };
        shared.front.store(first_id.0, Ordering::Release);
        // Dropping `ahead` (at the end, or on a panic) ends the walk and the reading threads at
        // their next step.
        f(&mut ahead)
    })
}

impl ReadAhead<'_> {
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

    /// The next inputs in walk order, read and extracted, each with its file id: `n` of them, or
    /// fewer once their texts reach [`BATCH_BYTES`] or the run's inputs end. Hand the batch
    /// back to [`ReadAhead::done_with`] when it is checked.
    pub(crate) fn take(&mut self, n: usize, out: &mut Outcome) -> Vec<(Input, FileId, Read)> {
        let mut batch = Vec::with_capacity(n);
        let mut bytes = 0;
        self.fill(out);
        while batch.len() < n && bytes < BATCH_BYTES {
            let Some(&(id, _)) = self.queued.front() else {
                break;
            };
            self.shared.wait_for(id);
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
                Ok(read) => {
                    bytes += read.size();
                    batch.push((input, id, read));
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
            // Keep the reading threads busy while the batch is checked.
            self.fill(out);
        }
        batch
    }

    /// A batch is checked: its bytes no longer count against what may be read ahead.
    pub(crate) fn done_with(&mut self, bytes: usize) {
        self.shared.release(bytes);
    }

    /// The path of the next input, if any.
    pub(crate) fn upcoming(&mut self, out: &mut Outcome) -> Option<&Path> {
        self.fill(out);
        self.queued.front().map(|(_, p)| p.as_path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    /// A folder of `n` candidate files, `f00.toml` on.
    fn folder(n: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..n {
            std::fs::write(dir.path().join(format!("f{i:02}.toml")), "").unwrap();
        }
        dir
    }

    /// A file read as a text of `size` bytes, whatever is on disk.
    fn text_of(input: &Input, size: usize) -> Read {
        Read::File {
            file: crate::source::SourceFile::new(input.path.clone(), "x".repeat(size)),
            bad_utf8: None,
            ex: Default::default(),
        }
    }

    /// Take every input, `n` at a time, as the run's thread does.
    fn take_all(ahead: &mut ReadAhead, n: usize) -> Vec<(PathBuf, FileId)> {
        let mut out = Outcome::default();
        let mut got = Vec::new();
        loop {
            let batch = ahead.take(n, &mut out);
            if batch.is_empty() {
                return got;
            }
            let bytes = batch.iter().map(|(_, _, r)| r.size()).sum();
            got.extend(batch.into_iter().map(|(i, id, _)| (i.path, id)));
            ahead.done_with(bytes);
        }
    }

    #[test]
    fn inputs_come_back_in_walk_order_whatever_order_the_threads_finish_in() {
        let dir = folder(24);
        let paths = [dir.path().to_path_buf()];
        // Later files are read faster, so the threads finish them first.
        let read = |input: &Input, id: FileId, reserve: &dyn Fn(usize)| {
            std::thread::sleep(Duration::from_millis(u64::from(24 - id.0 % 24)));
            reserve(1);
            text_of(input, 1)
        };
        let opts = RunOptions::default();
        let got = read_ahead_with(&paths, &opts, 8, FileId(5), &read, |a| take_all(a, 3));
        let want: Vec<(PathBuf, FileId)> = (0..24)
            .map(|i| (dir.path().join(format!("f{i:02}.toml")), FileId(5 + i)))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn texts_read_ahead_are_held_to_the_byte_budget() {
        let dir = folder(20);
        let paths = [dir.path().to_path_buf()];
        let size = AHEAD_BYTES / 3;
        // Bytes reserved by the reading threads and not yet handed back by the run; the most.
        let (held, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let read = |input: &Input, _: FileId, reserve: &dyn Fn(usize)| {
            reserve(size);
            let now = held.fetch_add(size, Ordering::SeqCst) + size;
            most.fetch_max(now, Ordering::SeqCst);
            text_of(input, size)
        };
        let opts = RunOptions::default();
        let n = read_ahead_with(&paths, &opts, 16, FileId(0), &read, |ahead| {
            let mut out = Outcome::default();
            let mut n = 0;
            loop {
                let batch = ahead.take(1, &mut out);
                if batch.is_empty() {
                    return n;
                }
                n += batch.len();
                // A slow run: the reading threads get as far ahead of it as they may. (At the
                // first file, wait until they have, so that a busy machine cannot make the
                // test pass without reading ahead at all.)
                let start = std::time::Instant::now();
                while n == 1
                    && most.load(Ordering::SeqCst) < AHEAD_BYTES - size
                    && start.elapsed() < Duration::from_secs(10)
                {
                    std::thread::sleep(Duration::from_millis(1));
                }
                std::thread::sleep(Duration::from_millis(5));
                held.fetch_sub(size, Ordering::SeqCst);
                ahead.done_with(size);
            }
        });
        assert_eq!(n, 20);
        // The budget, and the file the run waits for, which always goes on.
        let most = most.load(Ordering::SeqCst);
        assert!(most <= AHEAD_BYTES + size, "held {most} bytes at once");
        assert!(most >= AHEAD_BYTES - size, "read ahead only {most} bytes");
    }

    #[test]
    fn a_panic_in_a_reading_thread_is_raised_in_the_run_not_a_hang() {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let dir = folder(12);
            let paths = [dir.path().to_path_buf()];
            let read = |input: &Input, _: FileId, reserve: &dyn Fn(usize)| {
                assert!(!input.path.ends_with("f05.toml"), "a reader's bug");
                reserve(1);
                text_of(input, 1)
            };
            let opts = RunOptions::default();
            let run = std::panic::catch_unwind(AssertUnwindSafe(|| {
                read_ahead_with(&paths, &opts, 4, FileId(0), &read, |a| take_all(a, 2))
            }));
            let _ = tx.send(run.map_err(|p| p.downcast_ref::<&str>().map(|s| s.to_string())));
        });
        let run = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the run hung");
        assert_eq!(run, Err(Some("a reader's bug".to_owned())));
    }
}
