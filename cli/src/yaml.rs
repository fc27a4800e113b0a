//! YAML exchange files, read with serde-saphyr within the command's limits. Its own budgets
//! are set so that a YAML file is held to what the same data in JSON is: the file size, the
//! nesting of JSON bodies, and the alias limits that stop a "billion laughs" expansion. Counts
//! that the file size already bounds (nodes, events, anchors, merge keys: each takes bytes of
//! the file) have no budget of their own, and every budget that remains names its setting when
//! it is exceeded.

use serde::de::DeserializeOwned;
use serde_saphyr::budget::{Budget, BudgetBreach};

use crate::limits::{Limits, MAX_FILE_BYTES_VAR, MAX_YAML_ALIAS_NODES_VAR, MAX_YAML_ALIASES_VAR};

/// The stack one level of YAML nesting may take while it is read: serde-saphyr's deserializer
/// recurses once per level, about 40 KiB a level in a debug build (the document loader makes
/// the same provision).
const STACK_PER_LEVEL: usize = 64 * 1024;

/// Reads a value from YAML text, or says why not (the limit it hit, by name). It is read on a
/// thread whose stack fits the nesting limit, so that a file nested up to it cannot overflow
/// the stack of the caller (whose size the user's `ulimit -s` decides); where no thread can be
/// started, on the caller's.
pub(crate) fn from_str<T: DeserializeOwned + Send>(
    text: &str,
    limits: &Limits,
) -> Result<T, String> {
    let read = || {
        serde_saphyr::from_str_with_options(text, options(limits))
            .map_err(|err| error(&err, limits))
    };
    let stack = STACK_PER_LEVEL
        .saturating_mul(limits.max_depth)
        .saturating_add(1024 * 1024);
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("oas-callbacks-yaml".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, read)
        {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => read(),
        }
    })
}

/// serde-saphyr's options for the limits.
fn options(limits: &Limits) -> serde_saphyr::Options {
    let mut budget = Budget::default();
    budget.max_depth = limits.max_depth;
    budget.flow_nesting_limit = limits.max_depth;
    budget.max_aliases = limits.max_yaml_aliases;
    budget.max_recorded_anchor_events = limits.max_yaml_alias_nodes;
    // Aliases expand scalars as well as nodes: the text they make is bounded like a file's.
    budget.max_total_scalar_bytes = limits.max_file_bytes;
    budget.max_recorded_anchor_bytes = limits.max_file_bytes;
    // Bounded by the size of the file.
    budget.max_nodes = usize::MAX;
    budget.max_events = usize::MAX;
    budget.max_anchors = usize::MAX;
    budget.max_merge_keys = usize::MAX;
    // The alias limits above bound what aliases do; a file that uses one anchor many times
    // within them is fine.
    budget.enforce_alias_anchor_ratio = false;
    let mut options = serde_saphyr::Options::default();
    options.alias_limits.max_total_replayed_events = limits.max_yaml_alias_nodes;
    options.alias_limits.max_replay_stack_depth = limits.max_depth;
    options.budget = Some(budget);
    options
}

/// A serde-saphyr error in words: the limit it hit and how to change it, or the crate's first
/// line (where, and what is wrong).
fn error(err: &serde_saphyr::Error, limits: &Limits) -> String {
    let message = err.to_string();
    let first = message.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first).to_owned();
    let place = err
        .location()
        .filter(|location| location.line() > 0)
        .map(|location| format!(" at line {} column {}", location.line(), location.column()))
        .unwrap_or_default();
    use serde_saphyr::Error;
    // The error itself, inside the wrappers that add a snippet or the alias it came through.
    let mut inner = err;
    while let Error::WithSnippet { error, .. } | Error::AliasError { error, .. } = inner {
        inner = error;
    }
    let named = match inner {
        Error::Budget {
            breach: BudgetBreach::RecordedAnchorEvents { .. },
            ..
        }
        | Error::AliasReplayLimitExceeded { .. } => format!(
            "YAML aliases expand to more than {} nodes (the alias expansion limit: set {MAX_YAML_ALIAS_NODES_VAR} to change it)",
            limits.max_yaml_alias_nodes
        ),
        Error::Budget {
            breach: BudgetBreach::Aliases { .. },
            ..
        } => format!(
            "more than {} YAML alias uses (the alias limit: set {MAX_YAML_ALIASES_VAR} to change it)",
            limits.max_yaml_aliases
        ),
        Error::Budget {
            breach: BudgetBreach::Depth { .. },
            ..
        }
        | Error::AliasReplayStackDepthExceeded { .. } => format!(
            "sequences and mappings nested more than {} levels deep (the nesting limit)",
            limits.max_depth
        ),
        Error::Budget {
            breach: BudgetBreach::ScalarBytes { .. } | BudgetBreach::RecordedAnchorBytes { .. },
            ..
        } => format!(
            "the text of the YAML file, aliases expanded, is larger than the limit of {} bytes (set {MAX_FILE_BYTES_VAR} to change it)",
            limits.max_file_bytes
        ),
        Error::MultipleDocuments { .. } => {
            "more than one YAML document (`---`): an exchange file holds one".to_owned()
        }
        _ if first.contains("recursion limit exceeded") => format!(
            "sequences and mappings nested more than {} levels deep (the nesting limit)",
            limits.max_depth
        ),
        _ => return first,
    };
    format!("{named}{place}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_yaml_aliases: 10_000,
            max_yaml_alias_nodes: 100_000,
            max_rendered_bytes: 1024 * 1024,
            max_depth: 127,
        }
    }

    fn read(text: &str, limits: &Limits) -> Result<serde_json::Value, String> {
        from_str(text, limits)
    }

    #[test]
    fn counts_the_file_size_bounds_have_no_budget() {
        // 251,000 nodes, 50,001 anchors, one anchor used 1,000 times, 10,001 merge keys: more
        // than serde-saphyr's defaults allow, and fine in JSON.
        let nodes = format!("a: [{}]", vec!["1"; 251_000].join(", "));
        assert_eq!(read(&nodes, &limits()).expect("nodes")["a"][250_999], 1);
        let anchors: String = (0..50_001).map(|i| format!("- &a{i} {i}\n")).collect();
        assert_eq!(read(&anchors, &limits()).expect("anchors")[50_000], 50_000);
        let uses = format!("a: &x 1\nb: [{}]", vec!["*x"; 1_000].join(", "));
        assert_eq!(read(&uses, &limits()).expect("uses")["b"][999], 1);
        let merges: String = std::iter::once("base: &b {x: 1}\nl:\n".to_owned())
            .chain((0..10_001).map(|i| format!("  - {{<<: *b, y: {i}}}\n")))
            .collect();
        let mut generous = limits();
        generous.max_yaml_aliases = 20_000;
        assert_eq!(
            read(&merges, &generous).expect("merges")["l"][10_000]["x"],
            1
        );
    }

    #[test]
    fn each_budget_names_its_setting() {
        let uses = format!("a: &x 1\nb: [{}]", ["*x"; 11].join(", "));
        let mut small = limits();
        small.max_yaml_aliases = 10;
        let err = read(&uses, &small).expect_err("11 alias uses");
        assert!(
            err.starts_with("more than 10 YAML alias uses (the alias limit: set OAS_CALLBACKS_MAX_YAML_ALIASES to change it) at line "),
            "{err}"
        );

        let mut small = limits();
        small.max_yaml_alias_nodes = 50;
        let nodes = format!("a: &x [{}]\nb: [*x, *x]", ["1"; 30].join(", "));
        let err = read(&nodes, &small).expect_err("60 nodes replayed");
        assert!(
            err.starts_with("YAML aliases expand to more than 50 nodes (the alias expansion limit: set OAS_CALLBACKS_MAX_YAML_ALIAS_NODES to change it)"),
            "{err}"
        );

        let mut small = limits();
        small.max_file_bytes = 1000;
        let text = format!("a: &x '{}'\nb: [*x, *x, *x]", "y".repeat(400));
        let err = read(&text, &small).expect_err("1,600 bytes of scalars");
        assert!(
            err.starts_with("the text of the YAML file, aliases expanded, is larger than the limit of 1000 bytes (set OAS_CALLBACKS_MAX_FILE_BYTES to change it)"),
            "{err}"
        );

        let deep = format!("a: {}{}", "[".repeat(1000), "]".repeat(1000));
        let err = read(&deep, &limits()).expect_err("too deep");
        assert!(
            err.starts_with(
                "sequences and mappings nested more than 127 levels deep (the nesting limit)"
            ),
            "{err}"
        );
        let deep_block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let err = read(&deep_block, &limits()).expect_err("too deep");
        assert!(
            err.starts_with(
                "sequences and mappings nested more than 127 levels deep (the nesting limit)"
            ),
            "{err}"
        );

        let err = read("a: 1\n---\nb: 2\n", &limits()).expect_err("two documents");
        assert!(
            err.starts_with("more than one YAML document (`---`): an exchange file holds one"),
            "{err}"
        );
    }
}
