//! The links of an operation's response for one exchange: the values each passes on.

use expr_eval::Exchange;
use serde::Serialize;
use serde_json::{Map, Value};

use super::InOperation;
use crate::model::{LinkTarget, LinkValue, Operation};

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

impl Operation {
    /// The links of this operation's response for `status` (the exact status, else its `2XX`-style
    /// range, else `default`), with their parameters and request body resolved for one
    /// exchange. A parameter whose expression fails is not passed, and `not_passed` says why.
    pub fn resolve_links<X: Exchange + ?Sized>(
        &self,
        status: u16,
        exchange: &X,
    ) -> Vec<ResolvedLink> {
        let exchange = InOperation {
            exchange,
            path_template: self.path(),
        };
        self.links_for_status(status)
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

fn resolve_value<X: Exchange + ?Sized>(value: &LinkValue, exchange: &X) -> Result<Value, String> {
    match value {
        LinkValue::Constant(constant) => Ok(constant.clone()),
        LinkValue::Expression(expr) => expr
            .evaluate(exchange)
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
