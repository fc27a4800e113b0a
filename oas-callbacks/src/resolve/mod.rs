//! Resolving an operation's callbacks and links for one HTTP exchange.

mod callbacks;
mod links;

use expr_eval::Exchange;

pub use callbacks::{CallbackOutcome, ResolvedCallback, SkipReason};
pub use links::ResolvedLink;

/// An exchange seen from an operation of the document: when it does not say which path template
/// it matched, the operation's path is that template.
pub(crate) struct InOperation<'a, X: ?Sized> {
    pub(crate) exchange: &'a X,
    pub(crate) path_template: &'a str,
}

impl<X: Exchange + ?Sized> Exchange for InOperation<'_, X> {
    type Request = X::Request;
    type Response = X::Response;

    fn method(&self) -> &str {
        self.exchange.method()
    }
    fn url(&self) -> Option<&str> {
        self.exchange.url()
    }
    fn path(&self) -> &str {
        self.exchange.path()
    }
    fn query(&self) -> Option<&str> {
        self.exchange.query()
    }
    fn path_template(&self) -> Option<&str> {
        self.exchange.path_template().or(Some(self.path_template))
    }
    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.exchange.path_parameter(name)
    }
    fn has_path_parameters(&self) -> bool {
        self.exchange.has_path_parameters()
    }
    fn request(&self) -> &Self::Request {
        self.exchange.request()
    }
    fn response(&self) -> Option<&Self::Response> {
        self.exchange.response()
    }
    fn status_code(&self) -> Option<u16> {
        self.exchange.status_code()
    }
}
