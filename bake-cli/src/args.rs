//! Raw command-line arguments, as `docker buildx bake` takes them.

use clap::Parser;

/// Build from a file: a drop-in for `docker buildx bake` / `depot bake`.
#[derive(Debug, Parser)]
#[command(name = "bake", version, about, disable_help_subcommand = true)]
pub struct Args {
    /// Targets or groups to build (glob patterns allowed)
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Build definition file (repeatable; `-` reads standard input)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<String>,

    /// Enable debug logging (buildx's global flag: builds run `docker buildx --debug bake`)
    #[arg(short = 'D', long)]
    pub debug: bool,

    /// Print the options without building
    #[arg(long)]
    pub print: bool,

    /// List targets or variables (`targets`, `variables`, `type=targets,format=json`)
    #[arg(long, value_name = "TYPE")]
    pub list: Option<String>,

    /// List available targets (deprecated: use --list=targets)
    #[arg(long = "list-targets", hide = true)]
    pub list_targets: bool,

    /// List defined variables (deprecated: use --list=variables)
    #[arg(long = "list-variables", hide = true)]
    pub list_variables: bool,

    /// Override target value (e.g., "targetpattern.key=value")
    #[arg(long = "set", value_name = "OVERRIDE")]
    pub set: Vec<String>,

    /// Set a variable value (e.g., "name=value")
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// Shorthand for "--set=*.output=type=docker"
    #[arg(long)]
    pub load: bool,

    /// Shorthand for "--set=*.output=type=registry"
    #[arg(long)]
    pub push: bool,

    /// Always attempt to pull all referenced images
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL")]
    pub pull: Option<bool>,

    /// Do not use cache when building the image
    #[arg(long = "no-cache", num_args = 0..=1, require_equals = true, default_missing_value = "true", value_name = "BOOL")]
    pub no_cache: Option<bool>,

    /// Shorthand for "--set=*.attest=type=provenance"
    #[arg(long, value_name = "VALUE")]
    pub provenance: Option<String>,

    /// Shorthand for "--set=*.attest=type=sbom"
    #[arg(long, value_name = "VALUE")]
    pub sbom: Option<String>,

    /// Set method for evaluating build ("check", "outline", "targets")
    #[arg(long, value_name = "METHOD")]
    pub call: Option<String>,

    /// Shorthand for "--call=check"
    #[arg(long)]
    pub check: bool,

    /// Allow build to access specified resources
    #[arg(long, value_name = "ENTITLEMENT")]
    pub allow: Vec<String>,

    /// Global policy evaluation options
    #[arg(long, value_name = "OPTIONS")]
    pub policy: Vec<String>,

    /// The default project for targets that set none (Depot); also `DEPOT_PROJECT_ID`
    #[arg(long, value_name = "ID")]
    pub project: Option<String>,

    /// Set type of progress output ("auto", "plain", "tty", "quiet", "rawjson")
    #[arg(long, value_name = "MODE", default_value = "auto")]
    pub progress: String,

    /// Write build result metadata to a file
    #[arg(long = "metadata-file", value_name = "FILE")]
    pub metadata_file: Option<String>,

    /// Override the configured builder instance
    #[arg(long, value_name = "NAME")]
    pub builder: Option<String>,

    /// Print the build plan (per project, each build's exact command) without building
    #[arg(long = "dry-run")]
    pub dry_run: bool,

    /// Builder configuration file (default: `BAKE_CONFIG`, ./bake.toml, ~/.config/bake/config.toml)
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,

    /// Cancel all builds after the first failure
    #[arg(long = "fail-fast")]
    pub fail_fast: bool,

    /// Push each requested build to its project's registry as REGISTRY:BUILD-ID-TARGET (see bake.toml `registry`)
    #[arg(long)]
    pub save: bool,

    /// An additional tag for --save: REGISTRY:SAVE-TAG-TARGET (beside REGISTRY:BUILD-ID-TARGET)
    #[arg(long = "save-tag", value_name = "TAG", requires = "save")]
    pub save_tag: Option<String>,

    /// Print the build graph without building: dot (default), mermaid or json
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "dot")]
    pub graph: Option<String>,

    /// Explain where each value of the targets came from: text (default) or json;
    /// targets may name one field (`app.tags`)
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, require_equals = true, default_missing_value = "text")]
    pub explain: Option<String>,
}
