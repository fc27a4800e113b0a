//! `oas-callbacks check SPEC...`: every callback key and link expression of each document.

use std::path::PathBuf;

use oas_callbacks::{Diagnostic, Document, LoadError, Severity};

use super::{FAILURE, SUCCESS, USAGE_OR_IO};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// OpenAPI documents (JSON or YAML).
    #[arg(required = true)]
    specs: Vec<PathBuf>,
    /// `text` (FILE:LINE:COL: severity: message, with the line and a caret) or `json` (an
    /// array of diagnostics).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

pub(crate) fn run(args: &Args) -> u8 {
    let mut status = SUCCESS;
    let mut all = Vec::new();
    for spec in &args.specs {
        let limits = match super::input::load_limits() {
            Ok(limits) => limits,
            Err(message) => {
                eprintln!("error: {message}");
                return USAGE_OR_IO;
            }
        };
        let diagnostics = match Document::load_with(spec, limits) {
            Ok(doc) => doc.check(),
            Err(LoadError::Io { path, source }) => {
                eprintln!("error: cannot read {}: {source}", path.display());
                status = USAGE_OR_IO;
                continue;
            }
            Err(err) => vec![load_failure(spec, &err)],
        };
        if diagnostics.iter().any(|d| d.severity == Severity::Error) && status == SUCCESS {
            status = FAILURE;
        }
        if args.format == OutputFormat::Text {
            for diagnostic in &diagnostics {
                println!("{diagnostic}\n");
            }
        }
        all.extend(diagnostics);
    }
    match args.format {
        OutputFormat::Json => match serde_json::to_string_pretty(&all) {
            Ok(json) => println!("{json}"),
            Err(err) => {
                eprintln!("error: {err}");
                return USAGE_OR_IO;
            }
        },
        OutputFormat::Text => {
            let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
            let warnings = all.len() - errors;
            eprintln!(
                "{} checked: {errors} error{}, {warnings} warning{}",
                plural(args.specs.len(), "document"),
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            );
        }
    }
    status
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A document that is not JSON or YAML is itself a finding of `check`.
fn load_failure(spec: &std::path::Path, err: &LoadError) -> Diagnostic {
    oas_callbacks::Diagnostic::load_failure(spec, err)
}
