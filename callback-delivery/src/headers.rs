//! The headers of an outgoing callback: the caller's, the client's own, and the signature.

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::options::DeliveryOptions;
use crate::request::DeliveryRequest;
use crate::signing::{HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP};

const RESERVED: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    HEADER_ID,
    HEADER_TIMESTAMP,
    HEADER_SIGNATURE,
];

/// The headers of one attempt (the signature is computed with `timestamp`), and the caller
/// headers ignored.
pub(crate) fn outgoing_headers(
    options: &DeliveryOptions,
    request: &DeliveryRequest,
    id: &str,
    timestamp: i64,
) -> Result<(HeaderMap, Vec<String>), String> {
    let mut headers = HeaderMap::new();
    let mut ignored = Vec::new();
    let value =
        |v: &str| HeaderValue::from_str(v).map_err(|_| format!("invalid header value {v:?}"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::USER_AGENT, value(options.user_agent())?);
    let mut content_type_given = false;
    for (name, v) in request.headers() {
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("invalid header name {name:?}"))?;
        if RESERVED.contains(&name.as_str()) {
            ignored.push(name.as_str().to_owned());
            continue;
        }
        if name == header::CONTENT_TYPE && !content_type_given {
            content_type_given = true;
            headers.remove(header::CONTENT_TYPE);
        }
        if name == header::USER_AGENT {
            headers.remove(header::USER_AGENT);
        }
        headers.append(name, value(v)?);
    }
    headers.insert(HeaderName::from_static(HEADER_ID), value(id)?);
    if let Some(secret) = &options.secret() {
        let signed = secret.headers(id, timestamp, request.body());
        headers.insert(
            HeaderName::from_static(HEADER_TIMESTAMP),
            value(&signed.timestamp.to_string())?,
        );
        headers.insert(
            HeaderName::from_static(HEADER_SIGNATURE),
            value(&signed.signature)?,
        );
    }
    Ok((headers, ignored))
}
