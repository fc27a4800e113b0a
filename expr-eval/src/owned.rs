//! The owned exchange: built in code, read from an exchange file (JSON or YAML, DESIGN §5) or
//! parsed from raw HTTP/1.1 text (see `raw.rs`).

use std::ops::Range;
use std::sync::OnceLock;

use crate::error::ExchangeError;
use crate::exchange::{
    Body, Classified, Exchange, FieldName, HeaderFields, Message, body_view, classify,
};
use crate::path;

/// A request and, optionally, its response, owned.
///
/// Build one in code ([`OwnedExchange::new`]), read it from an exchange file with serde
/// (the format of DESIGN §5; `serde_json::from_str`, or a YAML deserializer), or parse raw
/// HTTP/1.1 text ([`OwnedExchange::parse_http1`]).
///
/// ```
/// use expr_eval::{evaluate, OwnedExchange, Value};
/// use expr_grammar::Expression;
///
/// let exchange: OwnedExchange = serde_json::from_str(r#"{
///   "request": {
///     "method": "POST",
///     "url": "https://example.org/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning",
///     "pathTemplate": "/subscribe/{eventType}",
///     "headers": {"Content-Type": "application/json"},
///     "body": {"failedUrl": "https://clientdomain.com/failed"}
///   },
///   "response": {"status": 201, "headers": {"Location": "https://example.org/subscription/1"}}
/// }"#)?;
///
/// let eval = |text: &str| evaluate(&Expression::parse(text).unwrap(), &exchange).map(|v| v.to_string());
/// assert_eq!(eval("$request.path.eventType")?, "myevent");
/// assert_eq!(eval("$request.body#/failedUrl")?, "https://clientdomain.com/failed");
/// assert_eq!(eval("$statusCode")?, "201");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// In the file, `headers` is an object, or a list of `[name, value]` pairs when a name repeats;
/// `body` is the JSON body and `bodyText` a raw one; `pathParameters` (an object) may replace or
/// complement `pathTemplate`. A `url` that is only a path (`/subscribe/x`) is completed with
/// `https://` and the `Host` header. A `body` under a `Content-Type` that is not JSON is that
/// body's text: a JSON string's contents, any other value's compact JSON.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(try_from = "wire::ExchangeFile")]
#[non_exhaustive]
pub struct OwnedExchange {
    /// The request.
    pub request: OwnedRequest,
    /// The response, if the exchange has one.
    pub response: Option<OwnedResponse>,
}

impl OwnedExchange {
    /// An exchange with a request and no response.
    pub fn new(request: OwnedRequest) -> Self {
        OwnedExchange {
            request,
            response: None,
        }
    }

    /// The same exchange with a response.
    pub fn with_response(self, response: OwnedResponse) -> Self {
        OwnedExchange {
            response: Some(response),
            ..self
        }
    }
}

impl Exchange for OwnedExchange {
    type Request = OwnedRequest;
    type Response = OwnedResponse;

    fn method(&self) -> &str {
        &self.request.method
    }

    fn url(&self) -> Option<&str> {
        Some(&self.request.url)
    }

    fn path(&self) -> &str {
        self.request.path()
    }

    fn query(&self) -> Option<&str> {
        self.request.query()
    }

    fn path_template(&self) -> Option<&str> {
        self.request.path_template.as_deref()
    }

    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.request
            .path_parameters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.as_str())
    }

    fn has_path_parameters(&self) -> bool {
        !self.request.path_parameters.is_empty()
    }

    fn request(&self) -> &OwnedRequest {
        &self.request
    }

    fn response(&self) -> Option<&OwnedResponse> {
        self.response.as_ref()
    }

    fn status_code(&self) -> Option<u16> {
        self.response.as_ref().map(|response| response.status)
    }
}

/// Header fields in order, repeats kept.
#[derive(Debug, Clone, Default)]
struct Headers(Vec<(String, String)>);

impl Headers {
    fn first(&self, name: FieldName<'_>) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|(n, _)| name.matches(n))
            .map(|(_, value)| value.as_bytes())
    }

    fn fields(&self) -> HeaderFields<'_> {
        Box::new(
            self.0
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes())),
        )
    }

    fn first_str(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// An owned body: what was given, and (decided on first use, since it depends on the
/// `Content-Type`, which may be set after the body) what it is.
#[derive(Debug, Clone, Default)]
struct BodyBuf {
    given: Given,
    classified: OnceLock<Classified>,
}

#[derive(Debug, Clone, Default)]
enum Given {
    #[default]
    None,
    /// A parsed JSON value (an exchange file's `body`, or [`OwnedRequest::with_json_body`]).
    Json(serde_json::Value),
    /// Raw bytes (a raw message, `bodyText`, [`OwnedRequest::with_body`]).
    Bytes(Vec<u8>),
    /// A JSON value under a non-JSON content type, as its text.
    Text(String),
}

impl BodyBuf {
    fn json(value: serde_json::Value) -> Self {
        BodyBuf {
            given: Given::Json(value),
            classified: OnceLock::new(),
        }
    }

    fn bytes(bytes: Vec<u8>) -> Self {
        BodyBuf {
            given: Given::Bytes(bytes),
            classified: OnceLock::new(),
        }
    }

    #[inline]
    fn view(&self, headers: &Headers) -> Body<'_> {
        match &self.given {
            Given::None => Body::Empty,
            Given::Json(value) => Body::Json(value),
            Given::Text(text) => Body::Text(text),
            Given::Bytes(bytes) => {
                let classified = self.classified.get_or_init(|| {
                    let content_type = headers.first(FieldName::new("content-type"));
                    classify(content_type, bytes)
                });
                body_view(classified, bytes)
            }
        }
    }

    /// Applies the rule for a JSON `body` under a content type that is not JSON: it is text.
    fn settle(&mut self, headers: &Headers) {
        if let Given::Json(value) = &self.given
            && let Some(content_type) = headers.first_str("content-type")
            && !crate::exchange::is_json_media_type(content_type)
        {
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            self.given = Given::Text(text);
        }
    }
}

/// An owned HTTP request: method, full URL, headers, body, and the path template or path
/// parameters.
///
/// It deserializes from the `request` object of an exchange file (see [`OwnedExchange`]).
///
/// ```
/// use expr_eval::{evaluate, OwnedExchange, OwnedRequest};
/// use expr_grammar::Expression;
/// use serde_json::json;
///
/// let request = OwnedRequest::new("PUT", "https://api.example/v2/board/1/2")?
///     .with_header("progressUrl", "https://client.example/progress")
///     .with_json_body(json!({"mark": "X"}))
///     .with_path_template("/board/{row}/{column}")?;
/// let exchange = OwnedExchange::new(request);
/// let column = evaluate(&Expression::parse("$request.path.column")?, &exchange)?;
/// assert_eq!(column, "2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(try_from = "wire::RequestFile")]
pub struct OwnedRequest {
    method: String,
    url: String,
    path: Range<usize>,
    query: Option<Range<usize>>,
    headers: Headers,
    body: BodyBuf,
    path_template: Option<String>,
    path_parameters: Vec<(String, String)>,
}

impl OwnedRequest {
    /// A request with no headers and no body. `url` must be absolute: `scheme://authority`,
    /// then the path, query and fragment as received.
    ///
    /// ```
    /// use expr_eval::OwnedRequest;
    /// assert!(OwnedRequest::new("GET", "https://example.org/a?b=c").is_ok());
    /// assert!(OwnedRequest::new("GET", "/a?b=c").is_err());
    /// assert!(OwnedRequest::new("GET MORE", "https://example.org/").is_err());
    /// ```
    pub fn new(method: impl Into<String>, url: impl Into<String>) -> Result<Self, ExchangeError> {
        let method = method.into();
        if method.is_empty() || !method.bytes().all(is_tchar) {
            return Err(ExchangeError::InvalidMethod { method });
        }
        let url = url.into();
        let (path, query) = split_url(&url)?;
        Ok(OwnedRequest {
            method,
            url,
            path,
            query,
            headers: Headers::default(),
            body: BodyBuf::default(),
            path_template: None,
            path_parameters: Vec::new(),
        })
    }

    /// Adds a header field (after any with the same name: the first one counts).
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.0.push((name.into(), value.into()));
        self.body.classified = OnceLock::new();
        self
    }

    /// Sets the body to raw bytes; whether it is JSON is decided from the `Content-Type` (or, with
    /// none, by parsing) when it is first read.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = BodyBuf::bytes(body.into());
        self
    }

    /// Sets the body to a JSON value.
    pub fn with_json_body(mut self, body: serde_json::Value) -> Self {
        self.body = BodyBuf::json(body);
        self
    }

    /// Sets the path template the request matched (`/subscribe/{eventType}`).
    pub fn with_path_template(
        mut self,
        template: impl Into<String>,
    ) -> Result<Self, ExchangeError> {
        self.set_path_template(Some(template.into()))?;
        Ok(self)
    }

    /// Sets or clears the path template (for a caller that learns it later, such as an OpenAPI
    /// document's operation).
    pub fn set_path_template(&mut self, template: Option<String>) -> Result<(), ExchangeError> {
        if let Some(template) = &template {
            path::validate(template).map_err(|reason| ExchangeError::InvalidPathTemplate {
                template: template.clone(),
                reason,
            })?;
        }
        self.path_template = template;
        Ok(())
    }

    /// Adds a path parameter given directly (decoded), as a router reports it.
    pub fn with_path_parameter(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.path_parameters.push((name.into(), value.into()));
        self
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The full URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The path of the URL, still encoded (`/` when the URL has none).
    pub fn path(&self) -> &str {
        match &self.url[self.path.clone()] {
            "" => "/",
            path => path,
        }
    }

    /// The query string of the URL, still encoded.
    pub fn query(&self) -> Option<&str> {
        self.query.clone().map(|range| &self.url[range])
    }

    /// The header fields in order, repeats included.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The path template, if set.
    pub fn path_template(&self) -> Option<&str> {
        self.path_template.as_deref()
    }

    pub(crate) fn from_parts(
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<Self, ExchangeError> {
        let mut request = OwnedRequest::new(method, url)?;
        request.headers = Headers(headers);
        request.body = BodyBuf::bytes(body);
        Ok(request)
    }
}

impl Message for OwnedRequest {
    fn header(&self, name: FieldName<'_>) -> Option<&[u8]> {
        self.headers.first(name)
    }

    fn header_fields(&self) -> Option<HeaderFields<'_>> {
        Some(self.headers.fields())
    }

    #[inline]
    fn body(&self) -> Body<'_> {
        self.body.view(&self.headers)
    }
}

/// An owned HTTP response: status, headers and body.
///
/// It deserializes from the `response` object of an exchange file (see [`OwnedExchange`]).
///
/// ```
/// use expr_eval::{evaluate, OwnedExchange, OwnedRequest, OwnedResponse};
/// use expr_grammar::Expression;
///
/// let response = OwnedResponse::new(201)?.with_header("Location", "https://example.org/subscription/1");
/// let exchange = OwnedExchange::new(OwnedRequest::new("POST", "https://example.org/subscribe")?)
///     .with_response(response);
/// let location = evaluate(&Expression::parse("$response.header.location")?, &exchange)?;
/// assert_eq!(location, "https://example.org/subscription/1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(try_from = "wire::ResponseFile")]
pub struct OwnedResponse {
    status: u16,
    headers: Headers,
    body: BodyBuf,
}

impl OwnedResponse {
    /// A response with a status (100–999), no headers and no body.
    pub fn new(status: u16) -> Result<Self, ExchangeError> {
        if !(100..=999).contains(&status) {
            return Err(ExchangeError::InvalidStatus {
                status: u64::from(status),
            });
        }
        Ok(OwnedResponse {
            status,
            headers: Headers::default(),
            body: BodyBuf::default(),
        })
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.0.push((name.into(), value.into()));
        self.body.classified = OnceLock::new();
        self
    }

    /// Sets the body to raw bytes (JSON or not is decided as for [`OwnedRequest::with_body`]).
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = BodyBuf::bytes(body.into());
        self
    }

    /// Sets the body to a JSON value.
    pub fn with_json_body(mut self, body: serde_json::Value) -> Self {
        self.body = BodyBuf::json(body);
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The header fields in order, repeats included.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub(crate) fn from_parts(
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<Self, ExchangeError> {
        let mut response = OwnedResponse::new(status)?;
        response.headers = Headers(headers);
        response.body = BodyBuf::bytes(body);
        Ok(response)
    }
}

impl Message for OwnedResponse {
    fn header(&self, name: FieldName<'_>) -> Option<&[u8]> {
        self.headers.first(name)
    }

    fn header_fields(&self) -> Option<HeaderFields<'_>> {
        Some(self.headers.fields())
    }

    #[inline]
    fn body(&self) -> Body<'_> {
        self.body.view(&self.headers)
    }
}

pub(crate) fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// Splits an absolute URL into the byte ranges of its path and query.
fn split_url(url: &str) -> Result<(Range<usize>, Option<Range<usize>>), ExchangeError> {
    let invalid = |reason| ExchangeError::InvalidUrl {
        url: url.to_owned(),
        reason,
    };
    let Some(scheme_end) = url.find("://") else {
        return Err(invalid(
            "expected an absolute URL, `scheme://host/path?query`",
        ));
    };
    let scheme = &url[..scheme_end];
    if scheme.is_empty()
        || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return Err(invalid(
            "the scheme is not `letter *( letter / digit / + / - / . )`",
        ));
    }
    if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(invalid("a URL holds no spaces or control characters"));
    }
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if authority_len == 0 {
        return Err(invalid("the URL has no host"));
    }
    let path_start = authority_start + authority_len;
    let after_authority = &url[path_start..];
    let end = after_authority
        .find('#')
        .map_or(url.len(), |i| path_start + i);
    let before_fragment = &url[path_start..end];
    Ok(match before_fragment.find('?') {
        Some(q) => (path_start..path_start + q, Some(path_start + q + 1..end)),
        None => (path_start..end, None),
    })
}

/// The serde shape of an exchange file; converted (and checked) into [`OwnedExchange`].
mod wire {
    use std::fmt;

    use serde::Deserialize;
    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

    use super::{BodyBuf, Headers, OwnedExchange, OwnedRequest, OwnedResponse};
    use crate::error::ExchangeError;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct ExchangeFile {
        request: RequestFile,
        #[serde(default)]
        response: Option<ResponseFile>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub(super) struct RequestFile {
        method: String,
        url: String,
        #[serde(default)]
        path_template: Option<String>,
        #[serde(default)]
        path_parameters: Option<Fields>,
        #[serde(default)]
        headers: Fields,
        #[serde(default, deserialize_with = "present")]
        body: Option<serde_json::Value>,
        #[serde(default)]
        body_text: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub(super) struct ResponseFile {
        status: u64,
        #[serde(default)]
        headers: Fields,
        #[serde(default, deserialize_with = "present")]
        body: Option<serde_json::Value>,
        #[serde(default)]
        body_text: Option<String>,
    }

    /// `Some(null)` for an explicit `null`, `None` (by `default`) when absent.
    fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Value>, D::Error> {
        serde_json::Value::deserialize(d).map(Some)
    }

    fn body(
        json: Option<serde_json::Value>,
        text: Option<String>,
    ) -> Result<BodyBuf, ExchangeError> {
        match (json, text) {
            (Some(_), Some(_)) => Err(ExchangeError::BodyConflict),
            (Some(value), None) => Ok(BodyBuf::json(value)),
            (None, Some(text)) => Ok(BodyBuf::bytes(text.into_bytes())),
            (None, None) => Ok(BodyBuf::default()),
        }
    }

    impl TryFrom<ExchangeFile> for OwnedExchange {
        type Error = ExchangeError;

        fn try_from(file: ExchangeFile) -> Result<Self, ExchangeError> {
            Ok(OwnedExchange {
                request: file.request.try_into()?,
                response: file.response.map(TryInto::try_into).transpose()?,
            })
        }
    }

    impl TryFrom<RequestFile> for OwnedRequest {
        type Error = ExchangeError;

        fn try_from(file: RequestFile) -> Result<Self, ExchangeError> {
            let RequestFile {
                method,
                url,
                path_template,
                path_parameters,
                headers,
                body: json,
                body_text,
            } = file;
            let headers = Headers(headers.0);
            let url = if url.starts_with('/') {
                let host = headers
                    .first_str("host")
                    .ok_or(ExchangeError::MissingHost)?;
                format!("https://{host}{url}")
            } else {
                url
            };
            let mut request = OwnedRequest::new(method, url)?;
            request.body = body(json, body_text)?;
            request.body.settle(&headers);
            request.headers = headers;
            request.set_path_template(path_template)?;
            request.path_parameters = path_parameters.map(|p| p.0).unwrap_or_default();
            Ok(request)
        }
    }

    impl TryFrom<ResponseFile> for OwnedResponse {
        type Error = ExchangeError;

        fn try_from(file: ResponseFile) -> Result<Self, ExchangeError> {
            let status = u16::try_from(file.status).map_err(|_| ExchangeError::InvalidStatus {
                status: file.status,
            })?;
            let mut response = OwnedResponse::new(status)?;
            let headers = Headers(file.headers.0);
            response.body = body(file.body, file.body_text)?;
            response.body.settle(&headers);
            response.headers = headers;
            Ok(response)
        }
    }

    /// Name/value fields: an object (`{"Accept": "a"}`) or a list of pairs (`[["Accept", "a"]]`).
    /// Values may be strings, numbers or booleans (YAML writes `Content-Length: 188`).
    #[derive(Default)]
    struct Fields(Vec<(String, String)>);

    impl<'de> Deserialize<'de> for Fields {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(FieldsVisitor)
        }
    }

    struct FieldsVisitor;

    impl<'de> Visitor<'de> for FieldsVisitor {
        type Value = Fields;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object of names to values, or a list of [name, value] pairs")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
            let mut fields = Vec::new();
            while let Some((name, Scalar(value))) = map.next_entry::<String, Scalar>()? {
                fields.push((name, value));
            }
            Ok(Fields(fields))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Fields, A::Error> {
            let mut fields = Vec::new();
            while let Some((name, Scalar(value))) = seq.next_element::<(String, Scalar)>()? {
                fields.push((name, value));
            }
            Ok(Fields(fields))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Fields, E> {
            Ok(Fields::default())
        }
    }

    /// A field value: a string, or a number or boolean written as its text.
    struct Scalar(String);

    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(ScalarVisitor)
        }
    }

    struct ScalarVisitor;

    impl<'de> Visitor<'de> for ScalarVisitor {
        type Value = Scalar;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, number or boolean")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
            Ok(Scalar(v.to_owned()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
            Ok(Scalar(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
            Ok(Scalar(v.to_string()))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
            Ok(Scalar(v.to_string()))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
            Ok(Scalar(v.to_string()))
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
            Ok(Scalar(v.to_string()))
        }

        /// serde_json (with `arbitrary_precision`) hands a number that is not a 64-bit integer
        /// (`1.5`, `1e2`, `18446744073709551616`) over as a one-entry map; `Number` reads it
        /// back with its text.
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar, A::Error> {
            serde_json::Number::deserialize(de::value::MapAccessDeserializer::new(map))
                .map(|number| Scalar(number.to_string()))
                .map_err(|_| de::Error::invalid_type(de::Unexpected::Map, &self))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_url_finds_path_and_query() {
        let url = "https://example.org/a/b?x=1&y=2#frag";
        let (path, query) = split_url(url).expect("valid");
        assert_eq!(&url[path], "/a/b");
        assert_eq!(query.map(|q| &url[q]), Some("x=1&y=2"));

        let url = "https://example.org?x";
        let (path, query) = split_url(url).expect("valid");
        assert_eq!(&url[path], "");
        assert_eq!(query.map(|q| &url[q]), Some("x"));

        let url = "http://h";
        let (path, query) = split_url(url).expect("valid");
        assert_eq!(&url[path], "");
        assert_eq!(query, None);
    }

    #[test]
    fn split_url_rejects_what_is_not_absolute() {
        for url in [
            "/a",
            "example.org/a",
            "://x",
            "1http://x",
            "https:///a",
            "https://a b",
        ] {
            assert!(split_url(url).is_err(), "{url}");
        }
    }

    #[test]
    fn empty_path_reads_as_slash() {
        let request = OwnedRequest::new("GET", "https://example.org?a=1").expect("valid");
        assert_eq!(request.path(), "/");
        assert_eq!(request.query(), Some("a=1"));
    }

    #[test]
    fn response_status_must_have_three_digits() {
        assert!(OwnedResponse::new(99).is_err());
        assert!(OwnedResponse::new(1000).is_err());
        assert!(OwnedResponse::new(201).is_ok());
    }

    #[test]
    fn body_is_classified_after_headers_change() {
        let request = OwnedRequest::new("POST", "https://x.example/")
            .expect("valid")
            .with_body(r#"{"a":1}"#)
            .with_header("Content-Type", "text/plain");
        assert_eq!(request.body(), Body::Text(r#"{"a":1}"#));
    }
}
