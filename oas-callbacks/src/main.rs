//! The `oas-callbacks` command: parse, evaluate and check OpenAPI runtime expressions, and
//! resolve the callbacks and links of OpenAPI documents. See `oas-callbacks --help`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
