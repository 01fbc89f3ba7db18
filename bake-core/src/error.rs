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
        /// The name that was not found.
        name: String,
        /// A close name, why a group yields nothing, or which target uses the name as a
        /// `target:` context.
        #[help]
        help: Option<String>,
    },

    /// A target inherits from a name that is not a target.
    #[error("target `{target}` inherits from `{parent}`, which is not a target")]
    #[diagnostic(code(bake::inherits::not_found))]
    ParentNotFound {
        /// The inheriting target.
        target: String,
        /// The missing parent.
        parent: String,
        /// A close target name, or a note that the name is a group.
        #[help]
        help: Option<String>,
    },

    /// A pattern (on the command line or in `--set`) matched nothing.
    #[error("could not find any target matching `{pattern}`")]
    #[diagnostic(code(bake::pattern::no_match))]
    NoMatch {
        /// The pattern.
        pattern: String,
        /// A close target name, or a note that the name is a group.
        #[help]
        help: Option<String>,
    },

    /// A definition nests deeper than a limit allows (`inherits` chains, groups in groups,
    /// `target:` contexts).
    #[error("{what} nest deeper than the limit of {limit} levels (at `{name}`)")]
    #[diagnostic(code(bake::limit))]
    TooDeep {
        /// What nests (`inherits chains`, `groups`, ...).
        what: &'static str,
        /// The definition where the limit was reached.
        name: String,
        /// The limit, in levels.
        limit: usize,
    },

    /// A malformed glob pattern.
    #[error("could not match targets with `{pattern}`: syntax error in pattern")]
    #[diagnostic(code(bake::pattern::syntax))]
    BadPattern {
        /// The pattern.
        pattern: String,
    },

    /// `--set` key without a `target.` part.
    #[error("invalid override key `{key}`, expected target.name")]
    #[diagnostic(code(bake::set::key), help("write `--set TARGET.KEY=VALUE`"))]
    OverrideKey {
        /// The key as given.
        key: String,
    },

    /// `--set` without `=value`.
    #[error("invalid override `{text}`, expected target.name=value")]
    #[diagnostic(code(bake::set::value))]
    OverrideValue {
        /// The whole `--set` value.
        text: String,
    },

    /// `--set T.args=x`, `T.secret=x`, ... without the name part.
    #[error("invalid key `{key}`, `{field}` requires a name")]
    #[diagnostic(code(bake::set::name), help("write `--set TARGET.{field}.NAME=VALUE`"))]
    OverrideNeedsName {
        /// The key as given (`T.args`).
        key: String,
        /// The field (`args`).
        field: String,
    },

    /// `+=` on a key that does not support appending.
    #[error("invalid key `{key}`, `{field}` does not support append")]
    #[diagnostic(code(bake::set::append))]
    OverrideNoAppend {
        /// The key as given (`T.secret.id+`).
        key: String,
        /// The field (`secret`).
        field: String,
    },

    /// `--set T.KEY=...` with an unknown key.
    #[error("unknown key: `{key}`")]
    #[diagnostic(code(bake::set::unknown_key))]
    UnknownOverrideKey {
        /// The unknown key.
        key: String,
        /// The closest known key.
        #[help]
        help: Option<String>,
    },

    /// A map key (`labels`, `extra-hosts`, ...) set without its name.
    #[error("invalid format for `{field}`, expecting `{expected}`")]
    #[diagnostic(code(bake::set::format))]
    OverrideFormat {
        /// The field (`labels`).
        field: String,
        /// The expected form (`labels.<name>=<value>`).
        expected: String,
    },

    /// A boolean key with a value that is not a boolean.
    #[error("invalid value `{value}` for boolean key `{key}`")]
    #[diagnostic(code(bake::set::bool), help("use `true` or `false`"))]
    InvalidBool {
        /// The key (`pull`).
        key: String,
        /// The value given.
        value: String,
    },

    /// An integer key with a value that is not an integer.
    #[error("invalid value `{value}` for int64 key `{key}`")]
    #[diagnostic(code(bake::set::int))]
    InvalidInt {
        /// The key (`resources.cpu-shares`).
        key: String,
        /// The value given.
        value: String,
    },

    /// `resources.KEY` with an unknown key.
    #[error("unknown resources key `{key}`")]
    #[diagnostic(code(bake::resources::unknown_key))]
    UnknownResourcesKey {
        /// The unknown key.
        key: String,
        /// The closest known key.
        #[help]
        help: Option<String>,
    },

    /// `--set T.secret.ID=...` for an id the target does not declare.
    #[error("secret `{id}` must be declared before it can be overridden")]
    #[diagnostic(code(bake::set::secret_undeclared))]
    SecretNotDeclared {
        /// The secret id.
        id: String,
        /// A close declared id, or how to declare it.
        #[help]
        help: Option<String>,
    },

    /// `--set T.secret.ID=id=OTHER,...`.
    #[error("secret override id `{given}` does not match declared secret `{id}`")]
    #[diagnostic(code(bake::set::secret_id))]
    SecretIdMismatch {
        /// The id in the override value.
        given: String,
        /// The id in the key.
        id: String,
    },

    /// An entry of a compound field (`cache-from`, `output`, `secret`, ...) that does not parse.
    #[error("invalid `{field}` value `{value}`: {reason}")]
    #[diagnostic(code(bake::entry::invalid))]
    InvalidEntry {
        /// The field (`cache-from`).
        field: String,
        /// The entry as written (an object in compact JSON).
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A `target:` context naming its own target.
    #[error("target `{target}` cannot link to itself")]
    #[diagnostic(code(bake::contexts::self_link))]
    LinkSelf {
        /// The target.
        target: String,
    },

    /// `target:` contexts forming a loop.
    #[error("infinite loop from `{from}` to `{to}`")]
    #[diagnostic(code(bake::contexts::link_loop))]
    LinkLoop {
        /// The target whose context closes the loop.
        from: String,
        /// The target it links to, already on the path.
        to: String,
    },

    /// A linked target that builds fewer platforms than the target using it.
    #[error("target `{linked}` can't be used by `{target}` because its platforms {platforms:?} are not a subset of {linked_platforms:?}")]
    #[diagnostic(code(bake::contexts::platforms))]
    LinkPlatforms {
        /// The linked target.
        linked: String,
        /// The target using it.
        target: String,
        /// The target's platforms.
        platforms: Vec<String>,
        /// The linked target's platforms.
        linked_platforms: Vec<String>,
    },

    /// A secret without an id.
    #[error("secret missing id in target `{target}`")]
    #[diagnostic(code(bake::secret::missing_id))]
    SecretMissingId {
        /// The target.
        target: String,
    },

    /// A secret whose file cannot be read.
    #[error("failed to stat `{path}` for secret `{id}`: {reason}")]
    #[diagnostic(code(bake::secret::file))]
    SecretFile {
        /// The secret id.
        id: String,
        /// The file, relative to the working directory.
        path: String,
        /// The I/O error, or `secret too big`.
        reason: String,
        /// For an id-only secret: where it was looked for.
        #[help]
        help: Option<String>,
    },

    /// An ssh entry that needs `SSH_AUTH_SOCK`.
    #[error("invalid empty ssh agent socket for `{id}`: make sure SSH_AUTH_SOCK is set")]
    #[diagnostic(code(bake::ssh::agent))]
    SshAgent {
        /// The ssh id.
        id: String,
    },

    /// An ssh entry whose socket or key cannot be used.
    #[error("failed to use `{path}` for ssh `{id}`: {reason}")]
    #[diagnostic(code(bake::ssh::path))]
    SshPath {
        /// The ssh id.
        id: String,
        /// The socket or key path.
        path: String,
        /// Why it cannot be used.
        reason: String,
    },

    /// Two ssh entries with the same id.
    #[error("invalid duplicate ssh id `{id}`")]
    #[diagnostic(code(bake::ssh::duplicate))]
    SshDuplicate {
        /// The ssh id.
        id: String,
    },

    /// `context = "-"` or `dockerfile = "-"`.
    #[error("{what} from stdin not allowed in bake")]
    #[diagnostic(code(bake::target::stdin))]
    StdinNotAllowed {
        /// `context` or `dockerfile`.
        what: String,
    },

    /// A value buildx validates before building (`shm-size`, `ulimits`, `annotations`).
    #[error("invalid `{field}` value `{value}` in target `{target}`: {reason}")]
    #[diagnostic(code(bake::target::invalid_value))]
    InvalidValue {
        /// The target.
        target: String,
        /// The field (`shm-size`).
        field: String,
        /// The value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// `--list=TYPE` with an unknown type.
    #[error("invalid list type `{value}`")]
    #[diagnostic(code(bake::list::kind), help("use `targets` or `variables`"))]
    ListType {
        /// The type given.
        value: String,
    },

    /// `--list=type=...,format=FORMAT` with an unknown format.
    #[error("invalid list format `{value}`")]
    #[diagnostic(code(bake::list::format), help("use `table` or `json`"))]
    ListFormat {
        /// The format given.
        value: String,
    },

    /// A `--list` value that does not parse.
    #[error("invalid `--list` value `{value}`: {reason}")]
    #[diagnostic(code(bake::list::value))]
    ListValue {
        /// The `--list` value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A `--call` value that does not parse.
    #[error("invalid `--call` value `{value}`: {reason}")]
    #[diagnostic(code(bake::flag::call))]
    CallValue {
        /// The `--call` value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A warning from loading or resolving: what buildx accepts silently but deserves a note.
/// One type for both stages, so a host renders them alike; it is a diagnostic whose
/// severity is always [`miette::Severity::Warning`], with the frontend's source and labels
/// when it has them.
#[derive(Clone)]
pub struct Warning(std::sync::Arc<dyn Diagnostic + Send + Sync>);

impl Warning {
    /// Wraps a frontend's diagnostic.
    #[must_use]
    pub fn from_diagnostic(d: Box<dyn Diagnostic + Send + Sync>) -> Warning {
        Warning(std::sync::Arc::from(d))
    }

    /// A warning that is only text (no location).
    pub(crate) fn note(message: String) -> Warning {
        Warning(std::sync::Arc::new(Note(message)))
    }
}

impl std::fmt::Debug for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Warning").field(&self.0.to_string()).finish()
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Two warnings are the same when they say the same thing (message and help).
impl PartialEq for Warning {
    fn eq(&self, other: &Warning) -> bool {
        self.0.to_string() == other.0.to_string()
            && self.0.help().map(|h| h.to_string()) == other.0.help().map(|h| h.to_string())
    }
}

impl std::error::Error for Warning {}

impl Diagnostic for Warning {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.0.related()
    }
}

/// A warning that is only text.
#[derive(Debug, Error, Diagnostic)]
#[error("{0}")]
struct Note(String);
