use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use crate::clock::{UnixMillis, duration_millis};

/// How a refresh that failed for a passing reason (network, 5xx, 429) is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per refresh, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A server's `Retry-After` is honoured up to this long; beyond it the
    /// refresh gives up for now and reports the error.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Delay before retry number `retry` (1-based): exponential with full
    /// jitter, so a fleet of phones coming back online does not stampede.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1).min(16);
        let ceiling = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(millis / 2..=millis.max(1)))
    }
}

/// A cap on refreshes in a sliding window. It stops refresh loops, e.g. a
/// server that hands out tokens that are already expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshBudget {
    pub max_refreshes: usize,
    pub window: Duration,
}

impl Default for RefreshBudget {
    fn default() -> Self {
        Self {
            max_refreshes: 30,
            window: Duration::from_secs(60),
        }
    }
}

/// Remembers when recent refreshes started.
#[derive(Debug)]
pub(crate) struct BudgetTracker {
    budget: RefreshBudget,
    started: Mutex<VecDeque<UnixMillis>>,
}

impl BudgetTracker {
    pub(crate) fn new(budget: RefreshBudget) -> Self {
        Self {
            budget,
            started: Mutex::new(VecDeque::new()),
        }
    }

    /// Takes one refresh from the budget, or says how long until one is free.
    pub(crate) fn try_take(&self, now: UnixMillis) -> Result<(), Duration> {
        let window = duration_millis(self.budget.window);
        let mut started = self
            .started
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while started
            .front()
            .is_some_and(|&at| now.saturating_sub(at) >= window)
        {
            started.pop_front();
        }
        if started.len() >= self.budget.max_refreshes {
            let oldest = started.front().copied().unwrap_or(now);
            let wait = window.saturating_sub(now.saturating_sub(oldest)).max(0);
            return Err(Duration::from_millis(wait.unsigned_abs()));
        }
        started.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default();
        for _ in 0..100 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
            let late = policy.backoff(30);
            assert!(late >= Duration::from_millis(2500) && late <= Duration::from_secs(5));
        }
    }

    #[test]
    fn budget_refuses_past_the_cap_and_frees_up_with_time() {
        let tracker = BudgetTracker::new(RefreshBudget {
            max_refreshes: 2,
            window: Duration::from_secs(10),
        });
        assert!(tracker.try_take(0).is_ok());
        assert!(tracker.try_take(1_000).is_ok());
        assert_eq!(tracker.try_take(2_000), Err(Duration::from_secs(8)));
        assert!(
            tracker.try_take(10_000).is_ok(),
            "the first one left the window"
        );
        assert!(tracker.try_take(10_500).is_err());
    }
}
