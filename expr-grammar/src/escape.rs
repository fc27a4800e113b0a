//! The JSON string escapes of `name` (RFC 8259 §7): decoding what the grammar accepted, and
//! writing a name back in its shortest valid form.

use std::fmt;

/// A `\uXXXX` escape that names half of a surrogate pair without the other half; a Rust
/// string cannot hold it. `offset` is the byte offset of the escape in the decoded slice.
#[derive(Debug)]
pub(crate) struct LoneSurrogate {
    pub(crate) offset: usize,
}

/// Decodes a `name` that the grammar already accepted (so every `\` starts a valid escape).
pub(crate) fn decode_name(raw: &str) -> Result<String, LoneSurrogate> {
    let Some(first_escape) = raw.find('\\') else {
        return Ok(raw.to_owned());
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first_escape]);
    let bytes = raw.as_bytes();
    let mut i = first_escape;
    while i < raw.len() {
        if bytes[i] != b'\\' {
            let next = raw[i..].find('\\').map_or(raw.len(), |n| i + n);
            out.push_str(&raw[i..next]);
            i = next;
            continue;
        }
        let escape_start = i;
        let kind = bytes[i + 1];
        i += 2;
        let decoded = match kind {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            _ => {
                let unit = hex4(&raw[i..i + 4]);
                i += 4;
                match unit {
                    0xD800..=0xDBFF => {
                        let low = (raw[i..].starts_with("\\u"))
                            .then(|| raw.get(i + 2..i + 6).map(hex4))
                            .flatten()
                            .filter(|low| (0xDC00..=0xDFFF).contains(low));
                        let Some(low) = low else {
                            return Err(LoneSurrogate {
                                offset: escape_start,
                            });
                        };
                        i += 6;
                        let scalar = 0x10000
                            + ((u32::from(unit) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        char::from_u32(scalar).ok_or(LoneSurrogate {
                            offset: escape_start,
                        })?
                    }
                    _ => char::from_u32(u32::from(unit)).ok_or(LoneSurrogate {
                        offset: escape_start,
                    })?,
                }
            }
        };
        out.push(decoded);
    }
    Ok(out)
}

/// The value of four hex digits the grammar already checked.
fn hex4(digits: &str) -> u16 {
    u16::from_str_radix(digits, 16).unwrap_or(u16::MAX)
}

/// The characters a name escapes beyond those the grammar always requires (`"`, `\` and the
/// controls): braces between the braces of a template, and whatever ends the text a name is
/// read from (an Arazzo condition ends an operand at a space or an operator).
#[derive(Clone, Copy)]
pub(crate) struct Escapes {
    braces: bool,
    also: fn(char) -> bool,
}

impl Escapes {
    /// Only what the grammar requires.
    pub(crate) const REQUIRED: Escapes = Escapes {
        braces: false,
        also: no_other,
    };
    /// What the grammar requires, and `{` and `}`.
    pub(crate) const BRACES: Escapes = Escapes {
        braces: true,
        also: no_other,
    };

    /// `REQUIRED` or `BRACES`.
    pub(crate) fn braces_if(braces: bool) -> Escapes {
        if braces {
            Escapes::BRACES
        } else {
            Escapes::REQUIRED
        }
    }

    /// `BRACES`, and every character for which `also` holds.
    pub(crate) fn braces_and(also: fn(char) -> bool) -> Escapes {
        Escapes { braces: true, also }
    }

    /// These, and `{` and `}`.
    pub(crate) fn with_braces(self) -> Escapes {
        Escapes {
            braces: true,
            ..self
        }
    }

    /// Whether `c` must be escaped in a name.
    fn needs(self, c: char) -> bool {
        matches!(c, '"' | '\\' | '\u{0}'..='\u{1f}')
            || (self.braces && matches!(c, '{' | '}'))
            || (self.also)(c)
    }
}

fn no_other(_: char) -> bool {
    false
}

/// Writes `name` so that the grammar reads it back unchanged.
pub(crate) fn write_name(out: &mut impl fmt::Write, name: &str, escapes: Escapes) -> fmt::Result {
    if !name.chars().any(|c| escapes.needs(c)) {
        return out.write_str(name);
    }
    for c in name.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\u{8}' => out.write_str("\\b")?,
            '\u{c}' => out.write_str("\\f")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            c if escapes.needs(c) => write!(out, "\\u{:04x}", u32::from(c))?,
            c => out.write_char(c)?,
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is the test failing
mod tests {
    use super::*;

    #[test]
    fn decodes_every_escape() {
        let decoded = decode_name(r#"a\"\\\/\b\f\n\r\t\u0041\u00e9"#).unwrap();
        assert_eq!(decoded, "a\"\\/\u{8}\u{c}\n\r\tAé");
    }

    #[test]
    fn decodes_surrogate_pairs() {
        assert_eq!(decode_name(r"x\uD83D\uDE00y").unwrap(), "x😀y");
    }

    #[test]
    fn rejects_lone_surrogates() {
        assert_eq!(decode_name(r"ab\uD800").unwrap_err().offset, 2);
        assert_eq!(decode_name(r"\uDC00").unwrap_err().offset, 0);
        assert_eq!(decode_name(r"\uD800\u0041").unwrap_err().offset, 0);
    }

    #[test]
    fn writes_shortest_form() {
        let mut out = String::new();
        write_name(&mut out, "a\"\\\u{1}{}/é", Escapes::REQUIRED).unwrap();
        assert_eq!(out, r#"a\"\\\u0001{}/é"#);
        out.clear();
        write_name(&mut out, "{x}", Escapes::BRACES).unwrap();
        assert_eq!(out, r"\u007bx\u007d");
        out.clear();
        write_name(
            &mut out,
            "a b=c",
            Escapes::braces_and(|c| matches!(c, ' ' | '=')),
        )
        .unwrap();
        assert_eq!(out, r"a\u0020b\u003dc");
    }
}
