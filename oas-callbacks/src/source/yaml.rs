//! YAML files, read with serde-saphyr into a JSON value plus the position of every node.
//!
//! serde-saphyr is maintained, panic-free by design and fuzzed, enforces budgets (depth,
//! aliases: a "billion laughs" document fails fast) and reports spans (`Spanned<T>`), which is
//! what file:line:column diagnostics need. (`serde_yaml` is archived and `serde_yml` deprecated.)

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::{Location, Spanned};

use super::position::{SyntaxError, position_in};
use super::spans::{Group, SpanBuilder, SpanIndex, SpanNode};
use crate::limits::LoadLimits;

/// The stack one level of YAML nesting may take while it is read: serde-saphyr's deserializer
/// and the walk below recurse once per level, about 40 KiB a level in a debug build and 4 KiB
/// optimised.
const STACK_PER_LEVEL: usize = 64 * 1024;

/// Parses on a thread whose stack fits [`LoadLimits::max_depth`] levels, so that a document
/// nested up to the limit cannot overflow the caller's stack (a 2 MiB thread holds about 50
/// levels in a debug build). Where no thread can be started, it parses on the caller's.
pub(crate) fn parse(
    text: &str,
    limits: &LoadLimits,
) -> Result<(Value, Option<SpanIndex>), SyntaxError> {
    let stack = STACK_PER_LEVEL
        .saturating_mul(limits.max_depth)
        .saturating_add(1024 * 1024);
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("oas-callbacks-yaml".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, || parse_here(text, limits));
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => parse_here(text, limits),
        }
    })
}

fn parse_here(text: &str, limits: &LoadLimits) -> Result<(Value, Option<SpanIndex>), SyntaxError> {
    let mut budget = serde_saphyr::budget::Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_aliases = limits.max_yaml_aliases;
    // The budgets below are bounded by the file's size (itself bounded by max_file_bytes) and
    // alias expansion by max_yaml_alias_nodes, so they would only refuse valid documents, with
    // errors that name no setting: off.
    budget.max_nodes = usize::MAX;
    budget.max_events = usize::MAX;
    budget.max_anchors = usize::MAX;
    budget.max_merge_keys = usize::MAX;
    budget.enforce_alias_anchor_ratio = false;
    budget.max_reader_input_bytes = None;
    budget.max_total_scalar_bytes = limits.max_file_bytes;
    budget.max_recorded_anchor_bytes = limits.max_file_bytes;
    // Flow collections (`[[[…]]]`) have their own nesting limit: the same one.
    budget.flow_nesting_limit = limits.max_depth;
    budget.max_recorded_anchor_events = limits.max_yaml_alias_nodes;
    let mut options = serde_saphyr::Options::default();
    options.alias_limits.max_total_replayed_events = limits.max_yaml_alias_nodes;
    options.budget = Some(budget);
    let lines = LineStarts::new(text);
    let installed = Installed::install();
    let root: Spanned<Built> =
        serde_saphyr::from_str_with_options(text, options).map_err(|err| {
            let position = err
                .location()
                .and_then(|loc| lines.offset(&loc))
                .map(|offset| position_in(text, offset));
            let message = err.to_string();
            // The crate's message may carry its own snippet after the first line; ours shows one.
            let first_line = message.lines().next().unwrap_or("").trim();
            let first_line = first_line.strip_prefix("error: ").unwrap_or(first_line);
            let first_line = match first_line.split_once(": ") {
                Some((head, rest)) if head.starts_with("line ") => rest,
                _ => first_line,
            };
            SyntaxError {
                message: format!("invalid YAML: {}", name_the_limit(first_line, limits)),
                position,
            }
        })?;
    let spans = installed
        .finish()
        .and_then(|builder| builder.finish(root.value.span.at(byte_offset(&root.referenced))));
    Ok((root.value.value, spans))
}

/// serde-saphyr's message for a budget it enforces on our behalf, with the [`LoadLimits`] field
/// that sets it (its own words name its fields, such as `RecordedAnchorEvents { … }`).
fn name_the_limit(message: &str, limits: &LoadLimits) -> String {
    let limit =
        if message.contains("RecordedAnchorEvents") || message.contains("alias replay limit") {
            Some(format!(
                "YAML aliases expand to more than {} nodes (LoadLimits::max_yaml_alias_nodes)",
                limits.max_yaml_alias_nodes
            ))
        } else if message.contains("Aliases {") {
            Some(format!(
                "more than {} YAML alias uses (LoadLimits::max_yaml_aliases)",
                limits.max_yaml_aliases
            ))
        } else if message.contains("TotalScalarBytes") || message.contains("RecordedAnchorBytes") {
            Some(format!(
                "YAML scalars of more than {} bytes in all (LoadLimits::max_file_bytes)",
                limits.max_file_bytes
            ))
        } else if message.contains("Depth {") || message.contains("recursion limit exceeded") {
            Some(format!(
                "sequences and mappings nested more than {} levels deep (LoadLimits::max_depth)",
                limits.max_depth
            ))
        } else {
            None
        };
    match limit {
        Some(limit) => format!("{limit}: {message}"),
        None => message.to_owned(),
    }
}

/// Byte offsets of line starts, to turn a (line, column) into an offset when the parser gives
/// no byte offset.
struct LineStarts<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineStarts<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineStarts { text, starts }
    }

    fn offset(&self, location: &Location) -> Option<usize> {
        if let Some(offset) = location.span().byte_offset() {
            return usize::try_from(offset).ok();
        }
        let line = usize::try_from(location.line()).ok()?.checked_sub(1)?;
        let column = usize::try_from(location.column()).ok()?.checked_sub(1)?;
        let start = *self.starts.get(line)?;
        let in_line = self.text[start..]
            .char_indices()
            .nth(column)
            .map_or(self.text.len() - start, |(i, _)| i);
        Some(start + in_line)
    }
}

thread_local! {
    /// The parse running on this thread. serde-saphyr reports a value's position only through
    /// `Spanned<T>`, whose `T` is deserialized without a seed, so the visitors reach the span
    /// table and their scratch space here: each value is put in its final form as it is read,
    /// and nothing of the parser's (two locations of 28 bytes per value) outlives its parent.
    static PARSE: RefCell<Option<Parse>> = const { RefCell::new(None) };
}

/// How many members of a mapping wait before it is allocated.
const BUFFERED_MEMBERS: usize = 16;

/// What the visitors of one parse share.
#[derive(Default)]
struct Parse {
    spans: SpanBuilder,
    /// Buffers for the first members of the mappings and the positions of the children of
    /// the collections being read, one per open level, reused.
    members: Vec<Vec<(String, Value)>>,
    groups: Vec<Group>,
}

/// The parse state of this thread, from the parse's start to its end (or its failure).
struct Installed;

impl Installed {
    fn install() -> Installed {
        PARSE.with(|parse| *parse.borrow_mut() = Some(Parse::default()));
        Installed
    }

    fn finish(self) -> Option<SpanBuilder> {
        PARSE.with(|parse| parse.borrow_mut().take().map(|parse| parse.spans))
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        PARSE.with(|parse| parse.borrow_mut().take());
    }
}

/// Runs `f` on this thread's parse (always installed while the visitors run).
fn with_parse<R>(f: impl FnOnce(&mut Parse) -> R) -> Option<R> {
    PARSE.with(|parse| parse.borrow_mut().as_mut().map(f))
}

fn byte_offset(location: &Location) -> Option<usize> {
    location
        .span()
        .byte_offset()
        .and_then(|offset| usize::try_from(offset).ok())
}

/// A value as read: its JSON form and its node in the span table.
struct Built {
    value: Value,
    span: SpanNode,
}

impl Built {
    fn scalar(value: Value) -> Built {
        Built {
            value,
            span: SpanNode::leaf(),
        }
    }
}

/// A mapping key: YAML allows any scalar (`200:` is an integer), JSON only strings, so
/// scalars are turned into their text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
                Ok(Key(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Ok(Key("null".to_owned()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Built {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(BuiltVisitor)
    }
}

struct BuiltVisitor;

impl<'de> Visitor<'de> for BuiltVisitor {
    type Value = Built;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Built, E> {
        Ok(Built::scalar(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Built, E> {
        Ok(Built::scalar(Value::Number(v.into())))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Built, E> {
        Ok(Built::scalar(Value::Number(v.into())))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Built, E> {
        Number::from_f64(v)
            .map(|n| Built::scalar(Value::Number(n)))
            .ok_or_else(|| E::custom("a number that JSON cannot represent (NaN or infinity)"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Built, E> {
        Ok(Built::scalar(Value::String(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Built, E> {
        Ok(Built::scalar(Value::String(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Built, E> {
        Ok(Built::scalar(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Built, E> {
        Ok(Built::scalar(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Built, D::Error> {
        Built::deserialize(deserializer)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Built, A::Error> {
        let mut group =
            with_parse(|parse| parse.groups.pop().unwrap_or_default()).unwrap_or_default();
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Built>>()? {
            group.item(item.value.span.at(byte_offset(&item.referenced)));
            items.push(item.value.value);
        }
        // Growth leaves up to half the capacity unused, and four slots for one item: give it
        // back (in place: the allocator shrinks a block without moving it).
        items.shrink_to_fit();
        let span = with_parse(|parse| {
            let span = parse.spans.close(&mut group, false);
            parse.groups.push(group);
            span
        });
        Ok(Built {
            value: Value::Array(items),
            span: span.unwrap_or_else(SpanNode::leaf),
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Built, A::Error> {
        let (mut members, mut group) = with_parse(|parse| {
            (
                parse.members.pop().unwrap_or_default(),
                parse.groups.pop().unwrap_or_default(),
            )
        })
        .unwrap_or_default();
        // The first members wait in a buffer, so that a small mapping is allocated at its
        // exact size (a map cannot be shrunk); a large one then grows in place.
        let mut object: Option<Map<String, Value>> = None;
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            let value = map.next_value::<Spanned<Built>>()?;
            let span = value.value.span.at(byte_offset(&value.referenced));
            with_parse(|parse| {
                let at = byte_offset(&key.referenced);
                parse.spans.member(&mut group, &key.value.0, at, span);
            });
            match &mut object {
                // A repeated key (the parser refuses them; merge keys are expanded before)
                // keeps its last value, as serde_json does.
                Some(object) => {
                    object.insert(key.value.0, value.value.value);
                }
                None if members.len() < BUFFERED_MEMBERS => {
                    members.push((key.value.0, value.value.value));
                }
                None => {
                    let mut large = Map::with_capacity(2 * BUFFERED_MEMBERS);
                    large.extend(members.drain(..));
                    large.insert(key.value.0, value.value.value);
                    object = Some(large);
                }
            }
        }
        let object = object.unwrap_or_else(|| {
            let mut small = Map::with_capacity(members.len());
            small.extend(members.drain(..));
            small
        });
        let span = with_parse(|parse| {
            let span = parse.spans.close(&mut group, true);
            parse.members.push(members);
            parse.groups.push(group);
            span
        });
        Ok(Built {
            value: Value::Object(object),
            span: span.unwrap_or_else(SpanNode::leaf),
        })
    }
}
