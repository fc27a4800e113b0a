//! `serde` support (feature `serde`): [`Expression`] and [`Template`] travel as their string
//! form, the same text a document holds, so a parsed value serializes back to its canonical
//! spelling and deserializing a string runs the parser (an invalid expression is a serde error
//! carrying the parser's message).

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use crate::ast::Expression;
use crate::error::ParseError;
use crate::template::Template;

impl Serialize for Expression {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Serialize for Template {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Expression {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParsingVisitor::new(
            "a runtime expression such as `$request.body#/url`",
            "invalid runtime expression",
        ))
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParsingVisitor::new(
            "a string with runtime expressions embedded in `{}`",
            "invalid template",
        ))
    }
}

/// Accepts a string and parses it with `T::from_str`; one visitor serves both types.
struct ParsingVisitor<T> {
    expecting: &'static str,
    /// The start of the error message, naming what failed to parse.
    failure: &'static str,
    target: PhantomData<T>,
}

impl<T> ParsingVisitor<T> {
    fn new(expecting: &'static str, failure: &'static str) -> Self {
        ParsingVisitor {
            expecting,
            failure,
            target: PhantomData,
        }
    }
}

impl<T: FromStr<Err = ParseError>> Visitor<'_> for ParsingVisitor<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        // The full `Display` (the input with a caret under it) is multi-line and repeats the
        // input, which may be long; a serde error is usually wrapped in a message with its own
        // location, so give the one-line message and where in the string the mistake is.
        T::from_str(value).map_err(|err| {
            E::custom(format_args!(
                "{}: {} at column {}",
                self.failure,
                err.message(),
                err.column()
            ))
        })
    }
}
