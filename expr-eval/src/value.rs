//! The result of evaluating an expression.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// The value of a runtime expression, typed as the specification asks ("runtime expressions
/// preserve the type of the referenced value") and borrowed from the exchange when it can be.
///
/// [`Display`](fmt::Display) writes it as a template embeds it: strings as they are, numbers,
/// booleans and `null` as JSON text, objects and arrays as compact JSON.
///
/// ```
/// use expr_eval::Value;
/// use serde_json::json;
///
/// let body = json!({"id": 7, "tags": ["a", "b"], "name": "x"});
/// assert_eq!(Value::Json(&body["id"]).to_string(), "7");
/// assert_eq!(Value::Json(&body["tags"]).to_string(), r#"["a","b"]"#);
/// assert_eq!(Value::Json(&body["name"]).to_string(), "x");
/// assert_eq!(Value::Json(&body["name"]).as_str(), Some("x"));
/// assert_eq!(Value::Int(201).to_json(), json!(201));
/// assert_eq!(Value::from("POST"), "POST");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// Text: the method, the URL, a header, query or path value, or a body that is not JSON.
    /// Borrowed unless it had to be decoded.
    Str(Cow<'a, str>),
    /// A JSON value from a JSON body: the whole body or the value at a pointer.
    Json(&'a serde_json::Value),
    /// An integer: `$statusCode`.
    Int(u16),
}

impl<'a> Value<'a> {
    /// The text of a string value (a [`Value::Str`], or a JSON string); `None` for other values.
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            Value::Json(serde_json::Value::String(text)) => Some(text),
            Value::Json(_) | Value::Int(_) => None,
        }
    }

    /// Whether the value is a string (and so renders as its text, not as JSON).
    pub fn is_string(&self) -> bool {
        self.as_str().is_some()
    }

    /// The value as an owned JSON value: a string, the JSON value itself, or a number.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Str(text) => serde_json::Value::String(text.clone().into_owned()),
            Value::Json(value) => (*value).clone(),
            Value::Int(n) => serde_json::Value::from(*n),
        }
    }

    /// Appends the value to `out` as a template embeds it (the same text as
    /// [`Display`](fmt::Display)), without allocating beyond `out`'s growth.
    ///
    /// ```
    /// let mut out = String::from("id=");
    /// expr_eval::Value::Int(7).write_to(&mut out);
    /// assert_eq!(out, "id=7");
    /// ```
    #[inline]
    pub fn write_to(&self, out: &mut String) {
        match self {
            Value::Str(text) => out.push_str(text),
            Value::Json(serde_json::Value::String(text)) => out.push_str(text),
            // Writing into a `String` cannot fail.
            Value::Json(value) => {
                let _ = write!(out, "{value}");
            }
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(text) => f.write_str(text),
            Value::Json(serde_json::Value::String(text)) => f.write_str(text),
            Value::Json(value) => write!(f, "{value}"),
            Value::Int(n) => write!(f, "{n}"),
        }
    }
}

/// A value serializes as the JSON value it is (strings as strings, `$statusCode` as a number),
/// without being copied into a `serde_json::Value` first.
///
/// ```
/// use expr_eval::Value;
/// let body = serde_json::json!({"a": [1, "x"]});
/// assert_eq!(serde_json::to_string(&Value::Json(&body)).unwrap(), r#"{"a":[1,"x"]}"#);
/// assert_eq!(serde_json::to_string(&Value::from("a\"b")).unwrap(), r#""a\"b""#);
/// assert_eq!(serde_json::to_string(&Value::Int(201)).unwrap(), "201");
/// ```
impl serde::Serialize for Value<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Str(text) => serializer.serialize_str(text),
            Value::Json(value) => value.serialize(serializer),
            Value::Int(n) => serializer.serialize_u16(*n),
        }
    }
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(text: &'a str) -> Self {
        Value::Str(Cow::Borrowed(text))
    }
}

impl<'a> From<&'a serde_json::Value> for Value<'a> {
    fn from(value: &'a serde_json::Value) -> Self {
        Value::Json(value)
    }
}

/// A value equals a string when it is a string with that text (a [`Value::Str`] or a JSON
/// string).
impl PartialEq<str> for Value<'_> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Value<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

/// A value equals a JSON value when [`Value::to_json`] would (without building it).
impl PartialEq<serde_json::Value> for Value<'_> {
    fn eq(&self, other: &serde_json::Value) -> bool {
        match self {
            Value::Str(text) => other.as_str() == Some(text),
            Value::Json(value) => *value == other,
            Value::Int(n) => other.as_u64() == Some(u64::from(*n)),
        }
    }
}
