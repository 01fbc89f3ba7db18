//! [`HclFrontend`]: HCL and HCL-JSON bake files behind the embedding API's
//! [`Frontend`] trait.

use std::collections::BTreeMap;

use bake_core::api::frontend::Origin;
use bake_core::api::frontend::VariableFact;
use bake_core::api::{Failure, Frontend, FrontendInput, FrontendOutput};

use crate::functions::FnEnv;
use crate::{LoadOptions, Syntax};

/// Reads `docker-bake.hcl` and `docker-bake.json` files (and any file no earlier frontend
/// claimed: HCL, or HCL's JSON syntax when the text starts with `{`).
#[derive(Debug, Clone, Copy, Default)]
pub struct HclFrontend;

/// The syntax of a bake file, as buildx decides it: `.json` is JSON, `.hcl` is HCL, and
/// otherwise text starting with `{` is JSON.
#[must_use]
pub fn syntax_of(name: &str, text: &str) -> Syntax {
    let ext = |e: &str| {
        std::path::Path::new(name)
            .extension()
            .is_some_and(|x| x.eq_ignore_ascii_case(e))
    };
    if ext("json") || (!ext("hcl") && text.trim_start().starts_with('{')) {
        Syntax::Json
    } else {
        Syntax::Hcl
    }
}

/// The platform of this machine as `BAKE_LOCAL_PLATFORM` shows it (`linux/amd64`).
#[must_use]
pub fn local_platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "arm" => "arm/v7",
        "powerpc64" => "ppc64le",
        other => other,
    };
    format!("{os}/{arch}")
}

impl Frontend for HclFrontend {
    fn name(&self) -> &'static str {
        "hcl"
    }

    fn claims(&self, _name: &str, _text: &str) -> bool {
        true
    }

    fn load(&self, input: &FrontendInput<'_>) -> Result<FrontendOutput, Failure> {
        let sources = input.sources;
        let mut bodies = Vec::with_capacity(input.files.len());
        for id in input.files {
            let src = sources.get(*id);
            // Without `--explain`, the blocks that can wait are read when lowered: the
            // file's whole syntax tree is never held.
            let parsed = crate::parse_deferring(
                sources,
                *id,
                syntax_of(&src.name, &src.text),
                !input.record_origins,
            )
            .map_err(|e| Box::new(e.attach(sources)) as Failure)?;
            bodies.push(parsed);
        }
        let mut builtins = BTreeMap::new();
        builtins.insert(
            "BAKE_CMD_CONTEXT".to_string(),
            input.cmd_context.to_string(),
        );
        builtins.insert("BAKE_LOCAL_PLATFORM".to_string(), local_platform());
        let opts = LoadOptions {
            env: input.env.clone(),
            vars: input.vars.clone(),
            env_lookup: input.env_lookup,
            builtins,
            fn_env: FnEnv {
                now: input.now,
                home: input.env.get("HOME").cloned(),
                cwd: Some(input.cwd.to_string_lossy().into_owned()),
                seed: input.seed,
                draws: std::sync::Arc::default(),
            },
            record_refs: input.record_origins,
            render_variables: input.render_variables,
        };
        let loaded = crate::loader::load_parsed(bodies, sources, &opts)
            .map_err(|e| Box::new(e.attach(sources)) as Failure)?;
        let mut out = FrontendOutput {
            config: loaded.config,
            ..FrontendOutput::default()
        };
        for v in &loaded.variables {
            let origin = loaded
                .variable_origins
                .get(&v.name)
                .cloned()
                .unwrap_or(Origin::Default);
            out.facts.variables.insert(
                v.name.clone(),
                VariableFact {
                    value: v.value.clone(),
                    origin,
                },
            );
        }
        out.variables = loaded
            .variables
            .into_iter()
            .map(|v| bake_core::api::VariableInfo {
                name: v.name,
                value: v.value,
                type_name: v.type_name,
                description: v.description,
            })
            .collect();
        out.facts.refs = loaded.refs;
        out.warnings = loaded
            .warnings
            .into_iter()
            .map(|w| Box::new(w.attach(sources)) as Failure)
            .collect();
        Ok(out)
    }
}
