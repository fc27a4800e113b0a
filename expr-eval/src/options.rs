//! How a template renders: strict or lenient, verbatim or percent-encoding, and how much it may
//! write.

use crate::limits::MAX_RENDERED_LEN;

/// How a [`CompiledTemplate`](crate::CompiledTemplate) renders: strict or lenient, verbatim or
/// percent-encoding, and at most how many bytes.
///
/// The default is strict and verbatim, at most [`MAX_RENDERED_LEN`] bytes, as the specification substitutes values
/// (`{$request.query.queryUrl}` gives back the URL itself). Built like every option set of the
/// workspace: from [`Default`] (or the `const` [`RenderOptions::new`]) with `with_*` methods.
///
/// ```
/// use expr_eval::RenderOptions;
/// let options = RenderOptions::default().with_lenient(true).with_percent_encode(true);
/// assert!(options.is_lenient() && options.is_percent_encoding());
/// assert_eq!(RenderOptions::default(), RenderOptions::new());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RenderOptions {
    lenient: bool,
    percent_encode: bool,
    max_rendered_len: usize,
}

impl RenderOptions {
    /// Strict and verbatim (the same as [`Default`]).
    pub const fn new() -> Self {
        RenderOptions {
            lenient: false,
            percent_encode: false,
            max_rendered_len: MAX_RENDERED_LEN,
        }
    }

    /// With `true`, an expression that cannot be evaluated renders as the empty string instead
    /// of failing the whole template.
    pub const fn with_lenient(self, lenient: bool) -> Self {
        RenderOptions { lenient, ..self }
    }

    /// With `true`, values that land in a URL's path are percent-encoded as one path segment
    /// (`/` becomes `%2F`), and values that land in its query or fragment as one query component
    /// (`&`, `=`, `+`, `/`, `:`, `?` … encoded). Where a value lands is decided by the literal
    /// text before it: after a `?` it is the query, after a `#` the fragment, otherwise the path.
    /// A value at the very start of the template stays verbatim: it *is* the URL
    /// (`{$request.query.callbackUrl}/data`).
    pub const fn with_percent_encode(self, percent_encode: bool) -> Self {
        RenderOptions {
            percent_encode,
            ..self
        }
    }

    /// The most bytes one rendering may produce (default [`MAX_RENDERED_LEN`], 1 MiB); a
    /// rendering that would produce more fails with
    /// [`EvalError::RenderedTooLong`](crate::EvalError::RenderedTooLong), lenient or not.
    pub const fn with_max_rendered_len(self, max_rendered_len: usize) -> Self {
        RenderOptions {
            max_rendered_len,
            ..self
        }
    }

    /// The most bytes one rendering may produce.
    pub const fn max_rendered_len(&self) -> usize {
        self.max_rendered_len
    }

    /// Whether unresolvable expressions render as the empty string.
    pub const fn is_lenient(&self) -> bool {
        self.lenient
    }

    /// Whether values are percent-encoded for the URL component they land in.
    pub const fn is_percent_encoding(&self) -> bool {
        self.percent_encode
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions::new()
    }
}
