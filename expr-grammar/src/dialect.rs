//! The grammars this crate reads: OpenAPI's and each version of Arazzo's.

use std::fmt;
use std::str::FromStr;

/// Which specification's runtime-expression grammar to read.
///
/// [`Expression::parse`](crate::Expression::parse) and
/// [`Template::parse`](crate::Template::parse) read [`Dialect::OpenApi`], the default; the
/// `*_in` entry points ([`Expression::parse_in`](crate::Expression::parse_in),
/// [`Template::parse_in`](crate::Template::parse_in),
/// [`Expression::parse_prefix`](crate::Expression::parse_prefix)) take a dialect.
///
/// The text form ([`Display`](fmt::Display) and [`FromStr`]) is the spelling the command line's
/// `--dialect` accepts: `openapi`, `arazzo-1.0.0`, `arazzo-1.0.1`, `arazzo-1.1.0`.
///
/// ```
/// use expr_grammar::{Dialect, Expression};
///
/// let dialect: Dialect = "arazzo-1.1.0".parse()?;
/// assert_eq!(dialect, Dialect::Arazzo1_1_0);
/// assert_eq!(dialect.to_string(), "arazzo-1.1.0");
/// assert_eq!(Dialect::default(), Dialect::OpenApi);
///
/// // A document's `arazzo` field picks its dialect.
/// assert_eq!(Dialect::for_arazzo_version("1.0.1"), Some(Dialect::Arazzo1_0_1));
/// assert_eq!(Dialect::for_arazzo_version("1.1.0"), Some(Dialect::Arazzo1_1_0));
///
/// assert!(Expression::parse_in("$steps.login.outputs.token", dialect).is_ok());
/// assert!(Expression::parse("$steps.login.outputs.token").is_err());
/// # Ok::<(), expr_grammar::UnknownDialect>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// OpenAPI 3.0.x, 3.1.x and 3.2.x (their grammars are identical in meaning):
    /// `$url`, `$method`, `$statusCode`, `$request.` and `$response.` sources.
    #[default]
    OpenApi,
    /// Arazzo 1.0.0: the 1.0.1 grammar and `$message.` source, which 1.0.1 removed.
    Arazzo1_0_0,
    /// Arazzo 1.0.1: the OpenAPI expressions and `$inputs.`, `$outputs.`, `$steps.`,
    /// `$workflows.`, `$sourceDescriptions.` and `$components.`, each followed by a free-form
    /// `name`.
    Arazzo1_0_1,
    /// Arazzo 1.1.0: the structured grammar (`$steps.<id>.outputs.<name>`,
    /// `$workflows.<id>.inputs.<name>`, `$components.parameters.<name>`, …), `$message.`,
    /// the `payload` source and `$self`; `{` and `}` appear nowhere in an expression.
    Arazzo1_1_0,
}

/// Every dialect, in the order of [`Dialect`]'s variants.
const ALL: [Dialect; 4] = [
    Dialect::OpenApi,
    Dialect::Arazzo1_0_0,
    Dialect::Arazzo1_0_1,
    Dialect::Arazzo1_1_0,
];

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 4] = ALL;

    /// The dialect of an Arazzo document whose `arazzo` field is `version`: 1.0.x reads the
    /// 1.0.1 grammar, 1.1.x the 1.1.0 one (DESIGN §8: a patch release does not change the
    /// grammar, and 1.0.1 is the corrected 1.0). `None` for any other version.
    ///
    /// ```
    /// use expr_grammar::Dialect;
    /// assert_eq!(Dialect::for_arazzo_version("1.0.0"), Some(Dialect::Arazzo1_0_1));
    /// assert_eq!(Dialect::for_arazzo_version("1.1.3"), Some(Dialect::Arazzo1_1_0));
    /// assert_eq!(Dialect::for_arazzo_version("2.0.0"), None);
    /// assert_eq!(Dialect::for_arazzo_version("1.0"), None);
    /// ```
    pub fn for_arazzo_version(version: &str) -> Option<Dialect> {
        let mut parts = version.split('.');
        let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next()?);
        let numeric = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || !numeric(patch) {
            return None;
        }
        match (major, minor) {
            ("1", "0") => Some(Dialect::Arazzo1_0_1),
            ("1", "1") => Some(Dialect::Arazzo1_1_0),
            _ => None,
        }
    }

    /// The spelling of [`Display`](fmt::Display) and [`FromStr`].
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::OpenApi => "openapi",
            Dialect::Arazzo1_0_0 => "arazzo-1.0.0",
            Dialect::Arazzo1_0_1 => "arazzo-1.0.1",
            Dialect::Arazzo1_1_0 => "arazzo-1.1.0",
        }
    }

    /// Whether this is one of the Arazzo dialects.
    pub fn is_arazzo(self) -> bool {
        self != Dialect::OpenApi
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`Dialect`]'s [`FromStr`]: the text is none of the spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect {
    text: String,
}

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown dialect {:?}: expected ", self.text)?;
        for (index, dialect) in ALL.iter().enumerate() {
            let separator = match index {
                0 => "",
                _ if index == ALL.len() - 1 => " or ",
                _ => ", ",
            };
            write!(f, "{separator}`{dialect}`")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    /// Reads one of `openapi`, `arazzo-1.0.0`, `arazzo-1.0.1` or `arazzo-1.1.0`.
    ///
    /// ```
    /// use expr_grammar::Dialect;
    /// let err = "arazzo".parse::<Dialect>().unwrap_err();
    /// assert_eq!(err.to_string(), "unknown dialect \"arazzo\": expected `openapi`, \
    ///     `arazzo-1.0.0`, `arazzo-1.0.1` or `arazzo-1.1.0`");
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL.into_iter()
            .find(|dialect| dialect.as_str() == s)
            .ok_or_else(|| UnknownDialect { text: s.to_owned() })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is the test failing
mod tests {
    use super::Dialect;

    #[test]
    fn text_form_round_trips() {
        for dialect in Dialect::ALL {
            assert_eq!(dialect.to_string().parse::<Dialect>().unwrap(), dialect);
        }
    }

    #[test]
    fn arazzo_versions() {
        assert_eq!(
            Dialect::for_arazzo_version("1.0.1"),
            Some(Dialect::Arazzo1_0_1)
        );
        assert_eq!(Dialect::for_arazzo_version("1.1.x"), None);
        assert_eq!(Dialect::for_arazzo_version("1.1.0.0"), None);
        assert_eq!(Dialect::for_arazzo_version("1.1."), None);
    }
}
