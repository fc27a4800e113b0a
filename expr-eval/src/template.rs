//! Compiled templates: literal text and `{expression}`s, rendered into a caller's `String`.

use std::fmt::{self, Write as _};

use expr_grammar::{ParseError, Segment, Template};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::Error;
use crate::eval::{CompiledExpression, Step, walk};
use crate::exchange::{Exchange, Message as _};
use crate::value::Value;

/// How a [`CompiledTemplate`] renders: strict or lenient, verbatim or percent-encoding.
///
/// The default is strict and verbatim, as the specification substitutes values
/// (`{$request.query.queryUrl}` gives back the URL itself).
///
/// ```
/// use expr_eval::RenderOptions;
/// let options = RenderOptions::new().lenient(true).percent_encode(true);
/// assert!(options.is_lenient() && options.is_percent_encoding());
/// assert_eq!(RenderOptions::default(), RenderOptions::new());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RenderOptions {
    lenient: bool,
    percent_encode: bool,
}

impl RenderOptions {
    /// Strict and verbatim.
    pub const fn new() -> Self {
        RenderOptions {
            lenient: false,
            percent_encode: false,
        }
    }

    /// With `true`, an expression that cannot be evaluated renders as the empty string instead
    /// of failing the whole template.
    pub const fn lenient(self, lenient: bool) -> Self {
        RenderOptions { lenient, ..self }
    }

    /// With `true`, values that land in a URL's path are percent-encoded as one path segment
    /// (`/` becomes `%2F`), and values that land in its query or fragment as one query component
    /// (`&`, `=`, `+`, `/`, `:`, `?` … encoded). Where a value lands is decided by the literal
    /// text before it: after a `?` it is the query, after a `#` the fragment, otherwise the path.
    /// A value at the very start of the template stays verbatim: it *is* the URL
    /// (`{$request.query.callbackUrl}/data`).
    pub const fn percent_encode(self, percent_encode: bool) -> Self {
        RenderOptions {
            percent_encode,
            ..self
        }
    }

    /// Whether unresolvable expressions render as the empty string.
    pub const fn is_lenient(&self) -> bool {
        self.lenient
    }

    /// Whether values are percent-encoded for the URL component they land in.
    pub const fn is_percent_encoding(&self) -> bool {
        self.percent_encode
    }
}

/// Everything but RFC 3986 unreserved characters: a query (or fragment) component value.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Everything but RFC 3986 `pchar`s (unreserved, sub-delims, `:` and `@`): one path segment.
const PATH_SEGMENT: &AsciiSet = &QUERY
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Where a value lands in the URL the template builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Component {
    /// At the very start: the value is (the start of) the URL itself.
    Start,
    Path,
    Query,
}

/// A run of literal text (possibly empty) and the value that follows it (none at the end).
#[derive(Debug, Clone)]
struct Piece {
    literal: Box<str>,
    slot: Option<Slot>,
}

#[derive(Debug, Clone)]
struct Slot {
    expression: CompiledExpression,
    encode: Option<&'static AsciiSet>,
    /// For `$request.body#/…`, the most common kind in callback keys: the pointer's decoded
    /// steps, walked directly on the request's JSON body (looked up once per rendering).
    request_pointer: Option<Box<[Step]>>,
}

/// A template (literal text with `{expression}`s, such as a callback key) prepared for repeated
/// rendering against exchanges.
///
/// Compile once, when the document is loaded; render many times into a `String` you keep and
/// clear, which then allocates nothing once it has grown.
///
/// ```
/// use expr_eval::{CompiledTemplate, OwnedExchange, OwnedRequest};
/// use serde_json::json;
///
/// let key = CompiledTemplate::parse(
///     "http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}",
/// )?;
/// let request = OwnedRequest::new("POST", "https://api.example/subscribe")?
///     .with_json_body(json!({"id": 42, "email": "a@b.example"}));
/// let exchange = OwnedExchange::new(request);
///
/// let mut url = String::new();
/// key.render_into(&exchange, &mut url)?;
/// assert_eq!(url, "http://notificationServer.com?transactionId=42&email=a@b.example");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Strict by default; lenient and percent-encoding on request:
///
/// ```
/// use expr_eval::{CompiledTemplate, Error, OwnedExchange, OwnedRequest, RenderOptions};
/// use expr_grammar::Template;
///
/// let exchange = OwnedExchange::new(OwnedRequest::new("GET", "https://api.example/?q=a/b%20c")?);
/// let template = Template::parse("https://search.example/{$request.query.q}?again={$request.query.q}&h={$request.header.X-Trace}")?;
///
/// let strict = CompiledTemplate::new(template.clone());
/// assert!(matches!(strict.render(&exchange), Err(Error::HeaderNotPresent { .. })));
///
/// let lenient = CompiledTemplate::with_options(template.clone(), RenderOptions::new().lenient(true));
/// assert_eq!(lenient.render(&exchange)?, "https://search.example/a/b c?again=a/b c&h=");
///
/// let encoding = CompiledTemplate::with_options(template, RenderOptions::new().lenient(true).percent_encode(true));
/// assert_eq!(encoding.render(&exchange)?, "https://search.example/a%2Fb%20c?again=a%2Fb%20c&h=");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CompiledTemplate {
    template: Template,
    pieces: Vec<Piece>,
    options: RenderOptions,
    /// Whether a piece reads the request's JSON body through pre-decoded steps.
    reads_request_json: bool,
}

impl CompiledTemplate {
    /// Prepares a template, strict and verbatim.
    pub fn new(template: Template) -> Self {
        CompiledTemplate::with_options(template, RenderOptions::new())
    }

    /// Prepares a template with the given options.
    pub fn with_options(template: Template, options: RenderOptions) -> Self {
        let mut pieces = Vec::with_capacity(template.segments().len());
        let mut literal = String::new();
        let mut component = Component::Start;
        for segment in template.segments() {
            match segment {
                Segment::Literal(text) => {
                    if text.contains(['?', '#']) {
                        component = Component::Query;
                    } else if component == Component::Start {
                        component = Component::Path;
                    }
                    literal.push_str(text);
                }
                Segment::Expression(expression) => {
                    let encode = match (options.percent_encode, component) {
                        (false, _) | (true, Component::Start) => None,
                        (true, Component::Path) => Some(PATH_SEGMENT),
                        (true, Component::Query) => Some(QUERY),
                    };
                    let expression = CompiledExpression::new(expression.clone());
                    let request_pointer = expression.request_body_steps().map(Box::from);
                    pieces.push(Piece {
                        literal: std::mem::take(&mut literal).into(),
                        slot: Some(Slot {
                            expression,
                            encode,
                            request_pointer,
                        }),
                    });
                    if component == Component::Start {
                        component = Component::Path;
                    }
                }
                _ => {}
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece {
                literal: literal.into(),
                slot: None,
            });
        }
        let reads_request_json = pieces.iter().any(|piece| {
            piece
                .slot
                .as_ref()
                .is_some_and(|slot| slot.request_pointer.is_some())
        });
        CompiledTemplate {
            template,
            pieces,
            options,
            reads_request_json,
        }
    }

    /// Parses and prepares a template, strict and verbatim.
    pub fn parse(input: &str) -> Result<Self, ParseError> {
        Template::parse(input).map(CompiledTemplate::new)
    }

    /// The template.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// The options it renders with.
    pub fn options(&self) -> RenderOptions {
        self.options
    }

    /// Appends the rendering to `out`. On an error (strict mode), `out` is left as it was.
    #[inline]
    pub fn render_into<X: Exchange + ?Sized>(
        &self,
        exchange: &X,
        out: &mut String,
    ) -> Result<(), Error> {
        let start = out.len();
        // The request's JSON body, looked up once.
        let request_json = if self.reads_request_json {
            exchange.request().json()
        } else {
            None
        };
        for Piece { literal, slot } in &self.pieces {
            out.push_str(literal);
            let Some(slot) = slot else { continue };
            let found = match &slot.request_pointer {
                Some(steps) => {
                    let found = match (request_json, steps.as_ref()) {
                        // One member name: the common `{$request.body#/id}`.
                        (Some(serde_json::Value::Object(map)), [step]) => map.get(&*step.key),
                        (Some(json), steps) => walk(json, steps),
                        (None, _) => None,
                    };
                    match found {
                        Some(serde_json::Value::String(text)) if slot.encode.is_none() => {
                            out.push_str(text);
                            continue;
                        }
                        found => found.map(Value::Json),
                    }
                }
                None => slot.expression.evaluate_quiet(exchange),
            };
            match found {
                Some(value) => write_value(out, &value, slot.encode),
                None if self.options.lenient => {}
                None => {
                    out.truncate(start);
                    // The cold path: evaluate again to say why.
                    let expression = &slot.expression;
                    return Err(expression.evaluate(exchange).err().unwrap_or_else(|| {
                        Error::Unsupported {
                            expression: expression.to_string(),
                        }
                    }));
                }
            }
        }
        Ok(())
    }

    /// The rendering, as a new `String`.
    pub fn render<X: Exchange + ?Sized>(&self, exchange: &X) -> Result<String, Error> {
        let mut out = String::new();
        self.render_into(exchange, &mut out)?;
        Ok(out)
    }
}

impl From<Template> for CompiledTemplate {
    fn from(template: Template) -> Self {
        CompiledTemplate::new(template)
    }
}

impl std::str::FromStr for CompiledTemplate {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        CompiledTemplate::parse(s)
    }
}

impl fmt::Display for CompiledTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.template.fmt(f)
    }
}

#[inline]
fn write_value(out: &mut String, value: &Value<'_>, encode: Option<&'static AsciiSet>) {
    match encode {
        None => value.write_to(out),
        Some(set) => {
            let mut encoder = Encoder { out, set };
            // Writing into a `String` cannot fail.
            let _ = match value.as_str() {
                Some(text) => encoder.write_str(text),
                None => write!(encoder, "{value}"),
            };
        }
    }
}

/// A `fmt::Write` that percent-encodes what it is given into a `String`.
struct Encoder<'o> {
    out: &'o mut String,
    set: &'static AsciiSet,
}

impl fmt::Write for Encoder<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for chunk in utf8_percent_encode(s, self.set) {
            self.out.push_str(chunk);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OwnedExchange, OwnedRequest};

    fn exchange() -> OwnedExchange {
        let request = OwnedRequest::new("POST", "https://api.example/items?q=a%2Fb+c%26d")
            .expect("valid")
            .with_json_body(serde_json::json!({"id": 7, "tags": ["x y", "z"], "ok": true, "none": null, "s": "é/?"}));
        OwnedExchange::new(request)
    }

    fn render(template: &str, options: RenderOptions) -> Result<String, Error> {
        let template = Template::parse(template).expect("template");
        CompiledTemplate::with_options(template, options).render(&exchange())
    }

    #[test]
    fn non_strings_render_as_json_text() {
        let got = render(
            "{$request.body#/id}|{$request.body#/tags}|{$request.body#/ok}|{$request.body#/none}|{$request.body#/s}",
            RenderOptions::new(),
        );
        assert_eq!(got.as_deref(), Ok(r#"7|["x y","z"]|true|null|é/?"#));
    }

    #[test]
    fn encoding_follows_the_component() {
        let enc = RenderOptions::new().percent_encode(true);
        assert_eq!(render("{$request.query.q}", enc).as_deref(), Ok("a/b c&d"));
        assert_eq!(
            render("https://x/{$request.query.q}", enc).as_deref(),
            Ok("https://x/a%2Fb%20c&d")
        );
        assert_eq!(
            render("https://x/?q={$request.query.q}", enc).as_deref(),
            Ok("https://x/?q=a%2Fb%20c%26d")
        );
        assert_eq!(
            render("https://x/#{$request.body#/s}", enc).as_deref(),
            Ok("https://x/#%C3%A9%2F%3F")
        );
        assert_eq!(
            render("https://x/{$request.body#/tags}", enc).as_deref(),
            Ok("https://x/%5B%22x%20y%22,%22z%22%5D")
        );
        assert_eq!(
            render("https://x?t={$request.body#/tags}", enc).as_deref(),
            Ok("https://x?t=%5B%22x%20y%22%2C%22z%22%5D")
        );
        // A value right after a leading value is in the path.
        assert_eq!(
            render("{$request.query.q}{$request.query.q}", enc).as_deref(),
            Ok("a/b c&da%2Fb%20c&d")
        );
    }

    #[test]
    fn strict_failure_leaves_the_buffer_as_it_was() {
        let template = CompiledTemplate::parse("x={$request.body#/id}&y={$request.header.Nope}")
            .expect("template");
        let mut out = String::from("kept:");
        let err = template
            .render_into(&exchange(), &mut out)
            .expect_err("no header");
        assert!(matches!(err, Error::HeaderNotPresent { .. }));
        assert_eq!(out, "kept:");
    }

    #[test]
    fn request_pointers_on_every_kind_of_body() {
        let array = OwnedExchange::new(
            OwnedRequest::new("POST", "https://h/")
                .expect("request")
                .with_json_body(serde_json::json!(["first", {"k": "v"}])),
        );
        let render = |template: &str, exchange: &OwnedExchange, options| {
            CompiledTemplate::with_options(Template::parse(template).expect("template"), options)
                .render(exchange)
        };
        assert_eq!(
            render(
                "x/{$request.body#/0}/{$request.body#/1/k}",
                &array,
                RenderOptions::new()
            )
            .as_deref(),
            Ok("x/first/v")
        );
        assert_eq!(
            render("x/{$request.body#/1}", &array, RenderOptions::new()).as_deref(),
            Ok(r#"x/{"k":"v"}"#)
        );
        let err = render("x/{$request.body#/id}", &array, RenderOptions::new()).expect_err("array");
        assert!(matches!(err, Error::InvalidArrayIndex { .. }), "{err}");
        let lenient = RenderOptions::new().lenient(true);
        assert_eq!(
            render("x/{$request.body#/id}/y", &array, lenient).as_deref(),
            Ok("x//y")
        );

        let text = OwnedExchange::new(
            OwnedRequest::new("POST", "https://h/")
                .expect("request")
                .with_body("not json"),
        );
        let err = render("x/{$request.body#/id}", &text, RenderOptions::new()).expect_err("text");
        assert!(matches!(err, Error::BodyNotJson { .. }), "{err}");
        assert_eq!(
            render("x/{$request.body#/id}{$request.body}", &text, lenient).as_deref(),
            Ok("x/not json")
        );

        let none = OwnedExchange::new(OwnedRequest::new("POST", "https://h/").expect("request"));
        let err =
            render("x/{$request.body#/id}", &none, RenderOptions::new()).expect_err("no body");
        assert_eq!(
            err,
            Error::NoBody {
                part: crate::Part::Request
            }
        );
    }

    #[test]
    fn literal_only_template() {
        assert_eq!(
            render("https://fixed.example/", RenderOptions::new()).as_deref(),
            Ok("https://fixed.example/")
        );
        assert_eq!(render("", RenderOptions::new()).as_deref(), Ok(""));
    }
}
