//! Writes the generated set of `document/check_set` (the benchmark deletes its own) into a
//! folder, so that the real binary can be timed over it:
//!
//! ```text
//! cargo run --release -p benches --bin write-set -- DIR [DOCUMENTS]
//! time target/release/oas-callbacks check DIR/api-*.json
//! ```
//!
//! `DOCUMENTS` is the number of documents (default 300, as in the benchmark); the set is
//! `2 × DOCUMENTS + 1` files. The paths of the documents are printed, one a line.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), documents, None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: write-set DIR [DOCUMENTS]");
        return ExitCode::from(2);
    };
    let documents = match documents.map(|n| n.to_string_lossy().parse::<usize>()) {
        None => 300,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("write-set: DOCUMENTS must be a positive number");
            return ExitCode::from(2);
        }
    };
    match benches::generated_set(std::path::Path::new(&dir), documents) {
        Ok(specs) => {
            for spec in specs {
                println!("{}", spec.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!(
                "write-set: cannot write the set into {}: {err}",
                dir.display()
            );
            ExitCode::FAILURE
        }
    }
}
