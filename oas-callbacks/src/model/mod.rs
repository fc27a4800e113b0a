//! The document model: what a loaded description holds, as types (built by `build`, read by
//! `check`, `resolve` and `validate`).

mod callback;
mod document;
mod link;
mod operation;

pub use callback::{Callback, CallbackOperation, CallbackUrl};
pub use document::Document;
pub use link::{Link, LinkTarget, LinkValue};
pub use operation::{Operation, Parameter, ParameterLocation};
pub(crate) use operation::{RequestBody, Response};
pub(crate) use operation::{merge_parameters, path_template_parameters};
