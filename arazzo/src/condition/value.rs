//! The values a condition computes with: literals, and what runtime expressions resolve to,
//! borrowed.

use std::borrow::Cow;
use std::fmt;

/// A number: an integer when it is written without fraction or exponent and fits, else a
/// 64-bit float.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    /// A number as JSON writes it, or `None` when `text` is not one (numeric strings are
    /// read with this: `'007'`, `' 1'` and `'1.'` are not numbers).
    pub(crate) fn parse_json(text: &str) -> Option<Num> {
        if !is_json_number(text) {
            return None;
        }
        if !text.contains(['.', 'e', 'E'])
            && let Ok(n) = text.parse::<i128>()
        {
            return Some(Num::Int(n));
        }
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Num::Float)
    }

    pub(crate) fn from_json(number: &serde_json::Number) -> Num {
        if let Some(n) = number.as_i64() {
            Num::Int(i128::from(n))
        } else if let Some(n) = number.as_u64() {
            Num::Int(i128::from(n))
        } else {
            Num::Float(number.as_f64().unwrap_or(f64::NAN))
        }
    }

    pub(crate) fn cmp(self, other: Num) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }

    #[allow(clippy::cast_precision_loss)]
    fn as_f64(self) -> f64 {
        match self {
            Num::Int(n) => n as f64,
            Num::Float(f) => f,
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Int(n) => write!(f, "{n}"),
            // serde_json writes the shortest text that reads back the same (`1e+300`, `0.1`).
            Num::Float(x) => match serde_json::Number::from_f64(*x) {
                Some(number) => write!(f, "{number}"),
                None => write!(f, "{x}"),
            },
        }
    }
}

/// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?` (RFC 8259 §6).
pub(crate) fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand<'a> {
    Null,
    Bool(bool),
    Number(Num),
    Str(Cow<'a, str>),
    /// An object or an array.
    Composite(&'a serde_json::Value),
}

impl<'a> Operand<'a> {
    pub(crate) fn from_json(value: &'a serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Operand::Null,
            serde_json::Value::Bool(b) => Operand::Bool(*b),
            serde_json::Value::Number(n) => Operand::Number(Num::from_json(n)),
            serde_json::Value::String(s) => Operand::Str(Cow::Borrowed(s)),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => Operand::Composite(value),
        }
    }

    /// The type, in words, for error messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Operand::Null => "null",
            Operand::Bool(_) => "a boolean",
            Operand::Number(_) => "a number",
            Operand::Str(_) => "a string",
            Operand::Composite(serde_json::Value::Array(_)) => "an array",
            Operand::Composite(_) => "an object",
        }
    }

    /// The value and its type, short, for error messages.
    pub(crate) fn describe(&self) -> String {
        const MAX: usize = 60;
        let text = match self {
            Operand::Null => return "null".to_owned(),
            Operand::Bool(b) => return format!("the boolean {b}"),
            Operand::Number(n) => return format!("the number {n}"),
            Operand::Str(s) => format!("'{s}'"),
            Operand::Composite(v) => v.to_string(),
        };
        let shown = if text.chars().count() > MAX {
            let cut: String = text.chars().take(MAX).collect();
            format!("{cut}…")
        } else {
            text
        };
        match self {
            Operand::Str(_) => format!("the string {shown}"),
            other => format!("{} {shown}", other.type_name()),
        }
    }
}

impl<'a> From<expr_eval::Value<'a>> for Operand<'a> {
    fn from(value: expr_eval::Value<'a>) -> Self {
        match value {
            expr_eval::Value::Str(text) => Operand::Str(text),
            expr_eval::Value::Json(json) => Operand::from_json(json),
            expr_eval::Value::Int(n) => Operand::Number(Num::Int(i128::from(n))),
            // The enum is non-exhaustive: a kind of value added later is compared by its
            // JSON form (owned, so it cannot borrow).
            other => match other.to_json() {
                serde_json::Value::String(s) => Operand::Str(Cow::Owned(s)),
                serde_json::Value::Number(n) => Operand::Number(Num::from_json(&n)),
                serde_json::Value::Bool(b) => Operand::Bool(b),
                _ => Operand::Null,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_only() {
        for good in [
            "0",
            "-0",
            "7",
            "-12",
            "1.5",
            "1e3",
            "1E+3",
            "2.5e-3",
            "12345678901234567890123",
        ] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in [
            "", "-", "007", "01", ".5", "1.", "+1", "1e", "1e+", " 1", "1 ", "0x10", "NaN",
            "Infinity", "1_000",
        ] {
            assert!(!is_json_number(bad), "{bad}");
        }
    }

    #[test]
    fn integers_stay_exact() {
        assert_eq!(
            Num::parse_json("9007199254740993"),
            Some(Num::Int(9_007_199_254_740_993))
        );
        assert_eq!(
            Num::parse_json("9007199254740993")
                .and_then(|a| a.cmp(Num::Int(9_007_199_254_740_992))),
            Some(std::cmp::Ordering::Greater)
        );
        assert_eq!(Num::parse_json("1e400"), None);
        assert_eq!(Num::Float(1e300).to_string(), "1e+300");
        assert_eq!(Num::Float(0.1).to_string(), "0.1");
    }
}
