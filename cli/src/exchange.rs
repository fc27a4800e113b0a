//! The exchange an expression is evaluated against, as the commands take it (`eval`, `resolve`,
//! `links`, `send`): the options, and reading the files they name. Each file is an exchange file
//! (JSON or YAML), a request or response object, or a raw HTTP/1.1 message; which one is judged
//! from its content.

use std::path::{Path, PathBuf};

use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};

use crate::error::{CliError, ErrorKind};
use crate::limits::Limits;
use crate::{input, yaml};

/// The exchange an expression is evaluated against: an exchange file, or a request file and an
/// optional response file. Each file is an exchange file (JSON or YAML) or a raw HTTP/1.1
/// message; which one is detected from its content.
#[derive(Debug, clap::Args)]
pub(crate) struct ExchangeArgs {
    /// An exchange file (JSON or YAML: {"request": {...}, "response": {...}}), or a raw HTTP/1.1
    /// request.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["request", "response"], required_unless_present = "request")]
    pub(crate) exchange: Option<PathBuf>,
    /// The request: a raw HTTP/1.1 request ("POST /path HTTP/1.1", headers, empty line, body), an
    /// exchange file, or a request object in JSON or YAML.
    #[arg(long, value_name = "FILE")]
    pub(crate) request: Option<PathBuf>,
    /// The response: a raw HTTP/1.1 response ("HTTP/1.1 201 Created" or "201 Created", headers,
    /// empty line, body), an exchange file with a response, or a response object.
    #[arg(long, value_name = "FILE", requires = "request")]
    pub(crate) response: Option<PathBuf>,
    /// The path template the request matched, e.g. "/subscribe/{eventType}" (raw requests carry
    /// none; this replaces an exchange file's `pathTemplate`).
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) path_template: Option<String>,
    /// The scheme of a raw request's URL ("https://" + Host + target).
    #[arg(long, value_name = "SCHEME", default_value = "https")]
    pub(crate) scheme: String,
}

/// What a file holds, judged from its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// A raw HTTP/1.1 message: a request line (`POST /x HTTP/1.1`) or a status line
    /// (`HTTP/1.1 201 Created`, `201 Created`).
    Http,
    /// JSON (starts with `{`).
    Json,
    /// Anything else: YAML.
    Yaml,
}

fn detect(text: &str) -> Format {
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') {
        return Format::Json;
    }
    let first_line = text.lines().next().unwrap_or_default().trim_end();
    let mut words = first_line.split(' ');
    let first = words.next().unwrap_or_default();
    let is_status_line = first.starts_with("HTTP/")
        || (first.len() == 3
            && first.bytes().all(|b| b.is_ascii_digit())
            && !first_line.contains(':'));
    let is_request_line = {
        let method_ok = !first.is_empty()
            && first
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_');
        let target = words.next().unwrap_or_default();
        let version = words.next().unwrap_or_default();
        method_ok && !target.is_empty() && version.starts_with("HTTP/") && words.next().is_none()
    };
    if is_status_line || is_request_line {
        Format::Http
    } else {
        Format::Yaml
    }
}

/// The top-level keys of a structured (JSON or YAML) file, to tell an exchange file from a bare
/// request or response object.
fn top_level_keys(text: &str, format: Format, limits: &Limits) -> Result<Vec<String>, String> {
    let value: serde_json::Value = deserialize(text, format, limits)?;
    match value {
        serde_json::Value::Object(map) => Ok(map.keys().cloned().collect()),
        _ => Err("expected a mapping (an exchange file) or a raw HTTP/1.1 message".to_owned()),
    }
}

fn deserialize<T: serde::de::DeserializeOwned + Send>(
    text: &str,
    format: Format,
    limits: &Limits,
) -> Result<T, String> {
    match format {
        Format::Json => serde_json::from_str(text).map_err(|err| input::json_error(&err)),
        _ => yaml::from_str(text, limits),
    }
}

/// What a file gave: a whole exchange, or one message.
enum Loaded {
    Exchange(OwnedExchange),
    Request(OwnedRequest),
    Response(OwnedResponse),
}

/// Reads a file that should hold a request (`want_response == false`) or a response.
fn load_file(
    path: &Path,
    scheme: &str,
    want_response: bool,
    limits: &Limits,
) -> Result<Loaded, CliError> {
    let bytes = input::read_file(path)?;
    let context = |err: String| CliError::usage_or_io(format!("{}: {err}", path.display()));
    // A raw HTTP message may hold bytes that are not UTF-8 (obs-text in a header field, a
    // binary body): its reader reports the first and keeps the second. The format is judged
    // from the text as far as it is UTF-8; JSON and YAML must be UTF-8 throughout.
    let format = detect(&String::from_utf8_lossy(&bytes));
    if format == Format::Http {
        return if want_response {
            OwnedResponse::parse_http1(&bytes).map(Loaded::Response)
        } else {
            OwnedRequest::parse_http1(&bytes, scheme).map(Loaded::Request)
        }
        .map_err(|err| context(err.to_string()));
    }
    // Not UTF-8: the file cannot be understood, an I/O error like any unreadable file.
    let text = input::utf8(path, &bytes).map_err(|err| err.with_kind(ErrorKind::UsageOrIo))?;
    let keys = top_level_keys(text, format, limits).map_err(context)?;
    let has = |key: &str| keys.iter().any(|k| k == key);
    if has("request") {
        deserialize(text, format, limits)
            .map(Loaded::Exchange)
            .map_err(context)
    } else if has("method") || has("url") {
        deserialize(text, format, limits)
            .map(Loaded::Request)
            .map_err(context)
    } else if has("status") {
        deserialize(text, format, limits)
            .map(Loaded::Response)
            .map_err(context)
    } else {
        Err(context(
            "not an exchange file: expected a `request` key (or a request's `method` and `url`, or a response's `status`)"
                .to_owned(),
        ))
    }
}

impl ExchangeArgs {
    /// Loads the exchange the options name, or says why not (an I/O error, exit status 2: a
    /// file that cannot be read or understood).
    pub(crate) fn load(&self) -> Result<OwnedExchange, CliError> {
        let limits = Limits::from_env()?;
        let (request_path, response_path) = match (&self.exchange, &self.request) {
            (Some(exchange), _) => (exchange, None),
            (None, Some(request)) => (request, self.response.as_ref()),
            (None, None) => {
                return Err(CliError::usage_or_io(
                    "give --exchange FILE or --request FILE",
                ));
            }
        };
        let mut exchange = match load_file(request_path, &self.scheme, false, &limits)? {
            Loaded::Exchange(exchange) => exchange,
            Loaded::Request(request) => OwnedExchange::new(request),
            Loaded::Response(_) => {
                return Err(CliError::usage_or_io(format!(
                    "{}: holds a response, not a request",
                    request_path.display()
                )));
            }
        };
        if let Some(path) = response_path {
            exchange.response = Some(match load_file(path, &self.scheme, true, &limits)? {
                Loaded::Response(response) => response,
                Loaded::Exchange(OwnedExchange {
                    response: Some(response),
                    ..
                }) => response,
                Loaded::Exchange(_) | Loaded::Request(_) => {
                    return Err(CliError::usage_or_io(format!(
                        "{}: holds no response",
                        path.display()
                    )));
                }
            });
        }
        if let Some(template) = &self.path_template {
            exchange
                .request
                .set_path_template(Some(template.clone()))
                .map_err(|err| CliError::usage_or_io(format!("--path-template: {err}")))?;
        }
        Ok(exchange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_format() {
        assert_eq!(
            detect("POST /subscribe/x?y=1 HTTP/1.1\nHost: h\n"),
            Format::Http
        );
        assert_eq!(detect("\n\nGET / HTTP/1.1\r\n"), Format::Http);
        assert_eq!(detect("HTTP/1.1 201 Created\n"), Format::Http);
        assert_eq!(detect("201 Created\nLocation: x\n"), Format::Http);
        assert_eq!(detect("204\n"), Format::Http);
        assert_eq!(detect("M-SEARCH * HTTP/1.1\n"), Format::Http);
        assert_eq!(detect("{\"request\": {}}"), Format::Json);
        assert_eq!(detect("request:\n  method: GET\n"), Format::Yaml);
        assert_eq!(detect("# comment\nrequest: {}\n"), Format::Yaml);
        assert_eq!(detect("201: a yaml key\n"), Format::Yaml);
        assert_eq!(detect(""), Format::Yaml);
    }
}
