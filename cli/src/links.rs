//! `oas-callbacks links SPEC --operation ID --status CODE (--exchange FILE | --request … --response …)`:
//! the links of one response, with their values resolved, one JSON object per line.

use super::document_args::{self, OperationArgs};
use super::eval::ExchangeArgs;
use super::{FAILURE, SUCCESS, USAGE_OR_IO};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    target: OperationArgs,
    /// The response status whose links to follow (`201`); the response is matched as OpenAPI
    /// does: the exact code, else its range (`2XX`), else `default`.
    #[arg(long)]
    status: u16,
    #[command(flatten)]
    exchange: ExchangeArgs,
}

/// Prints each link as `{"link", "operationId" | "operationRef", "parameters", "requestBody",
/// "notPassed"}`. Exit 1 when the response has no links.
pub(crate) fn run(args: &Args) -> u8 {
    let (target, exchange) = match document_args::Target::load(&args.target)
        .and_then(|target| Ok((target, document_args::exchange(&args.exchange)?)))
    {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let (doc, op) = (&target.doc, target.operation());
    let links = doc.resolve_links(op, args.status, &exchange);
    if links.is_empty() {
        eprintln!(
            "error: the {} response of operation `{}` has no links",
            args.status,
            op.display_name()
        );
        return FAILURE;
    }
    for link in &links {
        match serde_json::to_string(link) {
            Ok(line) => println!("{line}"),
            Err(err) => {
                eprintln!("error: {err}");
                return USAGE_OR_IO;
            }
        }
    }
    SUCCESS
}
