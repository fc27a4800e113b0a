//! Many expressions and templates evaluated against one exchange: the query string and the
//! header fields indexed once (on demand), and one bound on everything rendered.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use expr_grammar::Expression;

use crate::decode::{parameter_name, query_pairs, query_parameter, query_value};
use crate::encode::{Full, Sink, rendered_len_within};
use crate::error::{EvalError, Part};
use crate::eval::{CompiledExpression, evaluate_with};
use crate::exchange::{Exchange, FieldName, Message};
use crate::limits::MAX_RENDERED_LEN;
use crate::template::CompiledTemplate;
use crate::value::Value;
use crate::view::View;

/// A query string shorter than this is searched in place even when it is looked up many times:
/// splitting a few parameters costs less than building and hashing into an index.
const QUERY_INDEX_MIN_LEN: usize = 256;

/// A message with at most this many header fields is searched in place.
const HEADER_INDEX_MIN_FIELDS: usize = 16;

/// One exchange seen by many evaluations: the callbacks or links of a document's operation
/// resolved for the request it received, a batch of link parameters, any loop that evaluates
/// expressions against the same exchange.
///
/// A single evaluation ([`evaluate`](crate::evaluate), [`CompiledExpression::evaluate`],
/// [`CompiledTemplate::render_into`]) searches the exchange in place and allocates nothing. A
/// session does the same for its first lookup of the query string and of each message's header
/// fields; from the second on, it indexes them once (a hash table of the query parameters, of
/// the header fields when the message keeps them in a list, see [`Message::header_fields`]) and
/// looks them up there, so that 1,000 expressions against a URL with 300,000 query parameters
/// split that query string once, not 1,000 times. Values borrow from the exchange, not from the
/// session, and are the same as a single evaluation gives.
///
/// Everything the session renders counts against one limit,
/// [`with_max_rendered_len`](Session::with_max_rendered_len) (default [`MAX_RENDERED_LEN`]),
/// which takes the place of each template's own: a document with many templates cannot
/// multiply it.
///
/// ```
/// use expr_eval::{CompiledExpression, CompiledTemplate, OwnedExchange, OwnedRequest, Session};
///
/// let request = OwnedRequest::new("POST", "https://api.example/v1/jobs/7/start?notify=https://c.example/done&tag=a")?
///     .with_header("progressUrl", "https://c.example/progress/7");
/// let exchange = OwnedExchange::new(request);
/// let session = Session::new(&exchange).with_path_template("/jobs/{id}/start");
///
/// let id = CompiledExpression::parse("$request.path.id")?;
/// assert_eq!(session.evaluate(&id)?, "7");
/// let done = CompiledTemplate::parse("{$request.query.notify}?job={$request.path.id}&tag={$request.query.tag}")?;
/// assert_eq!(session.render(&done)?, "https://c.example/done?job=7&tag=a");
/// assert_eq!(session.rendered_len(), "https://c.example/done?job=7&tag=a".len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A session is meant for one thread and one batch (it is not `Sync`); make one per exchange.
#[derive(Debug)]
pub struct Session<'x, X: Exchange + ?Sized> {
    exchange: &'x X,
    path_template: Option<&'x str>,
    max_rendered_len: usize,
    rendered_len: Cell<usize>,
    query: Lazy<HashMap<Cow<'x, str>, &'x str>>,
    request_headers: Lazy<HeaderIndex<'x>>,
    response_headers: Lazy<HeaderIndex<'x>>,
}

impl<'x, X: Exchange + ?Sized> Session<'x, X> {
    /// A session over `exchange`; nothing is allocated until an index is needed.
    pub fn new(exchange: &'x X) -> Self {
        Session {
            exchange,
            path_template: None,
            max_rendered_len: MAX_RENDERED_LEN,
            rendered_len: Cell::new(0),
            query: Lazy::default(),
            request_headers: Lazy::default(),
            response_headers: Lazy::default(),
        }
    }

    /// The path template to match `$request.path.x` against when the exchange does not say
    /// which one it matched ([`Exchange::path_template`] is `None`), such as the path of the
    /// document operation whose callbacks are being resolved.
    pub fn with_path_template(self, template: &'x str) -> Self {
        Session {
            path_template: Some(template),
            ..self
        }
    }

    /// The most bytes all the renderings of this session may produce together (default
    /// [`MAX_RENDERED_LEN`], 1 MiB). A rendering that would pass it fails with
    /// [`EvalError::RenderedTooLong`] naming this limit, and counts nothing.
    pub fn with_max_rendered_len(self, max_rendered_len: usize) -> Self {
        Session {
            max_rendered_len,
            ..self
        }
    }

    /// The limit on all the renderings of this session together.
    pub fn max_rendered_len(&self) -> usize {
        self.max_rendered_len
    }

    /// The bytes rendered so far.
    pub fn rendered_len(&self) -> usize {
        self.rendered_len.get()
    }

    /// The exchange.
    pub fn exchange(&self) -> &'x X {
        self.exchange
    }

    /// Evaluates a compiled expression; the same value and error as
    /// [`CompiledExpression::evaluate`] on the exchange (with this session's path template).
    pub fn evaluate(&self, expression: &CompiledExpression) -> Result<Value<'x>, EvalError> {
        expression.evaluate_in(self)
    }

    /// Evaluates an expression that was not compiled; the same as [`crate::evaluate`].
    pub fn evaluate_expression(&self, expression: &Expression) -> Result<Value<'x>, EvalError> {
        evaluate_with(expression, self, FieldName::new, None)
    }

    /// Appends the rendering of `template` to `out`, within what is left of this session's
    /// limit (which takes the place of the template's own
    /// [`max_rendered_len`](crate::RenderOptions::max_rendered_len) here). On an error `out` is
    /// left as it was and nothing is counted.
    pub fn render_into(
        &self,
        template: &CompiledTemplate,
        out: &mut String,
    ) -> Result<(), EvalError> {
        let left = self
            .max_rendered_len
            .saturating_sub(self.rendered_len.get());
        let start = out.len();
        match template.render_in(self, out, left) {
            Ok(Ok(())) => {
                self.rendered_len
                    .set(self.rendered_len.get() + (out.len() - start));
                Ok(())
            }
            Ok(Err(err)) => Err(err),
            Err(Full) => Err(EvalError::RenderedTooLong {
                limit: self.max_rendered_len,
            }),
        }
    }

    /// Appends `value` to `out` as a template embeds it (strings as they are, anything else as
    /// JSON text), counted against this session's limit like a rendering: a callback key that
    /// is one bare expression gives its URL this way.
    ///
    /// ```
    /// use expr_eval::{CompiledExpression, EvalError, OwnedExchange, OwnedRequest, Session};
    ///
    /// let request = OwnedRequest::new("POST", "https://api.example/")?
    ///     .with_json_body(serde_json::json!({"url": "https://c.example/hook"}));
    /// let exchange = OwnedExchange::new(request);
    /// let session = Session::new(&exchange).with_max_rendered_len(30);
    /// let value = session.evaluate(&CompiledExpression::parse("$request.body#/url")?)?;
    /// let mut url = String::new();
    /// session.render_value_into(&value, &mut url)?;
    /// assert_eq!(url, "https://c.example/hook");
    /// assert_eq!(session.render_value_into(&value, &mut url), Err(EvalError::RenderedTooLong { limit: 30 }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render_value_into(&self, value: &Value<'_>, out: &mut String) -> Result<(), EvalError> {
        let left = self
            .max_rendered_len
            .saturating_sub(self.rendered_len.get());
        let start = out.len();
        match Sink::new(out, left).push_value(value, None) {
            Ok(()) => {
                self.rendered_len
                    .set(self.rendered_len.get() + (out.len() - start));
                Ok(())
            }
            Err(Full) => {
                out.truncate(start);
                Err(EvalError::RenderedTooLong {
                    limit: self.max_rendered_len,
                })
            }
        }
    }

    /// Counts the text `value` renders as against this session's limit, without writing it: for
    /// a value passed on as it is (a link parameter), borrowed, whose text is part of what the
    /// session produces all the same. Past the limit, [`EvalError::RenderedTooLong`] and nothing
    /// is counted.
    ///
    /// ```
    /// use expr_eval::{CompiledExpression, EvalError, OwnedExchange, OwnedRequest, Session};
    ///
    /// let request = OwnedRequest::new("POST", "https://api.example/")?
    ///     .with_json_body(serde_json::json!({"list": [1, 2, 3]}));
    /// let exchange = OwnedExchange::new(request);
    /// let session = Session::new(&exchange).with_max_rendered_len(10);
    /// let list = session.evaluate(&CompiledExpression::parse("$request.body#/list")?)?;
    /// session.count_value(&list)?;
    /// assert_eq!(session.rendered_len(), "[1,2,3]".len());
    /// assert_eq!(session.count_value(&list), Err(EvalError::RenderedTooLong { limit: 10 }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count_value(&self, value: &Value<'_>) -> Result<(), EvalError> {
        let left = self
            .max_rendered_len
            .saturating_sub(self.rendered_len.get());
        let len = rendered_len_within(value, left).map_err(|Full| EvalError::RenderedTooLong {
            limit: self.max_rendered_len,
        })?;
        self.rendered_len.set(self.rendered_len.get() + len);
        Ok(())
    }

    /// The rendering of `template`, as a new `String` (see [`render_into`](Session::render_into)).
    pub fn render(&self, template: &CompiledTemplate) -> Result<String, EvalError> {
        let mut out = String::new();
        self.render_into(template, &mut out)?;
        Ok(out)
    }
}

/// Header field names to their first values.
type HeaderIndex<'x> = HashMap<Caseless<'x>, &'x [u8]>;

impl<'x, X: Exchange + ?Sized> View<'x> for Session<'x, X> {
    type Exchange = X;

    #[inline]
    fn exchange(&self) -> &'x X {
        self.exchange
    }

    fn header(&self, part: Part, name: FieldName<'_>) -> Option<&'x [u8]> {
        match part {
            Part::Request => header(self.exchange.request(), &self.request_headers, name),
            Part::Response => header(self.exchange.response()?, &self.response_headers, name),
        }
    }

    fn query_parameter(&self, name: &str) -> Result<Option<Cow<'x, str>>, EvalError> {
        let index = self.query.get(|| {
            let query = self.exchange.query()?;
            (query.len() >= QUERY_INDEX_MIN_LEN).then(|| {
                // Sized once: growing a large table rehashes it again and again.
                let pairs = query.bytes().filter(|&byte| byte == b'&').count() + 1;
                let mut index = HashMap::with_capacity(pairs);
                for (raw_name, raw_value) in query_pairs(query) {
                    // The first occurrence of a name wins.
                    index.entry(parameter_name(raw_name)).or_insert(raw_value);
                }
                index
            })
        });
        match index {
            Some(index) => match index.get(name) {
                Some(raw_value) => query_value(raw_value, name).map(Some),
                None => Ok(None),
            },
            None => match self.exchange.query() {
                Some(query) => query_parameter(query, name),
                None => Ok(None),
            },
        }
    }

    fn path_template(&self) -> Option<&str> {
        self.exchange.path_template().or(self.path_template)
    }
}

/// The first value of header field `name` of `message`, from the index once it is built.
fn header<'x, M: Message + ?Sized>(
    message: &'x M,
    index: &Lazy<HeaderIndex<'x>>,
    name: FieldName<'_>,
) -> Option<&'x [u8]> {
    let index = index.get(|| {
        let fields = message.header_fields()?;
        if fields
            .size_hint()
            .1
            .is_some_and(|most| most <= HEADER_INDEX_MIN_FIELDS)
        {
            return None;
        }
        let mut index = HashMap::with_capacity(fields.size_hint().0);
        for (field_name, value) in fields {
            // The first field of a name wins.
            index.entry(Caseless(field_name)).or_insert(value);
        }
        Some(index)
    });
    match index {
        Some(index) => shorten(index).get(&Caseless(name.as_str())).copied(),
        None => message.header(name),
    }
}

/// An index of the header fields, seen with the shorter lifetime of a name to look up (the map
/// is covariant in its keys), so that a lookup needs no key that lives as long as the exchange.
fn shorten<'s, 'x: 's>(index: &'s HeaderIndex<'x>) -> &'s HashMap<Caseless<'s>, &'x [u8]> {
    index
}

/// A header field name compared and hashed without regard to ASCII case (RFC 9110 §5.1).
#[derive(Debug, Clone, Copy)]
struct Caseless<'a>(&'a str);

impl PartialEq for Caseless<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Caseless<'_> {}

impl Hash for Caseless<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for byte in self.0.bytes() {
            state.write_u8(byte.to_ascii_lowercase());
        }
        // A terminator, as `str` hashes, so that no name's hash input is a prefix of another's.
        state.write_u8(0xff);
    }
}

/// An index built on the second lookup: the first one searches in place (a single evaluation
/// allocates nothing), and an index is only worth building for what is looked up again. `None`
/// once tried: the data is too small to be worth indexing.
#[derive(Debug)]
struct Lazy<T> {
    lookups: Cell<u32>,
    index: OnceCell<Option<T>>,
}

impl<T> Default for Lazy<T> {
    fn default() -> Self {
        Lazy {
            lookups: Cell::new(0),
            index: OnceCell::new(),
        }
    }
}

impl<T> Lazy<T> {
    /// The index, built with `build` from the second call on; `None` before, or when `build`
    /// declined.
    fn get(&self, build: impl FnOnce() -> Option<T>) -> Option<&T> {
        if let Some(index) = self.index.get() {
            return index.as_ref();
        }
        let lookups = self.lookups.get() + 1;
        self.lookups.set(lookups);
        if lookups < 2 {
            return None;
        }
        self.index.get_or_init(build).as_ref()
    }
}
