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

mod check;
mod diagnostic;
mod document;
mod resolve;
mod validate;

pub use diagnostic::{Diagnostic, DiagnosticCode, Severity, UnknownCodeError};
pub use document::{
    Callback, CallbackOperation, CallbackUrl, Document, Format, Link, LinkTarget, LinkValue,
    LoadError, LoadLimits, Operation, Position,
};
pub use resolve::{CallbackOutcome, ResolvedCallback, ResolvedLink};
pub use validate::{ValidateError, Violation};

/// The examples of the workspace README, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
