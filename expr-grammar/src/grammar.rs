//! The pest grammar, `runtime_expression.pest`: the definition of the language.
//!
//! The derived parser and its `Rule` enum stay inside the crate; `walk.rs` turns its parse
//! trees into syntax trees and `error_words.rs` turns its failures into [`ParseError`]s.
//!
//! [`ParseError`]: crate::ParseError

#[derive(pest_derive::Parser)]
#[grammar = "runtime_expression.pest"]
pub(crate) struct Grammar;
