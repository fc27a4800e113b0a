//! `oas-callbacks validate SPEC --operation ID --callback NAME [--method M] --body FILE`.

use std::path::PathBuf;

use crate::document_args::{OperationArgs, Target};
use crate::error::{CliError, Outcome};
use crate::{input, output, terminal};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    target: OperationArgs,
    /// The callback's name (its key in the operation's `callbacks`).
    #[arg(long)]
    callback: String,
    /// The callback operation's method, when its Path Item has several.
    #[arg(long)]
    method: Option<String>,
    /// The payload to validate (a JSON file).
    #[arg(long)]
    body: PathBuf,
}

/// Prints `valid`, or each violation as `POINTER: message` (`(root)` for the payload itself)
/// and fails (exit 1) saying how many there are.
pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    let target = Target::load(&args.target)?;
    let (doc, op) = (&target.doc, target.operation());
    let (_, payload) = input::json_payload(&args.body)?;
    let violations = doc
        .validate_callback_payload(op, &args.callback, args.method.as_deref(), &payload)
        .map_err(|err| CliError::invalid(err.to_string()))?;
    if violations.is_empty() {
        output::line("valid")?;
        return Ok(Outcome::Success);
    }
    for violation in &violations {
        let pointer = if violation.pointer.is_empty() {
            "(root)"
        } else {
            &violation.pointer
        };
        // The pointer comes from the payload and the message quotes values of the payload
        // and the schema: one line each, whatever they hold.
        output::line(format_args!(
            "{}: {}",
            terminal::escape_line(pointer),
            terminal::escape_line(&violation.message)
        ))?;
    }
    Err(CliError::invalid(format!(
        "the payload breaks the schema of callback `{}` in {} place{}",
        args.callback,
        violations.len(),
        if violations.len() == 1 { "" } else { "s" }
    )))
}
