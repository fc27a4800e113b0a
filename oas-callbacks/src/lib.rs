//! OpenAPI callbacks and links, resolved at run time.
//!
//! This crate reads OpenAPI 3.0, 3.1 and 3.2 descriptions (JSON or YAML), finds every Callback
//! Object and Link Object, compiles their runtime expressions once, and then, for a given HTTP
//! exchange, computes the URL each callback is sent to and the values each link passes on. It
//! also checks documents for mistakes that no other tool reports together, and validates
//! callback payloads against their schema.
//!
//! ```
//! use oas_callbacks::Document;
//!
//! let doc = Document::load("../examples/progress-api.yaml")?;
//! let op = doc.operation("startJob").expect("the example declares it");
//! for callback in op.callbacks() {
//!     println!("{} -> {}", callback.name(), callback.key());
//! }
//! # Ok::<(), oas_callbacks::LoadError>(())
//! ```
//!
//! The modules, lowest first: `source` (one file: parsing and positions), `limits`, `loader`
//! (the files of a run), `files` (the files of one document and the references between
//! them), `model` (the document's types), `compile` (its expressions), `build` (the walk that
//! makes the model), then what reads the model: `check` (one module per lint family),
//! `check_all` (the documents of a run checked in parallel), `resolve` (callbacks and links for
//! an exchange) and `validate` (payloads).

mod build;
mod check;
mod check_all;
mod compile;
mod diagnostic;
mod error;
mod files;
mod limits;
mod loader;
mod model;
mod parsed_file;
mod resolve;
mod source;
mod validate;

pub use diagnostic::{Diagnostic, DiagnosticCode, Severity, UnknownCodeError};
pub use error::LoadError;
pub use limits::LoadLimits;
pub use loader::{Loader, LoaderStats};
pub use model::{
    Callback, CallbackOperation, CallbackUrl, Document, Link, LinkTarget, LinkValue, Operation,
    Parameter, ParameterLocation,
};
pub use parsed_file::ParsedFile;
pub use resolve::{CallbackOutcome, ResolvedCallback, ResolvedLink, ResolvedValue, SkipReason};
pub use source::{Format, Position};
pub use validate::{ValidateError, Violation};

/// The examples of the workspace README, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

// The crate README's examples are run as doctests too (the workspace README's are above).
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct CrateReadmeDoctests;
