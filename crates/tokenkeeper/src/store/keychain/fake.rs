//! An in-memory [`KeychainApi`] that answers like the real one, for tests
//! (the module's unit tests and `tests/store_keychain.rs`). Not part of the
//! public API.
//!
//! Like Security.framework: add of an existing item is `errSecDuplicateItem`;
//! update, copy and delete of a missing one are `errSecItemNotFound`; an item
//! is identified by class, service, account, synchronizable and access group
//! (a query without an access group matches any group). Unlike it: no
//! entitlements, no default access group, no process sharing.
//!
//! Test hooks: [`FakeKeychain::set_locked`] makes every call fail with
//! errSecInteractionNotAllowed until unlocked, [`FakeKeychain::fail_next`]
//! queues a status for the next calls, and every call is recorded with the
//! attribute list the system layer would send (never the data).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Accessibility, Attribute, ItemQuery, KeychainApi, OSStatus, Operation, status};

/// One call the fake saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCall {
    pub operation: Operation,
    pub query: ItemQuery,
    /// The search/add dictionary the system layer builds for this call.
    pub attributes: Vec<Attribute>,
    /// For update: the attributes-to-update dictionary (without the data).
    pub update_attributes: Vec<Attribute>,
    /// What the call returned.
    pub status: OSStatus,
}

/// A stored item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeItem {
    pub query: ItemQuery,
    pub data: Vec<u8>,
    pub accessibility: Accessibility,
}

#[derive(Default)]
pub struct FakeKeychain {
    items: Mutex<Vec<FakeItem>>,
    locked: AtomicBool,
    queued_failures: Mutex<VecDeque<OSStatus>>,
    calls: Mutex<Vec<FakeCall>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether a stored item answers `query` (a query without an access group
/// matches every group).
fn matches(item: &ItemQuery, query: &ItemQuery) -> bool {
    item.class == query.class
        && item.service == query.service
        && item.account == query.account
        && item.synchronizable == query.synchronizable
        && (query.access_group.is_none() || item.access_group == query.access_group)
}

impl FakeKeychain {
    pub fn new() -> Self {
        Self::default()
    }

    /// Locked: every call fails with errSecInteractionNotAllowed (-25308),
    /// as on a device that has not been unlocked since boot.
    pub fn set_locked(&self, locked: bool) {
        self.locked.store(locked, Ordering::SeqCst);
    }

    /// The next call fails with `status` (queued: one call per status).
    pub fn fail_next(&self, status: OSStatus) {
        lock(&self.queued_failures).push_back(status);
    }

    /// Every call so far, oldest first.
    pub fn calls(&self) -> Vec<FakeCall> {
        lock(&self.calls).clone()
    }

    pub fn clear_calls(&self) {
        lock(&self.calls).clear();
    }

    /// The stored items (what a test would see in the Keychain).
    pub fn items(&self) -> Vec<FakeItem> {
        lock(&self.items).clone()
    }

    fn failure(&self) -> Option<OSStatus> {
        if self.locked.load(Ordering::SeqCst) {
            return Some(status::INTERACTION_NOT_ALLOWED);
        }
        lock(&self.queued_failures).pop_front()
    }

    fn record<T>(
        &self,
        operation: Operation,
        query: &ItemQuery,
        attributes: Vec<Attribute>,
        result: Result<T, OSStatus>,
    ) -> Result<T, OSStatus> {
        let update_attributes = match operation {
            Operation::Update => query.update_attributes(),
            _ => Vec::new(),
        };
        lock(&self.calls).push(FakeCall {
            operation,
            query: query.clone(),
            attributes,
            update_attributes,
            status: result.as_ref().err().copied().unwrap_or(status::SUCCESS),
        });
        result
    }
}

impl KeychainApi for FakeKeychain {
    fn add(&self, query: &ItemQuery, data: &[u8]) -> Result<(), OSStatus> {
        let result = match self.failure() {
            Some(status) => Err(status),
            None => {
                let mut items = lock(&self.items);
                if items.iter().any(|item| matches(&item.query, query)) {
                    Err(status::DUPLICATE_ITEM)
                } else {
                    items.push(FakeItem {
                        query: query.clone(),
                        data: data.to_vec(),
                        accessibility: query.accessibility,
                    });
                    Ok(())
                }
            }
        };
        self.record(Operation::Add, query, query.add_attributes(), result)
    }

    fn update(&self, query: &ItemQuery, data: &[u8]) -> Result<(), OSStatus> {
        let result = match self.failure() {
            Some(status) => Err(status),
            None => {
                let mut items = lock(&self.items);
                let mut found = false;
                for item in items.iter_mut().filter(|item| matches(&item.query, query)) {
                    item.data = data.to_vec();
                    item.accessibility = query.accessibility;
                    found = true;
                }
                if found {
                    Ok(())
                } else {
                    Err(status::ITEM_NOT_FOUND)
                }
            }
        };
        self.record(Operation::Update, query, query.search_attributes(), result)
    }

    fn copy_matching(&self, query: &ItemQuery) -> Result<Vec<u8>, OSStatus> {
        let result = match self.failure() {
            Some(status) => Err(status),
            None => lock(&self.items)
                .iter()
                .find(|item| matches(&item.query, query))
                .map(|item| item.data.clone())
                .ok_or(status::ITEM_NOT_FOUND),
        };
        self.record(
            Operation::CopyMatching,
            query,
            query.copy_attributes(),
            result,
        )
    }

    fn delete(&self, query: &ItemQuery) -> Result<(), OSStatus> {
        let result = match self.failure() {
            Some(status) => Err(status),
            None => {
                let mut items = lock(&self.items);
                let before = items.len();
                items.retain(|item| !matches(&item.query, query));
                if items.len() < before {
                    Ok(())
                } else {
                    Err(status::ITEM_NOT_FOUND)
                }
            }
        };
        self.record(Operation::Delete, query, query.search_attributes(), result)
    }
}
