//! Signing callbacks with the [Standard Webhooks](https://www.standardwebhooks.com/) scheme, and
//! verifying them on the consumer's side.
//!
//! A signed request carries three headers:
//!
//! - `webhook-id`: the message id, the same on every retry of one delivery (the idempotency key);
//! - `webhook-timestamp`: the time of signing, in seconds since the Unix epoch;
//! - `webhook-signature`: `v1,` and the base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}`,
//!   keyed with the secret; several space-separated signatures may be sent while a secret rotates.
//!
//! The secret is written `whsec_` followed by the base64 of the key bytes.
//!
//! ```
//! use callback_delivery::signing::{verify, SigningSecret, DEFAULT_TOLERANCE};
//!
//! let secret: SigningSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse()?;
//! let body = br#"{"test": 2432232314}"#;
//! let signature = secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
//! assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//!
//! // The consumer checks it, with the clock it has (here: ten seconds later).
//! verify(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", &signature, body, 1614265340, DEFAULT_TOLERANCE)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, KeyInit, Mac};
use http::HeaderMap;
use sha2::Sha256;

/// `webhook-id`.
pub const HEADER_ID: &str = "webhook-id";
/// `webhook-timestamp`.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// `webhook-signature`.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// The prefix of a written secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// How far a timestamp may be from the verifier's clock, either way: five minutes, as the
/// scheme's reference libraries use.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Standard base64, padding optional when decoding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = Hmac<Sha256>;

/// A signing key. Parsed from `whsec_<base64>` (the prefix may be left out); its
/// [`Debug`](fmt::Debug) output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret {
    key: Vec<u8>,
}

/// A secret that could not be parsed. The message never contains the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretError(&'static str);

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid webhook secret: {}", self.0)
    }
}

impl std::error::Error for SecretError {}

impl SigningSecret {
    /// A secret from its key bytes.
    pub fn from_bytes(key: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        let key = key.into();
        if key.is_empty() {
            return Err(SecretError("the key is empty"));
        }
        Ok(Self { key })
    }

    /// The secret written as `whsec_<base64>`.
    pub fn to_whsec(&self) -> String {
        format!("{SECRET_PREFIX}{}", BASE64.encode(&self.key))
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC-SHA256 accepts any key length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `webhook-signature` value for a message: `v1,<base64>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self
            .mac(id, &timestamp.to_string(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", BASE64.encode(tag))
    }

    /// The three headers for a message.
    pub fn headers(&self, id: &str, timestamp: i64, body: &[u8]) -> SignatureHeaders {
        SignatureHeaders {
            id: id.to_owned(),
            timestamp,
            signature: self.sign(id, timestamp, body),
        }
    }
}

impl FromStr for SigningSecret {
    type Err = SecretError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let encoded = s.trim();
        let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
        let key = BASE64
            .decode(encoded)
            .map_err(|_| SecretError("expected `whsec_` followed by base64"))?;
        Self::from_bytes(key)
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningSecret({} bytes, redacted)", self.key.len())
    }
}

/// The Standard Webhooks headers of one signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureHeaders {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`, seconds since the Unix epoch.
    pub timestamp: i64,
    /// `webhook-signature`.
    pub signature: String,
}

impl SignatureHeaders {
    /// The headers as (name, value) pairs.
    pub fn pairs(&self) -> [(&'static str, String); 3] {
        [
            (HEADER_ID, self.id.clone()),
            (HEADER_TIMESTAMP, self.timestamp.to_string()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ]
    }
}

/// Why a signed request was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A header is absent (its name).
    MissingHeader(&'static str),
    /// A header is not visible ASCII (its name).
    InvalidHeader(&'static str),
    /// `webhook-timestamp` is not a whole number of seconds.
    InvalidTimestamp,
    /// The timestamp is older than the tolerance allows.
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance allows.
    TimestampInFuture,
    /// No `v1` signature matches.
    NoMatchingSignature,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(name) => write!(f, "missing header `{name}`"),
            Self::InvalidHeader(name) => write!(f, "header `{name}` is not valid text"),
            Self::InvalidTimestamp => f.write_str("the webhook timestamp is not a number"),
            Self::TimestampTooOld => f.write_str("the webhook timestamp is too old"),
            Self::TimestampInFuture => f.write_str("the webhook timestamp is in the future"),
            Self::NoMatchingSignature => f.write_str("no signature matches"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Verifies a signed message: the timestamp must be within `tolerance` of `now` (seconds since
/// the Unix epoch), and one of the space-separated `v1,<base64>` signatures must match (compared
/// in constant time; other versions are ignored).
pub fn verify(
    secret: &SigningSecret,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::InvalidTimestamp);
    }
    let ts: i64 = timestamp
        .parse()
        .map_err(|_| VerifyError::InvalidTimestamp)?;
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if now.saturating_sub(ts) > tolerance {
        return Err(VerifyError::TimestampTooOld);
    }
    if ts.saturating_sub(now) > tolerance {
        return Err(VerifyError::TimestampInFuture);
    }
    let expected = secret.mac(id, timestamp, body);
    let matched = signatures
        .split(' ')
        .filter_map(|candidate| candidate.split_once(','))
        .filter(|(version, _)| *version == "v1")
        .filter_map(|(_, encoded)| BASE64.decode(encoded).ok())
        .any(|tag| expected.clone().verify_slice(&tag).is_ok());
    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}

/// Verifies a received request by its headers, against the current time.
///
/// ```
/// use callback_delivery::signing::{verify_headers, SigningSecret, DEFAULT_TOLERANCE};
/// use http::HeaderMap;
///
/// let secret = SigningSecret::from_bytes(*b"a key of at least twenty-four bytes")?;
/// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
/// let mut headers = HeaderMap::new();
/// for (name, value) in secret.headers("msg_1", now, b"{}").pairs() {
///     headers.insert(name, value.parse()?);
/// }
/// verify_headers(&secret, &headers, b"{}", DEFAULT_TOLERANCE)?;
/// assert!(verify_headers(&secret, &headers, b"{ }", DEFAULT_TOLERANCE).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_headers(
    secret: &SigningSecret,
    headers: &HeaderMap,
    body: &[u8],
    tolerance: Duration,
) -> Result<(), VerifyError> {
    let get = |name: &'static str| {
        headers
            .get(name)
            .ok_or(VerifyError::MissingHeader(name))?
            .to_str()
            .map_err(|_| VerifyError::InvalidHeader(name))
    };
    let id = get(HEADER_ID)?;
    let timestamp = get(HEADER_TIMESTAMP)?;
    let signatures = get(HEADER_SIGNATURE)?;
    verify(
        secret,
        id,
        timestamp,
        signatures,
        body,
        unix_now(),
        tolerance,
    )
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Standard Webhooks' own vectors: libraries/go/webhook_test.go (TestWebhookSign) and
    // libraries/rust/src/lib.rs (test_sign) in the standard-webhooks repository.
    #[test]
    fn reference_vectors() {
        let secret: SigningSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            .parse()
            .expect("valid secret");
        assert_eq!(
            secret.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        let secret: SigningSecret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
            .parse()
            .expect("valid secret");
        assert_eq!(
            secret.sign(
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#
            ),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn secret_round_trip_and_redaction() {
        let secret: SigningSecret = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".parse().expect("bare");
        assert_eq!(secret.to_whsec(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assert!(!format!("{secret:?}").contains("MfKQ"));
        assert!("whsec_".parse::<SigningSecret>().is_err());
        assert!("whsec_not base64!".parse::<SigningSecret>().is_err());
    }
}
