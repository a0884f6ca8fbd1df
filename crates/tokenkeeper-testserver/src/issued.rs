//! A record of every token the server issued, so that a log check can look for each one
//! in what a program printed. Bounded: past the cap, tokens are counted but not kept.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// At most this many tokens are kept (about 25 MB of RS256 JWTs at worst; a soak with
/// 2 s access tokens issues about 2 tokens a second).
pub const ISSUED_TOKENS_CAPACITY: usize = 32_768;

#[derive(Debug, Default)]
struct Record {
    tokens: Vec<String>,
    overflow: u64,
}

#[derive(Debug, Default)]
pub(crate) struct IssuedTokens {
    record: Mutex<Record>,
}

impl IssuedTokens {
    fn lock(&self) -> MutexGuard<'_, Record> {
        // Each update is one push or one increment: a poisoned record is still consistent.
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn record(&self, tokens: &[&str]) {
        let mut record = self.lock();
        for token in tokens {
            if record.tokens.len() < ISSUED_TOKENS_CAPACITY {
                record.tokens.push((*token).to_owned());
            } else {
                record.overflow += 1;
            }
        }
    }

    pub(crate) fn tokens(&self) -> Vec<String> {
        self.lock().tokens.clone()
    }

    pub(crate) fn overflow(&self) -> u64 {
        self.lock().overflow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_tokens_in_order_up_to_the_cap_then_counts() {
        let issued = IssuedTokens::default();
        issued.record(&["a", "b"]);
        issued.record(&["c"]);
        assert_eq!(issued.tokens(), ["a", "b", "c"]);
        assert_eq!(issued.overflow(), 0);

        let filler = vec!["x"; ISSUED_TOKENS_CAPACITY];
        issued.record(&filler);
        assert_eq!(issued.tokens().len(), ISSUED_TOKENS_CAPACITY);
        assert_eq!(issued.overflow(), 3);
    }
}
