//! The limits of one parse.

/// The maximum length in bytes of an expression or template accepted by
/// [`Expression::parse`](crate::Expression::parse) and
/// [`Template::parse`](crate::Template::parse): the default of [`ParseLimits::max_len`].
///
/// Parsing is linear in the input, so this is not needed for speed; it bounds the memory a
/// hostile document can make the parser use. Longer inputs fail with
/// [`ErrorKind::TooLong`](crate::ErrorKind::TooLong).
/// [`Expression::parse_with`](crate::Expression::parse_with) and
/// [`Template::parse_with`](crate::Template::parse_with) take another limit.
pub const MAX_INPUT_LEN: usize = 16 * 1024 * 1024;

/// The limits of one parse: [`Expression::parse_with`](crate::Expression::parse_with),
/// [`Template::parse_with`](crate::Template::parse_with).
///
/// ```
/// use expr_grammar::{ErrorKind, Expression, ParseLimits, Template, MAX_INPUT_LEN};
///
/// assert_eq!(ParseLimits::default().max_len, MAX_INPUT_LEN);
/// let limits = ParseLimits::default().with_max_len(16);
/// assert!(Expression::parse_with("$request.body#/id", &limits).is_err());
/// let err = Template::parse_with("https://example.org/{$request.body#/id}", &limits).unwrap_err();
/// assert_eq!(err.kind(), &ErrorKind::TooLong { limit: 16 });
/// assert_eq!(err.message(), "input is longer than the limit of 16 bytes (ParseLimits::max_len)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ParseLimits {
    /// The longest input accepted, in bytes (default [`MAX_INPUT_LEN`], 16 MiB). A longer
    /// input fails with [`ErrorKind::TooLong`](crate::ErrorKind::TooLong) before anything is
    /// parsed.
    pub max_len: usize,
}

impl ParseLimits {
    /// The default limits.
    pub const fn new() -> Self {
        ParseLimits {
            max_len: MAX_INPUT_LEN,
        }
    }

    /// The same limits with another maximum length in bytes.
    pub const fn with_max_len(self, max_len: usize) -> Self {
        ParseLimits { max_len }
    }
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits::new()
    }
}
