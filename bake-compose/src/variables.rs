//! The variables Compose interpolation sees: `--var` over the environment over `.env`.

use std::collections::BTreeMap;

use crate::{dotenv, ComposeError, ComposeOptions};

/// Where each interpolation variable's value comes from (for `--explain`).
pub(crate) type VariableSources = BTreeMap<String, bake_core::api::frontend::VariableSource>;

/// The variables interpolation sees (`--var` over the environment over `.env`), and where
/// each came from.
pub(crate) fn interpolation_variables(
    opts: &ComposeOptions,
) -> Result<(BTreeMap<String, String>, VariableSources), Box<ComposeError>> {
    use bake_core::api::frontend::VariableSource;
    let mut env = if opts.env_lookup {
        opts.env.clone()
    } else {
        BTreeMap::new()
    };
    let mut from: VariableSources = BTreeMap::new();
    if opts.record_origins {
        for k in env.keys() {
            from.insert(k.clone(), VariableSource::Environment { name: k.clone() });
        }
    }
    let dot = opts.cwd.join(".env");
    if dot.is_file() {
        let text = bake_core::api::frontend::read_regular(&dot)
            .map_err(|e| Box::new(ComposeError::new(format!("failed to read .env: {e}"))))?;
        let cur = env.clone();
        let vars = dotenv::parse(&text, &|k| cur.get(k).cloned())
            .map_err(|e| Box::new(ComposeError::new(format!("failed to read .env: {e}"))))?;
        for (k, v) in vars {
            if opts.record_origins && !env.contains_key(&k) {
                from.insert(
                    k.clone(),
                    VariableSource::DotEnv {
                        file: ".env".to_string(),
                    },
                );
            }
            env.entry(k).or_insert(v);
        }
    }
    for (k, v) in &opts.vars {
        env.insert(k.clone(), v.clone());
        if opts.record_origins {
            from.insert(
                k.clone(),
                VariableSource::VarFlag {
                    flag: format!("--var {k}"),
                },
            );
        }
    }
    Ok((env, from))
}
