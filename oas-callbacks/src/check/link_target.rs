//! A link's target: its `operationId` names an operation, its `operationRef` leads to one.

use std::collections::HashSet;

use serde_json::Value;

use super::suggest::{MAX_SUGGESTIONS, closest};
use super::{At, Checker};
use crate::build::METHODS;
use crate::diagnostic::{DiagnosticCode, Severity};
use crate::files::FileTable;
use crate::model::{Document, Link, LinkTarget};

/// The `operationId`s a link may name: the operations', and their callbacks'.
pub(super) fn operation_ids(doc: &Document) -> HashSet<&str> {
    let mut ids = HashSet::new();
    for op in &doc.operations {
        ids.extend(op.operation_id());
        for callback in &op.callbacks {
            ids.extend(callback.operations.iter().filter_map(|o| o.operation_id()));
        }
    }
    ids
}

impl Checker<'_> {
    pub(super) fn link_target(&mut self, link: &Link) {
        match &link.target {
            LinkTarget::OperationId(id) if !self.ids.contains(id.as_str()) => {
                let place = link.place.child("operationId");
                let mut diagnostic = self.diagnostic(
                    Severity::Error,
                    DiagnosticCode::UnknownLinkOperation,
                    At {
                        place: &place,
                        key: false,
                    },
                    None,
                    format!("operationId `{id}` of a link names no operation of the document"),
                );
                if self.out.len() < MAX_SUGGESTIONS
                    && let Some(close) = closest(id, self.ids.iter().copied())
                {
                    diagnostic = diagnostic.with_help(format!("did you mean `{close}`?"));
                }
                self.out.push(diagnostic);
            }
            LinkTarget::OperationRef(reference) => {
                if let Some((severity, code, message)) = self.operation_ref_problem(link, reference)
                {
                    let place = link.place.child("operationRef");
                    let diagnostic = self.diagnostic(
                        severity,
                        code,
                        At {
                            place: &place,
                            key: false,
                        },
                        None,
                        message,
                    );
                    self.out.push(diagnostic);
                }
            }
            _ => {}
        }
    }

    /// What is wrong with an `operationRef`, if anything: it must lead to an operation (a
    /// method under a Path Item). URL references cannot be checked without the network.
    fn operation_ref_problem(
        &self,
        link: &Link,
        reference: &str,
    ) -> Option<(Severity, DiagnosticCode, String)> {
        let (location, _) = reference.split_once('#').unwrap_or((reference, ""));
        if location.contains("://") {
            return Some((
                Severity::Warning,
                DiagnosticCode::UncheckedOperationRef,
                format!(
                    "operationRef `{reference}` is a URL and was not checked (no network access)"
                ),
            ));
        }
        let files = &self.doc.files;
        match files.target(link.place.file, reference) {
            Ok(place) => {
                let is_operation = place
                    .pointer
                    .tokens()
                    .last()
                    .is_some_and(|t| METHODS.contains(&t.decoded().as_ref()))
                    && files.get(&place).is_some_and(Value::is_object);
                (!is_operation).then(|| {
                    (
                        Severity::Error,
                        DiagnosticCode::InvalidOperationRef,
                        format!("operationRef `{reference}` does not point at an operation"),
                    )
                })
            }
            Err(err) => Some((
                Severity::Error,
                DiagnosticCode::InvalidOperationRef,
                format!("operationRef `{reference}` does not resolve: {err}"),
            )),
        }
    }
}
