//! `oas-callbacks check` over the real published documents of the repository's `corpus/` (origin
//! and licence of each in `corpus/MANIFEST.md`): the exit status of each, and its diagnostics
//! compared with a snapshot (`tests/snapshots/corpus/NAME.txt`; `UPDATE_SNAPSHOTS=1` rewrites
//! them).
//!
//! Each document is its own named trial, and one more trial checks that all 19 are there.

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};

/// The exit status `check` must give: the documents whose links name operations they do not
/// define (05, 06, 10, 11), the three with invalid callback keys (15–17) and the fragment
/// without `info` (19) fail; the others pass, warnings allowed.
fn expected_status(name: &str) -> i32 {
    match &name[..2] {
        "05" | "06" | "10" | "11" | "15" | "16" | "17" | "19" => 1,
        _ => 0,
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

fn main() {
    let args = Arguments::from_args();
    let dir = corpus_dir();
    // The corpus is part of the repository (corpus/MANIFEST.md): its absence is a failure, never
    // a silent skip.
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("the corpus {} cannot be read: {err}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "json")
            )
        })
        .collect();
    files.sort();
    let count = files.len();
    let mut trials: Vec<Trial> = vec![Trial::test("corpus_is_in_the_repository", move || {
        if count == 19 {
            Ok(())
        } else {
            Err(format!("expected the 19 documents of corpus/MANIFEST.md, found {count}").into())
        }
    })];
    trials.extend(files.into_iter().map(|path| {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Trial::test(format!("check::{name}"), move || check_one(&path, &name))
    }));
    libtest_mimic::run(&args, trials).exit();
}

fn check_one(path: &Path, name: &str) -> Result<(), Failed> {
    let output = Command::new(env!("CARGO_BIN_EXE_oas-callbacks"))
        .arg("check")
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run the binary: {e}"))?;
    let status = output.status.code().ok_or("killed by a signal")?;
    let stdout = String::from_utf8(output.stdout).map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("panicked") {
        return Err(format!("the binary panicked:\n{stderr}").into());
    }
    let expected = expected_status(name);
    if status != expected {
        return Err(format!("exit status {status}, expected {expected}\n{stdout}{stderr}").into());
    }
    // The snapshot names files by their name only, so it does not depend on where the corpus is.
    let prefix = format!(
        "{}/",
        path.parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
    let shown = stdout.replace(&prefix, "");
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/corpus")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &shown).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let recorded = std::fs::read_to_string(&snapshot).map_err(|e| {
        format!(
            "no snapshot {} ({e}); run with UPDATE_SNAPSHOTS=1",
            snapshot.display()
        )
    })?;
    if recorded != shown {
        return Err(format!(
            "diagnostics differ from {}\n--- recorded\n{recorded}\n--- now\n{shown}",
            snapshot.display()
        )
        .into());
    }
    Ok(())
}
