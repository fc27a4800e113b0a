//! `$request.body#/…` and `$response.body#/…` pointers against the body schema: a property the
//! schema does not declare is probably a typo. Also a pointer into a body that is not JSON.
//!
//! The walk visits each (schema, pointer position) once, so its cost is bounded by the size of
//! the schemas, not by the number of paths through them (`allOf` branches that share their
//! targets), and the names a schema declares are read only when a diagnostic lists them.

use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

use expr_grammar::Expression;
use serde_json::Value;

use super::suggest::{MAX_SUGGESTIONS, closest};
use super::{At, Checker};
use crate::diagnostic::{DiagnosticCode, Severity};
use crate::files::{FileTable, Files, Place};
use crate::model::Operation;

/// How deep schema walks go (schemas may be recursive).
const MAX_SCHEMA_DEPTH: usize = 64;

/// How many schemas one body-pointer lint visits at most (each once): a bound on the work for
/// one expression whatever the document.
const MAX_SCHEMA_VISITS: usize = 10_000;

/// How many schemas' property names a "has no property" diagnostic draws on.
const MAX_KNOWN_SOURCES: usize = 256;

/// The answer of a schema walk.
#[derive(Clone)]
enum Verdict {
    /// The schema declares the whole path.
    Admitted,
    /// The schema leaves it open (no properties declared, `additionalProperties: true`, a
    /// reference that cannot be followed…): no warning.
    Unknown,
    /// The token at `depth` is not declared; `known` are the schemas whose `properties`
    /// hold the names declared there.
    Missing { depth: usize, known: Rc<Vec<Place>> },
}

impl Verdict {
    fn deeper(self) -> Self {
        match self {
            Verdict::Missing { depth, known } => Verdict::Missing {
                depth: depth + 1,
                known,
            },
            other => other,
        }
    }
}

/// One walk of a schema for one pointer.
struct Walk<'w> {
    files: &'w Files,
    tokens: &'w [String],
    visits: usize,
    memo: HashMap<(Place, usize), Verdict>,
}

impl Walk<'_> {
    /// Whether a value valid against the schema at `schema` can hold something at
    /// `tokens[index..]`.
    fn admits(&mut self, schema: &Place, index: usize, depth: usize) -> Verdict {
        if depth > MAX_SCHEMA_DEPTH || self.visits >= MAX_SCHEMA_VISITS {
            return Verdict::Unknown;
        }
        let key = (schema.clone(), index);
        if let Some(verdict) = self.memo.get(&key) {
            return verdict.clone();
        }
        self.visits += 1;
        let verdict = self.visit(schema, index, depth);
        self.memo.insert(key, verdict.clone());
        verdict
    }

    fn visit(&mut self, schema: &Place, index: usize, depth: usize) -> Verdict {
        let Ok(schema) = self.files.follow(schema) else {
            return Verdict::Unknown;
        };
        let Some(token) = self.tokens.get(index) else {
            return Verdict::Admitted;
        };
        let Some(Value::Object(map)) = self.files.get(&schema) else {
            return Verdict::Unknown;
        };
        // Combinators: admitted if any branch admits it.
        let mut branches_missing = Vec::new();
        let mut has_branches = false;
        for combinator in ["allOf", "anyOf", "oneOf"] {
            if let Some(Value::Array(items)) = map.get(combinator) {
                for item in 0..items.len() {
                    has_branches = true;
                    let branch = schema.child(combinator).child(&item.to_string());
                    match self.admits(&branch, index, depth + 1) {
                        Verdict::Missing { depth, known } => branches_missing.push((depth, known)),
                        verdict => return verdict,
                    }
                }
            }
        }
        let mut known: Vec<Place> = Vec::new();
        if let Some(Value::Object(properties)) = map.get("properties") {
            if properties.contains_key(token) {
                let property = schema.child("properties").child(token);
                return self.admits(&property, index + 1, depth + 1).deeper();
            }
            if !properties.is_empty() {
                known.push(schema.child("properties"));
            }
        }
        let is_index = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
        if is_index {
            if let Some(items) = map.get("items")
                && items.is_object()
            {
                return self
                    .admits(&schema.child("items"), index + 1, depth + 1)
                    .deeper();
            }
            if map.get("prefixItems").is_some() {
                return Verdict::Unknown;
            }
        }
        match map.get("additionalProperties") {
            Some(Value::Object(_)) => {
                return self
                    .admits(&schema.child("additionalProperties"), index + 1, depth + 1)
                    .deeper();
            }
            Some(Value::Bool(true)) => return Verdict::Unknown,
            _ => {}
        }
        if map.contains_key("patternProperties") || map.contains_key("$dynamicRef") {
            return Verdict::Unknown;
        }
        for (_, branch_known) in &branches_missing {
            for place in branch_known.iter() {
                if known.len() < MAX_KNOWN_SOURCES && !known.contains(place) {
                    known.push(place.clone());
                }
            }
        }
        if known.is_empty() && !has_branches {
            // Nothing declared: the schema does not say what the body holds.
            return Verdict::Unknown;
        }
        // A branch that failed deeper than here is more specific.
        if let Some((d, branch_known)) = branches_missing
            .iter()
            .filter(|(d, _)| *d > 0)
            .max_by_key(|(d, _)| *d)
        {
            return Verdict::Missing {
                depth: *d,
                known: Rc::clone(branch_known),
            };
        }
        Verdict::Missing {
            depth: 0,
            known: Rc::new(known),
        }
    }

    /// The property names the `properties` objects at `known` declare, sorted.
    fn names(&self, known: &[Place]) -> Vec<String> {
        let mut names = BTreeSet::new();
        for place in known {
            if let Some(Value::Object(properties)) = self.files.get(place) {
                names.extend(properties.keys().cloned());
            }
        }
        names.into_iter().collect()
    }
}

fn admits(files: &Files, schema: &Place, tokens: &[String]) -> (Verdict, Vec<String>) {
    let mut walk = Walk {
        files,
        tokens,
        visits: 0,
        memo: HashMap::new(),
    };
    let verdict = walk.admits(schema, 0, 0);
    let names = match &verdict {
        Verdict::Missing { known, .. } => walk.names(known),
        _ => Vec::new(),
    };
    (verdict, names)
}

fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

impl Checker<'_> {
    pub(super) fn body_pointer(
        &mut self,
        expr: &Expression,
        pointer: &expr_grammar::JsonPointer,
        schema: &Place,
        which: &str,
        at: At<'_>,
    ) {
        let tokens: Vec<String> = pointer.tokens().map(|t| t.decoded().into_owned()).collect();
        let (Verdict::Missing { depth, .. }, known) = admits(&self.doc.files, schema, &tokens)
        else {
            return;
        };
        let at_pointer: String = tokens[..depth]
            .iter()
            .map(|t| format!("/{}", escape_token(t)))
            .collect();
        let mut message = format!(
            "`{expr}`: the {which} body schema has no property `{}` at `{}`",
            tokens[depth],
            if at_pointer.is_empty() {
                "/"
            } else {
                &at_pointer
            }
        );
        if !known.is_empty() {
            let listed: Vec<String> = known.iter().take(8).map(|k| format!("`{k}`")).collect();
            message.push_str(&format!(
                " (it declares {}{})",
                listed.join(", "),
                if known.len() > 8 { ", …" } else { "" }
            ));
        }
        let mut diagnostic = self.diagnostic(
            Severity::Warning,
            DiagnosticCode::UnknownBodyProperty,
            at,
            None,
            message,
        );
        // `#/a.b.c` written for `#/a/b/c`: suggest the slashed pointer when the schema has it.
        if tokens[depth].contains('.') {
            let mut split: Vec<String> = tokens[..depth].to_vec();
            split.extend(tokens[depth].split('.').map(str::to_owned));
            split.extend(tokens[depth + 1..].iter().cloned());
            if matches!(admits(&self.doc.files, schema, &split).0, Verdict::Admitted) {
                let fixed: String = split
                    .iter()
                    .map(|t| format!("/{}", escape_token(t)))
                    .collect();
                let prefix = if matches!(expr, Expression::Request(_)) {
                    "$request"
                } else {
                    "$response"
                };
                diagnostic = diagnostic.with_help(format!("did you mean `{prefix}.body#{fixed}`?"));
            }
        } else if self.out.len() < MAX_SUGGESTIONS
            && let Some(close) = closest(&tokens[depth], known.iter().map(String::as_str))
        {
            diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
        }
        self.out.push(diagnostic);
    }

    /// A body pointer into a request body that is only multipart or form data, with no JSON
    /// part declared.
    pub(super) fn non_json_pointer(&mut self, op: &Operation, expr: &Expression, at: At<'_>) {
        let diagnostic = self.diagnostic(
            Severity::Warning,
            DiagnosticCode::NonJsonBodyPointer,
            at,
            None,
            format!(
                "`{expr}`: the request body of operation `{}` is multipart or form data, not JSON, so a JSON pointer does not point into it (declare a JSON part in the multipart `encoding`, or a JSON media type)",
                op.display_name()
            ),
        );
        self.out.push(diagnostic);
    }
}
