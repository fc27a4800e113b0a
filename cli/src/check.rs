//! `oas-callbacks check SPEC...`: every callback key and link expression of each OpenAPI
//! document, and every expression, criterion and reference of each Arazzo document (DESIGN
//! §8; told apart by the `arazzo` field), in
//! the formats people and CI systems read (DESIGN §9): text, JSON, SARIF 2.1.0 and GitHub
//! workflow commands.

use std::path::{Path, PathBuf};

use oas_callbacks::{Diagnostic, LoadError, Loader, ParsedFile, Severity};

use crate::error::{CliError, Outcome};
use crate::{limits, output};

mod artifact;
mod github;
mod sarif;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// OpenAPI or Arazzo documents (JSON or YAML; an `arazzo` field makes an Arazzo one).
    #[arg(required = true)]
    specs: Vec<PathBuf>,
    /// `text` (FILE:LINE:COL: severity: message, with the line and a caret), `json` (an array
    /// of diagnostics), `sarif` (SARIF 2.1.0, for code-scanning dashboards) or `github`
    /// (workflow commands: annotations on a pull request).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Fail (exit status 1) on warnings too, not only on errors.
    #[arg(long)]
    deny_warnings: bool,
    /// The folder whose files `$ref`s may reach (default: each document's own folder).
    #[arg(long, value_name = "DIR")]
    ref_root: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
    Sarif,
    Github,
}

/// Checks every document (the OpenAPI ones in parallel), printing the diagnostics of each in
/// the order the documents were given (text, github) or all of them at the end (JSON, SARIF).
/// A document that cannot be read does not stop the others, and the exit status is then 2;
/// otherwise it is 1 when there is an error (or, with `--deny-warnings`, any diagnostic at all).
pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    // Where CI formats make file names relative to (the checked-out repository).
    let cwd = std::env::current_dir().unwrap_or_default();
    // One loader for every document: a file they share is read and parsed once.
    let loader = Loader::new(limits::load_limits(args.ref_root.as_deref())?);
    loader.preload(&args.specs);
    let kinds: Vec<Result<Kind, LoadError>> =
        args.specs.iter().map(|spec| kind(&loader, spec)).collect();
    // The OpenAPI documents are checked in parallel, their results kept in order.
    let openapi: Vec<&PathBuf> = args
        .specs
        .iter()
        .zip(&kinds)
        .filter(|(_, kind)| matches!(kind, Ok(Kind::OpenApi)))
        .map(|(spec, _)| spec)
        .collect();
    let mut openapi_checked = loader.check_all(&openapi).into_iter();
    let mut unreadable = Vec::new();
    let mut all = Vec::new();
    let mut unchecked = Vec::new();
    for (spec, kind) in args.specs.iter().zip(kinds) {
        let checked = match kind {
            Ok(Kind::Arazzo(file)) => Ok(check_arazzo(&loader, *file, &mut unchecked)),
            Ok(Kind::OpenApi) => openapi_checked
                .next()
                .unwrap_or_else(|| loader.load(spec).map(|doc| doc.check())),
            Err(err) => Err(err),
        };
        let diagnostics = match checked {
            Ok(diagnostics) => diagnostics,
            Err(err @ LoadError::Io { .. }) => {
                unreadable.push(CliError::from(err));
                continue;
            }
            Err(err) => vec![Diagnostic::load_failure(spec, &err)],
        };
        match args.format {
            OutputFormat::Text => output::lines(
                diagnostics
                    .iter()
                    .map(|diagnostic| format!("{diagnostic}\n")),
            )?,
            OutputFormat::Github => output::lines(
                diagnostics
                    .iter()
                    .map(|diagnostic| github::command(diagnostic, &cwd)),
            )?,
            OutputFormat::Json | OutputFormat::Sarif => {}
        }
        all.extend(diagnostics);
    }
    // The command ends after this: giving every parsed file back to the allocator one value at
    // a time would cost as much as a tenth of the run, for memory the process returns at exit.
    std::mem::forget(loader);
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = all.len() - errors;
    let summary = match args.format {
        OutputFormat::Json => {
            output::json_pretty(&all)?;
            None
        }
        OutputFormat::Sarif => {
            output::json_pretty(&sarif::log(&all, &unreadable, &cwd))?;
            None
        }
        OutputFormat::Text | OutputFormat::Github => Some(format!(
            "{} checked: {errors} error{}, {warnings} warning{}",
            plural(args.specs.len(), "document"),
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        )),
    };
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    // Said once, and not as a finding: what was not checked because it was not read.
    if !unchecked.is_empty() {
        let names: Vec<String> = unchecked.iter().map(ToString::to_string).collect();
        output::note(format!(
            "note: {} not checked (remote URLs are not fetched, and only OpenAPI and Arazzo documents are read): {}",
            plural(unchecked.len(), "source description"),
            names.join(", ")
        ));
    }
    // The summary is the last line on stderr, after the errors of unreadable documents.
    match (CliError::all(unreadable), summary) {
        (Some(err), Some(summary)) => Err(err.followed_by(summary)),
        (Some(err), None) => Err(err),
        (None, summary) => {
            if let Some(summary) = summary {
                output::note(summary);
            }
            Ok(Outcome::failure_if(failed))
        }
    }
}

/// What a document is, for `check`.
enum Kind {
    /// An OpenAPI description (anything without an `arazzo` field).
    OpenApi,
    /// An Arazzo document, parsed.
    Arazzo(Box<ParsedFile>),
}

/// Tells Arazzo documents from OpenAPI ones by their content (an `arazzo` field). A file that
/// is not a regular file (a pipe) is read once only, so it is read as OpenAPI.
fn kind(loader: &Loader, spec: &Path) -> Result<Kind, LoadError> {
    if !std::fs::metadata(spec).is_ok_and(|m| m.is_file()) {
        return Ok(Kind::OpenApi);
    }
    let file = loader.load_file(spec)?;
    Ok(if arazzo::is_arazzo(file.value()) {
        Kind::Arazzo(Box::new(file))
    } else {
        Kind::OpenApi
    })
}

fn check_arazzo(
    loader: &Loader,
    file: ParsedFile,
    unchecked: &mut Vec<arazzo::Unchecked>,
) -> Vec<Diagnostic> {
    match arazzo::Document::new(file) {
        Ok(document) => {
            let report = document.check(loader);
            unchecked.extend(report.unchecked_sources().iter().cloned());
            report.into_diagnostics()
        }
        Err(diagnostic) => vec![*diagnostic],
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
