//! Helper threads for the final phase of a parallel plan.
//!
//! When PostgreSQL runs a one-shot aggregate in parallel, the workers scan and each sends
//! its partial state; the leader then combines the states and finalizes alone, on one
//! core, while the cores the workers used sit idle. A population state whose `finish`
//! splits into independent pieces (a funnel's 256 segments of users) may spread them over
//! helper threads then. The threads run only this crate's code: no PostgreSQL call, no
//! allocation outside the Rust allocator; the caller's thread takes pieces too and is the
//! only one that checks for interrupts.

use std::panic::resume_unwind;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use crate::state::Work;

/// How many threads a `finish` may use, and how to start one.
#[derive(Clone, Copy)]
pub struct Threads<'a> {
    /// Most threads to use, the caller's included (1: no helper thread).
    pub max: usize,
    /// Calls its argument, which starts one helper thread, so that the caller can set what
    /// the new thread inherits (the PostgreSQL layer blocks every signal around it: a signal
    /// meant for the backend must reach the backend's own thread).
    pub spawn_with: &'a (dyn Fn(&mut dyn FnMut()) + Sync),
}

impl Threads<'static> {
    /// No helper thread.
    pub const SERIAL: Threads<'static> = Threads {
        max: 1,
        spawn_with: &|spawn| spawn(),
    };
}

impl std::fmt::Debug for Threads<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Threads").field("max", &self.max).finish()
    }
}

/// The payload with which a helper thread unwinds when the caller's thread has stopped.
struct Stopped;

/// Sets the flag when dropped (the caller's thread finished its share or is unwinding).
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `job` on every item, on up to `threads.max` threads (fewer when there are fewer
/// items; the caller's thread is one of them), each thread with its own accumulator made
/// by `init`; returns the accumulators (the caller's first). Items are taken in order, one
/// at a time, by whichever thread is free, so the accumulators must combine in any order.
///
/// The caller's thread calls `check_interrupts` between its items and through its `Work`;
/// when that panics (a cancel), the helpers stop at their next `Work` check and the panic
/// continues once they have ended. A panic in a helper reaches the caller the same way. A
/// helper that cannot be started leaves its share to the others.
pub(crate) fn for_each<I, A, F>(
    threads: Threads<'_>,
    items: Vec<I>,
    init: impl Fn() -> A + Sync,
    job: F,
    check_interrupts: &mut dyn FnMut(),
) -> Vec<A>
where
    I: Send,
    A: Send,
    F: Fn(&mut A, I, &mut Work) + Sync,
{
    let helpers = threads.max.min(items.len()).saturating_sub(1);
    let queue = Mutex::new(items.into_iter());
    let next = || queue.lock().unwrap_or_else(PoisonError::into_inner).next();
    let run = |acc: &mut A, check: &mut dyn FnMut()| {
        let mut work = Work { done: 0, check };
        while let Some(item) = next() {
            job(acc, item, &mut work);
            (work.check)();
        }
    };
    if helpers == 0 {
        let mut acc = init();
        run(&mut acc, check_interrupts);
        return vec![acc];
    }
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let mut handles = Vec::with_capacity(helpers);
        for _ in 0..helpers {
            (threads.spawn_with)(&mut || {
                let helper = std::thread::Builder::new()
                    .name("pg_operations finish".into())
                    .spawn_scoped(s, || {
                        let mut acc = init();
                        run(&mut acc, &mut || {
                            if stop.load(Ordering::Relaxed) {
                                resume_unwind(Box::new(Stopped));
                            }
                        });
                        acc
                    });
                handles.extend(helper.ok());
            });
        }
        let guard = StopOnDrop(&stop);
        let mut out = Vec::with_capacity(handles.len() + 1);
        let mut acc = init();
        run(&mut acc, check_interrupts);
        out.push(acc);
        for h in handles {
            match h.join() {
                Ok(acc) => out.push(acc),
                Err(payload) => resume_unwind(payload),
            }
        }
        drop(guard);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::sync::atomic::AtomicUsize;

    /// The payload `f` panics with.
    fn panic_of(f: impl FnOnce()) -> Box<dyn std::any::Any + Send> {
        catch_unwind(AssertUnwindSafe(f)).expect_err("the panic propagates")
    }

    fn two() -> Threads<'static> {
        Threads {
            max: 2,
            spawn_with: &|spawn| spawn(),
        }
    }

    #[test]
    fn every_item_once_on_several_threads() {
        for max in 1..=4 {
            let threads = Threads { max, ..two() };
            let accs = for_each(
                threads,
                (0..1000u64).collect(),
                Vec::new,
                |acc: &mut Vec<u64>, i, work| {
                    acc.push(i);
                    work.add(1);
                },
                &mut || {},
            );
            assert!(accs.len() <= max);
            let mut all: Vec<u64> = accs.into_iter().flatten().collect();
            all.sort_unstable();
            assert_eq!(all, (0..1000).collect::<Vec<_>>());
        }
        // fewer items than threads: no idle helper.
        let accs = for_each(two(), vec![1], || 0, |a, i, _| *a += i, &mut || {});
        assert_eq!(accs, vec![1]);
        let accs = for_each(two(), Vec::<u8>::new(), || 0, |a, _, _| *a += 1, &mut || {});
        assert_eq!(accs, vec![0]);
    }

    #[test]
    fn a_cancel_in_the_caller_stops_the_helpers() {
        let done = AtomicUsize::new(0);
        let mut checks = 0;
        let payload = panic_of(|| {
            for_each(
                two(),
                (0..10_000).collect(),
                || (),
                |_, _: i32, work| {
                    done.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(std::time::Duration::from_micros(50));
                    work.add(crate::state::INTERRUPT_WORK);
                },
                &mut || {
                    checks += 1;
                    if checks == 5 {
                        panic!("canceled");
                    }
                },
            );
        });
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"canceled"));
        // The helper stopped at its next check instead of doing the other 9 997 items (it
        // goes on while the panic hook of the caller's thread runs: a backtrace takes a
        // while).
        let done = done.load(Ordering::Relaxed);
        assert!(done < 5_000, "{done} items done");
    }

    #[test]
    fn a_panic_in_a_helper_reaches_the_caller() {
        let payload = panic_of(|| {
            for_each(
                two(),
                (0..1000).collect(),
                || (),
                |_, i: i32, _| {
                    if i == 500 {
                        panic!("item 500");
                    }
                    std::thread::sleep(std::time::Duration::from_micros(10));
                },
                &mut || {},
            );
        });
        let msg = payload.downcast_ref::<&str>().copied();
        // Raised by whichever thread took item 500; a helper stopped by it does not mask it.
        assert_eq!(msg, Some("item 500"));
    }
}
