//! Support for the benchmarks in `benches/`: generated inputs shared with the tests.

mod generated_document;

pub use generated_document::generated_document;
