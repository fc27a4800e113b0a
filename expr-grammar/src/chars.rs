//! The grammar's character classes, for the readers that do not go through pest (the fast
//! reader, the checks of hand-built syntax trees, the error mapping).

/// Whether `byte` is an RFC 9110 `tchar`: `ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&" / "'" /
/// "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"`.
#[inline]
pub(crate) fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}
