//! Loading into the local engine: a `--load` on another engine's builder is written to an
//! archive ([`Role::Load`]), which `docker load` then brings to the engine the user's
//! `docker` talks to.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::BuildxBackend;
use crate::definition::{Definition, Role};
use crate::{BuildFailure, BuildResult, RunJob};

impl BuildxBackend {
    /// Loads the archives of builds made on another engine into the local one (`--load`
    /// lands where the user's `docker` points, whichever builder built it).
    pub(super) async fn load_archives(
        &self,
        def: &Definition,
        run: &RunJob,
        results: &mut BTreeMap<usize, BuildResult>,
    ) {
        let local = run
            .options
            .local_host
            .clone()
            .unwrap_or_else(|| "the local Docker engine".into());
        for d in &def.targets {
            for role in &d.roles {
                let Role::Load(tar) = role else { continue };
                let Some(BuildResult::Done(out, took)) = results.get_mut(&d.node) else {
                    continue;
                };
                let path = tar.to_string_lossy().into_owned();
                let started = Instant::now();
                match self
                    .short(&["load", "-q", "-i", &path], &[], Duration::from_mins(10))
                    .await
                {
                    Ok(_) => {
                        out.loaded_into = Some(local.clone());
                        *took += started.elapsed();
                        let _ = std::fs::remove_file(tar);
                    }
                    Err(e) => {
                        results.insert(
                            d.node,
                            BuildResult::Failed(BuildFailure::new(format!(
                                "built, but loading it into {local} failed: {e}"
                            ))),
                        );
                    }
                }
            }
        }
    }
}
