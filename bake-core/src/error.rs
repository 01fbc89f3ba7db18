//! The engine's errors: one enum, each variant with a stable `bake::...` code.

use miette::Diagnostic;
use thiserror::Error;

/// Everything that can go wrong between a [`crate::model::Config`] and the printed output.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
#[non_exhaustive]
pub enum ResolveError {
    /// A requested name, or a group member, is neither a target nor a group.
    #[error("failed to find target `{name}`")]
    #[diagnostic(code(bake::target::not_found))]
    TargetNotFound {
        name: String,
        #[help]
        help: Option<String>,
    },

    /// A target inherits from a name that is not a target.
    #[error("target `{target}` inherits from `{parent}`, which is not a target")]
    #[diagnostic(code(bake::inherits::not_found))]
    ParentNotFound {
        target: String,
        parent: String,
        #[help]
        help: Option<String>,
    },

    /// A pattern (on the command line or in `--set`) matched nothing.
    #[error("could not find any target matching `{pattern}`")]
    #[diagnostic(code(bake::pattern::no_match))]
    NoMatch {
        pattern: String,
        #[help]
        help: Option<String>,
    },

    /// A definition nests deeper than a limit allows (`inherits` chains, groups in groups,
    /// `target:` contexts).
    #[error("{what} nest deeper than the limit of {limit} levels (at `{name}`)")]
    #[diagnostic(code(bake::limit))]
    TooDeep {
        what: &'static str,
        name: String,
        limit: usize,
    },

    /// A malformed glob pattern.
    #[error("could not match targets with `{pattern}`: syntax error in pattern")]
    #[diagnostic(code(bake::pattern::syntax))]
    BadPattern { pattern: String },

    /// `--set` key without a `target.` part.
    #[error("invalid override key `{key}`, expected target.name")]
    #[diagnostic(code(bake::set::key), help("write `--set TARGET.KEY=VALUE`"))]
    OverrideKey { key: String },

    /// `--set` without `=value`.
    #[error("invalid override `{text}`, expected target.name=value")]
    #[diagnostic(code(bake::set::value))]
    OverrideValue { text: String },

    /// `--set T.args=x`, `T.secret=x`, ... without the name part.
    #[error("invalid key `{key}`, `{field}` requires a name")]
    #[diagnostic(code(bake::set::name), help("write `--set TARGET.{field}.NAME=VALUE`"))]
    OverrideNeedsName { key: String, field: String },

    /// `+=` on a key that does not support appending.
    #[error("invalid key `{key}`, `{field}` does not support append")]
    #[diagnostic(code(bake::set::append))]
    OverrideNoAppend { key: String, field: String },

    /// `--set T.KEY=...` with an unknown key.
    #[error("unknown key: `{key}`")]
    #[diagnostic(code(bake::set::unknown_key))]
    UnknownOverrideKey {
        key: String,
        #[help]
        help: Option<String>,
    },

    /// A map key (`labels`, `extra-hosts`, ...) set without its name.
    #[error("invalid format for `{field}`, expecting `{expected}`")]
    #[diagnostic(code(bake::set::format))]
    OverrideFormat { field: String, expected: String },

    /// A boolean key with a value that is not a boolean.
    #[error("invalid value `{value}` for boolean key `{key}`")]
    #[diagnostic(code(bake::set::bool), help("use `true` or `false`"))]
    InvalidBool { key: String, value: String },

    /// An integer key with a value that is not an integer.
    #[error("invalid value `{value}` for int64 key `{key}`")]
    #[diagnostic(code(bake::set::int))]
    InvalidInt { key: String, value: String },

    /// `resources.KEY` with an unknown key.
    #[error("unknown resources key `{key}`")]
    #[diagnostic(code(bake::resources::unknown_key))]
    UnknownResourcesKey {
        key: String,
        #[help]
        help: Option<String>,
    },

    /// `--set T.secret.ID=...` for an id the target does not declare.
    #[error("secret `{id}` must be declared before it can be overridden")]
    #[diagnostic(code(bake::set::secret_undeclared))]
    SecretNotDeclared {
        id: String,
        #[help]
        help: Option<String>,
    },

    /// `--set T.secret.ID=id=OTHER,...`.
    #[error("secret override id `{given}` does not match declared secret `{id}`")]
    #[diagnostic(code(bake::set::secret_id))]
    SecretIdMismatch { given: String, id: String },

    /// An entry of a compound field (`cache-from`, `output`, `secret`, ...) that does not parse.
    #[error("invalid `{field}` value `{value}`: {reason}")]
    #[diagnostic(code(bake::entry::invalid))]
    InvalidEntry {
        field: String,
        value: String,
        reason: String,
    },

    /// A `target:` context naming its own target.
    #[error("target `{target}` cannot link to itself")]
    #[diagnostic(code(bake::contexts::self_link))]
    LinkSelf { target: String },

    /// `target:` contexts forming a loop.
    #[error("infinite loop from `{from}` to `{to}`")]
    #[diagnostic(code(bake::contexts::link_loop))]
    LinkLoop { from: String, to: String },

    /// A linked target that builds fewer platforms than the target using it.
    #[error("target `{linked}` can't be used by `{target}` because its platforms {platforms:?} are not a subset of {linked_platforms:?}")]
    #[diagnostic(code(bake::contexts::platforms))]
    LinkPlatforms {
        linked: String,
        target: String,
        platforms: Vec<String>,
        linked_platforms: Vec<String>,
    },

    /// A secret without an id.
    #[error("secret missing id in target `{target}`")]
    #[diagnostic(code(bake::secret::missing_id))]
    SecretMissingId { target: String },

    /// A secret whose file cannot be read.
    #[error("failed to stat `{path}` for secret `{id}`: {reason}")]
    #[diagnostic(code(bake::secret::file))]
    SecretFile {
        id: String,
        path: String,
        reason: String,
        #[help]
        help: Option<String>,
    },

    /// An ssh entry that needs `SSH_AUTH_SOCK`.
    #[error("invalid empty ssh agent socket for `{id}`: make sure SSH_AUTH_SOCK is set")]
    #[diagnostic(code(bake::ssh::agent))]
    SshAgent { id: String },

    /// An ssh entry whose socket or key cannot be used.
    #[error("failed to use `{path}` for ssh `{id}`: {reason}")]
    #[diagnostic(code(bake::ssh::path))]
    SshPath {
        id: String,
        path: String,
        reason: String,
    },

    /// Two ssh entries with the same id.
    #[error("invalid duplicate ssh id `{id}`")]
    #[diagnostic(code(bake::ssh::duplicate))]
    SshDuplicate { id: String },

    /// `context = "-"` or `dockerfile = "-"`.
    #[error("{what} from stdin not allowed in bake")]
    #[diagnostic(code(bake::target::stdin))]
    StdinNotAllowed { what: String },

    /// A value buildx validates before building (`shm-size`, `ulimits`, `annotations`).
    #[error("invalid `{field}` value `{value}` in target `{target}`: {reason}")]
    #[diagnostic(code(bake::target::invalid_value))]
    InvalidValue {
        target: String,
        field: String,
        value: String,
        reason: String,
    },

    /// `--list=TYPE` with an unknown type.
    #[error("invalid list type `{value}`")]
    #[diagnostic(code(bake::list::kind), help("use `targets` or `variables`"))]
    ListType { value: String },

    /// `--list=type=...,format=FORMAT` with an unknown format.
    #[error("invalid list format `{value}`")]
    #[diagnostic(code(bake::list::format), help("use `table` or `json`"))]
    ListFormat { value: String },

    /// A `--list` value that does not parse.
    #[error("invalid `--list` value `{value}`: {reason}")]
    #[diagnostic(code(bake::list::value))]
    ListValue { value: String, reason: String },

    /// A `--call` value that does not parse.
    #[error("invalid `--call` value `{value}`: {reason}")]
    #[diagnostic(code(bake::flag::call))]
    CallValue { value: String, reason: String },
}
