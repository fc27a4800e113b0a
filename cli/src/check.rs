//! `oas-callbacks check SPEC...`: every callback key and link expression of each document, in
//! the formats people and CI systems read (DESIGN §9): text, JSON, SARIF 2.1.0 and GitHub
//! workflow commands.

use std::path::PathBuf;

use oas_callbacks::{Diagnostic, LoadError, Loader, Severity};

use crate::error::{CliError, Outcome};
use crate::{limits, output};

mod artifact;
mod github;
mod sarif;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// OpenAPI documents (JSON or YAML).
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

/// Checks every document, printing the diagnostics of each as it goes (text, github) or all of
/// them at the end (JSON, SARIF). A document that cannot be read does not stop the others, and
/// the exit status is then 2; otherwise it is 1 when there is an error (or, with
/// `--deny-warnings`, any diagnostic at all).
pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    // Where CI formats make file names relative to (the checked-out repository).
    let cwd = std::env::current_dir().unwrap_or_default();
    // One loader for every document: a file they share is read and parsed once.
    let loader = Loader::new(limits::load_limits(args.ref_root.as_deref())?);
    loader.preload(&args.specs);
    let mut unreadable = Vec::new();
    let mut all = Vec::new();
    for spec in &args.specs {
        let diagnostics = match loader.load(spec) {
            Ok(doc) => doc.check(),
            Err(err @ LoadError::Io { .. }) => {
                unreadable.push(CliError::from(err));
                continue;
            }
            Err(err) => vec![Diagnostic::load_failure(spec, &err)],
        };
        match args.format {
            OutputFormat::Text => {
                for diagnostic in &diagnostics {
                    output::line(format_args!("{diagnostic}\n"))?;
                }
            }
            OutputFormat::Github => {
                for diagnostic in &diagnostics {
                    output::line(github::command(diagnostic, &cwd))?;
                }
            }
            OutputFormat::Json | OutputFormat::Sarif => {}
        }
        all.extend(diagnostics);
    }
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

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
