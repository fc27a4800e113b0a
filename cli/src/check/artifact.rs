//! Where a diagnostic's file is, as CI systems want it: relative to the working directory (the
//! root of the checked-out repository, for GitHub) when the file is inside it.

use std::path::{Component, Path, PathBuf};

use url::Url;

/// A file named in diagnostics, placed against the working directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Artifact {
    /// The file, absolute and without `.` or `..` (lexically: a document's references are
    /// joined to its directory as written).
    absolute: PathBuf,
    /// The file relative to the working directory, when it is inside it.
    relative: Option<PathBuf>,
}

impl Artifact {
    /// `file` as a diagnostic names it, placed against the working directory `cwd`.
    pub(crate) fn new(file: &Path, cwd: &Path) -> Self {
        let absolute = normalize(&cwd.join(file));
        let relative = absolute
            .strip_prefix(normalize(cwd))
            .ok()
            .filter(|rest| !rest.as_os_str().is_empty())
            .map(Path::to_path_buf);
        Artifact { absolute, relative }
    }

    /// The path to show: relative to the working directory when the file is inside it, else
    /// absolute; `/` between components.
    pub(crate) fn path(&self) -> String {
        let path = self.relative.as_deref().unwrap_or(&self.absolute);
        let parts: Vec<String> = path
            .components()
            .filter_map(|component| match component {
                Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        if self.relative.is_some() {
            parts.join("/")
        } else {
            format!("/{}", parts.join("/"))
        }
    }

    /// The file as a URI: a relative reference (percent-encoded, to be read against the
    /// working directory) when it is inside the working directory, else a `file:` URI.
    pub(crate) fn uri(&self) -> ArtifactUri {
        let Ok(file) = Url::from_file_path(&self.absolute) else {
            return ArtifactUri::Relative(self.path());
        };
        match &self.relative {
            Some(relative) => {
                // The file URI's last segments, already percent-encoded.
                let depth = relative.components().count();
                let segments: Vec<&str> = file
                    .path_segments()
                    .map(|segments| segments.collect())
                    .unwrap_or_default();
                let start = segments.len().saturating_sub(depth);
                ArtifactUri::Relative(segments[start..].join("/"))
            }
            None => ArtifactUri::Absolute(file.to_string()),
        }
    }
}

/// A file's URI in a SARIF log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArtifactUri {
    /// Relative to the working directory (`%SRCROOT%`).
    Relative(String),
    /// A `file:` URI.
    Absolute(String),
}

/// The `file:` URI of a directory, ending with `/` (what SARIF's `originalUriBaseIds` needs).
pub(crate) fn directory_uri(dir: &Path) -> Option<String> {
    Url::from_directory_path(normalize(dir))
        .ok()
        .map(|url| url.to_string())
}

/// `a/./b/../c` as `a/c`, without asking the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn artifact(file: &str) -> Artifact {
        Artifact::new(Path::new(file), Path::new("/work/repo"))
    }

    #[test]
    fn files_inside_the_working_directory_are_relative() {
        let a = artifact("api/openapi.yaml");
        assert_eq!(a.path(), "api/openapi.yaml");
        assert_eq!(a.uri(), ArtifactUri::Relative("api/openapi.yaml".into()));
        let a = artifact("/work/repo/./api/../common/x y#1%.yaml");
        assert_eq!(a.path(), "common/x y#1%.yaml");
        assert_eq!(
            a.uri(),
            ArtifactUri::Relative("common/x%20y%231%25.yaml".into())
        );
        let a = artifact("./api/schémas/ü.json");
        assert_eq!(a.path(), "api/schémas/ü.json");
        assert_eq!(
            a.uri(),
            ArtifactUri::Relative("api/sch%C3%A9mas/%C3%BC.json".into())
        );
    }

    #[test]
    fn files_outside_it_are_absolute() {
        let a = artifact("../other/api.yaml");
        assert_eq!(a.path(), "/work/other/api.yaml");
        assert_eq!(
            a.uri(),
            ArtifactUri::Absolute("file:///work/other/api.yaml".into())
        );
        let a = artifact("/tmp/a b.yaml");
        assert_eq!(a.path(), "/tmp/a b.yaml");
        assert_eq!(
            a.uri(),
            ArtifactUri::Absolute("file:///tmp/a%20b.yaml".into())
        );
        // The working directory itself is no file inside it.
        assert_eq!(artifact(".").path(), "/work/repo");
    }

    #[test]
    fn directory_uris_end_with_a_slash() {
        assert_eq!(
            directory_uri(Path::new("/work/repo")).as_deref(),
            Some("file:///work/repo/")
        );
    }
}
