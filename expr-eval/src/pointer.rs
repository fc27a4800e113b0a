//! Body pointers: RFC 6901 pointers decoded once into steps and walked without allocating, and
//! the explanation of a pointer that does not resolve.

use expr_grammar::JsonPointer;
use jsonptr::Pointer;
use jsonptr::index::ParseIndexError;
use jsonptr::resolve::Error as ResolveError;

use crate::error::{EvalError, Part};

/// Objects with at most this many members are searched member by member instead of through
/// their hash table: comparing a few lengths (and one key's bytes) is cheaper than hashing the
/// key with SipHash, which dominates a lookup in the small objects that request and response
/// bodies are made of. Larger objects use the hash table.
const LINEAR_SEARCH_MAX_MEMBERS: usize = 8;

/// The member `key` of `map`, found as `serde_json::Map::get` finds it.
#[inline]
pub(crate) fn member<'a>(
    map: &'a serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Option<&'a serde_json::Value> {
    if map.len() <= LINEAR_SEARCH_MAX_MEMBERS {
        // Keys of a map are unique, so the first match is the only one.
        map.iter()
            .find_map(|(name, value)| (name.as_str() == key).then_some(value))
    } else {
        map.get(key)
    }
}

/// One reference token of a compiled body pointer, decoded in advance: the member name (`~1` and
/// `~0` unescaped) and, when the token is an RFC 6901 array index (a decimal without leading
/// zeros; never `-`), that index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Step {
    key: Box<str>,
    index: Option<usize>,
}

impl Step {
    /// The member name this step looks up in an object.
    pub(crate) fn key(&self) -> &str {
        &self.key
    }
}

/// The steps of `pointer`, decoded once.
pub(crate) fn steps(pointer: &JsonPointer) -> Box<[Step]> {
    pointer
        .tokens()
        .map(|token| Step {
            key: token.decoded().into(),
            index: token.array_index(),
        })
        .collect()
}

/// The pointer as `jsonptr` reads it, for its resolution and its errors. A [`JsonPointer`] is
/// made and checked by `jsonptr` itself, so its string form always parses; the root pointer
/// is only the fallback a total function needs.
fn jsonptr_pointer(pointer: &JsonPointer) -> &Pointer {
    Pointer::parse(pointer.as_str()).unwrap_or_else(|_| Pointer::root())
}

/// Follows pre-decoded steps; `None` on any failure, which [`resolve`] then explains (it follows
/// the same RFC 6901 rules, through `jsonptr`).
#[inline]
pub(crate) fn walk<'a>(
    mut value: &'a serde_json::Value,
    steps: &[Step],
) -> Option<&'a serde_json::Value> {
    for step in steps {
        value = match value {
            serde_json::Value::Object(map) => member(map, &step.key)?,
            serde_json::Value::Array(items) => items.get(step.index?)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Resolves an RFC 6901 pointer with `jsonptr`, turning its error into one that names the pointer,
/// the failing token and the prefix that did resolve.
#[inline]
pub(crate) fn resolve<'a>(
    value: &'a serde_json::Value,
    pointer: &JsonPointer,
    part: Part,
) -> Result<&'a serde_json::Value, EvalError> {
    use jsonptr::resolve::Resolve as _;
    let pointer = jsonptr_pointer(pointer);
    value
        .resolve(pointer)
        .map_err(|err| explain(value, pointer, part, &err))
}

#[cold]
fn explain(
    value: &serde_json::Value,
    pointer: &Pointer,
    part: Part,
    err: &ResolveError,
) -> EvalError {
    use jsonptr::resolve::Resolve as _;
    let whole = pointer.as_str();
    let at = whole.get(..err.offset()).unwrap_or_default().to_owned();
    let token = pointer.get(err.position());
    let encoded = token
        .as_ref()
        .map(|t| t.encoded().to_owned())
        .unwrap_or_default();
    let decoded = token
        .as_ref()
        .map(|t| t.decoded().into_owned())
        .unwrap_or_default();
    let pointer = whole.to_owned();
    match err {
        ResolveError::NotFound { .. } => EvalError::PointerKeyNotFound {
            part,
            pointer,
            key: decoded,
            at,
        },
        ResolveError::OutOfBounds { .. } if encoded == "-" => {
            EvalError::PointerPastEnd { part, pointer, at }
        }
        ResolveError::OutOfBounds { source, .. } => EvalError::IndexOutOfBounds {
            part,
            pointer,
            index: source.index,
            length: source.length,
            at,
        },
        ResolveError::FailedToParseIndex { source, .. } => EvalError::InvalidArrayIndex {
            part,
            pointer,
            token: decoded,
            reason: match source {
                ParseIndexError::LeadingZeros => "leading zeros are not allowed",
                _ => "an index is a decimal number without leading zeros",
            },
            at,
        },
        ResolveError::Unreachable { .. } => {
            let found = Pointer::parse(at.as_str())
                .ok()
                .and_then(|prefix| value.resolve(prefix).ok())
                .map_or("a scalar", |scalar| match scalar {
                    serde_json::Value::Null => "null",
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::String(_) => "a string",
                    serde_json::Value::Array(_) | serde_json::Value::Object(_) => "a container",
                });
            EvalError::PointerUnreachable {
                part,
                pointer,
                at,
                found,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn member_finds_what_get_finds_in_small_and_large_objects() {
        for size in [0, 1, 7, 8, 9, 40] {
            let map: serde_json::Map<String, serde_json::Value> =
                (0..size).map(|i| (format!("k{i}"), json!(i))).collect();
            for i in 0..=size {
                let key = format!("k{i}");
                assert_eq!(member(&map, &key), map.get(&key), "{size} {key}");
            }
            assert_eq!(member(&map, ""), None);
            assert_eq!(member(&map, "k"), None);
        }
    }

    #[test]
    fn walk_agrees_with_jsonptr() {
        use jsonptr::resolve::Resolve as _;
        let body = json!({"a": [1, {"b": "c", "": 0, "x/y": 2, "~": 3}], "0": "zero"});
        for text in [
            "",
            "/a",
            "/a/0",
            "/a/1/b",
            "/a/1/",
            "/a/1/x~1y",
            "/a/1/~0",
            "/0",
            "/a/01",
            "/a/-",
            "/a/2",
            "/a/1/b/c",
            "/nope",
        ] {
            let pointer = Pointer::parse(text).expect("pointer");
            let ours = JsonPointer::parse(text).expect("pointer");
            assert_eq!(
                walk(&body, &steps(&ours)),
                body.resolve(pointer).ok(),
                "{text}"
            );
        }
    }
}
