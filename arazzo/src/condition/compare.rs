//! The comparison rules of simple conditions (DESIGN §8):
//!
//! - strings compare case-insensitively (Unicode lowercase, character by character), for
//!   equality and for order;
//! - a number against a string that is a JSON number compares numerically;
//! - `null` equals only `null`, and an order comparison with `null` is false;
//! - booleans equal only booleans, and are not ordered;
//! - objects and arrays are equal when their JSON values are equal, and are never ordered;
//! - any other pair is unequal, and ordering it is a type error.

use std::cmp::Ordering;

use super::value::{Num, Operand};

/// Whether two values are equal.
pub(crate) fn equal(a: &Operand<'_>, b: &Operand<'_>) -> bool {
    match (a, b) {
        (Operand::Null, Operand::Null) => true,
        (Operand::Bool(x), Operand::Bool(y)) => x == y,
        (Operand::Number(x), Operand::Number(y)) => x.cmp(*y) == Some(Ordering::Equal),
        (Operand::Number(n), Operand::Str(s)) | (Operand::Str(s), Operand::Number(n)) => {
            Num::parse_json(s).is_some_and(|m| n.cmp(m) == Some(Ordering::Equal))
        }
        (Operand::Str(x), Operand::Str(y)) => caseless_cmp(x, y) == Ordering::Equal,
        (Operand::Composite(x), Operand::Composite(y)) => x == y,
        _ => false,
    }
}

/// The order of two values: `Ok(None)` when one is `null` (the comparison is then false),
/// `Err` when the two cannot be ordered.
pub(crate) fn order(a: &Operand<'_>, b: &Operand<'_>) -> Result<Option<Ordering>, Unordered> {
    match (a, b) {
        (Operand::Null, _) | (_, Operand::Null) => Ok(None),
        (Operand::Number(x), Operand::Number(y)) => Ok(x.cmp(*y)),
        (Operand::Number(n), Operand::Str(s)) => match Num::parse_json(s) {
            Some(m) => Ok(n.cmp(m)),
            None => Err(Unordered::NotNumeric),
        },
        (Operand::Str(s), Operand::Number(n)) => match Num::parse_json(s) {
            Some(m) => Ok(m.cmp(*n)),
            None => Err(Unordered::NotNumeric),
        },
        (Operand::Str(x), Operand::Str(y)) => Ok(Some(caseless_cmp(x, y))),
        _ => Err(Unordered::Types),
    }
}

/// Why two values cannot be ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unordered {
    /// A number and a string that is not a number.
    NotNumeric,
    /// Booleans, objects, arrays, or two different types.
    Types,
}

/// Compares two strings ignoring case: ASCII directly, other text by the lowercase mapping of
/// each character (no allocation either way).
pub(crate) fn caseless_cmp(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn s(text: &str) -> Operand<'_> {
        Operand::Str(Cow::Borrowed(text))
    }

    #[test]
    fn strings_ignore_case() {
        assert!(equal(&s("Available"), &s("available")));
        assert!(equal(&s("ÉTÉ"), &s("été")));
        assert_eq!(order(&s("apple"), &s("Banana")), Ok(Some(Ordering::Less)));
        assert_eq!(caseless_cmp("STRASSE", "strasse"), Ordering::Equal);
    }

    #[test]
    fn numeric_strings_against_numbers() {
        let two = Operand::Number(Num::Int(2));
        assert!(equal(&two, &s("2")));
        assert!(equal(&s("2.0"), &two));
        assert!(!equal(&two, &s("02")));
        assert_eq!(
            order(&s("10"), &Operand::Number(Num::Int(9))),
            Ok(Some(Ordering::Greater))
        );
        assert_eq!(order(&two, &s("x")), Err(Unordered::NotNumeric));
        // Two strings compare as strings, even when both are numeric.
        assert_eq!(order(&s("10"), &s("9")), Ok(Some(Ordering::Less)));
    }

    #[test]
    fn null_and_booleans() {
        assert!(equal(&Operand::Null, &Operand::Null));
        assert!(!equal(&Operand::Null, &s("")));
        assert!(!equal(&Operand::Bool(true), &s("true")));
        assert_eq!(
            order(&Operand::Null, &Operand::Number(Num::Int(1))),
            Ok(None)
        );
        assert_eq!(
            order(&Operand::Bool(true), &Operand::Bool(false)),
            Err(Unordered::Types)
        );
    }

    #[test]
    fn composites_by_json_equality() {
        let a = serde_json::json!({"a": [1, 2]});
        let b = serde_json::json!({"a": [1, 2]});
        assert!(equal(&Operand::Composite(&a), &Operand::Composite(&b)));
        assert_eq!(
            order(&Operand::Composite(&a), &Operand::Composite(&b)),
            Err(Unordered::Types)
        );
    }
}
