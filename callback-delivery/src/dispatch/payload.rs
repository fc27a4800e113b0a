//! A callback's payload: the exact bytes sent, and the JSON value they are validated as.

use bytes::Bytes;
use serde_json::Value;

/// A callback's payload, parsed once: the bytes are sent (and signed) exactly as they are, the
/// JSON value is what the schema validates. The bytes are [`Bytes`], so every delivery and every
/// attempt of the same payload shares one buffer.
///
/// ```
/// use callback_delivery::Payload;
///
/// let payload = Payload::parse(r#"{"jobId": "42", "percent": 40}"#)?;
/// assert_eq!(payload.json()["percent"], 40);
/// assert_eq!(payload.bytes().as_ref(), br#"{"jobId": "42", "percent": 40}"#, "sent as written");
///
/// let built = Payload::from_json(serde_json::json!({"done": true}));
/// assert_eq!(built.bytes().as_ref(), br#"{"done":true}"#, "compact JSON");
/// assert!(Payload::parse("{not json").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Payload {
    bytes: Bytes,
    json: Value,
}

impl Payload {
    /// A payload from its bytes, which must be one JSON text (serde_json's nesting limit of 128
    /// levels applies).
    pub fn parse(bytes: impl Into<Bytes>) -> Result<Self, serde_json::Error> {
        let bytes = bytes.into();
        let json = serde_json::from_slice(&bytes)?;
        Ok(Self { bytes, json })
    }

    /// A payload from a JSON value, sent as compact JSON.
    pub fn from_json(json: Value) -> Self {
        Self {
            bytes: Bytes::from(json.to_string()),
            json,
        }
    }

    /// The bytes sent.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The JSON value validated.
    pub fn json(&self) -> &Value {
        &self.json
    }
}
