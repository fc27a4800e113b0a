//! `check --format sarif`: the diagnostics as a SARIF 2.1.0 log (OASIS), the format
//! code-scanning dashboards import (GitHub code scanning, GitLab, Azure DevOps, SonarQube).
//!
//! One run: the tool (`oas-callbacks`, its version) with one rule per [`DiagnosticCode`] (its
//! id, summary and help), and one result per diagnostic with its level, message, file
//! (relative to the working directory, `%SRCROOT%`) and start line and column (in Unicode code
//! points, `columnKind`). A diagnostic's suggested fix is its result's `fixes`: SARIF wants an
//! edit with every fix, and ours are said in words, so the edit is an empty insertion at the
//! place (a tool that applies it changes nothing; a viewer shows the description). Documents
//! that could not be read make the invocation unsuccessful, each with a notification.

use std::collections::BTreeMap;
use std::path::Path;

use oas_callbacks::{Diagnostic, DiagnosticCode, Severity};
use serde::Serialize;

use super::artifact::{self, Artifact, ArtifactUri};
use crate::error::CliError;

/// The schema a SARIF 2.1.0 log names.
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base that relative artifact URIs are read against: the working directory.
const SOURCE_ROOT: &str = "%SRCROOT%";

/// The SARIF log of one `check` run in the working directory `cwd`.
pub(crate) fn log<'a>(
    diagnostics: &'a [Diagnostic],
    unreadable: &[CliError],
    cwd: &Path,
) -> Log<'a> {
    let rules = DiagnosticCode::ALL
        .iter()
        .map(|&code| Rule::new(code))
        .collect();
    let results = diagnostics
        .iter()
        .map(|diagnostic| SarifResult::new(diagnostic, cwd))
        .collect();
    let original_uri_base_ids = artifact::directory_uri(cwd).map(|uri| {
        BTreeMap::from([(
            SOURCE_ROOT,
            ArtifactLocation {
                uri,
                uri_base_id: None,
            },
        )])
    });
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: env!("CARGO_BIN_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: unreadable.is_empty(),
                tool_execution_notifications: unreadable
                    .iter()
                    .map(|err| Notification {
                        level: "error",
                        message: Message {
                            text: err.message(),
                        },
                    })
                    .collect(),
            }],
            original_uri_base_ids,
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

/// A SARIF log (`sarifLog`).
#[derive(Debug, Serialize)]
pub(crate) struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: Vec<Invocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, ArtifactLocation>>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Debug, Serialize)]
struct Tool {
    driver: Driver,
}

/// The tool component that ran (`toolComponent`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

/// One rule (`reportingDescriptor`): a diagnostic code.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    short_description: Text<&'static str>,
    help: Text<&'static str>,
}

impl Rule {
    fn new(code: DiagnosticCode) -> Self {
        Rule {
            id: code.as_str(),
            short_description: Text {
                text: code.summary(),
            },
            help: Text { text: code.help() },
        }
    }
}

/// A plain-text message (`message`, `multiformatMessageString`).
#[derive(Debug, Serialize)]
struct Text<S> {
    text: S,
}

type Message = Text<String>;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Debug, Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
}

/// One diagnostic (`result`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<&'a str>,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<Fix<'a>>,
}

impl<'a> SarifResult<'a> {
    fn new(diagnostic: &'a Diagnostic, cwd: &Path) -> Self {
        let code = diagnostic.code();
        let artifact_location = ArtifactLocation::new(&Artifact::new(&diagnostic.file, cwd));
        let region = diagnostic.line.map(|line| Region {
            start_line: line,
            start_column: diagnostic.column,
            end_column: None,
        });
        let fixes = diagnostic
            .help
            .as_deref()
            .map(|help| Fix {
                description: Text { text: help },
                artifact_changes: vec![ArtifactChange {
                    artifact_location: artifact_location.clone(),
                    replacements: vec![Replacement {
                        deleted_region: Region::insertion_point(
                            diagnostic.line.unwrap_or(1),
                            diagnostic.column.unwrap_or(1),
                        ),
                    }],
                }],
            })
            .into_iter()
            .collect();
        SarifResult {
            rule_id: code.as_str(),
            rule_index: DiagnosticCode::ALL
                .iter()
                .position(|&known| known == code)
                .unwrap_or_default(),
            level: match diagnostic.severity {
                Severity::Error => "error",
                _ => "warning",
            },
            message: Text {
                text: &diagnostic.message,
            },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location,
                    region,
                },
            }],
            fixes,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

impl ArtifactLocation {
    fn new(artifact: &Artifact) -> Self {
        match artifact.uri() {
            ArtifactUri::Relative(uri) => ArtifactLocation {
                uri,
                uri_base_id: Some(SOURCE_ROOT),
            },
            ArtifactUri::Absolute(uri) => ArtifactLocation {
                uri,
                uri_base_id: None,
            },
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

impl Region {
    /// The empty region before `line:column`.
    fn insertion_point(line: usize, column: usize) -> Self {
        Region {
            start_line: line,
            start_column: Some(column),
            end_column: Some(column),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Fix<'a> {
    description: Text<&'a str>,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use oas_callbacks::LoadError;

    use super::*;

    /// A diagnostic that knows its file but not its place.
    fn placeless() -> Diagnostic {
        Diagnostic::load_failure(
            Path::new("api.yaml"),
            &LoadError::Syntax {
                path: PathBuf::from("api.yaml"),
                position: None,
                message: "invalid YAML".to_owned(),
            },
        )
    }

    #[test]
    fn a_diagnostic_without_a_place_has_no_region_and_stays_valid() {
        let diagnostics = vec![placeless()];
        assert_eq!(diagnostics[0].line, None);
        let log = serde_json::to_value(log(&diagnostics, &[], Path::new("/work/repo")))
            .expect("serializes");
        let schema: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/data/sarif/sarif-schema-2.1.0.json"
        ))
        .expect("schema");
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        assert!(validator.is_valid(&log), "{log:#}");
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "document-syntax");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "api.yaml");
        assert!(location.get("region").is_none(), "{location}");
        assert_eq!(
            log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///work/repo/"
        );
    }
}
