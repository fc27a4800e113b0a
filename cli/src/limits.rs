//! The limits of what a command reads, with their defaults (those of [`LoadLimits`]) and the
//! environment variables that change them. Every file a command reads is held to them:
//! documents and the files they reference, exchange files, raw HTTP messages, payloads.

use std::num::IntErrorKind;

use oas_callbacks::LoadLimits;

use crate::error::CliError;

/// The largest file a command reads, in bytes (default 64 MiB).
pub(crate) const MAX_FILE_BYTES_VAR: &str = "OAS_CALLBACKS_MAX_FILE_BYTES";
/// The most YAML alias (`*name`) uses in one file (default 10,000).
pub(crate) const MAX_YAML_ALIASES_VAR: &str = "OAS_CALLBACKS_MAX_YAML_ALIASES";
/// The most YAML nodes that anchors may record and aliases may replay in one file (default
/// 100,000).
pub(crate) const MAX_YAML_ALIAS_NODES_VAR: &str = "OAS_CALLBACKS_MAX_YAML_ALIAS_NODES";

/// The most bytes a command renders from templates, in bytes (default 1 MiB): `eval`'s one
/// template, all the callback URLs of `resolve`, `send` and `enqueue`, all the link values of
/// `links`.
pub(crate) const MAX_RENDERED_BYTES_VAR: &str = "OAS_CALLBACKS_MAX_RENDERED_BYTES";

/// What `--help` says of the variables (a test keeps the defaults in it true).
pub(crate) const ENVIRONMENT_HELP: &str = "\
Environment (the limits of every file read: documents, exchanges, payloads):
  OAS_CALLBACKS_MAX_FILE_BYTES        the largest file, in bytes (default 67108864)
  OAS_CALLBACKS_MAX_YAML_ALIASES      YAML alias uses in one file (default 10000)
  OAS_CALLBACKS_MAX_YAML_ALIAS_NODES  nodes YAML aliases may expand to in one file (default 100000)
  OAS_CALLBACKS_MAX_RENDERED_BYTES    bytes rendered from templates for one exchange (default 1048576)";

/// The limits in force for this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Limits {
    /// `$OAS_CALLBACKS_MAX_FILE_BYTES`.
    pub(crate) max_file_bytes: usize,
    /// `$OAS_CALLBACKS_MAX_YAML_ALIASES`.
    pub(crate) max_yaml_aliases: usize,
    /// `$OAS_CALLBACKS_MAX_YAML_ALIAS_NODES`.
    pub(crate) max_yaml_alias_nodes: usize,
    /// `$OAS_CALLBACKS_MAX_RENDERED_BYTES`.
    pub(crate) max_rendered_bytes: usize,
    /// The deepest nesting of a YAML exchange file: that of every JSON body
    /// ([`expr_eval::MAX_JSON_DEPTH`], serde_json's fixed limit), so that an exchange means the
    /// same in JSON and in YAML.
    pub(crate) max_depth: usize,
}

impl Limits {
    /// The defaults, with what the environment sets. A variable that is not a number is a
    /// usage error that names it.
    pub(crate) fn from_env() -> Result<Self, CliError> {
        Self::from_lookup(|var| std::env::var(var))
    }

    fn from_lookup(
        lookup: impl Fn(&str) -> Result<String, std::env::VarError>,
    ) -> Result<Self, CliError> {
        let defaults = LoadLimits::default();
        let setting = |var: &str, default: usize, unit: &str| match lookup(var) {
            Err(std::env::VarError::NotPresent) => Ok(default),
            Ok(text) => count(&text).ok_or_else(|| {
                CliError::usage_or_io(format!("{var} must be a number of {unit}, not `{text}`"))
            }),
            Err(std::env::VarError::NotUnicode(_)) => Err(CliError::usage_or_io(format!(
                "{var} must be a number of {unit}"
            ))),
        };
        Ok(Limits {
            max_file_bytes: setting(MAX_FILE_BYTES_VAR, defaults.max_file_bytes, "bytes")?,
            max_yaml_aliases: setting(
                MAX_YAML_ALIASES_VAR,
                defaults.max_yaml_aliases,
                "alias uses",
            )?,
            max_yaml_alias_nodes: setting(
                MAX_YAML_ALIAS_NODES_VAR,
                defaults.max_yaml_alias_nodes,
                "nodes",
            )?,
            max_rendered_bytes: setting(
                MAX_RENDERED_BYTES_VAR,
                defaults.max_rendered_len,
                "bytes",
            )?,
            max_depth: expr_eval::MAX_JSON_DEPTH,
        })
    }

    /// The limits documents are loaded with: the defaults, with the settings above.
    pub(crate) fn load_limits(&self) -> LoadLimits {
        let mut limits = LoadLimits::default();
        limits.max_file_bytes = self.max_file_bytes;
        limits.max_yaml_aliases = self.max_yaml_aliases;
        limits.max_yaml_alias_nodes = self.max_yaml_alias_nodes;
        limits.max_rendered_len = self.max_rendered_bytes;
        limits
    }
}

/// The largest file a command reads: `$OAS_CALLBACKS_MAX_FILE_BYTES`, else the default.
pub(crate) fn max_file_bytes() -> Result<usize, CliError> {
    Limits::from_env().map(|limits| limits.max_file_bytes)
}

/// The limits documents are loaded with, and the folder references may reach (`--ref-root`;
/// by default the root document's folder).
pub(crate) fn load_limits(ref_root: Option<&std::path::Path>) -> Result<LoadLimits, CliError> {
    let limits = Limits::from_env()?.load_limits();
    Ok(match ref_root {
        Some(dir) => limits.with_ref_root(dir),
        None => limits,
    })
}

/// A count written in decimal, surrounding white space ignored. A number too large to mean
/// anything saturates at the largest buffer there can be (`isize::MAX` bytes), which no limit
/// check can overflow past (`limit + 1` is computed when a file is read): "no limit".
fn count(text: &str) -> Option<usize> {
    let text = text.trim();
    let largest = isize::MAX.unsigned_abs();
    match text.parse::<usize>() {
        Ok(n) => Some(n.min(largest)),
        Err(err) if *err.kind() == IntErrorKind::PosOverflow => Some(largest),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<Limits, CliError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Limits::from_lookup(|var| {
            vars.iter()
                .find(|(k, _)| k == var)
                .map(|(_, v)| v.clone())
                .ok_or(std::env::VarError::NotPresent)
        })
    }

    #[test]
    fn defaults_are_the_document_loader_s() {
        let limits = with(&[]).expect("defaults");
        let defaults = LoadLimits::default();
        assert_eq!(limits.max_file_bytes, defaults.max_file_bytes);
        assert_eq!(limits.max_yaml_aliases, defaults.max_yaml_aliases);
        assert_eq!(limits.max_yaml_alias_nodes, defaults.max_yaml_alias_nodes);
        assert_eq!(limits.max_rendered_bytes, defaults.max_rendered_len);
        assert_eq!(limits.load_limits(), defaults);
        assert_eq!(limits.max_depth, 127);
    }

    #[test]
    fn the_help_gives_every_variable_with_its_default() {
        let limits = with(&[]).expect("defaults");
        for (var, default) in [
            (MAX_FILE_BYTES_VAR, limits.max_file_bytes),
            (MAX_YAML_ALIASES_VAR, limits.max_yaml_aliases),
            (MAX_YAML_ALIAS_NODES_VAR, limits.max_yaml_alias_nodes),
            (MAX_RENDERED_BYTES_VAR, limits.max_rendered_bytes),
        ] {
            let line = ENVIRONMENT_HELP
                .lines()
                .find(|line| line.trim_start().starts_with(var))
                .unwrap_or_else(|| panic!("{var} is not in the help"));
            assert!(line.ends_with(&format!("(default {default})")), "{line}");
        }
    }

    #[test]
    fn each_variable_sets_its_limit_for_documents_too() {
        let limits = with(&[
            (MAX_FILE_BYTES_VAR, " 1000\n"),
            (MAX_YAML_ALIASES_VAR, "5"),
            (MAX_YAML_ALIAS_NODES_VAR, "70"),
            (MAX_RENDERED_BYTES_VAR, "4096"),
        ])
        .expect("numbers");
        assert_eq!(limits.max_rendered_bytes, 4096);
        assert_eq!(limits.load_limits().max_rendered_len, 4096);
        assert_eq!(
            (
                limits.max_file_bytes,
                limits.max_yaml_aliases,
                limits.max_yaml_alias_nodes
            ),
            (1000, 5, 70)
        );
        let load = limits.load_limits();
        assert_eq!(
            (
                load.max_file_bytes,
                load.max_yaml_aliases,
                load.max_yaml_alias_nodes
            ),
            (1000, 5, 70)
        );
    }

    #[test]
    fn huge_values_saturate_instead_of_overflowing() {
        let largest = isize::MAX.unsigned_abs();
        for huge in [
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999999999999999999999",
            "9223372036854775808",
        ] {
            let limits = with(&[(MAX_FILE_BYTES_VAR, huge), (MAX_YAML_ALIAS_NODES_VAR, huge)])
                .expect("a number, however large");
            assert_eq!(limits.max_file_bytes, largest, "{huge}");
            assert_eq!(limits.max_yaml_alias_nodes, largest, "{huge}");
            // What reading a file computes stays in range.
            assert!((limits.max_file_bytes as u64).checked_add(1).is_some());
        }
        assert_eq!(
            with(&[(MAX_FILE_BYTES_VAR, "0")])
                .expect("zero")
                .max_file_bytes,
            0
        );
    }

    #[test]
    fn what_is_not_a_number_is_refused_by_name() {
        for (var, unit) in [
            (MAX_FILE_BYTES_VAR, "bytes"),
            (MAX_YAML_ALIASES_VAR, "alias uses"),
            (MAX_YAML_ALIAS_NODES_VAR, "nodes"),
        ] {
            for bad in ["lots", "-1", "", "1e6", "0x10", "12 MB", "+-3"] {
                let err = with(&[(var, bad)]).expect_err("not a number");
                assert_eq!(err.status(), 2);
                assert_eq!(
                    err.to_string(),
                    format!("error: {var} must be a number of {unit}, not `{bad}`")
                );
            }
        }
    }
}
