//! The JSON pointer of `body#/…` (RFC 6901), as a type of this crate.
//!
//! The pointer is checked, stored and decoded by the `jsonptr` crate, which does that well; it is
//! wrapped rather than re-exported so that a new `jsonptr` release (it is before 1.0, and each
//! minor version has changed its API) is not a breaking change of this crate. The accessors are
//! the ones callers use: the string form, the reference tokens (encoded and decoded) and a
//! token's array index.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// An RFC 6901 JSON pointer, such as the `/user/uuid` of `$request.body#/user/uuid`.
///
/// It is kept in its string form (`~0` and `~1` escapes included), which is also its
/// [`Display`](fmt::Display) form; [`JsonPointer::tokens`] gives the reference tokens.
///
/// ```
/// use expr_grammar::JsonPointer;
///
/// let pointer: JsonPointer = "/a~1b/0".parse()?;
/// let tokens: Vec<_> = pointer.tokens().map(|t| t.decoded().into_owned()).collect();
/// assert_eq!(tokens, ["a/b", "0"]);
/// assert_eq!(pointer.tokens().nth(1).and_then(|t| t.array_index()), Some(0));
/// assert_eq!(JsonPointer::from_tokens(["a/b", "0"]), pointer);
/// assert!(JsonPointer::parse("a").is_err());
/// # Ok::<(), expr_grammar::InvalidPointer>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct JsonPointer(jsonptr::PointerBuf);

/// The error of [`JsonPointer::parse`]: the text is not an RFC 6901 JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPointer {
    offset: usize,
}

impl InvalidPointer {
    /// The byte offset of the mistake: a first character that is not `/`, or a `~` that is not
    /// followed by `0` or `1`.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for InvalidPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid JSON pointer at byte {}: a pointer is empty or starts with `/`, and `~` is followed by `0` or `1`",
            self.offset
        )
    }
}

impl std::error::Error for InvalidPointer {}

impl JsonPointer {
    /// Checks that `text` is a JSON pointer (empty, or `/`-led reference tokens in which `~`
    /// is followed by `0` or `1`).
    pub fn parse(text: &str) -> Result<Self, InvalidPointer> {
        jsonptr::Pointer::parse(text)
            .map(|pointer| JsonPointer(pointer.to_buf()))
            .map_err(|err| InvalidPointer {
                offset: err.complete_offset(),
            })
    }

    /// The empty pointer, which refers to the whole document.
    pub fn root() -> Self {
        JsonPointer(jsonptr::PointerBuf::new())
    }

    /// The pointer made of these decoded reference tokens (`~` and `/` in them are escaped).
    pub fn from_tokens<I>(tokens: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut pointer = jsonptr::PointerBuf::new();
        for token in tokens {
            pointer.push_back(jsonptr::Token::new(token.as_ref()));
        }
        JsonPointer(pointer)
    }

    /// The pointer in its string form, such as `/a~1b/0`.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether this is the empty pointer (the whole document).
    pub fn is_root(&self) -> bool {
        self.0.is_root()
    }

    /// The reference tokens, in order.
    pub fn tokens(&self) -> ReferenceTokens<'_> {
        ReferenceTokens(self.0.tokens())
    }

    /// Whether the pointer holds `{` or `}`, which no escape can write between the braces of a
    /// template.
    pub(crate) fn has_brace(&self) -> bool {
        self.as_str().contains(['{', '}'])
    }
}

impl fmt::Debug for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JsonPointer").field(&self.as_str()).finish()
    }
}

impl fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JsonPointer {
    type Err = InvalidPointer;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JsonPointer::parse(s)
    }
}

impl AsRef<str> for JsonPointer {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// The reference tokens of a [`JsonPointer`], from [`JsonPointer::tokens`].
#[derive(Debug)]
pub struct ReferenceTokens<'a>(jsonptr::Tokens<'a>);

impl<'a> Iterator for ReferenceTokens<'a> {
    type Item = ReferenceToken<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(ReferenceToken)
    }
}

/// One reference token of a [`JsonPointer`]: the text between two `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceToken<'a>(jsonptr::Token<'a>);

impl ReferenceToken<'_> {
    /// The token as written in the pointer, with `~0` and `~1` escapes.
    pub fn encoded(&self) -> &str {
        self.0.encoded()
    }

    /// The token with its escapes decoded (`~1` is `/`, `~0` is `~`): the member name it selects.
    pub fn decoded(&self) -> Cow<'_, str> {
        self.0.decoded()
    }

    /// The array index this token selects, when it is one by RFC 6901: a decimal number without
    /// leading zeros (`-`, the element after the last, is not an index).
    ///
    /// ```
    /// use expr_grammar::JsonPointer;
    /// let pointer = JsonPointer::parse("/10/01/-/x")?;
    /// let indices: Vec<_> = pointer.tokens().map(|t| t.array_index()).collect();
    /// assert_eq!(indices, [Some(10), None, None, None]);
    /// # Ok::<(), expr_grammar::InvalidPointer>(())
    /// ```
    pub fn array_index(&self) -> Option<usize> {
        match self.0.to_index() {
            Ok(jsonptr::index::Index::Num(index)) => Some(index),
            _ => None,
        }
    }
}

impl fmt::Display for ReferenceToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.encoded())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is the test failing
mod tests {
    use super::*;

    #[test]
    fn parse_errors_say_where() {
        assert_eq!(JsonPointer::parse("x").unwrap_err().offset(), 0);
        assert_eq!(JsonPointer::parse("/a~2").unwrap_err().offset(), 2);
        assert!(JsonPointer::parse("").unwrap().is_root());
    }

    #[test]
    fn tokens_round_trip() {
        let pointer = JsonPointer::from_tokens(["~", "/", "", "é{}"]);
        assert_eq!(pointer.as_str(), "/~0/~1//é{}");
        assert_eq!(JsonPointer::parse(pointer.as_str()).unwrap(), pointer);
        let encoded: Vec<_> = pointer.tokens().map(|t| t.to_string()).collect();
        assert_eq!(encoded, ["~0", "~1", "", "é{}"]);
        assert!(pointer.has_brace());
    }

    #[test]
    fn debug_shows_the_string() {
        assert_eq!(
            format!("{:?}", JsonPointer::parse("/a").unwrap()),
            "JsonPointer(\"/a\")"
        );
    }
}
