//! The files of one description and the `$ref`s between them.
//!
//! A reference is resolved against the file it appears in: `#/components/…` in the same file,
//! `other.yaml#/…` (or `other.yaml`) relative to that file's folder. References with a URL
//! scheme are refused: loading never touches the network. Chains of references are followed
//! up to [`LoadLimits::max_ref_depth`], and a cycle is an error, never a hang.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use jsonptr::{Pointer, PointerBuf, resolve::Resolve};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::limits::LoadLimits;
use super::source::{Position, SourceFile, SyntaxError};

/// The index of a file in [`Files`].
pub(crate) type FileId = usize;

/// A value of the description: which file, and where in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Place {
    pub(crate) file: FileId,
    pub(crate) pointer: PointerBuf,
}

impl Place {
    pub(crate) fn child(&self, token: &str) -> Place {
        let mut pointer = self.pointer.clone();
        pointer.push_back(jsonptr::Token::new(token));
        Place {
            file: self.file,
            pointer,
        }
    }
}

/// Why a reference could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefError {
    NotAString,
    UrlRefused(String),
    FileUnreadable {
        path: PathBuf,
        reason: String,
    },
    FileInvalid {
        path: PathBuf,
        reason: String,
        position: Option<Position>,
    },
    NotFound(String),
    Cycle(Vec<String>),
    TooDeep(usize),
    TooManyFiles(usize),
}

impl RefError {
    /// The diagnostic code of a reference that cannot be followed.
    pub(crate) fn code(&self) -> crate::diagnostic::DiagnosticCode {
        use crate::diagnostic::DiagnosticCode;
        match self {
            RefError::UrlRefused(_) => DiagnosticCode::UrlReference,
            RefError::Cycle(_) => DiagnosticCode::ReferenceCycle,
            RefError::NotAString | RefError::NotFound(_) => DiagnosticCode::DanglingReference,
            RefError::FileUnreadable { .. } | RefError::FileInvalid { .. } => {
                DiagnosticCode::UnreadableReference
            }
            RefError::TooDeep(_) | RefError::TooManyFiles(_) => DiagnosticCode::ReferenceLimit,
        }
    }
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::NotAString => f.write_str("`$ref` must be a string"),
            RefError::UrlRefused(reference) => write!(
                f,
                "reference `{reference}` is a URL: references to the network are not followed (download the file and refer to it by path)"
            ),
            RefError::FileUnreadable { path, reason } => {
                write!(
                    f,
                    "cannot read referenced file {}: {reason}",
                    path.display()
                )
            }
            RefError::FileInvalid {
                path,
                reason,
                position,
            } => match position {
                Some(position) => {
                    write!(f, "referenced file {}:{position}: {reason}", path.display())
                }
                None => write!(f, "referenced file {}: {reason}", path.display()),
            },
            RefError::NotFound(reference) => {
                write!(
                    f,
                    "reference `{reference}` points at nothing in the document"
                )
            }
            RefError::Cycle(chain) => write!(f, "reference cycle: {}", chain.join(" -> ")),
            RefError::TooDeep(limit) => write!(
                f,
                "more than {limit} references in a chain (LoadLimits::max_ref_depth)"
            ),
            RefError::TooManyFiles(limit) => write!(
                f,
                "more than {limit} referenced files (LoadLimits::max_files)"
            ),
        }
    }
}

/// The loaded files.
#[derive(Debug)]
pub(crate) struct Files {
    files: Vec<SourceFile>,
    by_path: HashMap<PathBuf, FileId>,
    failed: HashMap<PathBuf, RefError>,
    pub(crate) limits: LoadLimits,
}

impl Files {
    pub(crate) fn new(limits: LoadLimits) -> Self {
        Files {
            files: Vec::new(),
            by_path: HashMap::new(),
            failed: HashMap::new(),
            limits,
        }
    }

    /// Adds the root file, already parsed.
    pub(crate) fn add(&mut self, file: SourceFile) -> FileId {
        let id = self.files.len();
        let key = std::fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
        self.by_path.insert(key, id);
        self.files.push(file);
        id
    }

    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }

    pub(crate) fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    pub(crate) fn get(&self, place: &Place) -> Option<&Value> {
        // jsonptr decodes tokens without allocating unless they hold `~` escapes.
        self.files[place.file].value.resolve(&place.pointer).ok()
    }

    /// Where the key (or, when `key` is false, the value) of `place` is written.
    pub(crate) fn position(&self, place: &Place, key: bool) -> Option<Position> {
        self.files[place.file].locate(&place.pointer, key)
    }

    fn load(&mut self, path: &Path) -> Result<FileId, RefError> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(&id) = self.by_path.get(&key) {
            return Ok(id);
        }
        if let Some(err) = self.failed.get(&key) {
            return Err(err.clone());
        }
        if self.files.len() >= self.limits.max_files {
            return Err(RefError::TooManyFiles(self.limits.max_files));
        }
        let loaded = super::limits::read_limited(path, self.limits.max_file_bytes, true)
            .map_err(|err| RefError::FileUnreadable {
                path: path.to_path_buf(),
                reason: err.to_string(),
            })
            .and_then(|bytes| {
                SourceFile::parse(path, bytes, &self.limits).map_err(
                    |SyntaxError { message, position }| RefError::FileInvalid {
                        path: path.to_path_buf(),
                        reason: message,
                        position,
                    },
                )
            });
        match loaded {
            Ok(file) => {
                let id = self.files.len();
                self.files.push(file);
                self.by_path.insert(key, id);
                Ok(id)
            }
            Err(err) => {
                self.failed.insert(key, err.clone());
                Err(err)
            }
        }
    }

    /// Follows `$ref`s from `place` until a value that is not a Reference Object. Files are
    /// loaded beforehand ([`Files::load_referenced`]); one that could not be is reported here.
    pub(crate) fn follow(&self, place: &Place) -> Result<Place, RefError> {
        let mut current = place.clone();
        let mut seen: Vec<Place> = Vec::new();
        loop {
            let reference = match self.get(&current).and_then(|v| v.get("$ref")) {
                None => return Ok(current),
                Some(Value::String(reference)) => reference.clone(),
                Some(_) => return Err(RefError::NotAString),
            };
            if seen.len() >= self.limits.max_ref_depth {
                return Err(RefError::TooDeep(self.limits.max_ref_depth));
            }
            seen.push(current.clone());
            let next = self.target(current.file, &reference)?;
            if seen.contains(&next) {
                let mut chain: Vec<String> = seen.iter().map(|p| self.describe(p)).collect();
                chain.push(self.describe(&next));
                return Err(RefError::Cycle(chain));
            }
            current = next;
        }
    }

    /// The place a reference written in file `from` points at.
    pub(crate) fn target(&self, from: FileId, reference: &str) -> Result<Place, RefError> {
        let (location, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if has_scheme(location) {
            return Err(RefError::UrlRefused(reference.to_owned()));
        }
        let file = if location.is_empty() {
            from
        } else {
            let relative = percent_decode_str(location).decode_utf8_lossy();
            let base = self.files[from].path.parent().unwrap_or(Path::new(""));
            let path = base.join(relative.as_ref());
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            match self.by_path.get(&key) {
                Some(&id) => id,
                None => {
                    return Err(self.failed.get(&key).cloned().unwrap_or(
                        RefError::FileUnreadable {
                            path,
                            reason: "not loaded".to_owned(),
                        },
                    ));
                }
            }
        };
        let fragment = percent_decode_str(fragment).decode_utf8_lossy();
        let pointer = Pointer::parse(fragment.as_ref())
            .map_err(|_| RefError::NotFound(reference.to_owned()))?;
        let place = Place {
            file,
            pointer: pointer.to_buf(),
        };
        if self.get(&place).is_none() {
            return Err(RefError::NotFound(reference.to_owned()));
        }
        Ok(place)
    }

    /// Loads every file that the loaded files refer to, and the files those refer to, so that
    /// the passes after loading only read. A file that cannot be loaded is remembered: the
    /// references to it report why.
    pub(crate) fn load_referenced(&mut self) {
        let mut scanned = 0;
        while scanned < self.files.len() {
            if !self.files[scanned].has_refs {
                scanned += 1;
                continue;
            }
            let mut locations = Vec::new();
            collect_file_refs(&self.files[scanned].value, &mut locations);
            locations.sort_unstable();
            locations.dedup();
            for location in locations {
                if has_scheme(&location) {
                    continue;
                }
                let relative = percent_decode_str(&location)
                    .decode_utf8_lossy()
                    .into_owned();
                let base = self.files[scanned]
                    .path
                    .parent()
                    .unwrap_or(Path::new(""))
                    .to_path_buf();
                // Failures are kept in `failed` and reported where the reference is followed.
                let _ = self.load(&base.join(relative));
            }
            scanned += 1;
        }
    }

    /// Checks that every reference the schema at `place` makes, directly or through the schemas
    /// it refers to, can be followed (the schema checks and validation need them all).
    pub(crate) fn check_references(&self, place: &Place) -> Result<(), RefError> {
        if !self.files[place.file].has_refs {
            return Ok(());
        }
        let mut pending = vec![place.clone()];
        let mut visited = std::collections::HashSet::new();
        while let Some(current) = pending.pop() {
            if visited.len() > 100_000 || !visited.insert(current.clone()) {
                continue;
            }
            let mut references = Vec::new();
            if let Some(value) = self.get(&current) {
                collect_refs(value, &mut references);
            }
            for reference in references {
                pending.push(self.target(current.file, &reference)?);
            }
        }
        Ok(())
    }

    /// `#/a/b` for the root file, `file.yaml#/a/b` for others.
    pub(crate) fn describe(&self, place: &Place) -> String {
        if place.file == 0 {
            format!("#{}", place.pointer)
        } else {
            let name = self.files[place.file]
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            format!("{name}#{}", place.pointer)
        }
    }
}

/// Every `$ref` string inside `value` (not inside `example`/`examples`, which are data).
fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                match (key.as_str(), member) {
                    ("$ref", Value::String(reference)) => out.push(reference.clone()),
                    ("example" | "examples" | "enum" | "const" | "default", _) => {}
                    _ => collect_refs(member, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, out)),
        _ => {}
    }
}

/// The file part of every `$ref` inside `value` that names another file.
fn collect_file_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                match (key.as_str(), member) {
                    ("$ref", Value::String(reference)) => {
                        let location = reference.split('#').next().unwrap_or("");
                        if !location.is_empty() {
                            out.push(location.to_owned());
                        }
                    }
                    ("example" | "examples" | "enum" | "const" | "default", _) => {}
                    _ => collect_file_refs(member, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_file_refs(item, out)),
        _ => {}
    }
}

/// Whether a reference starts with a URI scheme (`https:`, `file:`), which this loader
/// refuses. A Windows drive letter (`C:`) is a path, not a scheme.
fn has_scheme(location: &str) -> bool {
    match location.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_url_references() {
        assert!(has_scheme("https://example.com/a.yaml"));
        assert!(has_scheme("file:///tmp/a.yaml"));
        assert!(!has_scheme("a.yaml"));
        assert!(!has_scheme("C:/specs/a.yaml"));
        assert!(!has_scheme(""));
    }
}
