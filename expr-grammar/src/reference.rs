//! The Arazzo parts of the syntax tree: what `$inputs.`, `$outputs.`, `$steps.`, `$workflows.`,
//! `$sourceDescriptions.` and `$components.` refer to.
//!
//! Arazzo 1.1.0 gives these a structure in its grammar (`$steps.<id>.outputs.<name>[#ptr]`);
//! Arazzo 1.0.x gives each only a free-form `name`, and its examples use the same structure
//! (`$steps.someStepId.outputs.pets#/0/id`). So both dialects build the same trees: a 1.0.x
//! name is read in the 1.1.0 structure ([`from_name_1_0`]), and one that does not have it
//! (`$steps.someStep.pets`, `$components.inputs.x`) is kept whole as an [`UnstructuredName`].

use std::fmt;
use std::hash::{Hash, Hasher};

use crate::ast::Expression;
use crate::keywords;
use crate::pointer::JsonPointer;

/// The names and ids of these expressions. A boxed `str` (two words, no capacity): measured
/// against an inline small string (smol_str), it read the Arazzo set faster, because the bytes
/// copied into an inline buffer are read back, word by word, when the tree is moved, and those
/// reads wait on the byte-sized stores (store forwarding); an allocation does not.
type Name = Box<str>;

/// An input or output name with an optional JSON pointer into its value: the
/// `identifier [ "#" json-pointer ]` of `$inputs.`, `$outputs.`, `$steps.<id>.outputs.` and
/// `$workflows.<id>.inputs.` / `.outputs.`.
///
/// ```
/// use expr_grammar::{Dialect, Expression, JsonPointer, Reference};
///
/// let expr = Expression::parse_in("$inputs.customer#/address/city", Dialect::Arazzo1_1_0)?;
/// let Expression::Inputs(input) = &expr else { unreachable!() };
/// assert_eq!(input.name(), "customer");
/// assert_eq!(input.pointer().map(JsonPointer::as_str), Some("/address/city"));
///
/// // Dots belong to the name: this is the input `customer.uri`, not a member of `customer`.
/// let expr = Expression::parse_in("$inputs.customer.uri", Dialect::Arazzo1_1_0)?;
/// assert_eq!(expr, Expression::Inputs(Reference::new("customer.uri", None)?));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Reference {
    /// The name, after the `owner_len` bytes of the id of the step or workflow it belongs to
    /// (none for `$inputs.` and `$outputs.`): one allocation for both, since allocations are most
    /// of the cost of reading `$steps.` and `$workflows.` expressions.
    text: Name,
    owner_len: usize,
    pointer: Option<JsonPointer>,
}

/// `$steps.<step-id>.outputs.<output-name>[#pointer]`: an output of a step.
///
/// ```
/// use expr_grammar::{Dialect, Expression};
///
/// let expr = Expression::parse_in("$steps.getPet.outputs.pets#/0/id", Dialect::Arazzo1_1_0)?;
/// let Expression::Steps(step) = &expr else { unreachable!() };
/// assert_eq!(step.step_id(), "getPet");
/// assert_eq!(step.output().name(), "pets");
/// assert_eq!(step.output().pointer().map(|p| p.as_str()), Some("/0/id"));
/// # Ok::<(), expr_grammar::ParseError>(())
/// ```
#[derive(Clone)]
pub struct StepReference {
    /// Holds the step id as its owner.
    output: Reference,
}

/// Which value of a workflow a `$workflows.` expression reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WorkflowField {
    /// `inputs`
    Inputs,
    /// `outputs`
    Outputs,
}

/// `$workflows.<workflow-id>.(inputs|outputs).<name>[#pointer]`: an input or output of a
/// workflow.
///
/// ```
/// use expr_grammar::{Dialect, Expression, WorkflowField};
///
/// let expr = Expression::parse_in("$workflows.foo.outputs.mappedResponse#/name", Dialect::Arazzo1_1_0)?;
/// let Expression::Workflows(workflow) = &expr else { unreachable!() };
/// assert_eq!(workflow.workflow_id(), "foo");
/// assert_eq!(workflow.field(), WorkflowField::Outputs);
/// assert_eq!(workflow.value().name(), "mappedResponse");
/// # Ok::<(), expr_grammar::ParseError>(())
/// ```
#[derive(Clone)]
pub struct WorkflowReference {
    field: WorkflowField,
    /// Holds the workflow id as its owner.
    value: Reference,
}

/// `$sourceDescriptions.<name>.<reference>`: an operationId or workflowId of a source
/// description, or a field of its Source Description Object (`url`, `type`); Arazzo 1.1.0
/// says which comes first. The reference is any non-empty text (`1*CHAR`), decoded.
///
/// ```
/// use expr_grammar::{Dialect, Expression};
///
/// let expr = Expression::parse_in("$sourceDescriptions.petstore.url", Dialect::Arazzo1_1_0)?;
/// let Expression::SourceDescriptions(source) = &expr else { unreachable!() };
/// assert_eq!((source.name(), source.reference()), ("petstore", "url"));
/// # Ok::<(), expr_grammar::ParseError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SourceDescriptionReference {
    /// The name, then the reference, in one allocation.
    text: Name,
    name_len: usize,
}

/// The kind of component a `$components.` expression names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ComponentKind {
    /// `parameters`
    Parameters,
    /// `successActions`
    SuccessActions,
    /// `failureActions`
    FailureActions,
}

/// `$components.(parameters|successActions|failureActions).<name>`: a reusable component.
///
/// ```
/// use expr_grammar::{ComponentKind, Dialect, Expression};
///
/// let expr = Expression::parse_in("$components.parameters.page", Dialect::Arazzo1_0_1)?;
/// let Expression::Components(component) = &expr else { unreachable!() };
/// assert_eq!((component.kind(), component.name()), (ComponentKind::Parameters, "page"));
/// # Ok::<(), expr_grammar::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ComponentReference {
    kind: ComponentKind,
    name: Name,
}

/// The family of an Arazzo expression: the word after `$`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// `$inputs.`
    Inputs,
    /// `$outputs.`
    Outputs,
    /// `$steps.`
    Steps,
    /// `$workflows.`
    Workflows,
    /// `$sourceDescriptions.`
    SourceDescriptions,
    /// `$components.`
    Components,
}

/// An Arazzo 1.0.x expression whose name does not have the structure that Arazzo 1.1.0's
/// grammar and 1.0.x's own examples give it: `$steps.someStep.pets` (no `.outputs.`, as in
/// Arazzo 1.0.0's examples), `$components.inputs.x`, `$inputs.a b`, `$steps.`. The 1.0.x
/// grammar allows any name (`"$steps." name`); 1.1.0 refuses these.
///
/// ```
/// use expr_grammar::{Dialect, Expression, Family};
///
/// let expr = Expression::parse_in("$steps.someStep.pets", Dialect::Arazzo1_0_1)?;
/// let Expression::Unstructured(name) = &expr else { unreachable!() };
/// assert_eq!((name.family(), name.name()), (Family::Steps, "someStep.pets"));
/// assert!(Expression::parse_in("$steps.someStep.pets", Dialect::Arazzo1_1_0).is_err());
/// # Ok::<(), expr_grammar::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnstructuredName {
    family: Family,
    name: Name,
}

/// The error of the constructors of [`Reference`], [`StepReference`], [`WorkflowReference`],
/// [`SourceDescriptionReference`], [`ComponentReference`] and [`UnstructuredName`]: a part
/// that the grammar would not read back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidReference {
    /// A name is not an `identifier` (one or more letters, digits, `.`, `-`, `_`); `offset` is
    /// the byte offset of the first character that is not allowed (0 for an empty name).
    Identifier {
        /// Where in the name.
        offset: usize,
    },
    /// A step id, workflow id or source description name is not an `identifier-strict` (one or
    /// more letters, digits, `-`, `_`).
    StrictIdentifier {
        /// Where in the name.
        offset: usize,
    },
    /// A source description reference is empty (`1*CHAR`).
    EmptyReference,
    /// The name of an [`UnstructuredName`] has the structure of its family, so it would read back
    /// as a structured expression.
    Structured,
}

impl fmt::Display for InvalidReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidReference::Identifier { offset } => write!(
                f,
                "invalid name: an identifier is one or more letters, digits, `.`, `-` or `_`; the first bad character is at byte {offset}"
            ),
            InvalidReference::StrictIdentifier { offset } => write!(
                f,
                "invalid id: a step id, workflow id or source description name is one or more letters, digits, `-` or `_`; the first bad character is at byte {offset}"
            ),
            InvalidReference::EmptyReference => {
                f.write_str("a source description reference is not empty")
            }
            InvalidReference::Structured => f.write_str(
                "the name has the structure of its family: build the structured expression instead",
            ),
        }
    }
}

impl std::error::Error for InvalidReference {}

/// `identifier = 1*( ALPHA / DIGIT / "." / "-" / "_" )`
pub(crate) fn is_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_')
}

/// `identifier-strict = 1*( ALPHA / DIGIT / "-" / "_" )`
pub(crate) fn is_strict_identifier_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_')
}

fn check_identifier(name: &str) -> Result<(), InvalidReference> {
    match name.bytes().position(|b| !is_identifier_byte(b)) {
        _ if name.is_empty() => Err(InvalidReference::Identifier { offset: 0 }),
        Some(offset) => Err(InvalidReference::Identifier { offset }),
        None => Ok(()),
    }
}

fn check_strict(name: &str) -> Result<(), InvalidReference> {
    match name.bytes().position(|b| !is_strict_identifier_byte(b)) {
        _ if name.is_empty() => Err(InvalidReference::StrictIdentifier { offset: 0 }),
        Some(offset) => Err(InvalidReference::StrictIdentifier { offset }),
        None => Ok(()),
    }
}

impl Reference {
    /// A name (an `identifier`) and an optional pointer into its value.
    pub fn new(
        name: impl Into<String>,
        pointer: Option<JsonPointer>,
    ) -> Result<Self, InvalidReference> {
        let name = name.into();
        check_identifier(&name)?;
        Ok(Reference {
            text: name.into(),
            owner_len: 0,
            pointer,
        })
    }

    /// Built by the readers, which checked the name.
    pub(crate) fn from_parsed(name: &str, pointer: Option<JsonPointer>) -> Self {
        Self::owned_by("", name, pointer)
    }

    /// The name `name` of the step or workflow `owner` (checked by the caller).
    pub(crate) fn owned_by(owner: &str, name: &str, pointer: Option<JsonPointer>) -> Self {
        let mut text = String::with_capacity(owner.len() + name.len());
        text.push_str(owner);
        text.push_str(name);
        Reference {
            text: text.into_boxed_str(),
            owner_len: owner.len(),
            pointer,
        }
    }

    /// The same name and pointer, owned by `owner`.
    fn with_owner(self, owner: &str) -> Self {
        let Reference {
            text,
            owner_len,
            pointer,
        } = self;
        Self::owned_by(owner, &text[owner_len..], pointer)
    }

    fn owner(&self) -> &str {
        &self.text[..self.owner_len]
    }

    /// The input or output name.
    pub fn name(&self) -> &str {
        &self.text[self.owner_len..]
    }

    /// The pointer after `#`, if any (`Some` of the empty pointer for a bare `#`).
    pub fn pointer(&self) -> Option<&JsonPointer> {
        self.pointer.as_ref()
    }
}

impl StepReference {
    /// `$steps.<step_id>.outputs.<output>`.
    pub fn new(step_id: impl Into<String>, output: Reference) -> Result<Self, InvalidReference> {
        let step_id = step_id.into();
        check_strict(&step_id)?;
        Ok(Self::from_parsed(&step_id, output))
    }

    pub(crate) fn from_parsed(step_id: &str, output: Reference) -> Self {
        StepReference {
            output: output.with_owner(step_id),
        }
    }

    /// Built by the fast reader: the output's name and pointer, read after the step id.
    pub(crate) fn from_parts(step_id: &str, name: &str, pointer: Option<JsonPointer>) -> Self {
        StepReference {
            output: Reference::owned_by(step_id, name, pointer),
        }
    }

    /// The step id.
    pub fn step_id(&self) -> &str {
        self.output.owner()
    }

    /// The output name and pointer.
    pub fn output(&self) -> &Reference {
        &self.output
    }
}

impl WorkflowReference {
    /// `$workflows.<workflow_id>.<field>.<value>`.
    pub fn new(
        workflow_id: impl Into<String>,
        field: WorkflowField,
        value: Reference,
    ) -> Result<Self, InvalidReference> {
        let workflow_id = workflow_id.into();
        check_strict(&workflow_id)?;
        Ok(Self::from_parsed(&workflow_id, field, value))
    }

    pub(crate) fn from_parsed(workflow_id: &str, field: WorkflowField, value: Reference) -> Self {
        WorkflowReference {
            field,
            value: value.with_owner(workflow_id),
        }
    }

    /// Built by the fast reader: the value's name and pointer, read after the workflow id.
    pub(crate) fn from_parts(
        workflow_id: &str,
        field: WorkflowField,
        name: &str,
        pointer: Option<JsonPointer>,
    ) -> Self {
        WorkflowReference {
            field,
            value: Reference::owned_by(workflow_id, name, pointer),
        }
    }

    /// The workflow id.
    pub fn workflow_id(&self) -> &str {
        self.value.owner()
    }

    /// `inputs` or `outputs`.
    pub fn field(&self) -> WorkflowField {
        self.field
    }

    /// The input or output name and pointer.
    pub fn value(&self) -> &Reference {
        &self.value
    }
}

impl SourceDescriptionReference {
    /// `$sourceDescriptions.<name>.<reference>`; the reference is decoded text.
    pub fn new(
        name: impl Into<String>,
        reference: impl Into<String>,
    ) -> Result<Self, InvalidReference> {
        let (name, reference) = (name.into(), reference.into());
        check_strict(&name)?;
        if reference.is_empty() {
            return Err(InvalidReference::EmptyReference);
        }
        Ok(Self::from_parsed(&name, &reference))
    }

    pub(crate) fn from_parsed(name: &str, reference: &str) -> Self {
        let mut text = String::with_capacity(name.len() + reference.len());
        text.push_str(name);
        text.push_str(reference);
        SourceDescriptionReference {
            text: text.into_boxed_str(),
            name_len: name.len(),
        }
    }

    /// The source description's name.
    pub fn name(&self) -> &str {
        &self.text[..self.name_len]
    }

    /// The operationId, workflowId or field name, decoded.
    pub fn reference(&self) -> &str {
        &self.text[self.name_len..]
    }
}

impl ComponentReference {
    /// `$components.<kind>.<name>`.
    pub fn new(kind: ComponentKind, name: impl Into<String>) -> Result<Self, InvalidReference> {
        let name = name.into();
        check_identifier(&name)?;
        Ok(ComponentReference {
            kind,
            name: name.into(),
        })
    }

    pub(crate) fn from_parsed(kind: ComponentKind, name: &str) -> Self {
        ComponentReference {
            kind,
            name: Name::from(name),
        }
    }

    /// The component type.
    pub fn kind(&self) -> ComponentKind {
        self.kind
    }

    /// The component's key.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl UnstructuredName {
    /// An Arazzo 1.0.x name that has no structured reading (see the type's documentation);
    /// [`InvalidReference::Structured`] when it has one.
    ///
    /// ```
    /// use expr_grammar::{Family, InvalidReference, UnstructuredName};
    /// assert!(UnstructuredName::new(Family::Steps, "someStep.pets").is_ok());
    /// assert_eq!(
    ///     UnstructuredName::new(Family::Steps, "someStep.outputs.pets").unwrap_err(),
    ///     InvalidReference::Structured,
    /// );
    /// ```
    pub fn new(family: Family, name: impl Into<String>) -> Result<Self, InvalidReference> {
        let name = name.into();
        match from_name_1_0(family, name) {
            Expression::Unstructured(unstructured) => Ok(unstructured),
            _ => Err(InvalidReference::Structured),
        }
    }

    /// The family (`$steps.`, …).
    pub fn family(&self) -> Family {
        self.family
    }

    /// The name after the family's `.`, decoded.
    pub fn name(&self) -> &str {
        &self.name
    }
}

// Equality, hashing and `Debug` by what the accessors give: a `Reference` is its name and pointer,
// whoever owns it; a step or workflow reference adds its id.

impl PartialEq for Reference {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name() && self.pointer == other.pointer
    }
}

impl Eq for Reference {}

impl Hash for Reference {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
        self.pointer.hash(state);
    }
}

impl fmt::Debug for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reference")
            .field("name", &self.name())
            .field("pointer", &self.pointer)
            .finish()
    }
}

impl PartialEq for StepReference {
    fn eq(&self, other: &Self) -> bool {
        self.step_id() == other.step_id() && self.output == other.output
    }
}

impl Eq for StepReference {}

impl Hash for StepReference {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.step_id().hash(state);
        self.output.hash(state);
    }
}

impl fmt::Debug for StepReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StepReference")
            .field("step_id", &self.step_id())
            .field("output", &self.output)
            .finish()
    }
}

impl PartialEq for WorkflowReference {
    fn eq(&self, other: &Self) -> bool {
        self.workflow_id() == other.workflow_id()
            && self.field == other.field
            && self.value == other.value
    }
}

impl Eq for WorkflowReference {}

impl Hash for WorkflowReference {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.workflow_id().hash(state);
        self.field.hash(state);
        self.value.hash(state);
    }
}

impl fmt::Debug for WorkflowReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkflowReference")
            .field("workflow_id", &self.workflow_id())
            .field("field", &self.field)
            .field("value", &self.value)
            .finish()
    }
}

impl fmt::Debug for SourceDescriptionReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceDescriptionReference")
            .field("name", &self.name())
            .field("reference", &self.reference())
            .finish()
    }
}

impl Family {
    /// The family's prefix as the specification spells it, such as `$steps.`.
    pub fn prefix(self) -> &'static str {
        self.keyword().text
    }

    pub(crate) fn keyword(self) -> keywords::Keyword {
        match self {
            Family::Inputs => keywords::INPUTS,
            Family::Outputs => keywords::OUTPUTS,
            Family::Steps => keywords::STEPS,
            Family::Workflows => keywords::WORKFLOWS,
            Family::SourceDescriptions => keywords::SOURCE_DESCRIPTIONS,
            Family::Components => keywords::COMPONENTS,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The structured reading of an Arazzo 1.0.x name (decoded), shared by both readers.

/// The expression an Arazzo 1.0.x `"$family." name` means: the structured one when the decoded
/// name has the 1.1.0 structure of its family and every part of it can be written back
/// without escapes (identifiers never need one; a pointer holding `"`, `\`, a control
/// character, `{` or `}` would, since in 1.0.x the pointer is part of the name), else the name
/// kept whole.
pub(crate) fn from_name_1_0(family: Family, name: String) -> Expression {
    structured_1_0(family, &name).unwrap_or_else(|| {
        Expression::Unstructured(UnstructuredName {
            family,
            name: name.into(),
        })
    })
}

fn structured_1_0(family: Family, name: &str) -> Option<Expression> {
    Some(match family {
        Family::Inputs => Expression::Inputs(value_1_0(name)?),
        Family::Outputs => Expression::Outputs(value_1_0(name)?),
        Family::Steps => {
            let (step_id, rest) = split_strict(name)?;
            let output = keywords::STEP_OUTPUTS.strip_from(rest)?;
            Expression::Steps(StepReference::from_parsed(step_id, value_1_0(output)?))
        }
        Family::Workflows => {
            let (workflow_id, rest) = split_strict(name)?;
            let rest = keywords::DOT.strip_from(rest)?;
            let (field, rest) = if let Some(rest) = keywords::WORKFLOW_INPUTS.strip_from(rest) {
                (WorkflowField::Inputs, rest)
            } else {
                (
                    WorkflowField::Outputs,
                    keywords::WORKFLOW_OUTPUTS.strip_from(rest)?,
                )
            };
            let value = value_1_0(keywords::DOT.strip_from(rest)?)?;
            Expression::Workflows(WorkflowReference::from_parsed(workflow_id, field, value))
        }
        Family::SourceDescriptions => {
            let (source, rest) = split_strict(name)?;
            let reference = keywords::DOT.strip_from(rest)?;
            if reference.is_empty() {
                return None;
            }
            Expression::SourceDescriptions(SourceDescriptionReference::from_parsed(
                source, reference,
            ))
        }
        Family::Components => {
            let (kind, rest) = component_kind(name)?;
            let component = keywords::DOT.strip_from(rest)?;
            check_identifier(component).ok()?;
            Expression::Components(ComponentReference::from_parsed(kind, component))
        }
    })
}

/// `identifier-strict` at the start of `name`, and the rest.
fn split_strict(name: &str) -> Option<(&str, &str)> {
    let end = name
        .bytes()
        .position(|b| !is_strict_identifier_byte(b))
        .unwrap_or(name.len());
    (end > 0).then(|| name.split_at(end))
}

/// `parameters` / `successActions` / `failureActions` at the start of `text`, and the rest.
pub(crate) fn component_kind(text: &str) -> Option<(ComponentKind, &str)> {
    [
        (keywords::COMPONENT_PARAMETERS, ComponentKind::Parameters),
        (
            keywords::COMPONENT_SUCCESS_ACTIONS,
            ComponentKind::SuccessActions,
        ),
        (
            keywords::COMPONENT_FAILURE_ACTIONS,
            ComponentKind::FailureActions,
        ),
    ]
    .into_iter()
    .find_map(|(keyword, kind)| keyword.strip_from(text).map(|rest| (kind, rest)))
}

/// `identifier [ "#" json-pointer ]` as the whole of `text`.
fn value_1_0(text: &str) -> Option<Reference> {
    let (name, pointer) = match text.find('#') {
        Some(hash) => (&text[..hash], Some(&text[hash + 1..])),
        None => (text, None),
    };
    check_identifier(name).ok()?;
    let pointer = match pointer {
        None => None,
        Some(pointer) => {
            let plain = !pointer
                .chars()
                .any(|c| matches!(c, '"' | '\\' | '{' | '}' | '\u{0}'..='\u{1f}'));
            Some(JsonPointer::parse(pointer).ok().filter(|_| plain)?)
        }
    };
    Some(Reference::from_parsed(name, pointer))
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    use super::*;

    fn hash_of(value: &impl Hash) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    fn reference(name: &str, pointer: Option<&str>) -> Reference {
        let pointer = pointer.map(|p| JsonPointer::parse(p).expect("a pointer"));
        Reference::new(name, pointer).expect("a name")
    }

    #[test]
    fn a_reference_is_its_name_and_pointer_whoever_holds_it() {
        let step = StepReference::new("getPet", reference("pets", Some("/0"))).expect("an id");
        assert_eq!((step.step_id(), step.output().name()), ("getPet", "pets"));
        assert_eq!(step.output(), &reference("pets", Some("/0")));
        assert_eq!(
            hash_of(step.output()),
            hash_of(&reference("pets", Some("/0")))
        );
        let workflow = WorkflowReference::new("flow", WorkflowField::Inputs, reference("x", None))
            .expect("an id");
        assert_eq!(workflow.value(), &reference("x", None));
        assert_eq!(workflow.workflow_id(), "flow");
    }

    #[test]
    fn ids_and_names_kept_together_still_compare_apart() {
        // The same text in one allocation, split differently: different references.
        let a = StepReference::new("ab", reference("c", None)).expect("an id");
        let b = StepReference::new("a", reference("bc", None)).expect("an id");
        assert_ne!(a, b);
        let same = StepReference::new("ab", reference("c", None)).expect("an id");
        assert_eq!(a, same);
        assert_eq!(hash_of(&a), hash_of(&same));
        let a = SourceDescriptionReference::new("ab", "c").expect("a name");
        let b = SourceDescriptionReference::new("a", "bc").expect("a name");
        assert_ne!(a, b);
        assert_eq!((a.name(), a.reference()), ("ab", "c"));
        let a = WorkflowReference::new("ab", WorkflowField::Outputs, reference("c", None));
        let b = WorkflowReference::new("a", WorkflowField::Outputs, reference("bc", None));
        assert_ne!(a.expect("an id"), b.expect("an id"));
    }

    #[test]
    fn debug_shows_the_parts() {
        let step = StepReference::new("s", reference("o", None)).expect("an id");
        assert_eq!(
            format!("{step:?}"),
            r#"StepReference { step_id: "s", output: Reference { name: "o", pointer: None } }"#
        );
    }
}
