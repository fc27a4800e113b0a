//! Building a [`Document`] from its parsed files: one walk over what the root reaches, opening
//! files as references reach them, compiling every expression on the way.

mod body;
mod callbacks;
mod components;
mod links;
mod node;
mod root;
mod walk;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::diagnostic::Severity;
use crate::files::LoadingFiles;
use crate::loader::Loader;
use crate::model::Document;
use crate::source::SourceFile;
use walk::Builder;
pub(crate) use walk::METHODS;

/// The document whose root file, reached as `path`, is `root`.
pub(crate) fn build(loader: &Loader, path: &Path, root: Arc<SourceFile>) -> Document {
    let files = LoadingFiles::new(loader, path, root);
    let mut builder = Builder {
        files: &files,
        diagnostics: Vec::new(),
    };
    let version = builder.check_root(0);
    let operations = builder.operations(0);
    let component_callbacks = builder.component_callbacks(0);
    let component_links = builder.component_links(0);
    let mut diagnostics = builder.diagnostics;
    let mut seen = HashSet::new();
    diagnostics.retain(|d| seen.insert((d.file.clone(), d.line, d.column, d.message.clone())));
    // One unreadable file referenced from many places: say so once.
    let mut unreadable = HashSet::new();
    diagnostics.retain(|d| {
        d.severity == Severity::Error
            || !d.message.starts_with("cannot read referenced file")
            || unreadable.insert(d.message.split(": ").next().unwrap_or_default().to_owned())
    });
    Document {
        files: files.finish(),
        version,
        operations,
        component_callbacks,
        component_links,
        diagnostics,
        schema_resources: OnceLock::new(),
    }
}
