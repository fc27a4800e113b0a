//! [`Loader`]: the files of a run, each read and parsed at most once, shared by every document
//! that reaches them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::LoadError;
use crate::files::RefError;
use crate::limits::{self, LoadLimits, ReadError};
use crate::model::Document;
use crate::parsed_file::ParsedFile;
use crate::source::{Position, SourceFile, SyntaxError};

/// Loads OpenAPI documents, reading and parsing each file at most once however many documents
/// reach it, and only when a reference that matters reaches it (a callback, a path item, a
/// link, the schemas a lint or a validation needs). Files needed together (the schemas one
/// schema refers to) are parsed in parallel.
///
/// One loader serves a whole run: `check` over many documents of one API keeps one, and so can
/// a server that checks many documents. It keeps every file it parsed for as long as it lives
/// (documents keep the files they use on their own), and it never reads a file again: make a
/// new loader to see files that changed on disk.
///
/// ```
/// use oas_callbacks::{LoadLimits, Loader};
///
/// let loader = Loader::new(LoadLimits::default());
/// let first = loader.load("../examples/progress-api.yaml")?;
/// let again = loader.load("../examples/progress-api.yaml")?;
/// assert_eq!(first.operations().len(), again.operations().len());
/// assert_eq!(loader.stats().files_parsed, 1);
/// # Ok::<(), oas_callbacks::LoadError>(())
/// ```
#[derive(Debug)]
pub struct Loader {
    limits: LoadLimits,
    cache: Mutex<HashMap<FileKey, Arc<Entry>>>,
    /// Canonical forms of the paths seen so far (`None`: the path does not resolve). Every
    /// document of a run asks for the same few paths again and again (each reference's file,
    /// its folder), and resolving one costs a system call per component.
    canonical: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
    files_read: AtomicUsize,
    files_parsed: AtomicUsize,
    bytes_read: AtomicUsize,
}

/// What a [`Loader`] has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LoaderStats {
    /// Files opened and read (including those that then failed to parse or were too large).
    pub files_read: usize,
    /// Files parsed as JSON or YAML (successfully or not).
    pub files_parsed: usize,
    /// Bytes read, in all.
    pub bytes_read: usize,
}

/// A file as the loader knows it: its canonical path (so that two spellings of one file are
/// one file) and the syntax its name announces (a file is parsed by its extension).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct FileKey {
    canonical: PathBuf,
    extension: Option<String>,
}

impl FileKey {
    /// The key of `path`, whose canonical form is `canonical` (`None`: it has none).
    pub(crate) fn new(path: &Path, canonical: Option<PathBuf>) -> FileKey {
        FileKey {
            canonical: canonical.unwrap_or_else(|| path.to_path_buf()),
            extension: path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase),
        }
    }
}

/// A file of the cache: parsed once, by whichever document (or thread) gets to it first.
type Entry = OnceLock<Result<Arc<SourceFile>, FileError>>;

/// Why a file could not be used, whoever reaches it (the path is added by the reference).
#[derive(Debug, Clone)]
enum FileError {
    Unreadable(String),
    Invalid {
        reason: String,
        position: Option<Position>,
    },
}

impl Default for Loader {
    fn default() -> Self {
        Loader::new(LoadLimits::default())
    }
}

impl Loader {
    /// A loader that applies `limits` to every document and file it loads.
    pub fn new(limits: LoadLimits) -> Self {
        Loader {
            limits,
            cache: Mutex::new(HashMap::new()),
            canonical: Mutex::new(HashMap::new()),
            files_read: AtomicUsize::new(0),
            files_parsed: AtomicUsize::new(0),
            bytes_read: AtomicUsize::new(0),
        }
    }

    /// The limits this loader applies.
    pub fn limits(&self) -> &LoadLimits {
        &self.limits
    }

    /// What the loader has read and parsed so far.
    pub fn stats(&self) -> LoaderStats {
        LoaderStats {
            files_read: self.files_read.load(Ordering::Relaxed),
            files_parsed: self.files_parsed.load(Ordering::Relaxed),
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
        }
    }

    /// Loads the description at `path`, and the files its references reach.
    ///
    /// Loading never fails on a mistake inside the document (see [`Document`]); it fails only
    /// when the file cannot be read or parsed.
    pub fn load(&self, path: impl AsRef<Path>) -> Result<Document, LoadError> {
        let path = path.as_ref();
        let root = self.root(path)?;
        Ok(crate::build::build(self, path, root))
    }

    /// Reads and parses the JSON or YAML file at `path` within this loader's limits, without
    /// reading it as an OpenAPI document: a document of another kind that refers to OpenAPI
    /// ones (an Arazzo workflow), whose diagnostics need the places of its values. The file is
    /// cached like any other, so a document loaded afterwards from the same path is not read
    /// again.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<ParsedFile, LoadError> {
        let path = path.as_ref();
        let root = self.root(path)?;
        Ok(ParsedFile::new(path.to_path_buf(), root))
    }

    /// Loads a description from memory; `path` names it in diagnostics, tells JSON from YAML
    /// by its extension, and is the base of relative references (the files they reach are read
    /// through this loader).
    pub fn load_bytes(
        &self,
        path: impl AsRef<Path>,
        bytes: Vec<u8>,
    ) -> Result<Document, LoadError> {
        let path = path.as_ref();
        let root = self.parse_root(path, bytes)?;
        Ok(crate::build::build(self, path, Arc::new(root)))
    }

    /// Reads and parses several root documents in parallel, so that the [`Loader::load`] of each
    /// afterwards finds it parsed. Errors are left for `load` to report.
    pub fn preload<P: AsRef<Path>>(&self, paths: &[P]) {
        let wanted = paths
            .iter()
            .map(|p| (self.key(p.as_ref()), p.as_ref().to_path_buf()))
            .filter(|(_, path)| std::fs::metadata(path).is_ok_and(|m| m.is_file()))
            .collect();
        self.prefetch(wanted);
    }

    /// The root file of a document. A regular file is cached like any other (another document
    /// may refer to it); anything else (a pipe, a device) is read once, as it is.
    fn root(&self, path: &Path) -> Result<Arc<SourceFile>, LoadError> {
        let io_error = |err: ReadError| {
            let source = match err {
                ReadError::Io(source) => source,
                other => std::io::Error::new(std::io::ErrorKind::FileTooLarge, other.to_string()),
            };
            LoadError::Io {
                path: path.to_path_buf(),
                source,
            }
        };
        let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
        if !regular {
            let bytes = self.read(path, false).map_err(io_error)?;
            return self.parse_root(path, bytes).map(Arc::new);
        }
        let entry = self.entry(&self.key(path));
        let mut failure = None;
        let cached = entry.get_or_init(|| match self.read(path, true) {
            Err(err) => {
                let message = err.to_string();
                failure = Some(io_error(err));
                Err(FileError::Unreadable(message))
            }
            Ok(bytes) => self.parse(path, bytes).map(Arc::new),
        });
        if let Some(failure) = failure {
            return Err(failure);
        }
        match cached {
            Ok(source) => Ok(Arc::clone(source)),
            Err(FileError::Unreadable(message)) => Err(LoadError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(message.clone()),
            }),
            Err(FileError::Invalid { reason, position }) => Err(LoadError::Syntax {
                path: path.to_path_buf(),
                position: *position,
                message: reason.clone(),
            }),
        }
    }

    fn parse_root(&self, path: &Path, bytes: Vec<u8>) -> Result<SourceFile, LoadError> {
        self.files_parsed.fetch_add(1, Ordering::Relaxed);
        SourceFile::parse(path, bytes, &self.limits).map_err(|err| LoadError::Syntax {
            path: path.to_path_buf(),
            position: err.position,
            message: err.message,
        })
    }

    /// A file a reference reached, as `path`.
    pub(crate) fn referenced(
        &self,
        key: &FileKey,
        path: &Path,
    ) -> Result<Arc<SourceFile>, RefError> {
        let entry = self.entry(key);
        let cached = entry.get_or_init(|| self.read_and_parse(path));
        match cached {
            Ok(source) => Ok(Arc::clone(source)),
            Err(FileError::Unreadable(reason)) => Err(RefError::FileUnreadable {
                path: path.to_path_buf(),
                reason: reason.clone(),
            }),
            Err(FileError::Invalid { reason, position }) => Err(RefError::FileInvalid {
                path: path.to_path_buf(),
                reason: reason.clone(),
                position: *position,
            }),
        }
    }

    /// Reads and parses the files not read yet, on up to one thread per core. Files are coarse
    /// units of work (one parse each) and the set is small and known up front, so scoped
    /// threads pulling from a shared index do what a pool would, without one.
    pub(crate) fn prefetch(&self, wanted: Vec<(FileKey, PathBuf)>) {
        let wanted: Vec<(Arc<Entry>, PathBuf)> = wanted
            .into_iter()
            .map(|(key, path)| (self.entry(&key), path))
            .filter(|(entry, _)| entry.get().is_none())
            .collect();
        if wanted.len() < 2 {
            return;
        }
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(wanted.len());
        if workers < 2 {
            return;
        }
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let spawned = std::thread::Builder::new()
                    .name("oas-callbacks-load".to_owned())
                    .spawn_scoped(scope, || {
                        while let Some((entry, path)) =
                            wanted.get(next.fetch_add(1, Ordering::Relaxed))
                        {
                            entry.get_or_init(|| self.read_and_parse(path));
                        }
                    });
                // Without a thread the files are simply read later, one by one.
                if spawned.is_err() {
                    break;
                }
            }
        });
    }

    /// The file `path` names, as the cache knows it.
    pub(crate) fn key(&self, path: &Path) -> FileKey {
        FileKey::new(path, self.canonicalize(path))
    }

    /// `std::fs::canonicalize`, once per path and run (like the files, the paths are taken as
    /// they were when first seen: a new loader sees a changed tree). Relative paths are told
    /// apart by the working directory they were asked in.
    pub(crate) fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        let lock = || {
            self.canonical
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        // An absolute path is its own key (no copy to look it up).
        if path.is_absolute()
            && let Some(known) = lock().get(path)
        {
            return known.clone();
        }
        let asked = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        if let Some(known) = lock().get(&asked) {
            return known.clone();
        }
        let found = std::fs::canonicalize(path).ok();
        lock().insert(asked, found.clone());
        found
    }

    fn entry(&self, key: &FileKey) -> Arc<Entry> {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(cache.entry(key.clone()).or_default())
    }

    fn read_and_parse(&self, path: &Path) -> Result<Arc<SourceFile>, FileError> {
        let bytes = self
            .read(path, true)
            .map_err(|err| FileError::Unreadable(err.to_string()))?;
        let source = self.parse(path, bytes)?;
        // A text file parses as one YAML scalar: refused without a word of its content (the
        // file may be anything a reference names, and errors are shown to whoever asked).
        if !(source.value.is_object() || source.value.is_array()) {
            return Err(FileError::Invalid {
                reason: "not a JSON or YAML document: its top level is not a mapping or a sequence"
                    .to_owned(),
                position: None,
            });
        }
        Ok(Arc::new(source))
    }

    fn read(&self, path: &Path, regular_only: bool) -> Result<Vec<u8>, ReadError> {
        self.files_read.fetch_add(1, Ordering::Relaxed);
        let bytes = limits::read_limited(path, self.limits.max_file_bytes, regular_only)?;
        self.bytes_read.fetch_add(bytes.len(), Ordering::Relaxed);
        Ok(bytes)
    }

    fn parse(&self, path: &Path, bytes: Vec<u8>) -> Result<SourceFile, FileError> {
        self.files_parsed.fetch_add(1, Ordering::Relaxed);
        SourceFile::parse(path, bytes, &self.limits).map_err(|SyntaxError { message, position }| {
            FileError::Invalid {
                reason: message,
                position,
            }
        })
    }
}

impl Document {
    /// Loads the description at `path` with the default [`LoadLimits`] (a [`Loader`] of its
    /// own; use one [`Loader`] for documents that share files).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, LoadError> {
        Loader::default().load(path)
    }

    /// Loads the description at `path` with the given limits.
    pub fn load_with(path: impl AsRef<Path>, limits: LoadLimits) -> Result<Self, LoadError> {
        Loader::new(limits).load(path)
    }

    /// Loads a description from memory; `path` names it in diagnostics, tells JSON from YAML
    /// by its extension, and is the base of relative references.
    pub fn from_bytes(
        path: impl AsRef<Path>,
        bytes: Vec<u8>,
        limits: LoadLimits,
    ) -> Result<Self, LoadError> {
        Loader::new(limits).load_bytes(path, bytes)
    }
}
