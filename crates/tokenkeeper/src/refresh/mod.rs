//! The pieces of refreshing that do not depend on HTTP: one refresh at a time
//! per token generation, retry/backoff, and a budget against refresh loops.

mod policy;
mod single_flight;

pub(crate) use policy::BudgetTracker;
pub use policy::{RefreshBudget, RetryPolicy};
pub(crate) use single_flight::{SingleFlight, Ticket as SingleFlightTicket};
