//! Compiled templates: literal text and `{expression}`s, rendered into a caller's `String`.

use std::fmt;

use expr_grammar::{ParseError, Segment, Template};
use percent_encoding::AsciiSet;

use crate::encode::{Component, Full, Sink};
use crate::error::EvalError;
use crate::eval::CompiledExpression;
use crate::exchange::{Exchange, Message as _};
use crate::options::RenderOptions;
use crate::pointer::{Step, member, walk};
use crate::value::Value;
use crate::view::{Plain, View};

/// A run of literal text (possibly empty) and the value that follows it (none at the end).
#[derive(Debug, Clone)]
struct Piece {
    literal: Box<str>,
    slot: Option<Slot>,
}

#[derive(Debug, Clone)]
struct Slot {
    expression: CompiledExpression,
    /// Where the value lands in the URL, and so what [`RenderOptions::with_percent_encode`]
    /// encodes in it.
    component: Component,
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
/// use expr_eval::{CompiledTemplate, EvalError, OwnedExchange, OwnedRequest, RenderOptions};
/// use expr_grammar::Template;
///
/// let exchange = OwnedExchange::new(OwnedRequest::new("GET", "https://api.example/?q=a/b%20c")?);
/// let template = Template::parse("https://search.example/{$request.query.q}?again={$request.query.q}&h={$request.header.X-Trace}")?;
///
/// let strict = CompiledTemplate::new(template.clone());
/// assert!(matches!(strict.render(&exchange), Err(EvalError::HeaderNotPresent { .. })));
///
/// let lenient = RenderOptions::default().with_lenient(true);
/// let lenient = CompiledTemplate::new(template.clone()).with_options(lenient);
/// assert_eq!(lenient.render(&exchange)?, "https://search.example/a/b c?again=a/b c&h=");
///
/// let encoding = RenderOptions::default().with_lenient(true).with_percent_encode(true);
/// let encoding = CompiledTemplate::new(template).with_options(encoding);
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
    /// Prepares a template, strict and verbatim ([`RenderOptions::default`]).
    pub fn new(template: Template) -> Self {
        let mut pieces = Vec::with_capacity(template.segments().len());
        let mut literal = String::new();
        let mut component = Component::Start;
        for segment in template.segments() {
            match segment {
                Segment::Literal(text) => {
                    component = component.after_literal(text);
                    literal.push_str(text);
                }
                Segment::Expression(expression) => {
                    let expression = CompiledExpression::new(expression.clone());
                    let request_pointer = expression.request_body_steps().map(Box::from);
                    pieces.push(Piece {
                        literal: std::mem::take(&mut literal).into(),
                        slot: Some(Slot {
                            expression,
                            component,
                            encode: None,
                            request_pointer,
                        }),
                    });
                    component = component.after_value();
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
            options: RenderOptions::new(),
            reads_request_json,
        }
    }

    /// The same template, rendering with `options`.
    pub fn with_options(mut self, options: RenderOptions) -> Self {
        for slot in self
            .pieces
            .iter_mut()
            .filter_map(|piece| piece.slot.as_mut())
        {
            slot.encode = slot.component.encode_set(options.is_percent_encoding());
        }
        self.options = options;
        self
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

    /// Appends the rendering to `out`. On an error, `out` is left as it was: an expression that
    /// cannot be evaluated (strict mode), or a rendering longer than
    /// [`RenderOptions::max_rendered_len`] ([`EvalError::RenderedTooLong`]).
    #[inline]
    pub fn render_into<X: Exchange + ?Sized>(
        &self,
        exchange: &X,
        out: &mut String,
    ) -> Result<(), EvalError> {
        let limit = self.options.max_rendered_len();
        self.render_in(&Plain(exchange), out, limit)
            .map_err(|Full| EvalError::RenderedTooLong { limit })
            .and_then(|rendered| rendered)
    }

    /// Renders through `view` into `out`, at most `max_len` bytes: `Err(Full)` when the
    /// rendering would be longer, `Ok(Err(_))` when an expression cannot be evaluated (strict
    /// mode). Either way `out` is left as it was.
    #[inline]
    pub(crate) fn render_in<'x, V: View<'x>>(
        &self,
        view: &V,
        out: &mut String,
        max_len: usize,
    ) -> Result<Result<(), EvalError>, Full> {
        let start = out.len();
        let result = self.render_pieces(view, &mut Sink::new(out, max_len));
        if !matches!(result, Ok(Ok(()))) {
            out.truncate(start);
        }
        result
    }

    #[inline]
    fn render_pieces<'x, V: View<'x>>(
        &self,
        view: &V,
        sink: &mut Sink<'_>,
    ) -> Result<Result<(), EvalError>, Full> {
        // The request's JSON body, looked up once.
        let request_json = if self.reads_request_json {
            view.exchange().request().json()
        } else {
            None
        };
        for Piece { literal, slot } in &self.pieces {
            sink.push(literal)?;
            let Some(slot) = slot else { continue };
            let found = match &slot.request_pointer {
                Some(steps) => {
                    let found = match (request_json, steps.as_ref()) {
                        // One member name: the common `{$request.body#/id}`.
                        (Some(serde_json::Value::Object(map)), [step]) => member(map, step.key()),
                        (Some(json), steps) => walk(json, steps),
                        (None, _) => None,
                    };
                    match found {
                        Some(serde_json::Value::String(text)) if slot.encode.is_none() => {
                            sink.push(text)?;
                            continue;
                        }
                        found => found.map(Value::Json),
                    }
                }
                None => slot.expression.evaluate_quiet(view),
            };
            match found {
                Some(value) => sink.push_value(&value, slot.encode)?,
                None if self.options.is_lenient() => {}
                None => {
                    // The cold path: evaluate again to say why.
                    let expression = &slot.expression;
                    return Ok(Err(expression.evaluate_in(view).err().unwrap_or_else(
                        || EvalError::Unsupported {
                            expression: expression.to_string(),
                        },
                    )));
                }
            }
        }
        Ok(Ok(()))
    }

    /// The rendering, as a new `String`.
    pub fn render<X: Exchange + ?Sized>(&self, exchange: &X) -> Result<String, EvalError> {
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

    fn render(template: &str, options: RenderOptions) -> Result<String, EvalError> {
        let template = Template::parse(template).expect("template");
        CompiledTemplate::new(template)
            .with_options(options)
            .render(&exchange())
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
        let enc = RenderOptions::new().with_percent_encode(true);
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
        assert!(matches!(err, EvalError::HeaderNotPresent { .. }));
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
            CompiledTemplate::new(Template::parse(template).expect("template"))
                .with_options(options)
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
        assert!(matches!(err, EvalError::InvalidArrayIndex { .. }), "{err}");
        let lenient = RenderOptions::new().with_lenient(true);
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
        assert!(matches!(err, EvalError::BodyNotJson { .. }), "{err}");
        assert_eq!(
            render("x/{$request.body#/id}{$request.body}", &text, lenient).as_deref(),
            Ok("x/not json")
        );

        let none = OwnedExchange::new(OwnedRequest::new("POST", "https://h/").expect("request"));
        let err =
            render("x/{$request.body#/id}", &none, RenderOptions::new()).expect_err("no body");
        assert_eq!(
            err,
            EvalError::NoBody {
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
