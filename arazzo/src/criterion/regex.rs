//! `regex` conditions: ECMA-262 regular expressions (the `regress` engine), searched anywhere in
//! the context's text (not anchored: `^` and `$` anchor when the pattern says so), without flags.

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Pattern(regress::Regex);

impl Pattern {
    pub(crate) fn compile(pattern: &str) -> Result<Self, String> {
        regress::Regex::new(pattern)
            .map(Pattern)
            .map_err(|err| err.to_string())
    }

    /// Whether the pattern matches somewhere in `text`.
    pub(crate) fn is_found_in(&self, text: &str) -> bool {
        self.0.find(text).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_with_ecmascript_syntax() {
        let status = Pattern::compile(r"^2\d{2}$").expect("valid");
        assert!(status.is_found_in("201"));
        assert!(!status.is_found_in("2010"));
        assert!(
            Pattern::compile("ok")
                .expect("valid")
                .is_found_in("is ok here")
        );
        // ECMAScript features: look-behind, named groups, \p{…} needs the `u` flag in
        // ECMAScript and is not available without flags.
        assert!(
            Pattern::compile(r"(?<=a)b")
                .expect("valid")
                .is_found_in("ab")
        );
        assert!(
            Pattern::compile(r"(?<year>\d{4})")
                .expect("valid")
                .is_found_in("in 2026")
        );
        assert!(Pattern::compile("(").is_err());
    }
}
