//! Saved builds and caches, for `bakery pull`, `push` and `cache reset`: pulling an image into
//! the local engine, copying one registry-side (`docker buildx imagetools create`), and
//! pruning a project's builder.

use std::sync::Arc;
use std::time::Duration;

use super::BuildxBackend;
use crate::config::ProjectConfig;
use crate::Backend;

/// How long a pull or copy may take: images can be large.
const TRANSFER_LIMIT: Duration = Duration::from_mins(30);

impl BuildxBackend {
    /// Pulls `reference` into the user's engine (`docker pull`), for `platform` when given.
    ///
    /// # Errors
    /// Docker's message (the registry's refusal, a missing image, an engine that is down).
    pub async fn pull(&self, reference: &str, platform: Option<&str>) -> Result<(), String> {
        let mut args = vec!["pull", "--quiet"];
        if let Some(p) = platform {
            args.extend(["--platform", p]);
        }
        args.push(reference);
        self.short(&args, &[], TRANSFER_LIMIT).await.map(drop)
    }

    /// Tags the local image `source` as `target` (`docker tag`).
    ///
    /// # Errors
    /// Docker's message (an invalid name, an engine that is down).
    pub async fn tag(&self, source: &str, target: &str) -> Result<(), String> {
        self.short(&["tag", source, target], &[], Duration::from_mins(1))
            .await
            .map(drop)
    }

    /// Copies the image `source` (an index with every platform and attestation, or one
    /// manifest) to `target` registry-side, unchanged, with the user's credentials
    /// (`docker buildx imagetools create --prefer-index=false`). Returns buildx's output.
    ///
    /// # Errors
    /// Buildx's message (the registry's refusal, a missing image).
    pub async fn copy(&self, source: &str, target: &str) -> Result<String, String> {
        self.short(
            &[
                "buildx",
                "imagetools",
                "create",
                "--progress=plain",
                "--prefer-index=false",
                "-t",
                target,
                source,
            ],
            &[],
            TRANSFER_LIMIT,
        )
        .await
    }

    /// Empties the build cache of project `project`'s builder (`docker buildx prune --all
    /// --force`), making the `remote` builder of an `endpoint` first when no build has made it
    /// yet. Returns what buildx reports it freed (its `Total:` line), when it says.
    ///
    /// # Errors
    /// The builder's message (unreachable, unknown builder).
    pub async fn prune(
        self: &Arc<Self>,
        project: &str,
        config: &ProjectConfig,
    ) -> Result<Option<String>, String> {
        self.clone()
            .prepare(project.to_string(), config.clone())
            .await?;
        let env = Self::project_env(config);
        let name = Self::project_builder(project, config);
        let mut args = vec!["buildx"];
        if let Some(n) = &name {
            args.extend(["--builder", n]);
        }
        args.extend(["prune", "--all", "--force"]);
        let out = self.short(&args, &env, Duration::from_mins(10)).await?;
        Ok(out
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("Total:"))
            .map(|t| t.trim().to_string()))
    }

    /// The generation of the registry cache in `repo`: a prefix of the digest of
    /// `REPO:bake-cache-epoch` ([`CACHE_EPOCH_TAG`]), or `0` when no reset ever made one.
    ///
    /// # Errors
    /// The registry's message when it cannot be asked.
    pub async fn cache_epoch(&self, repo: &str) -> Result<String, String> {
        let reference = format!("{repo}:{CACHE_EPOCH_TAG}");
        let out = self
            .short(
                &[
                    "buildx",
                    "imagetools",
                    "inspect",
                    "--format",
                    "{{json .Manifest.Digest}}",
                    &reference,
                ],
                &[],
                Duration::from_mins(1),
            )
            .await;
        match out {
            Ok(text) => {
                let digest = text.trim().trim_matches('"');
                let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
                Ok(hex.chars().take(12).collect())
            }
            Err(e) if e.contains("not found") || e.contains("MANIFEST_UNKNOWN") => Ok("0".into()),
            Err(e) => Err(e),
        }
    }

    /// Starts the registry cache in `repo` afresh for everyone using it: pushes a new
    /// `REPO:bake-cache-epoch` (an empty image labelled with `stamp`) through project
    /// `project`'s builder, which changes the generation in every cache ref. Returns the new
    /// generation.
    ///
    /// # Errors
    /// The builder's or the registry's message.
    pub async fn new_cache_epoch(
        self: &Arc<Self>,
        project: &str,
        config: &ProjectConfig,
        repo: &str,
        stamp: &str,
    ) -> Result<String, String> {
        let env = Self::project_env(config);
        let name = Self::project_builder(project, config);
        let output = format!("type=image,name={repo}:{CACHE_EPOCH_TAG},push=true");
        let label = format!("org.bake.cache.epoch={stamp}");
        let mut args = vec!["buildx"];
        if let Some(n) = &name {
            args.extend(["--builder", n]);
        }
        args.extend([
            "build",
            "--progress=quiet",
            "--provenance=false",
            "--label",
            &label,
            "--output",
            &output,
            "-",
        ]);
        self.short_with_input(&args, &env, "FROM scratch\n", Duration::from_mins(5))
            .await?;
        self.cache_epoch(repo).await
    }
}

/// The tag whose digest is a registry cache's generation.
pub const CACHE_EPOCH_TAG: &str = "bake-cache-epoch";
