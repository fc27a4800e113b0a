//! The callbacks of an operation for one exchange: the URL each key gives, or why none.

use expr_eval::{Exchange, Session};
use expr_grammar::ParseError;
use serde::Serialize;

use crate::model::{CallbackUrl, Operation};

/// One callback request the provider should make (or skip), for one method of one callback key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResolvedCallback {
    /// The callback's name.
    pub callback: String,
    /// The key: the expression or template that gives the URL.
    pub expression: String,
    /// The HTTP method of the callback request.
    #[serde(serialize_with = "method_as_str")]
    pub method: http::Method,
    /// The callback operation's `operationId`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    /// What to do.
    #[serde(flatten)]
    pub outcome: CallbackOutcome,
}

/// The URL of a callback, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum CallbackOutcome {
    /// Call this absolute http(s) URL.
    Url(String),
    /// No call: the URL could not be resolved (an optional header was not sent, …). As the
    /// specification's own example says, the provider then makes no call.
    Skipped(SkipReason),
    /// The URL resolved, but is not an absolute http or https URL: no call.
    Invalid {
        /// What the key resolved to.
        url: String,
        /// Why it cannot be called.
        reason: String,
    },
}

/// Why a callback is skipped. Its `Display` is the reason in words (what `resolve` prints).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SkipReason {
    /// An expression of the key could not be evaluated against the exchange (an optional
    /// header was not sent, the body is not JSON, …).
    #[error(transparent)]
    Evaluation(expr_eval::EvalError),
    /// The key is not a valid runtime expression or template (`check` reports where).
    #[error("invalid callback key: {}", .0.message())]
    InvalidKey(ParseError),
}

impl Serialize for SkipReason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn method_as_str<S: serde::Serializer>(
    method: &http::Method,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(method.as_str())
}

impl Operation {
    /// The callbacks of this operation for one exchange (its request, and its response when the
    /// keys need one): for each callback key and each operation of its Path Item, the URL to
    /// call, or why there is none. When the exchange does not say which path template it
    /// matched, the operation's path is used. All the URLs together are rendered within
    /// [`LoadLimits::max_rendered_len`](crate::LoadLimits::max_rendered_len) (a key that repeats
    /// a large value is skipped with [`expr_eval::EvalError::RenderedTooLong`]), and the query
    /// string and headers are indexed once for all the keys.
    ///
    /// ```
    /// use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};
    /// use oas_callbacks::{CallbackOutcome, Document};
    ///
    /// let doc = Document::load("../examples/progress-api.yaml")?;
    /// let op = doc.operation("startJob").expect("declared");
    /// let request = OwnedRequest::new("POST", "https://render.example.com/v1/jobs/7/start")?
    ///     .with_header("progressUrl", "https://client.example.net/progress/7")
    ///     .with_json_body(serde_json::json!({"scene": "teapot", "notify": {"url": "https://client.example.net/done"}}));
    /// let response = OwnedResponse::new(202)?.with_json_body(serde_json::json!({"ticket": "T-9", "state": "queued"}));
    /// let exchange = OwnedExchange::new(request).with_response(response);
    ///
    /// let calls = op.resolve_callbacks(&exchange);
    /// assert_eq!(calls[0].outcome, CallbackOutcome::Url("https://client.example.net/progress/7".into()));
    /// assert_eq!(calls[1].outcome, CallbackOutcome::Url("https://client.example.net/done?job=7&ticket=T-9".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve_callbacks<X: Exchange + ?Sized>(&self, exchange: &X) -> Vec<ResolvedCallback> {
        let session = self.session(exchange);
        let mut resolved = Vec::new();
        for callback in self.callbacks() {
            let outcome = match callback.url() {
                Err(err) => CallbackOutcome::Skipped(SkipReason::InvalidKey(err.clone())),
                Ok(url) => resolve_url(url, &session),
            };
            for op in callback.operations() {
                resolved.push(ResolvedCallback {
                    callback: callback.name().to_owned(),
                    expression: callback.key().to_owned(),
                    method: op.method().clone(),
                    operation_id: op.operation_id().map(str::to_owned),
                    outcome: outcome.clone(),
                });
            }
        }
        resolved
    }
}

fn resolve_url<X: Exchange + ?Sized>(
    url: &CallbackUrl,
    session: &Session<'_, X>,
) -> CallbackOutcome {
    let text = match url {
        CallbackUrl::Constant(text) => text.clone(),
        CallbackUrl::Template(template) => match session.render(template) {
            Ok(text) => text,
            Err(err) => return CallbackOutcome::Skipped(SkipReason::Evaluation(err)),
        },
        CallbackUrl::Expression(expr) => {
            let value = match session.evaluate(expr) {
                Ok(value) => value,
                Err(err) => return CallbackOutcome::Skipped(SkipReason::Evaluation(err)),
            };
            // The key's value is written as the URL (or quoted as the invalid one): it counts
            // against the limit like a rendered template.
            let mut text = String::new();
            if let Err(err) = session.render_value_into(&value, &mut text) {
                return CallbackOutcome::Skipped(SkipReason::Evaluation(err));
            }
            if !value.is_string() {
                return CallbackOutcome::Invalid {
                    url: text,
                    reason: "the key evaluates to a value that is not a string".to_owned(),
                };
            }
            text
        }
    };
    match check_callback_url(&text) {
        Ok(()) => CallbackOutcome::Url(text),
        Err(reason) => CallbackOutcome::Invalid { url: text, reason },
    }
}

/// Whether a resolved callback URL can be called: absolute, `http` or `https`, with a host.
fn check_callback_url(text: &str) -> Result<(), String> {
    let url = url::Url::parse(text).map_err(|err| format!("not an absolute URL: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("scheme `{}` is not http or https", url.scheme()));
    }
    if url.host().is_none() {
        return Err("the URL has no host".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_urls_must_be_absolute_http() {
        assert!(check_callback_url("https://a.example/x").is_ok());
        assert!(check_callback_url("http://a.example").is_ok());
        assert!(check_callback_url("/relative").is_err());
        assert!(check_callback_url("ftp://a.example/").is_err());
        assert!(check_callback_url("POST").is_err());
    }
}
