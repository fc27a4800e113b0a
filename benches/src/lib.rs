//! Support for the benchmarks in `benches/`: generated inputs shared with the tests.

mod generated_document;
mod generated_set;

pub use generated_document::generated_document;
pub use generated_set::{generated_set, generated_web};
