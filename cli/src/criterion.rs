//! `oas-callbacks criterion --context FILE [--dialect D] CRITERION_JSON`: evaluates an Arazzo
//! Criterion Object against a workflow context file (DESIGN §8).
//!
//! Prints `true` or `false` (exit status 0). A criterion that cannot be read (not JSON, a
//! condition that does not parse, an unknown type) or cannot be evaluated (an expression that
//! does not resolve, a type error) is an error (exit status 1), which says why. A context file
//! that is missing, unreadable or not a workflow context is exit status 2.

use std::path::PathBuf;

use arazzo::{ContextFile, Criterion, CriterionError, Outcome as CriterionOutcome};
use expr_grammar::Dialect;

use crate::error::{CliError, ErrorKind, Outcome};
use crate::{input, output};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A Criterion Object as JSON, e.g. '{"condition": "$statusCode == 200"}' or
    /// '{"context": "$response.body", "condition": "$[?@.id]", "type": "jsonpath"}'.
    criterion: String,
    /// The workflow context (JSON): url, method, statusCode, request {headers, query, path,
    /// body}, response {headers, body}, message {headers, payload}, inputs, outputs,
    /// steps {ID: {outputs}}, workflows {ID: {inputs, outputs}}.
    #[arg(long, value_name = "FILE")]
    context: PathBuf,
    /// The runtime-expression dialect the criterion is read in: arazzo-1.1.0, arazzo-1.0.1,
    /// arazzo-1.0.0 (the 1.0.1 grammar and `$message.`) or openapi.
    #[arg(long, value_name = "D", default_value = "arazzo-1.1.0", value_parser = parse_dialect)]
    dialect: Dialect,
}

fn parse_dialect(name: &str) -> Result<Dialect, String> {
    name.parse()
        .map_err(|err: expr_grammar::UnknownDialect| err.to_string())
}

pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    // Read the criterion first: a mistake in it is reported even when the file is missing.
    let value: serde_json::Value = serde_json::from_str(&args.criterion).map_err(|err| {
        CliError::invalid(format!(
            "the criterion is not JSON: {}",
            input::json_error(&err)
        ))
    })?;
    let criterion = Criterion::from_json(&value, args.dialect).map_err(|err| match err {
        // A condition's error shows the condition with a caret under the place.
        CriterionError::Condition(_) => CliError::block(ErrorKind::Invalid, err),
        other => CliError::invalid(other.to_string()),
    })?;
    let bytes = input::read_file(&args.context)?;
    let text =
        input::utf8(&args.context, &bytes).map_err(|err| err.with_kind(ErrorKind::UsageOrIo))?;
    let context = ContextFile::from_json_str(text)
        .map_err(|err| CliError::usage_or_io(format!("{}: {err}", args.context.display())))?;
    match criterion.evaluate(&context) {
        CriterionOutcome::Error(err) => Err(CliError::invalid(err.to_string())),
        outcome => {
            output::data(if outcome.passed() { "true" } else { "false" })?;
            Ok(Outcome::Success)
        }
    }
}
