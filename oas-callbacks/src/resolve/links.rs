//! The links of an operation's response for one exchange: the values each passes on.

use expr_eval::{Exchange, Session};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::{Map, Value};

use crate::model::{LinkTarget, LinkValue, Operation};

/// A link of a response, with its values resolved for one exchange. It borrows from the
/// document and the exchange: a parameter whose value is `$request.body` is the exchange's body,
/// not a copy of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResolvedLink<'a> {
    /// The link's name.
    pub link: String,
    /// The target operation.
    #[serde(flatten)]
    pub target: LinkTarget,
    /// The parameters to pass, by name in the document's order, with their resolved values
    /// (constants stay constants). Serializes as an object.
    #[serde(serialize_with = "as_map")]
    pub parameters: Vec<(String, ResolvedValue<'a>)>,
    /// The request body to send, if the link has one and it resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<ResolvedValue<'a>>,
    /// Parameters (and `requestBody`) whose expression failed, with the reason: per the
    /// specification, no value is passed for them.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub not_passed: Map<String, Value>,
}

impl<'a> ResolvedLink<'a> {
    /// The resolved value of parameter `name`, if it is passed.
    pub fn parameter(&self, name: &str) -> Option<&ResolvedValue<'a>> {
        self.parameters
            .iter()
            .find_map(|(parameter, value)| (parameter == name).then_some(value))
    }
}

/// A resolved link value: a constant of the document, a value of the exchange (both borrowed),
/// a rendered template, or an object or array of those. Serializes as the JSON value it is.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ResolvedValue<'a> {
    /// A constant of the document, passed as it is.
    Constant(&'a Value),
    /// The value of a runtime expression, borrowed from the exchange where it can be.
    Evaluated(expr_eval::Value<'a>),
    /// A rendered template.
    Rendered(String),
    /// An object some of whose members were expressions.
    Object(Vec<(&'a str, ResolvedValue<'a>)>),
    /// An array some of whose items were expressions.
    Array(Vec<ResolvedValue<'a>>),
}

impl ResolvedValue<'_> {
    /// The value as an owned JSON value (a copy).
    pub fn to_json(&self) -> Value {
        match self {
            ResolvedValue::Constant(value) => (*value).clone(),
            ResolvedValue::Evaluated(value) => value.to_json(),
            ResolvedValue::Rendered(text) => Value::String(text.clone()),
            ResolvedValue::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(name, member)| ((*name).to_owned(), member.to_json()))
                    .collect(),
            ),
            ResolvedValue::Array(items) => {
                Value::Array(items.iter().map(ResolvedValue::to_json).collect())
            }
        }
    }
}

impl Serialize for ResolvedValue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ResolvedValue::Constant(value) => value.serialize(serializer),
            ResolvedValue::Evaluated(value) => value.serialize(serializer),
            ResolvedValue::Rendered(text) => serializer.serialize_str(text),
            ResolvedValue::Object(members) => as_map(members, serializer),
            ResolvedValue::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}

/// Name/value pairs serialized as a JSON object, in order.
fn as_map<K: AsRef<str>, V: Serialize, S: serde::Serializer>(
    pairs: &[(K, V)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(pairs.len()))?;
    for (name, value) in pairs {
        map.serialize_entry(name.as_ref(), value)?;
    }
    map.end()
}

impl Operation {
    /// The links of this operation's response for `status` (the exact status, else its `2XX`-style
    /// range, else `default`), with their parameters and request body resolved for one
    /// exchange. A parameter whose expression fails is not passed, and `not_passed` says why.
    /// Values borrow from the document and the exchange (nothing large is copied per
    /// parameter); the text of the values taken from the exchange counts against
    /// [`LoadLimits::max_rendered_len`], so that the output stays bounded too.
    ///
    /// [`LoadLimits::max_rendered_len`]: crate::LoadLimits::max_rendered_len
    pub fn resolve_links<'a, X: Exchange + ?Sized>(
        &'a self,
        status: u16,
        exchange: &'a X,
    ) -> Vec<ResolvedLink<'a>> {
        let session = self.session(exchange);
        self.links_for_status(status)
            .iter()
            .map(|link| {
                let mut parameters = Vec::new();
                let mut not_passed = Map::new();
                for (name, value) in link.parameters() {
                    match resolve_value(value, &session) {
                        Ok(value) => parameters.push((name.clone(), value)),
                        Err(reason) => {
                            not_passed.insert(name.clone(), Value::String(reason));
                        }
                    }
                }
                let request_body =
                    link.request_body()
                        .and_then(|body| match resolve_value(body, &session) {
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

fn resolve_value<'a, X: Exchange + ?Sized>(
    value: &'a LinkValue,
    session: &Session<'a, X>,
) -> Result<ResolvedValue<'a>, String> {
    match value {
        LinkValue::Constant(constant) => Ok(ResolvedValue::Constant(constant)),
        // Borrowed, not copied; its text still counts against the limit on what is produced.
        LinkValue::Expression(expr) => session
            .evaluate(expr)
            .and_then(|value| session.count_value(&value).map(|()| value))
            .map(ResolvedValue::Evaluated)
            .map_err(|err| err.to_string()),
        LinkValue::Template(template) => session
            .render(template)
            .map(ResolvedValue::Rendered)
            .map_err(|err| err.to_string()),
        LinkValue::Object(members) => members
            .iter()
            .map(|(name, member)| resolve_value(member, session).map(|v| (name.as_str(), v)))
            .collect::<Result<Vec<_>, _>>()
            .map(ResolvedValue::Object),
        LinkValue::Array(items) => items
            .iter()
            .map(|item| resolve_value(item, session))
            .collect::<Result<Vec<_>, _>>()
            .map(ResolvedValue::Array),
        LinkValue::Invalid(text, err) => Err(format!(
            "`{text}` is not a valid runtime expression: {}",
            err.message()
        )),
    }
}
