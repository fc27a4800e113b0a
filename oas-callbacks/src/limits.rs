//! The limits that keep loading a hostile document bounded in time and memory.

/// Limits applied while loading an OpenAPI description, and to what resolving its callbacks and
/// links renders. Each has a default that fits real documents with a wide margin; exceeding one
/// is an error that names it.
///
/// ```
/// use oas_callbacks::LoadLimits;
/// let limits = LoadLimits::default().with_max_ref_depth(16);
/// assert_eq!(limits.max_ref_depth, 16);
/// let doc = oas_callbacks::Document::load_with("../examples/progress-api.yaml", limits);
/// assert!(doc.is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoadLimits {
    /// The largest file read, in bytes (default 64 MiB). A file is never read past it, and a
    /// referenced file must be a regular file (not a device or a pipe).
    pub max_file_bytes: usize,
    /// The deepest nesting of arrays and objects (YAML sequences and mappings), default 127.
    /// JSON files cannot go deeper than 127 whatever this says (serde_json's fixed recursion
    /// limit); YAML files can, when it is raised.
    pub max_depth: usize,
    /// The most `$ref`s followed one after another to reach a value (default 64); a longer
    /// chain is an error, and so is a cycle.
    pub max_ref_depth: usize,
    /// The most YAML alias (`*name`) uses in one file (default 10,000): a "billion laughs"
    /// document fails fast instead of expanding.
    pub max_yaml_aliases: usize,
    /// The most YAML nodes that anchors may record and aliases may replay in one file, in
    /// total (default 100,000): what bounds the memory an alias expansion takes, since a few
    /// aliases of a large anchored node already expand to many nodes.
    pub max_yaml_alias_nodes: usize,
    /// The most files one description may reference (default 1,000).
    pub max_files: usize,
    /// The folder whose tree references may reach (default `None`: the folder of the root
    /// document). A reference to a file outside it, after `..` and symbolic links are
    /// resolved, is an error that says so, whether the file exists or not; the command line
    /// widens it with `--ref-root DIR`.
    pub ref_root: Option<std::path::PathBuf>,
    /// The most bytes that resolving may render for one exchange (default
    /// [`expr_eval::MAX_RENDERED_LEN`], 1 MiB): all the callback URLs of an operation
    /// ([`Operation::resolve_callbacks`](crate::Operation::resolve_callbacks)), or all the
    /// values of a response's links
    /// ([`Operation::resolve_links`](crate::Operation::resolve_links)), together. A template that
    /// repeats a large value stops there: its callback is skipped, or its link value not passed,
    /// with an error that names `max_rendered_len`.
    pub max_rendered_len: usize,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            max_file_bytes: 64 * 1024 * 1024,
            max_depth: 127,
            max_ref_depth: 64,
            max_yaml_aliases: 10_000,
            max_yaml_alias_nodes: 100_000,
            max_files: 1_000,
            ref_root: None,
            max_rendered_len: expr_eval::MAX_RENDERED_LEN,
        }
    }
}

impl LoadLimits {
    /// The same limits with another [`max_file_bytes`](LoadLimits::max_file_bytes).
    #[must_use]
    pub fn with_max_file_bytes(mut self, bytes: usize) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// The same limits with another [`max_depth`](LoadLimits::max_depth).
    #[must_use]
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The same limits with another [`max_ref_depth`](LoadLimits::max_ref_depth).
    #[must_use]
    pub fn with_max_ref_depth(mut self, depth: usize) -> Self {
        self.max_ref_depth = depth;
        self
    }

    /// The same limits with another [`max_yaml_aliases`](LoadLimits::max_yaml_aliases).
    #[must_use]
    pub fn with_max_yaml_aliases(mut self, aliases: usize) -> Self {
        self.max_yaml_aliases = aliases;
        self
    }

    /// The same limits with another [`max_yaml_alias_nodes`](LoadLimits::max_yaml_alias_nodes).
    #[must_use]
    pub fn with_max_yaml_alias_nodes(mut self, nodes: usize) -> Self {
        self.max_yaml_alias_nodes = nodes;
        self
    }

    /// The same limits with another [`ref_root`](LoadLimits::ref_root): the folder whose tree
    /// references may reach.
    #[must_use]
    pub fn with_ref_root(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.ref_root = Some(dir.into());
        self
    }

    /// The same limits with another [`max_rendered_len`](LoadLimits::max_rendered_len).
    #[must_use]
    pub fn with_max_rendered_len(mut self, bytes: usize) -> Self {
        self.max_rendered_len = bytes;
        self
    }

    /// The same limits with another [`max_files`](LoadLimits::max_files).
    #[must_use]
    pub fn with_max_files(mut self, files: usize) -> Self {
        self.max_files = files;
        self
    }
}

/// Why a file could not be read within [`LoadLimits::max_file_bytes`].
#[derive(Debug)]
pub(crate) enum ReadError {
    Io(std::io::Error),
    TooLarge { limit: usize },
    NotAFile,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(err) => err.fmt(f),
            ReadError::TooLarge { limit } => write!(
                f,
                "the file is larger than the limit of {limit} bytes (LoadLimits::max_file_bytes)"
            ),
            ReadError::NotAFile => {
                f.write_str("not a regular file (a device, a pipe or a directory is not read)")
            }
        }
    }
}

/// Reads a file, never more than `limit + 1` bytes of it: a device such as `/dev/zero` or a
/// file that grows while it is read cannot make loading use more memory than the limit. With
/// `regular_only`, anything but a regular file is refused before it is opened for reading
/// (a referenced FIFO would block forever).
pub(crate) fn read_limited(
    path: &std::path::Path,
    limit: usize,
    regular_only: bool,
) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    if regular_only {
        let metadata = std::fs::metadata(path).map_err(ReadError::Io)?;
        if !metadata.is_file() {
            return Err(ReadError::NotAFile);
        }
    }
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    let known = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    // A limit as large as `usize::MAX` means no limit: saturate rather than overflow.
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    if known.is_some_and(|len| len > limit_u64) {
        return Err(ReadError::TooLarge { limit });
    }
    let capacity = known.map_or(0, |len| usize::try_from(len).unwrap_or(usize::MAX));
    let mut bytes = Vec::with_capacity(capacity.min(limit));
    file.take(limit_u64.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Opens a file for reading without ever blocking: a file that passes for a regular one but
/// never returns data (`/proc/kmsg`) fails its read with "would block" instead of hanging.
/// Regular files on disk are not affected by the flag.
fn open_nonblocking(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}
