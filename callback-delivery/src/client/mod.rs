//! The HTTP client (feature `client`): resolve once, connect to checked addresses only, retry,
//! report.

mod attempt;
mod deliverer;
mod lookup;
mod retry_loop;
mod tls;

pub use deliverer::{BuildError, Deliverer};
pub use lookup::{Resolve, Resolving, StaticResolver, SystemResolver};
