//! [`Loader::check_all`]: the documents of a run loaded and checked in parallel, their results
//! in the order they were given.

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::Diagnostic;
use crate::error::LoadError;
use crate::loader::Loader;

/// The stack of a checking thread: what the main thread usually has, since a document is
/// walked (and the files it reaches parsed) as deep as the limits allow, as it would be there.
const WORKER_STACK_BYTES: usize = 8 * 1024 * 1024;

/// What [`Loader::check_all`] gives for one document.
type CheckResult = Result<Vec<Diagnostic>, LoadError>;

impl Loader {
    /// Loads and checks every document of `paths`, on up to one thread per core, and returns
    /// the result of each ([`Document::check`](crate::Document::check), or the error that kept
    /// it from loading) in the order of `paths`: the same results as loading and checking them
    /// one by one. The files they share are read and parsed once, as
    /// [`Loader::load`] reads them; what is not a regular file (a pipe) is read on the calling
    /// thread, in order, before the others.
    ///
    /// ```
    /// use oas_callbacks::{LoadLimits, Loader};
    ///
    /// let loader = Loader::new(LoadLimits::default());
    /// let paths = ["../examples/progress-api.yaml", "../examples/missing.yaml"];
    /// let results = loader.check_all(&paths);
    /// assert_eq!(results.len(), 2);
    /// let one_by_one = loader.load(paths[0])?.check();
    /// assert_eq!(results[0].as_ref().ok(), Some(&one_by_one));
    /// assert!(results[1].is_err(), "the second one does not exist");
    /// # Ok::<(), oas_callbacks::LoadError>(())
    /// ```
    pub fn check_all<P: AsRef<Path> + Sync>(
        &self,
        paths: &[P],
    ) -> Vec<Result<Vec<Diagnostic>, LoadError>> {
        self.preload(paths);
        let check = |path: &P| self.load(path).map(|doc| doc.check());
        let slots: Vec<OnceLock<CheckResult>> = paths.iter().map(|_| OnceLock::new()).collect();
        let mut parallel = Vec::new();
        for (index, path) in paths.iter().enumerate() {
            if std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
                parallel.push(index);
            } else {
                let _ = slots[index].set(check(path));
            }
        }
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(parallel.len());
        if workers >= 2 {
            let next = AtomicUsize::new(0);
            std::thread::scope(|scope| {
                for _ in 0..workers {
                    let spawned = std::thread::Builder::new()
                        .name("oas-callbacks-check".to_owned())
                        .stack_size(WORKER_STACK_BYTES)
                        .spawn_scoped(scope, || {
                            while let Some(&index) =
                                parallel.get(next.fetch_add(1, Ordering::Relaxed))
                            {
                                let _ = slots[index].set(check(&paths[index]));
                            }
                        });
                    // Without a thread the documents are simply checked below, one by one.
                    if spawned.is_err() {
                        break;
                    }
                }
            });
        }
        slots
            .into_iter()
            .zip(paths)
            .map(|(slot, path)| slot.into_inner().unwrap_or_else(|| check(path)))
            .collect()
    }
}
