//! One callback to deliver, and message ids.

use bytes::Bytes;
use http::Method;

/// One callback to deliver: the resolved URL, the method, the body and extra headers, and the
/// message id. The body is [`Bytes`]: shared, never copied, by every attempt (and by every
/// delivery of the same payload).
///
/// ```
/// use callback_delivery::DeliveryRequest;
///
/// let request = DeliveryRequest::json("https://consumer.example/progress", &serde_json::json!({"done": 40}))
///     .with_header("x-trace", "abc")
///     .with_id("msg_2");
/// assert_eq!(request.method(), http::Method::POST);
/// assert_eq!(request.body().as_ref(), br#"{"done":40}"#);
/// assert_eq!(request.headers(), [("x-trace".to_owned(), "abc".to_owned())]);
/// assert_eq!(request.id(), Some("msg_2"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRequest {
    url: String,
    method: Method,
    body: Bytes,
    headers: Vec<(String, String)>,
    id: Option<String>,
}

impl DeliveryRequest {
    /// A request with a raw body, sent (and signed) as it is.
    pub fn new(method: Method, url: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Self {
            url: url.into(),
            method,
            body: body.into(),
            headers: Vec::new(),
            id: None,
        }
    }

    /// A `POST` of a JSON value (compact serialization).
    pub fn json(url: impl Into<String>, body: &serde_json::Value) -> Self {
        Self::new(Method::POST, url, body.to_string())
    }

    /// Adds a header. `Content-Type` defaults to `application/json`. `Host`, `Content-Length`,
    /// `Transfer-Encoding`, `Connection` and the `webhook-*` headers are the client's own:
    /// given here, they are ignored (and listed in the report). A name or value that is not
    /// valid in HTTP fails the delivery before anything is sent.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds headers; see [`with_header`](Self::with_header).
    #[must_use]
    pub fn with_headers<N: Into<String>, V: Into<String>>(
        mut self,
        headers: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        self.headers
            .extend(headers.into_iter().map(|(n, v)| (n.into(), v.into())));
        self
    }

    /// Sets the message id (`webhook-id`, the consumer's idempotency key). Without one, each
    /// delivery generates one ([`new_message_id`]).
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The callback URL, as resolved from the callback key.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The HTTP method of the callback's Path Item operation.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The extra headers, as given.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The message id, when one was set.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// A new message id: `msg_` and 26 random letters and digits.
///
/// ```
/// let id = callback_delivery::new_message_id();
/// assert!(id.starts_with("msg_") && id.len() == 30);
/// ```
pub fn new_message_id() -> String {
    let mut id = String::with_capacity(30);
    id.push_str("msg_");
    id.extend(std::iter::repeat_with(fastrand::alphanumeric).take(26));
    id
}
