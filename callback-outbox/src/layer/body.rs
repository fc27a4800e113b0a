//! Reading a body up to a bound without losing it: what was read is kept for the callbacks, and
//! the whole body, read or not, still goes on to its reader.

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use http_body_util::BodyExt as _;

/// A body read up to a bound.
pub(super) struct Captured {
    /// The body, whole, for whoever reads it next.
    pub(super) body: Body,
    /// The body's bytes, when it was no longer than the bound; `None` when it was longer (or
    /// could not be read to its end).
    pub(super) bytes: Option<Bytes>,
}

/// Reads `body` up to `limit` bytes. A longer body is given back whole all the same: the part
/// already read, then the rest as it comes.
pub(super) async fn capture(mut body: Body, limit: usize) -> Captured {
    let mut read = BytesMut::new();
    loop {
        match body.frame().await {
            None => {
                let bytes = read.freeze();
                return Captured {
                    body: Body::from(bytes.clone()),
                    bytes: Some(bytes),
                };
            }
            Some(Ok(frame)) => {
                // Trailers are not kept: a callback reads headers and bodies only.
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                read.extend_from_slice(&data);
                if read.len() > limit {
                    let head = futures_util::stream::once(async move {
                        Ok::<Bytes, axum::Error>(read.freeze())
                    });
                    let rest = body.into_data_stream();
                    return Captured {
                        body: Body::from_stream(head.chain(rest)),
                        bytes: None,
                    };
                }
            }
            Some(Err(err)) => {
                // The reader gets the error where it happened; the callbacks get no body.
                let head =
                    futures_util::stream::iter([Ok::<Bytes, axum::Error>(read.freeze()), Err(err)]);
                return Captured {
                    body: Body::from_stream(head),
                    bytes: None,
                };
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;

    async fn all(body: Body) -> Bytes {
        body.collect().await.unwrap().to_bytes()
    }

    #[tokio::test]
    async fn a_short_body_is_kept_and_passed_on() {
        let captured = capture(Body::from("hello"), 5).await;
        assert_eq!(captured.bytes.as_deref(), Some(&b"hello"[..]));
        assert_eq!(all(captured.body).await, "hello");
    }

    #[tokio::test]
    async fn a_long_body_is_passed_on_whole() {
        let chunks = ["abc", "def", "ghi"].map(|c| Ok::<_, std::io::Error>(Bytes::from(c)));
        let body = Body::from_stream(futures_util::stream::iter(chunks));
        let captured = capture(body, 4).await;
        assert!(captured.bytes.is_none());
        assert_eq!(all(captured.body).await, "abcdefghi");
    }
}
