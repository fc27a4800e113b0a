//! One callback to deliver, and message ids.

use http::Method;

/// One callback to deliver: the resolved URL, the method, the body and extra headers.
///
/// ```
/// use callback_delivery::DeliveryRequest;
///
/// let request = DeliveryRequest::json("https://consumer.example/progress", &serde_json::json!({"done": 40}))
///     .header("x-trace", "abc")
///     .with_id("msg_2");
/// assert_eq!(request.method, http::Method::POST);
/// assert_eq!(request.body, br#"{"done":40}"#);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRequest {
    /// The callback URL, as resolved from the callback key.
    pub url: String,
    /// The HTTP method of the callback's Path Item operation.
    pub method: Method,
    /// The body, sent as is (and signed as is).
    pub body: Vec<u8>,
    /// Extra headers. `Content-Type` defaults to `application/json`. `Host`, `Content-Length`,
    /// `Transfer-Encoding`, `Connection` and the `webhook-*` headers are the client's own: given
    /// here, they are ignored (and listed in the report).
    pub headers: Vec<(String, String)>,
    /// The message id (`webhook-id`, the idempotency key); generated when `None`.
    pub id: Option<String>,
}

impl DeliveryRequest {
    /// A request with a raw body.
    pub fn new(method: Method, url: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
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

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the message id.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

/// A new message id: `msg_` and 26 random letters and digits.
pub fn new_message_id() -> String {
    let mut id = String::with_capacity(30);
    id.push_str("msg_");
    id.extend(std::iter::repeat_with(fastrand::alphanumeric).take(26));
    id
}
