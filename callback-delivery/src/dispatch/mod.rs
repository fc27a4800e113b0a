//! Dispatching callbacks as a provider does: validate the payload against the callback
//! operation's schema, take the URL resolved for the exchange, check it against the policy,
//! deliver it; a typed outcome at the end of whichever step ended it.
//!
//! - `payload.rs`: the [`Payload`], parsed once, its bytes shared;
//! - `prepare.rs`: one callback to [`Dispatch`], and the steps that need no network;
//! - `outcome.rs`: what became of it ([`Dispatched`]), and its JSON form.
//!
//! The delivery itself is the client's ([`Deliverer::dispatch`](crate::Deliverer::dispatch)).

mod outcome;
mod payload;
mod prepare;

pub use outcome::{DispatchOutcome, Dispatched};
pub use payload::Payload;
pub use prepare::Dispatch;
