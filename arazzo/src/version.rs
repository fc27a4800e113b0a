//! The Arazzo version of a document, read from its `arazzo` field.

use std::fmt;
use std::str::FromStr;

/// The Arazzo versions this crate reads: the minor version decides the grammar of runtime
/// expressions (1.0.x → the 1.0.1 grammar, 1.1.x → the 1.1.0 grammar).
///
/// ```
/// use arazzo::Version;
/// assert_eq!("1.0.0".parse::<Version>()?, Version::V1_0);
/// assert_eq!("1.1.0".parse::<Version>()?, Version::V1_1);
/// assert!("2.0.0".parse::<Version>().is_err());
/// assert_eq!(Version::V1_1.to_string(), "1.1.0");
/// # Ok::<(), arazzo::UnsupportedVersion>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Version {
    /// Arazzo 1.0.0 and 1.0.1 (and later 1.0 patches).
    V1_0,
    /// Arazzo 1.1.0 (and later 1.1 patches).
    V1_1,
}

impl Version {
    /// The specification text whose grammar the version uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1_0 => "1.0.1",
            Version::V1_1 => "1.1.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `arazzo` version this crate does not read (not `1.0.x` or `1.1.x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedVersion {
    /// The version as written.
    pub found: String,
}

impl fmt::Display for UnsupportedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unsupported Arazzo version `{}`: 1.0.x and 1.1.x are read",
            self.found
        )
    }
}

impl std::error::Error for UnsupportedVersion {}

impl FromStr for Version {
    type Err = UnsupportedVersion;

    /// `MAJOR.MINOR.PATCH` with an optional pre-release (`1.1.0-rc1`); 1.0 and 1.1 only.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unsupported = || UnsupportedVersion {
            found: text.to_owned(),
        };
        let core = text.split_once('-').map_or(text, |(core, _)| core);
        let mut parts = core.split('.');
        let (Some(major), Some(minor), Some(patch), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(unsupported());
        };
        fn number(part: &str) -> bool {
            !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'))
        }
        if !(number(major) && number(minor) && number(patch)) {
            return Err(unsupported());
        }
        match (major, minor) {
            ("1", "0") => Ok(Version::V1_0),
            ("1", "1") => Ok(Version::V1_1),
            _ => Err(unsupported()),
        }
    }
}
