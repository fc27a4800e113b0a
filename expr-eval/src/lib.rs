//! Evaluation of OpenAPI runtime expressions against an HTTP exchange (work in progress).
