//! `xpath` conditions: the Effective Boolean Value of an XPath expression over the context, an
//! XML document, by the version the Expression Type Object names.
//!
//! - XPath 3.1 (the default), 3.0 and 2.0: `xee-xpath`, an XPath 3.1 engine. XPath 3.1 reads
//!   2.0 and 3.0 expressions with their meaning (its incompatibilities with them are edge
//!   cases of the function library), and the Effective Boolean Value is defined alike in all
//!   three: an empty sequence is false, a sequence starting with a node is true, a single
//!   boolean, string or number by its value, anything else an error.
//! - XPath 1.0: `sxd-xpath`, an XPath 1.0 engine, with 1.0's `boolean()` conversion: a
//!   non-empty node-set, a non-zero number that is not NaN, a non-empty string.
//!
//! Without the `xpath` feature, an XPath criterion compiles and evaluates to an error that
//! says so.

use super::{RunError, XPathVersion};

/// A checked XPath expression and its version. It is kept as text: the engines' compiled
/// forms are not `Send`, and XPath conditions are not on a hot path.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    text: String,
    version: XPathVersion,
}

impl Source {
    /// Checks the syntax of `text` in `version`.
    pub(crate) fn compile(text: &str, version: XPathVersion) -> Result<Self, String> {
        engine::check(text, version)?;
        Ok(Source {
            text: text.to_owned(),
            version,
        })
    }

    /// The Effective Boolean Value of the expression with the document `xml` as context item.
    pub(crate) fn evaluate(&self, xml: &str) -> Result<bool, RunError> {
        // The engines are third-party code: should one panic on some input, the criterion
        // fails with an error instead of taking the caller down.
        std::panic::catch_unwind(|| engine::evaluate(&self.text, self.version, xml)).unwrap_or_else(
            |_| {
                Err(RunError::Query(
                    "the XPath engine failed on this expression (it panicked)".to_owned(),
                ))
            },
        )
    }
}

#[cfg(feature = "xpath")]
mod engine {
    use xee_xpath::{Documents, Queries, Query as _};

    use super::super::{RunError, XPathVersion};

    pub(super) fn check(text: &str, version: XPathVersion) -> Result<(), String> {
        match version {
            XPathVersion::XPath10 => sxd_xpath::Factory::new()
                .build(text)
                .map_err(|err| err.to_string())?
                .map(|_| ())
                .ok_or_else(|| "the expression is empty".to_owned()),
            _ => Queries::default()
                .sequence(text)
                .map(|_| ())
                .map_err(|err| err.to_string()),
        }
    }

    pub(super) fn evaluate(text: &str, version: XPathVersion, xml: &str) -> Result<bool, RunError> {
        match version {
            XPathVersion::XPath10 => {
                let package = sxd_document::parser::parse(xml).map_err(|err| {
                    RunError::Context(format!("the context is not an XML document: {err}"))
                })?;
                let document = package.as_document();
                let xpath = sxd_xpath::Factory::new()
                    .build(text)
                    .map_err(|err| RunError::Query(err.to_string()))?
                    .ok_or_else(|| RunError::Query("the expression is empty".to_owned()))?;
                let context = sxd_xpath::Context::new();
                xpath
                    .evaluate(&context, document.root())
                    .map(|value| value.boolean())
                    .map_err(|err| RunError::Query(err.to_string()))
            }
            _ => {
                let mut documents = Documents::new();
                let document = documents.add_string_without_uri(xml).map_err(|err| {
                    RunError::Context(format!("the context is not an XML document: {err}"))
                })?;
                let query = Queries::default()
                    .sequence(text)
                    .map_err(|err| RunError::Query(err.to_string()))?;
                let sequence = query
                    .execute(&mut documents, document)
                    .map_err(|err| RunError::Query(err.to_string()))?;
                sequence
                    .effective_boolean_value()
                    .map_err(|err| RunError::Query(format!("no Effective Boolean Value: {err}")))
            }
        }
    }
}

#[cfg(not(feature = "xpath"))]
mod engine {
    use super::super::{RunError, XPathVersion};

    pub(super) fn check(_: &str, _: XPathVersion) -> Result<(), String> {
        Ok(())
    }

    pub(super) fn evaluate(_: &str, version: XPathVersion, _: &str) -> Result<bool, RunError> {
        Err(RunError::Unsupported(format!(
            "this build evaluates no XPath ({} needs the `xpath` feature of the arazzo crate)",
            version.as_str()
        )))
    }
}

#[cfg(all(test, feature = "xpath"))]
mod tests {
    use super::*;

    fn ebv(text: &str, version: XPathVersion, xml: &str) -> Result<bool, RunError> {
        Source::compile(text, version)
            .map_err(RunError::Query)?
            .evaluate(xml)
    }

    const PETS: &str = "<root><pets><pet>a</pet><pet>b</pet></pets><empty/></root>";

    #[test]
    fn effective_boolean_value_by_version() {
        for version in [
            XPathVersion::XPath31,
            XPathVersion::XPath20,
            XPathVersion::XPath10,
        ] {
            assert!(
                ebv("count(/root/pets/*) > 0", version, PETS).expect("runs"),
                "{version:?}"
            );
            assert!(
                ebv("/root/pets", version, PETS).expect("runs"),
                "{version:?}"
            );
            assert!(
                !ebv("/root/none", version, PETS).expect("runs"),
                "{version:?}"
            );
            assert!(!ebv("0", version, PETS).expect("runs"), "{version:?}");
            assert!(ebv("'x'", version, PETS).expect("runs"), "{version:?}");
            assert!(!ebv("''", version, PETS).expect("runs"), "{version:?}");
        }
        // A sequence of two numbers has no Effective Boolean Value in XPath 2.0 and later.
        assert!(ebv("(1, 2)", XPathVersion::XPath31, PETS).is_err());
        // XPath 1.0 has no sequences: `(1, 2)` does not parse.
        assert!(Source::compile("(1, 2)", XPathVersion::XPath10).is_err());
        // NaN is false in XPath 1.0.
        assert!(!ebv("number('x')", XPathVersion::XPath10, PETS).expect("runs"));
    }

    #[test]
    fn the_context_must_be_xml() {
        assert!(matches!(
            ebv("/a", XPathVersion::XPath31, "{\"a\": 1}"),
            Err(RunError::Context(_))
        ));
        assert!(matches!(
            ebv("/a", XPathVersion::XPath10, "not xml"),
            Err(RunError::Context(_))
        ));
    }
}
