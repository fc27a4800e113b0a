//! Resolving an operation's callbacks and links for one HTTP exchange.

use expr_eval::{Exchange, evaluate};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::document::{CallbackUrl, Document, LinkTarget, LinkValue, Operation};

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
    pub method: String,
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
    Skipped(String),
    /// The URL resolved, but is not an absolute http or https URL: no call.
    Invalid {
        /// What the key resolved to.
        url: String,
        /// Why it cannot be called.
        reason: String,
    },
}

/// A link of a response, with its values resolved for one exchange.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResolvedLink {
    /// The link's name.
    pub link: String,
    /// The target operation.
    #[serde(flatten)]
    pub target: LinkTarget,
    /// The parameters to pass, by name, with their resolved values (constants stay constants).
    pub parameters: Map<String, Value>,
    /// The request body to send, if the link has one and it resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<Value>,
    /// Parameters (and `requestBody`) whose expression failed, with the reason: per the
    /// specification, no value is passed for them.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub not_passed: Map<String, Value>,
}

/// An exchange seen from an operation of the document: when it does not say which path template
/// it matched, the operation's path is that template.
struct InOperation<'a, X: ?Sized> {
    exchange: &'a X,
    path_template: &'a str,
}

impl<X: Exchange + ?Sized> Exchange for InOperation<'_, X> {
    type Request = X::Request;
    type Response = X::Response;

    fn method(&self) -> &str {
        self.exchange.method()
    }
    fn url(&self) -> Option<&str> {
        self.exchange.url()
    }
    fn path(&self) -> &str {
        self.exchange.path()
    }
    fn query(&self) -> Option<&str> {
        self.exchange.query()
    }
    fn path_template(&self) -> Option<&str> {
        self.exchange.path_template().or(Some(self.path_template))
    }
    fn path_parameter(&self, name: &str) -> Option<&str> {
        self.exchange.path_parameter(name)
    }
    fn has_path_parameters(&self) -> bool {
        self.exchange.has_path_parameters()
    }
    fn request(&self) -> &Self::Request {
        self.exchange.request()
    }
    fn response(&self) -> Option<&Self::Response> {
        self.exchange.response()
    }
    fn status_code(&self) -> Option<u16> {
        self.exchange.status_code()
    }
}

impl Document {
    /// The callbacks of `operation` for one exchange (its request, and its response when the
    /// keys need one): for each callback key and each operation of its Path Item, the URL to
    /// call, or why there is none. When the exchange does not say which path template it
    /// matched, the operation's path is used.
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
    /// let calls = doc.resolve_callbacks(op, &exchange);
    /// assert_eq!(calls[0].outcome, CallbackOutcome::Url("https://client.example.net/progress/7".into()));
    /// assert_eq!(calls[1].outcome, CallbackOutcome::Url("https://client.example.net/done?job=7&ticket=T-9".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve_callbacks<X: Exchange + ?Sized>(
        &self,
        operation: &Operation,
        exchange: &X,
    ) -> Vec<ResolvedCallback> {
        let exchange = InOperation {
            exchange,
            path_template: operation.path(),
        };
        let mut resolved = Vec::new();
        for callback in operation.callbacks() {
            let outcome = match callback.url() {
                Err(err) => {
                    CallbackOutcome::Skipped(format!("invalid callback key: {}", err.message()))
                }
                Ok(url) => resolve_url(url, &exchange),
            };
            for op in callback.operations() {
                resolved.push(ResolvedCallback {
                    callback: callback.name().to_owned(),
                    expression: callback.key().to_owned(),
                    method: op.method().to_owned(),
                    operation_id: op.operation_id().map(str::to_owned),
                    outcome: outcome.clone(),
                });
            }
        }
        resolved
    }

    /// The links of `operation`'s response for `status` (the exact status, else its `2XX`-style
    /// range, else `default`), with their parameters and request body resolved for one
    /// exchange. A parameter whose expression fails is not passed, and `not_passed` says why.
    pub fn resolve_links<X: Exchange + ?Sized>(
        &self,
        operation: &Operation,
        status: u16,
        exchange: &X,
    ) -> Vec<ResolvedLink> {
        let exchange = InOperation {
            exchange,
            path_template: operation.path(),
        };
        operation
            .links_for_status(status)
            .iter()
            .map(|link| {
                let mut parameters = Map::new();
                let mut not_passed = Map::new();
                for (name, value) in link.parameters() {
                    match resolve_value(value, &exchange) {
                        Ok(value) => {
                            parameters.insert(name.clone(), value);
                        }
                        Err(reason) => {
                            not_passed.insert(name.clone(), Value::String(reason));
                        }
                    }
                }
                let request_body =
                    link.request_body()
                        .and_then(|body| match resolve_value(body, &exchange) {
                            Ok(value) => Some(value),
                            Err(reason) => {
                                not_passed.insert("requestBody".to_owned(), Value::String(reason));
                                None
                            }
                        });
                ResolvedLink {
                    link: link.name().to_owned(),
                    target: link.target().clone(),
                    parameters,
                    request_body,
                    not_passed,
                }
            })
            .collect()
    }
}

fn resolve_url<X: Exchange + ?Sized>(url: &CallbackUrl, exchange: &X) -> CallbackOutcome {
    let text = match url {
        CallbackUrl::Constant(text) => text.clone(),
        CallbackUrl::Template(template) => match template.render(exchange) {
            Ok(text) => text,
            Err(err) => return CallbackOutcome::Skipped(err.to_string()),
        },
        CallbackUrl::Expression(expr) => match evaluate(expr, exchange) {
            Ok(value) => match value.as_str() {
                Some(text) => text.to_owned(),
                None => {
                    return CallbackOutcome::Invalid {
                        url: value.to_string(),
                        reason: "the key evaluates to a value that is not a string".to_owned(),
                    };
                }
            },
            Err(err) => return CallbackOutcome::Skipped(err.to_string()),
        },
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

fn resolve_value<X: Exchange + ?Sized>(value: &LinkValue, exchange: &X) -> Result<Value, String> {
    match value {
        LinkValue::Constant(constant) => Ok(constant.clone()),
        LinkValue::Expression(expr) => evaluate(expr, exchange)
            .map(|value| value.to_json())
            .map_err(|err| err.to_string()),
        LinkValue::Template(template) => template
            .render(exchange)
            .map(Value::String)
            .map_err(|err| err.to_string()),
        LinkValue::Object(members) => members
            .iter()
            .map(|(name, member)| resolve_value(member, exchange).map(|v| (name.clone(), v)))
            .collect::<Result<Map<_, _>, _>>()
            .map(Value::Object),
        LinkValue::Array(items) => items
            .iter()
            .map(|item| resolve_value(item, exchange))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        LinkValue::Invalid(text, err) => Err(format!(
            "`{text}` is not a valid runtime expression: {}",
            err.message()
        )),
    }
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
