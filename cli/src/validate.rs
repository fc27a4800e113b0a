//! `oas-callbacks validate SPEC --operation ID --callback NAME [--method M] --body FILE`.

use std::path::PathBuf;

use super::document_args::{self, OperationArgs};
use super::{FAILURE, SUCCESS};

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

pub(crate) fn run(args: &Args) -> u8 {
    let target = match document_args::Target::load(&args.target) {
        Ok(target) => target,
        Err(status) => return status,
    };
    let (doc, op) = (&target.doc, target.operation());
    let payload = match super::input::json_payload(&args.body) {
        Ok((_, payload)) => payload,
        Err((status, message)) => {
            eprintln!("error: {message}");
            return status;
        }
    };
    match doc.validate_callback_payload(op, &args.callback, args.method.as_deref(), &payload) {
        Ok(violations) if violations.is_empty() => {
            println!("valid");
            SUCCESS
        }
        Ok(violations) => {
            for violation in &violations {
                let pointer = if violation.pointer.is_empty() {
                    "(root)"
                } else {
                    &violation.pointer
                };
                println!("{pointer}: {}", violation.message);
            }
            eprintln!(
                "error: the payload breaks the schema of callback `{}` in {} place{}",
                args.callback,
                violations.len(),
                if violations.len() == 1 { "" } else { "s" }
            );
            FAILURE
        }
        Err(err) => {
            eprintln!("error: {err}");
            FAILURE
        }
    }
}
