//! OpenAPI callbacks and links (work in progress).
