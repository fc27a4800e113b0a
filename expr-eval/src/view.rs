//! What evaluation reads through: an exchange and the way its header fields, query parameters
//! and path template are looked up. A plain exchange looks everything up in place (one lookup,
//! no allocation); a [`Session`](crate::Session) looks them up in indices built on demand.

use std::borrow::Cow;

use crate::decode::query_parameter;
use crate::error::{EvalError, Part};
use crate::exchange::{Exchange, FieldName, Message};

/// The lookups of one evaluation; `'x` is the lifetime of the exchange, which the values borrow
/// from (never from the view).
pub(crate) trait View<'x> {
    /// The exchange.
    type Exchange: Exchange + ?Sized + 'x;

    /// The exchange itself.
    fn exchange(&self) -> &'x Self::Exchange;

    /// The first value of header field `name` of the request or of the response (`None` also
    /// when there is no response).
    fn header(&self, part: Part, name: FieldName<'_>) -> Option<&'x [u8]>;

    /// The first query parameter called `name`, decoded.
    fn query_parameter(&self, name: &str) -> Result<Option<Cow<'x, str>>, EvalError>;

    /// The path template the request matched.
    fn path_template(&self) -> Option<&str>;
}

/// An exchange read in place: each lookup searches the exchange.
pub(crate) struct Plain<'x, X: ?Sized>(pub(crate) &'x X);

impl<'x, X: Exchange + ?Sized> View<'x> for Plain<'x, X> {
    type Exchange = X;

    #[inline]
    fn exchange(&self) -> &'x X {
        self.0
    }

    #[inline]
    fn header(&self, part: Part, name: FieldName<'_>) -> Option<&'x [u8]> {
        match part {
            Part::Request => self.0.request().header(name),
            Part::Response => self.0.response()?.header(name),
        }
    }

    #[inline]
    fn query_parameter(&self, name: &str) -> Result<Option<Cow<'x, str>>, EvalError> {
        match self.0.query() {
            Some(query) => query_parameter(query, name),
            None => Ok(None),
        }
    }

    #[inline]
    fn path_template(&self) -> Option<&str> {
        self.0.path_template()
    }
}
