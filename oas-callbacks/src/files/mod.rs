//! The files of one description and the `$ref`s between them.
//!
//! A reference is resolved against the file it appears in: `#/components/…` in the same file,
//! `other.yaml#/…` (or `other.yaml`) relative to that file's folder. References with a URL
//! scheme are refused: loading never touches the network. Chains of references are followed
//! up to [`LoadLimits::max_ref_depth`], and a cycle is an error, never a hang.
//!
//! While a document is built, its files are [`LoadingFiles`]: a file is opened (through the
//! run's [`Loader`]) when a reference that matters first reaches it. The built document keeps
//! [`Files`], which only reads.

mod loading;
mod reference;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonptr::{Pointer, PointerBuf, resolve::Resolve};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::limits::LoadLimits;
use crate::source::{Position, RefEdge, RefNode, RefTarget, SourceFile, has_scheme};
pub(crate) use loading::LoadingFiles;
pub(crate) use reference::{RefError, file_part};

/// The index of a file in a document's files (0 is the root).
pub(crate) type FileId = usize;

/// The file each reference's file part led to, by the file it is written in (looked up by the
/// location as written, without a copy of it).
pub(crate) type Opened = HashMap<FileId, HashMap<Box<str>, Result<FileId, RefError>>>;

/// A value reached by reference checks: its file, and its node in that file's reference graph.
pub(crate) type RefPlace = (FileId, RefNode);

/// A value of the description: which file, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Place {
    pub(crate) file: FileId,
    pub(crate) pointer: PointerBuf,
}

impl Place {
    pub(crate) fn root(file: FileId) -> Place {
        Place {
            file,
            pointer: PointerBuf::new(),
        }
    }

    pub(crate) fn child(&self, token: &str) -> Place {
        let mut pointer = self.pointer.clone();
        pointer.push_back(jsonptr::Token::new(token));
        Place {
            file: self.file,
            pointer,
        }
    }
}

/// A file of a document: the path by which the document reached it (diagnostics name it, and
/// relative references start from its folder), and its parsed content (shared by every
/// document of a run that reaches the same file).
#[derive(Debug)]
pub(crate) struct DocFile {
    pub(crate) path: PathBuf,
    pub(crate) source: Arc<SourceFile>,
}

/// Reading the files of a document: what both the loading and the loaded form offer.
pub(crate) trait FileTable {
    /// File `id`.
    fn doc_file(&self, id: FileId) -> &DocFile;

    /// The limits the files were loaded with.
    fn limits(&self) -> &LoadLimits;

    /// The file that `location` (the part of a reference before `#`, as written) names, from
    /// file `from`.
    fn open(&self, from: FileId, location: &str) -> Result<FileId, RefError>;

    /// Whether every reference the value at `place` makes, transitively, is known to be
    /// followable (so [`FileTable::check_references`] need not walk it again).
    fn known_followable(&self, _place: RefPlace) -> bool {
        false
    }

    /// Remembers values whose references were all followed.
    fn remember_followable(&self, _places: HashSet<RefPlace>) {}

    /// Opens the files these references name, in parallel where that helps.
    fn prefetch(&self, _from: FileId, _references: &[&str]) {}

    fn source(&self, id: FileId) -> &SourceFile {
        &self.doc_file(id).source
    }

    fn get(&self, place: &Place) -> Option<&Value> {
        // jsonptr decodes tokens without allocating unless they hold `~` escapes.
        self.source(place.file).value.resolve(&place.pointer).ok()
    }

    /// Where the key (or, when `key` is false, the value) of `place` is written.
    fn position(&self, place: &Place, key: bool) -> Option<Position> {
        self.source(place.file).locate(&place.pointer, key)
    }

    /// Follows `$ref`s from `place` until a value that is not a Reference Object.
    fn follow(&self, place: &Place) -> Result<Place, RefError> {
        let mut current = place.clone();
        let mut seen: Vec<Place> = Vec::new();
        loop {
            let reference = match self.get(&current).and_then(|v| v.get("$ref")) {
                None => return Ok(current),
                Some(Value::String(reference)) => reference,
                Some(_) => return Err(RefError::NotAString),
            };
            if seen.len() >= self.limits().max_ref_depth {
                return Err(RefError::TooDeep(self.limits().max_ref_depth));
            }
            let next = self.target(current.file, reference)?;
            seen.push(current);
            if seen.contains(&next) {
                let mut chain: Vec<String> = seen.iter().map(|p| self.describe(p)).collect();
                chain.push(self.describe(&next));
                return Err(RefError::Cycle(chain));
            }
            current = next;
        }
    }

    /// The place a reference written in file `from` points at.
    fn target(&self, from: FileId, reference: &str) -> Result<Place, RefError> {
        let (location, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if has_scheme(location) {
            return Err(RefError::UrlRefused(reference.to_owned()));
        }
        let file = if location.is_empty() {
            from
        } else {
            self.open(from, location)?
        };
        let fragment = percent_decode_str(fragment).decode_utf8_lossy();
        let pointer = Pointer::parse(fragment.as_ref())
            .map_err(|_| RefError::NotFound(reference.to_owned()))?;
        if self.source(file).value.resolve(pointer).is_err() {
            return Err(RefError::NotFound(reference.to_owned()));
        }
        Ok(Place {
            file,
            pointer: pointer.to_buf(),
        })
    }

    /// Checks that every reference the schema at `place` makes, directly or through the schemas
    /// it refers to, can be followed (the schema checks and validation need them all). Each
    /// place is walked once per document: a schema shared by many operations is not walked
    /// again for each. What each value refers to is read from the files' reference graphs,
    /// shared by every document of the run; only the files are the document's own (the path by
    /// which it reaches each one, its limits).
    fn check_references(&self, place: &Place) -> Result<(), RefError> {
        let source = self.source(place.file);
        if !source.has_refs {
            return Ok(());
        }
        let Some(node) = source.ref_node(&place.pointer) else {
            return Ok(());
        };
        if self.known_followable((place.file, node)) {
            return Ok(());
        }
        let mut pending = vec![(place.file, node)];
        let mut visited = HashSet::new();
        while let Some(current) = pending.pop() {
            if visited.len() > 100_000
                || self.known_followable(current)
                || visited.contains(&current)
            {
                continue;
            }
            let (file, node) = current;
            let edges = self.source(file).ref_edges(node);
            visited.insert(current);
            if edges.len() >= 2
                && edges
                    .iter()
                    .any(|edge| matches!(edge.target, RefTarget::Remote { .. }))
            {
                let references: Vec<&str> = edges.iter().map(|e| &*e.reference).collect();
                self.prefetch(file, &references);
            }
            for edge in edges.iter() {
                pending.push(self.edge_target(file, edge)?);
            }
        }
        self.remember_followable(visited);
        Ok(())
    }

    /// The value a reference written in file `from` leads to (as [`FileTable::target`] finds
    /// it, from the file's graph).
    fn edge_target(&self, from: FileId, edge: &RefEdge) -> Result<RefPlace, RefError> {
        let not_found = || RefError::NotFound(edge.reference.to_string());
        match &edge.target {
            RefTarget::Url => Err(RefError::UrlRefused(edge.reference.to_string())),
            RefTarget::Local(node) => node.map(|node| (from, node)).ok_or_else(not_found),
            RefTarget::Remote { location, fragment } => {
                let file = self.open(from, location)?;
                let node = fragment
                    .as_ref()
                    .and_then(|pointer| self.source(file).ref_node(pointer))
                    .ok_or_else(not_found)?;
                Ok((file, node))
            }
        }
    }

    /// `#/a/b` for the root file, `file.yaml#/a/b` for others.
    fn describe(&self, place: &Place) -> String {
        if place.file == 0 {
            format!("#{}", place.pointer)
        } else {
            let name = self
                .doc_file(place.file)
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            format!("{name}#{}", place.pointer)
        }
    }

    /// A diagnostic at `place` (its key when `key` is set), `within` bytes into that string,
    /// with the line it points at.
    fn diagnostic(
        &self,
        severity: Severity,
        code: DiagnosticCode,
        place: &Place,
        key: bool,
        within: Option<usize>,
        message: String,
    ) -> Diagnostic {
        let file = self.doc_file(place.file);
        let position = self.position(place, key).map(|start| match within {
            Some(within) => file.source.position_within(start, within),
            None => start,
        });
        let diagnostic = Diagnostic::new(severity, code, file.path.clone(), position, message);
        match position {
            Some(position) => {
                let (line, within) = file.source.line_at(position);
                diagnostic.with_source_window(line, within)
            }
            None => diagnostic,
        }
    }
}

/// The files of a loaded document: only read. Every reference the build followed is known
/// here; one it did not follow names a file that was not loaded.
#[derive(Debug)]
pub(crate) struct Files {
    files: Vec<DocFile>,
    /// Other paths by which references reached a file (through a symbolic link, or `..`).
    aliases: Vec<(FileId, PathBuf)>,
    opened: Opened,
    limits: LoadLimits,
}

impl Files {
    pub(crate) fn iter(&self) -> impl Iterator<Item = &DocFile> {
        self.files.iter()
    }

    /// Every path by which the document reached file `id`, the first one first.
    pub(crate) fn paths_of(&self, id: FileId) -> impl Iterator<Item = &Path> {
        std::iter::once(self.files[id].path.as_path()).chain(
            self.aliases
                .iter()
                .filter(move |(file, _)| *file == id)
                .map(|(_, path)| path.as_path()),
        )
    }
}

impl FileTable for Files {
    fn doc_file(&self, id: FileId) -> &DocFile {
        &self.files[id]
    }

    fn limits(&self) -> &LoadLimits {
        &self.limits
    }

    fn open(&self, from: FileId, location: &str) -> Result<FileId, RefError> {
        if let Some(opened) = self.opened.get(&from).and_then(|files| files.get(location)) {
            return opened.clone();
        }
        Err(RefError::FileUnreadable {
            path: resolve_location(&self.files[from].path, location),
            reason: "not loaded".to_owned(),
        })
    }
}

/// The path a reference's file part names, from the file at `from`.
pub(crate) fn resolve_location(from: &Path, location: &str) -> PathBuf {
    let relative = percent_decode_str(location).decode_utf8_lossy();
    from.parent()
        .unwrap_or(Path::new(""))
        .join(relative.as_ref())
}

/// Where `path` physically is: its canonical form (`..` and symbolic links resolved), or, for
/// a file that does not exist, the canonical form of its longest existing ancestor followed by
/// the rest of the path resolved by name. A missing file and an existing one are placed alike,
/// so that confinement does not tell them apart. `canonicalize` is `std::fs::canonicalize`
/// (memoised by the loader).
pub(crate) fn physical(path: &Path, canonicalize: impl Fn(&Path) -> Option<PathBuf>) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    if let Some(canonical) = canonicalize(path) {
        return canonical;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut ancestor = absolute.as_path();
    let mut base = loop {
        match ancestor.parent() {
            Some(parent) => {
                if let Some(name) = ancestor.file_name() {
                    rest.push(name.to_owned());
                } else {
                    rest.push(std::ffi::OsString::from(".."));
                }
                ancestor = parent;
                if let Some(canonical) = canonicalize(ancestor) {
                    break canonical;
                }
            }
            None => break ancestor.to_path_buf(),
        }
    };
    for component in rest.iter().rev() {
        if component == ".." {
            base.pop();
        } else if component != "." {
            base.push(component);
        }
    }
    base
}
