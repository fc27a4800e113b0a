//! The HTTP client (feature `client`): resolve once, connect to checked addresses only, retry,
//! report.
//!
//! - [`lookup`]: the resolvers, and the lookup step (a name resolved once, every address
//!   checked);
//! - [`pin`]: the checked addresses carried by each request to the connector;
//! - [`connector`]: TCP to those addresses only, then TLS ([`tls`] builds its configuration);
//! - [`attempt`]: one request and its response, read up to the cap;
//! - [`retry_loop`]: a delivery's attempts and waits;
//! - [`deliverer`]: the [`Deliverer`], built once with its one connection pool;
//! - [`dispatch`]: the delivery step of a [`Dispatch`](crate::Dispatch).

mod attempt;
mod connector;
mod deliverer;
mod dispatch;
mod lookup;
mod pin;
mod retry_loop;
mod tls;

pub use deliverer::{BuildError, Deliverer};
pub use lookup::{Resolve, Resolving, StaticResolver, SystemResolver};
