//! `http::Request` / `http::Response` as an exchange (feature `http`).

use std::sync::OnceLock;

use crate::exchange::{Body, Classified, Exchange, FieldName, Message, body_view, classify};

/// One `http` message (request or response) as the evaluator reads it: its header map and its
/// body bytes, the body classified (JSON, text or binary) on first use.
///
/// You rarely name this type: [`HttpExchange`] builds it.
#[derive(Debug)]
pub struct HttpMessage<'a, B> {
    headers: &'a http::HeaderMap,
    body: &'a B,
    classified: OnceLock<Classified>,
}

impl<'a, B: AsRef<[u8]>> HttpMessage<'a, B> {
    /// A message from a header map and a body.
    pub fn new(headers: &'a http::HeaderMap, body: &'a B) -> Self {
        HttpMessage {
            headers,
            body,
            classified: OnceLock::new(),
        }
    }
}

impl<B: AsRef<[u8]>> HttpMessage<'_, B> {
    /// What the body is, decided on first use.
    #[inline]
    fn classified(&self) -> &Classified {
        self.classified.get_or_init(|| {
            let content_type = self
                .headers
                .get(http::header::CONTENT_TYPE)
                .map(http::HeaderValue::as_bytes);
            classify(content_type, self.body.as_ref())
        })
    }
}

impl<B: AsRef<[u8]>> Message for HttpMessage<'_, B> {
    #[inline]
    fn header(&self, name: FieldName<'_>) -> Option<&[u8]> {
        let value = match name.http() {
            Some(http_name) => self.headers.get(http_name),
            // `HeaderMap::get` with a `&str` is case-insensitive and never panics; a name that is
            // not a valid header name finds nothing.
            None => self.headers.get(name.as_str()),
        };
        value.map(http::HeaderValue::as_bytes)
    }

    #[inline]
    fn body(&self) -> Body<'_> {
        body_view(self.classified(), self.body.as_ref())
    }

    #[inline]
    fn json(&self) -> Option<&serde_json::Value> {
        match self.classified() {
            Classified::Json(value) => Some(value),
            _ => None,
        }
    }
}

/// An `http::Request` and, optionally, its `http::Response`, as an exchange; borrowed, nothing
/// copied. For axum, hyper or reqwest: collect the body into `Bytes` (or any `AsRef<[u8]>`) first.
///
/// The URL of a request whose URI is only a path (as HTTP/1.1 servers receive it) is built from
/// the scheme (default `https`), the `Host` header and the path and query.
///
/// ```
/// use expr_eval::{CompiledExpression, CompiledTemplate, HttpExchange};
///
/// let request = http::Request::post("/v2/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning")
///     .header("Host", "example.org")
///     .header("Content-Type", "application/json")
///     .body(br#"{"failedUrl": "https://clientdomain.com/failed"}"#.to_vec())?;
/// let response = http::Response::builder()
///     .status(201)
///     .header("Location", "https://example.org/subscription/1")
///     .body(Vec::new())?;
///
/// let exchange = HttpExchange::new(&request)
///     .with_response(&response)
///     .with_path_template("/subscribe/{eventType}");
///
/// let url = CompiledExpression::parse("$url")?;
/// assert_eq!(url.evaluate(&exchange)?, "https://example.org/v2/subscribe/myevent?queryUrl=https://clientdomain.com/stillrunning");
/// let event = CompiledExpression::parse("$request.path.eventType")?;
/// assert_eq!(event.evaluate(&exchange)?, "myevent");
/// let key = CompiledTemplate::parse("{$request.body#/failedUrl}?status={$statusCode}")?;
/// assert_eq!(key.render(&exchange)?, "https://clientdomain.com/failed?status=201");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct HttpExchange<'a, B, R = B> {
    request: &'a http::Request<B>,
    request_message: HttpMessage<'a, B>,
    response: Option<HttpMessage<'a, R>>,
    status: Option<u16>,
    scheme: &'a str,
    path_template: Option<&'a str>,
    url: OnceLock<Option<String>>,
}

impl<'a, B: AsRef<[u8]>> HttpExchange<'a, B> {
    /// An exchange of `request` alone.
    pub fn new(request: &'a http::Request<B>) -> Self {
        HttpExchange {
            request,
            request_message: HttpMessage::new(request.headers(), request.body()),
            response: None,
            status: None,
            scheme: "https",
            path_template: None,
            url: OnceLock::new(),
        }
    }
}

impl<'a, B: AsRef<[u8]>, R: AsRef<[u8]>> HttpExchange<'a, B, R> {
    /// The same exchange with its response.
    pub fn with_response<S: AsRef<[u8]>>(
        self,
        response: &'a http::Response<S>,
    ) -> HttpExchange<'a, B, S> {
        HttpExchange {
            request: self.request,
            request_message: self.request_message,
            response: Some(HttpMessage::new(response.headers(), response.body())),
            status: Some(response.status().as_u16()),
            scheme: self.scheme,
            path_template: self.path_template,
            url: self.url,
        }
    }

    /// The path template the request matched (`/subscribe/{eventType}`; axum's `MatchedPath`).
    pub fn with_path_template(self, template: &'a str) -> Self {
        HttpExchange {
            path_template: Some(template),
            ..self
        }
    }

    /// The scheme of the request URL when its URI is only a path (default `https`).
    pub fn with_scheme(self, scheme: &'a str) -> Self {
        HttpExchange {
            scheme,
            url: OnceLock::new(),
            ..self
        }
    }

    fn build_url(&self) -> Option<String> {
        let uri = self.request.uri();
        if uri.scheme().is_some() && uri.authority().is_some() {
            return Some(uri.to_string());
        }
        let host = match self.request.headers().get(http::header::HOST) {
            Some(host) => std::str::from_utf8(host.as_bytes()).ok()?,
            None => uri.authority()?.as_str(),
        };
        if host.is_empty() {
            return None;
        }
        let path_and_query = uri
            .path_and_query()
            .map_or("/", http::uri::PathAndQuery::as_str);
        Some(format!("{}://{host}{path_and_query}", self.scheme))
    }
}

impl<'a, B: AsRef<[u8]>, R: AsRef<[u8]>> Exchange for HttpExchange<'a, B, R> {
    type Request = HttpMessage<'a, B>;
    type Response = HttpMessage<'a, R>;

    fn method(&self) -> &str {
        self.request.method().as_str()
    }

    fn url(&self) -> Option<&str> {
        self.url.get_or_init(|| self.build_url()).as_deref()
    }

    fn path(&self) -> &str {
        self.request.uri().path()
    }

    fn query(&self) -> Option<&str> {
        self.request.uri().query()
    }

    fn path_template(&self) -> Option<&str> {
        self.path_template
    }

    fn request(&self) -> &Self::Request {
        &self.request_message
    }

    fn response(&self) -> Option<&Self::Response> {
        self.response.as_ref()
    }

    fn status_code(&self) -> Option<u16> {
        self.status
    }
}
