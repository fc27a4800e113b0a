//! The header name of `header.` token: an RFC 9110 token, kept as written.

use std::fmt;
use std::str::FromStr;

use crate::chars::is_tchar;

/// A header name as the grammar allows it: one or more RFC 9110 `tchar`s.
///
/// The spelling is kept as written; comparison with a header of an HTTP message is
/// case-insensitive ([`HeaderName::matches`]), equality of two `HeaderName`s is not, so that a
/// syntax tree prints back exactly as it was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeaderName(String);

/// The error of [`HeaderName::new`]: the string is empty or holds a character that is not a
/// `tchar`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidHeaderName {
    /// The byte offset of the first character that is not allowed (0 for an empty name).
    pub offset: usize,
}

impl fmt::Display for InvalidHeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid header name: a header name is one or more token characters (letters, digits and !#$%&'*+-.^_`|~); the first bad character is at byte {}",
            self.offset
        )
    }
}

impl std::error::Error for InvalidHeaderName {}

impl HeaderName {
    /// Checks that `name` is a token (`1*tchar`).
    ///
    /// ```
    /// use expr_grammar::HeaderName;
    /// assert!(HeaderName::new("X-Request-ID").is_ok());
    /// assert_eq!(HeaderName::new("bad name").unwrap_err().offset, 3);
    /// ```
    pub fn new(name: impl Into<String>) -> Result<Self, InvalidHeaderName> {
        let name = name.into();
        if name.is_empty() {
            return Err(InvalidHeaderName { offset: 0 });
        }
        match name.bytes().position(|b| !is_tchar(b)) {
            Some(offset) => Err(InvalidHeaderName { offset }),
            None => Ok(HeaderName(name)),
        }
    }

    /// Builds a name already known to be a token (the readers' path).
    pub(crate) fn from_token(token: &str) -> Self {
        HeaderName(token.to_owned())
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this name and a header field name are the same, ignoring ASCII case (RFC 9110
    /// §5.1).
    pub fn matches(&self, field_name: &str) -> bool {
        self.0.eq_ignore_ascii_case(field_name)
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for HeaderName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for HeaderName {
    type Err = InvalidHeaderName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HeaderName::new(s)
    }
}
