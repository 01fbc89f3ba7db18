//! [`ComposeFrontend`]: Compose files behind the embedding API's
//! [`Frontend`] trait.

use bake_core::api::{Failure, Frontend, FrontendInput, FrontendOutput};

use crate::{load, looks_like_compose, ComposeOptions};

/// Reads Compose files: `.yml` / `.yaml`, or text that looks like Compose (a `services`
/// key) in a file that is neither `.hcl` nor `.json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ComposeFrontend;

impl Frontend for ComposeFrontend {
    fn name(&self) -> &'static str {
        "compose"
    }

    #[allow(clippy::case_sensitive_file_extension_comparisons)] // compared lowercased
    fn claims(&self, name: &str, text: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".yml") || lower.ends_with(".yaml") {
            return true;
        }
        if lower.ends_with(".json") || lower.ends_with(".hcl") || text.trim_start().starts_with('{')
        {
            return false;
        }
        looks_like_compose(text)
    }

    fn load(&self, input: &FrontendInput<'_>) -> Result<FrontendOutput, Failure> {
        let opts = ComposeOptions {
            env: input.env.clone(),
            vars: input.vars.clone(),
            env_lookup: input.env_lookup,
            cwd: input.cwd.to_path_buf(),
            record_origins: input.record_origins,
        };
        let loaded = load(input.sources, input.files, &opts).map_err(|e| Box::new(e) as Failure)?;
        let mut out = FrontendOutput {
            config: loaded.config,
            ..FrontendOutput::default()
        };
        out.facts.interpolations = loaded.interpolations;
        out.warnings = loaded
            .warnings
            .into_iter()
            .map(|w| Box::new(w) as Failure)
            .collect();
        Ok(out)
    }
}
