//! `oas-callbacks links SPEC --operation ID --status CODE (--exchange FILE | --request … --response …)`:
//! the links of one response, with their values resolved, one JSON object per line.

use crate::document_args::{OperationArgs, Target};
use crate::error::{CliError, Outcome};
use crate::exchange::ExchangeArgs;
use crate::output;

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
pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    let target = Target::load(&args.target)?;
    let exchange = args.exchange.load()?;
    let op = target.operation();
    let links = op.resolve_links(args.status, &exchange);
    if links.is_empty() {
        return Err(CliError::invalid(format!(
            "the {} response of operation `{}` has no links",
            args.status,
            op.display_name()
        )));
    }
    for link in &links {
        output::json_line(link)?;
    }
    Ok(Outcome::Success)
}
