use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// Runs at most one piece of work per key at a time; everyone who asks for the
/// same key while it runs gets the same result.
///
/// The work runs in its own task, so a caller that is cancelled (a dropped
/// request, a cancelled coroutine) does not abort it for the others.
pub(crate) struct SingleFlight<T> {
    slot: Arc<Mutex<Option<Flight<T>>>>,
}

struct Flight<T> {
    key: u64,
    id: u64,
    result: watch::Receiver<Option<T>>,
}

/// A place in a flight; await [`Ticket::wait`] for its result or drop it.
pub(crate) struct Ticket<T> {
    result: watch::Receiver<Option<T>>,
}

impl<T: Clone + Send + Sync + 'static> SingleFlight<T> {
    pub(crate) fn new() -> Self {
        Self {
            slot: Arc::new(Mutex::new(None)),
        }
    }

    /// Joins the flight for `key`, or starts `work` as a new one when
    /// `still_needed()` says so. `still_needed` runs under the flight lock,
    /// after any earlier flight has published its result, so a caller that
    /// arrives just as a flight ends sees that result instead of starting
    /// a second one. `None`: no flight was needed.
    pub(crate) fn join_or_start<W>(
        &self,
        key: u64,
        still_needed: impl FnOnce() -> bool,
        work: W,
    ) -> Option<Ticket<T>>
    where
        W: Future<Output = T> + Send + 'static,
    {
        let mut slot = lock(&self.slot);
        if let Some(flight) = slot.as_ref().filter(|flight| flight.key == key) {
            return Some(Ticket {
                result: flight.result.clone(),
            });
        }
        if !still_needed() {
            return None;
        }
        let (sender, receiver) = watch::channel(None);
        let id = fastrand::u64(..);
        *slot = Some(Flight {
            key,
            id,
            result: receiver.clone(),
        });
        let clear = ClearOnDrop {
            slot: Arc::clone(&self.slot),
            id,
        };
        tokio::spawn(async move {
            let result = work.await;
            // Leave the slot before answering: whoever comes next must see the
            // published outcome of this flight, not join a finished one.
            drop(clear);
            let _ = sender.send(Some(result));
        });
        Some(Ticket { result: receiver })
    }
}

impl<T: Clone> Ticket<T> {
    /// The flight's result; `None` if the work panicked.
    pub(crate) async fn wait(mut self) -> Option<T> {
        match self.result.wait_for(Option::is_some).await {
            Ok(result) => result.clone(),
            Err(_) => None,
        }
    }
}

/// Frees the slot when the work finishes or panics.
struct ClearOnDrop<T> {
    slot: Arc<Mutex<Option<Flight<T>>>>,
    id: u64,
}

impl<T> Drop for ClearOnDrop<T> {
    fn drop(&mut self) {
        let mut slot = lock(&self.slot);
        if slot.as_ref().is_some_and(|flight| flight.id == self.id) {
            *slot = None;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The slot is replaced whole under the lock, so a panic elsewhere cannot leave it torn.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_run() {
        let flight = Arc::new(SingleFlight::<u32>::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut waiters = Vec::new();
        for _ in 0..100 {
            let flight = Arc::clone(&flight);
            let runs = Arc::clone(&runs);
            waiters.push(tokio::spawn(async move {
                let ticket = flight.join_or_start(7, || true, async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    42
                });
                ticket.unwrap().wait().await
            }));
        }
        for waiter in waiters {
            assert_eq!(waiter.await.unwrap(), Some(42));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_cancelled_caller_does_not_abort_the_work() {
        let flight = SingleFlight::<u32>::new();
        let done = Arc::new(AtomicUsize::new(0));
        let finished = Arc::clone(&done);
        let ticket = flight.join_or_start(1, || true, async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            finished.fetch_add(1, Ordering::SeqCst);
            5
        });
        drop(ticket);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(done.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn no_flight_when_no_longer_needed_and_panics_release_the_slot() {
        let flight = SingleFlight::<u32>::new();
        assert!(flight.join_or_start(1, || false, async { 1 }).is_none());
        let ticket = flight
            .join_or_start(2, || true, async { panic!("work failed") })
            .unwrap();
        assert_eq!(ticket.wait().await, None);
        let again = flight.join_or_start(2, || true, async { 3 }).unwrap();
        assert_eq!(again.wait().await, Some(3));
    }
}
