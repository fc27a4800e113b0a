//! The files of a document while it is built: opened on first reach, through the run's loader.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use elsa::FrozenVec;

use super::{
    DocFile, FileId, FileTable, Files, Opened, RefError, RefPlace, file_part, physical,
    resolve_location,
};
use crate::limits::LoadLimits;
use crate::loader::{FileKey, Loader};
use crate::source::SourceFile;

/// A document's files while its walk reaches them. The walk holds borrowed values of the files
/// opened so far while it opens more: the files are kept in an append-only vector, whose
/// entries never move.
pub(crate) struct LoadingFiles<'l> {
    files: FrozenVec<Box<DocFile>>,
    by_key: RefCell<HashMap<FileKey, FileId>>,
    opened: RefCell<Opened>,
    aliases: RefCell<Vec<(FileId, PathBuf)>>,
    followable: RefCell<HashSet<RefPlace>>,
    /// The folder whose tree references may reach, physically.
    ref_root: PathBuf,
    loader: &'l Loader,
}

impl<'l> LoadingFiles<'l> {
    /// The files of a document whose root is `root`, reached as `path`.
    pub(crate) fn new(loader: &'l Loader, path: &Path, root: Arc<SourceFile>) -> Self {
        let files = LoadingFiles {
            files: FrozenVec::new(),
            by_key: RefCell::new(HashMap::new()),
            opened: RefCell::new(HashMap::new()),
            aliases: RefCell::new(Vec::new()),
            followable: RefCell::new(HashSet::new()),
            ref_root: match &loader.limits().ref_root {
                Some(dir) => physical(dir, |p| loader.canonicalize(p)),
                None => physical(path.parent().unwrap_or(Path::new("")), |p| {
                    loader.canonicalize(p)
                }),
            },
            loader,
        };
        files
            .by_key
            .borrow_mut()
            .insert(loader.key(path), files.files.len());
        files.files.push(Box::new(DocFile {
            path: path.to_path_buf(),
            source: root,
        }));
        files
    }

    /// The files as the built document keeps them.
    pub(crate) fn finish(self) -> Files {
        Files {
            files: self
                .files
                .into_vec()
                .into_iter()
                .map(|file| *file)
                .collect(),
            opened: self.opened.into_inner(),
            aliases: self.aliases.into_inner(),
            limits: self.loader.limits().clone(),
        }
    }

    /// The file `path` names, as the loader's cache knows it, when it is inside the tree
    /// references may reach (the path is resolved once for both).
    fn locate(&self, path: &Path) -> Result<FileKey, RefError> {
        let canonical = self.loader.canonicalize(path);
        let inside = match &canonical {
            Some(canonical) => canonical.starts_with(&self.ref_root),
            None => physical(path, |p| self.loader.canonicalize(p)).starts_with(&self.ref_root),
        };
        if !inside {
            return Err(RefError::OutsideRoot {
                path: path.to_path_buf(),
                root: self.ref_root.clone(),
            });
        }
        Ok(FileKey::new(path, canonical))
    }

    fn open_path(&self, path: &Path) -> Result<FileId, RefError> {
        let key = self.locate(path)?;
        if let Some(&id) = self.by_key.borrow().get(&key) {
            let mut aliases = self.aliases.borrow_mut();
            if self.doc_file(id).path != path && !aliases.iter().any(|(_, p)| p == path) {
                aliases.push((id, path.to_path_buf()));
            }
            return Ok(id);
        }
        let max_files = self.loader.limits().max_files;
        if self.files.len() >= max_files {
            return Err(RefError::TooManyFiles(max_files));
        }
        let source = self.loader.referenced(&key, path)?;
        let id = self.files.len();
        self.files.push(Box::new(DocFile {
            path: path.to_path_buf(),
            source,
        }));
        self.by_key.borrow_mut().insert(key, id);
        Ok(id)
    }
}

impl FileTable for LoadingFiles<'_> {
    fn doc_file(&self, id: FileId) -> &DocFile {
        // Every id handed out indexes a pushed file.
        self.files.get(id).unwrap_or_else(|| unreachable_file(id))
    }

    fn limits(&self) -> &LoadLimits {
        self.loader.limits()
    }

    fn open(&self, from: FileId, location: &str) -> Result<FileId, RefError> {
        if let Some(opened) = self
            .opened
            .borrow()
            .get(&from)
            .and_then(|files| files.get(location))
        {
            return opened.clone();
        }
        let path = resolve_location(&self.doc_file(from).path, location);
        let opened = self.open_path(&path);
        self.opened
            .borrow_mut()
            .entry(from)
            .or_default()
            .insert(location.into(), opened.clone());
        opened
    }

    fn known_followable(&self, place: RefPlace) -> bool {
        self.followable.borrow().contains(&place)
    }

    fn remember_followable(&self, places: HashSet<RefPlace>) {
        self.followable.borrow_mut().extend(places);
    }

    fn prefetch(&self, from: FileId, references: &[&str]) {
        if references.len() < 2 {
            return;
        }
        let base = &self.doc_file(from).path;
        let opened = self.opened.borrow();
        let by_key = self.by_key.borrow();
        let mut wanted: Vec<(FileKey, PathBuf)> = Vec::new();
        for location in references.iter().filter_map(|r| file_part(r)) {
            if opened
                .get(&from)
                .is_some_and(|files| files.contains_key(location))
            {
                continue;
            }
            let path = resolve_location(base, location);
            let Ok(key) = self.locate(&path) else {
                continue;
            };
            if !by_key.contains_key(&key) && !wanted.iter().any(|(k, _)| *k == key) {
                wanted.push((key, path));
            }
        }
        drop((opened, by_key));
        self.loader.prefetch(wanted);
    }
}

/// A file id that was never handed out: a bug, not a property of the input.
#[cold]
fn unreachable_file(id: FileId) -> ! {
    panic!("file {id} is not among the document's files")
}
