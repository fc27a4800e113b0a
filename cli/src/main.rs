//! The `oas-callbacks` command: parse, evaluate and check OpenAPI runtime expressions, and
//! resolve, validate and send the callbacks and links of OpenAPI documents.
//!
//! Exit status (DESIGN §5): 0 success; 1 the input is invalid, a check failed or a value could
//! not be resolved; 2 usage or I/O errors. Results go to stdout ([`output`]); each command
//! returns its [`Outcome`] or a [`CliError`], which knows its exit status and which `main`
//! alone prints, on stderr.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `check` parses and checks documents on one thread per core. glibc's allocator gives each
/// thread an arena that grows one page per system call (an `mprotect` per page): over the
/// generated set of the `document` benchmark that was 6,500 calls and a quarter more CPU time
/// than on one thread. mimalloc grows its thread heaps in large segments.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod check;
mod criterion;
mod document_args;
#[cfg(feature = "outbox")]
mod enqueue;
mod error;
mod eval;
mod exchange;
mod input;
mod limits;
mod links;
#[cfg(feature = "outbox")]
mod outbox;
mod output;
mod parse;
mod resolve;
#[cfg(feature = "deliver")]
mod send;
mod terminal;
mod validate;
mod yaml;

use error::{CliError, Outcome};

#[derive(Debug, Parser)]
#[command(
    name = "oas-callbacks",
    version,
    about = "OpenAPI runtime expressions: parse, evaluate, check, and resolve callbacks and links",
    long_about = None,
    after_help = limits::ENVIRONMENT_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse a runtime expression (or, with --template, a string with embedded {expressions})
    /// and print its canonical form.
    Parse(parse::Args),
    /// Evaluate a runtime expression (starts with `$`) or a template against an HTTP exchange:
    /// an exchange file, or a raw HTTP/1.1 request and response.
    Eval(eval::Args),
    /// Check every callback key and link expression of OpenAPI documents: syntax errors with
    /// suggested fixes, and lints against the operations (FILE:LINE:COL: error: …).
    Check(check::Args),
    /// Evaluate an Arazzo Criterion Object (simple, regex, jsonpath or xpath) against a workflow
    /// context file: prints true or false.
    Criterion(criterion::Args),
    /// Validate a callback payload against the request-body schema of the callback operation;
    /// every violation is printed with its JSON pointer.
    Validate(validate::Args),
    /// Resolve the callbacks of an operation for an exchange: one JSON object per line with the
    /// URL to call, or `skipped` with the reason.
    Resolve(resolve::Args),
    /// Resolve the links of an operation's response for an exchange: one JSON object per line
    /// with the target and the parameter values.
    Links(links::Args),
    /// Send a callback as the provider would (feature `deliver`): validate the payload, check the
    /// URL against request forgery, deliver with retries; one JSON object per delivery.
    #[cfg(feature = "deliver")]
    Send(Box<send::Args>),
    /// Store a callback in the durable outbox (feature `outbox`): validate the payload, resolve
    /// the URL, store the message; `outbox run` delivers it. One JSON object per message.
    #[cfg(feature = "outbox")]
    Enqueue(Box<enqueue::Args>),
    /// The durable outbox (feature `outbox`): run the worker, list, get, replay, cancel, purge.
    #[cfg(feature = "outbox")]
    #[command(subcommand)]
    Outbox(outbox::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.command) {
        Ok(outcome) => ExitCode::from(outcome.status()),
        // Whoever read stdout has gone (a pipe into `head`): nothing is worth saying, but the
        // output is incomplete, so a script with `pipefail` does not take it for a clean run.
        Err(err) if err.is_output_closed() => ExitCode::from(err.status()),
        Err(err) => {
            output::note(&err);
            ExitCode::from(err.status())
        }
    }
}

fn run(command: &Command) -> Result<Outcome, CliError> {
    match command {
        Command::Parse(args) => parse::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Check(args) => check::run(args),
        Command::Criterion(args) => criterion::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Resolve(args) => resolve::run(args),
        Command::Links(args) => links::run(args),
        #[cfg(feature = "deliver")]
        Command::Send(args) => send::run(args),
        #[cfg(feature = "outbox")]
        Command::Enqueue(args) => enqueue::run(args),
        #[cfg(feature = "outbox")]
        Command::Outbox(command) => outbox::run(command),
    }
}
