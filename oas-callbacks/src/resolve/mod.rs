//! Resolving an operation's callbacks and links for one HTTP exchange.

mod callbacks;
mod links;

use expr_eval::{Exchange, Session};

pub use callbacks::{CallbackOutcome, ResolvedCallback, SkipReason};
pub use links::{ResolvedLink, ResolvedValue};

use crate::model::Operation;

impl Operation {
    /// The exchange seen from this operation: its path is the path template when the exchange
    /// does not say which one it matched; the query string and header fields indexed once for
    /// all the expressions; everything rendered within [`LoadLimits::max_rendered_len`].
    ///
    /// [`LoadLimits::max_rendered_len`]: crate::LoadLimits::max_rendered_len
    fn session<'a, X: Exchange + ?Sized>(&'a self, exchange: &'a X) -> Session<'a, X> {
        Session::new(exchange)
            .with_path_template(self.path())
            .with_max_rendered_len(self.max_rendered_len)
    }
}
