//! The session: what is stored, what is in use, and what the app can observe.

mod record;
mod state;
mod token_set;

pub use record::{CURRENT_SCHEMA_VERSION, RecordError, SessionRecord};
pub(crate) use state::EventHub;
pub use state::{ExpiryReason, SessionEvent, SessionState};
pub(crate) use token_set::TokenSet;
