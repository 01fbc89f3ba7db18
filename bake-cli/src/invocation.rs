//! From the raw arguments to a validated invocation: what to do (the mode) and the typed
//! values it needs, checked before any file is read, so a bad flag or `--set` is reported
//! first (ripgrep's low-level and high-level arguments are the model).

use std::collections::BTreeMap;

use bake_core::api::explain::Format as ExplainFormat;
use bake_core::api::GraphFormat;
use bake_core::api::{Flags, ListOptions};
use bake_dispatch::remote::BakeArgs;

use crate::args::Args;
use crate::{fail, Failure};

/// What the command does once the files are resolved.
pub(crate) enum Mode {
    /// `--list`: targets or variables, before resolving.
    List(ListOptions),
    /// `--explain`: where each field's value comes from (`--print` first with `--print`).
    Explain {
        /// Text or JSON.
        format: ExplainFormat,
        /// The targets and optional fields asked about (`app.tags`).
        only: Vec<(String, Option<String>)>,
        /// `--print` too.
        print: bool,
    },
    /// `--graph`: the build graph.
    Graph(GraphFormat),
    /// `--print`: the resolved definition.
    Print,
    /// Build.
    Build,
}

/// A validated invocation of `bake`.
pub(crate) struct Invocation {
    /// What to do.
    pub mode: Mode,
    /// The targets to resolve (for `--explain`, without their field names).
    pub targets: Vec<String>,
    /// The remote definition's URL (`bake URL [TARGET...]`).
    pub remote: Option<String>,
    /// `BAKE_CMD_CONTEXT`: `cwd://`, or the URL given after the definition's.
    pub cmd_context: String,
    /// `--var NAME=VALUE`.
    pub vars: BTreeMap<String, String>,
    /// The build flags that become overrides.
    pub flags: Flags,
}

impl Invocation {
    /// Checks `args` and gives them their types.
    pub(crate) fn new(args: &Args) -> Result<Invocation, Failure> {
        // `bake URL [CONTEXT-URL] [TARGET...]`: a remote definition, as buildx splits it.
        let positional = BakeArgs::split(&args.targets);
        let mode = mode(args, &positional.targets)?;
        let mut vars = BTreeMap::new();
        for v in &args.vars {
            if v.is_empty() {
                continue;
            }
            let Some((k, val)) = v.split_once('=') else {
                return Err(fail(
                    format!("invalid variable {v:?}, expected key=value"),
                    None,
                ));
            };
            if k.is_empty() {
                return Err(fail(format!("invalid variable {v:?}, key is empty"), None));
            }
            vars.insert(k.to_string(), val.to_string());
        }
        if let Some(c) = &args.call {
            bake_core::api::parse_call_func(c).map_err(|e| Box::new(e) as Failure)?;
        }
        bake_core::api::check_overrides(&args.set).map_err(|e| Box::new(e) as Failure)?;
        let targets = match &mode {
            Mode::Explain { only, .. } => {
                let mut names: Vec<String> = Vec::new();
                for (n, _) in only {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
                names
            }
            _ => positional.targets.clone(),
        };
        Ok(Invocation {
            mode,
            targets,
            remote: positional.url,
            cmd_context: positional.cmd_context,
            vars,
            flags: Flags {
                load: args.load,
                push: args.push,
                pull: args.pull,
                no_cache: args.no_cache,
                provenance: args.provenance.clone(),
                sbom: args.sbom.clone(),
                call: args.call.clone(),
                check: args.check,
            },
        })
    }
}

fn mode(args: &Args, targets: &[String]) -> Result<Mode, Failure> {
    let list = args.list.clone().or_else(|| {
        if args.list_targets {
            Some("targets".into())
        } else if args.list_variables {
            Some("variables".into())
        } else {
            None
        }
    });
    if let Some(l) = list {
        if args.print {
            return Err(fail("--print and --list are mutually exclusive", None));
        }
        return Ok(Mode::List(
            bake_core::api::parse_list(&l).map_err(|e| Box::new(e) as Failure)?,
        ));
    }
    if let Some(format) = &args.explain {
        let format = match format.as_str() {
            "" | "text" => ExplainFormat::Text,
            "json" => ExplainFormat::Json,
            other => {
                return Err(fail(
                    format!("unknown explain format {other:?}"),
                    Some("use --explain (text) or --explain=json".into()),
                ))
            }
        };
        // `--explain app.tags`: the target is `app`, the field `tags`.
        let only: Vec<(String, Option<String>)> = targets
            .iter()
            .map(|t| match t.split_once('.') {
                Some((n, f)) => (n.to_string(), Some(f.to_string())),
                None => (t.clone(), None),
            })
            .collect();
        // Unknown fields: an error that lists the known ones.
        if let Some((t, f)) = only.iter().find_map(|(t, f)| {
            f.as_ref()
                .filter(|f| !bake_core::api::explain::FIELDS.contains(&f.as_str()))
                .map(|f| (t, f))
        }) {
            return Err(fail(
                format!("target {t} has no field {f:?}"),
                Some(format!(
                    "fields are the keys `bake --print {t}` shows: {}",
                    bake_core::api::explain::FIELDS.join(", ")
                )),
            ));
        }
        return Ok(Mode::Explain {
            format,
            only,
            print: args.print,
        });
    }
    if let Some(format) = &args.graph {
        return Ok(Mode::Graph(
            GraphFormat::parse(format).map_err(|e| fail(e, None))?,
        ));
    }
    Ok(if args.print { Mode::Print } else { Mode::Build })
}
