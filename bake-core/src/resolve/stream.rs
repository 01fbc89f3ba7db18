//! `--print` without holding the resolved targets: each target is resolved, finished,
//! checked and rendered to its `--print` text as soon as its `target:` links are known, and
//! only the text is kept (about a third of the resolved target's size), then written in
//! name order.
//!
//! The result is the same document [`resolve`] and [`Resolved::to_print_json`] give. Only
//! the successful path is taken here: a file that fails, or warns, while resolving is
//! resolved again by [`resolve`], so that its error (the first one buildx reports, in
//! buildx's order) and its warnings are exactly the full resolution's.

use std::collections::{BTreeMap, HashMap};

use super::{
    add_entitlements, add_source_date_epoch, check_build_options, platforms_fit, resolve, Resolver,
    Setup,
};
use crate::entries::ExportEntry;
use crate::error::{ResolveError, Warning};
use crate::json::PrettyWriter;
use crate::limits::MAX_NESTING;
use crate::model::Config;
use crate::resolve::{Group, ResolveOptions, Resolved};
use crate::util::FxBuildHasher;

/// The `--print` document of a request (see [`Project::print_request`]).
///
/// [`Project::print_request`]: crate::api::Project::print_request
#[derive(Debug)]
pub struct Printed(Body);

#[derive(Debug)]
enum Body {
    /// Resolved in full (the file failed or warned on the streamed path).
    Resolved(Resolved),
    /// Rendered as resolved.
    Rendered(Rendered),
}

/// The groups, and each target's name and `--print` object as text.
#[derive(Debug)]
struct Rendered {
    groups: BTreeMap<String, Group>,
    /// Each target's name followed by its object (rendered at the document's nesting), in
    /// buffers of about [`CHUNK`] bytes: filled once, never grown by copying.
    text: Vec<String>,
    /// Per target: its buffer, where its name starts, where its object starts, where it ends.
    spans: Vec<[usize; 4]>,
}

/// The size of [`Rendered::text`]'s buffers.
const CHUNK: usize = 1 << 20;

/// How much text [`Printed::write`] gathers before each write.
const WRITE_CHUNK: usize = 64 << 10;

impl Rendered {
    fn name(&self, s: &[usize; 4]) -> &str {
        &self.text[s[0]][s[1]..s[2]]
    }

    fn object(&self, s: &[usize; 4]) -> &str {
        &self.text[s[0]][s[2]..s[3]]
    }
}

impl Printed {
    /// The notes resolving produced (buildx accepts what they describe).
    #[must_use]
    pub fn warnings(&self) -> &[Warning] {
        match &self.0 {
            Body::Resolved(r) => &r.warnings,
            Body::Rendered(_) => &[],
        }
    }

    /// Writes the document (byte for byte [`Resolved::to_print_json`]) to `out`, a piece at
    /// a time.
    ///
    /// # Errors
    /// The first error writing to `out`.
    pub fn write(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let r = match &self.0 {
            Body::Resolved(r) => return r.write_print_json(out),
            Body::Rendered(r) => r,
        };
        let mut w = PrettyWriter::with_capacity(WRITE_CHUNK + 4096);
        let mut drain = |w: &mut PrettyWriter| -> std::io::Result<()> {
            if w.out.len() >= WRITE_CHUNK {
                out.write_all(w.out.as_bytes())?;
                w.out.clear();
            }
            Ok(())
        };
        w.open('{');
        Resolved::write_groups(&r.groups, &mut w, &mut drain)?;
        w.raw_key("target");
        w.open('{');
        for s in &r.spans {
            w.key(r.name(s));
            w.raw_value(r.object(s));
            drain(&mut w)?;
        }
        w.close('}');
        w.close('}');
        w.out.push('\n');
        out.write_all(w.out.as_bytes())
    }

    /// The whole document as a string.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        self.write(&mut out)
            .expect("writing into a vector does not fail");
        String::from_utf8(out).expect("the writer writes UTF-8")
    }
}

/// Resolves what `opts` asks for and renders its `--print` document (see the module's
/// documentation).
///
/// # Errors
/// What [`resolve`] returns.
pub fn print(config: &Config, opts: &ResolveOptions) -> Result<Printed, ResolveError> {
    match render(config, opts) {
        Some(r) => Ok(Printed(Body::Rendered(r))),
        None => resolve(config, opts).map(|r| Printed(Body::Resolved(r))),
    }
}

/// A target's state while rendering.
enum State {
    /// Its `target:` links are being followed (meeting it again is a loop).
    Open,
    /// Rendered: its entitlements and its platforms (an index into [`Streamer::platforms`]),
    /// what the targets that link to it need.
    Done(Vec<String>, usize),
}

struct Streamer<'c, 'o> {
    resolver: Resolver<'c>,
    opts: &'o ResolveOptions<'o>,
    /// Whether each target (by its index among the definitions) is requested (through
    /// groups): resolved as itself, never as a link.
    requested: Vec<bool>,
    /// Each target's state, by its index among the definitions.
    state: Vec<Option<State>>,
    /// The distinct platform lists of the rendered targets.
    platforms: Vec<Vec<String>>,
    platform_ids: HashMap<Vec<String>, usize, FxBuildHasher>,
    warnings: Vec<Warning>,
    writer: PrettyWriter,
    text: Vec<String>,
    spans: Vec<[usize; 4]>,
}

/// The streamed path: `None` when resolving fails or warns anywhere.
fn render(config: &Config, opts: &ResolveOptions) -> Option<Rendered> {
    let Setup {
        cfg,
        ov,
        expanded,
        groups,
    } = Setup::new(config, opts).ok()?;
    let mut s = Streamer {
        resolver: Resolver::new(&cfg, &ov),
        opts,
        requested: vec![false; cfg.targets.len()],
        state: std::iter::repeat_with(|| None)
            .take(cfg.targets.len())
            .collect(),
        platforms: Vec::new(),
        platform_ids: HashMap::default(),
        warnings: Vec::new(),
        writer: PrettyWriter::at_level(2, 4096),
        text: Vec::new(),
        spans: Vec::with_capacity(cfg.targets.len()),
    };
    let mut order = Vec::new();
    for name in expanded.iter().flat_map(|(ts, _)| ts) {
        // An unknown name fails in `resolve_target` (and the full path reports it).
        let i = cfg.targets.get_index_of(name.as_str())?;
        if !std::mem::replace(&mut s.requested[i], true) {
            order.push(i);
        }
    }
    for i in order {
        s.target(i, false, 0)?;
    }
    if !s.warnings.is_empty() {
        return None;
    }
    let Streamer { text, spans, .. } = s;
    let mut r = Rendered {
        groups,
        text,
        spans,
    };
    let mut spans = std::mem::take(&mut r.spans);
    spans.sort_unstable_by(|a, b| r.name(a).cmp(r.name(b)));
    r.spans = spans;
    Some(r)
}

impl<'c> Streamer<'c, '_> {
    /// Resolves, links, finishes, checks and renders target `idx` (its index among the
    /// definitions) unless done already; `linked` when only a `target:` context pulls it in.
    /// Returns its state's entitlements and platform list.
    fn target(&mut self, idx: usize, linked: bool, depth: usize) -> Option<(Vec<String>, usize)> {
        match &self.state[idx] {
            Some(State::Done(ents, plat)) => return Some((ents.clone(), *plat)),
            Some(State::Open) => return None,
            None => {}
        }
        let cfg = self.resolver.cfg;
        let name: &'c str = cfg.targets.get_index(idx)?.0;
        if depth >= MAX_NESTING {
            return None;
        }
        self.state[idx] = Some(State::Open);
        let mut t = self
            .resolver
            .resolve_target(name, &mut self.warnings)
            .ok()?;
        if linked {
            t.output = Some(vec![ExportEntry {
                typ: "cacheonly".to_string(),
                ..Default::default()
            }]);
            t.linked = true;
        }
        // `loadLinks`, as `Resolver::load_links` does it: each linked target first (with
        // its own links), then its entitlements, then the platform check.
        let links: Vec<usize> = match &t.contexts {
            Some(cs) => cs
                .values()
                .filter_map(|v| v.strip_prefix("target:"))
                .map(|l| cfg.targets.get_index_of(l))
                .collect::<Option<_>>()?,
            None => Vec::new(),
        };
        for link in links {
            if link == idx {
                return None;
            }
            let as_link = !self.requested[link];
            let (ents, lplat) = self.target(link, as_link, depth + 1)?;
            add_entitlements(&mut t.entitlements, &ents);
            let plat = t.platforms.as_deref().unwrap_or_default();
            if !platforms_fit(plat, &self.platforms[lplat]) {
                return None;
            }
        }
        add_source_date_epoch(&mut t, self.opts);
        let ents = t.entitlements.clone().unwrap_or_default();
        let plat: &[String] = t.platforms.as_deref().unwrap_or_default();
        let plat = if let Some(&id) = self.platform_ids.get(plat) {
            id
        } else {
            self.platforms.push(plat.to_vec());
            self.platform_ids
                .insert(plat.to_vec(), self.platforms.len() - 1);
            self.platforms.len() - 1
        };
        let mut t = t.finish(name.to_string());
        check_build_options(&mut t, self.opts).ok()?;
        self.writer.out.clear();
        t.write_json(&mut self.writer);
        let need = name.len() + self.writer.out.len();
        let buf = match self.text.last_mut() {
            Some(b) if b.capacity() - b.len() >= need => b,
            _ => {
                self.text.push(String::with_capacity(need.max(CHUNK)));
                self.text.last_mut().expect("just pushed")
            }
        };
        let start = buf.len();
        buf.push_str(name);
        buf.push_str(&self.writer.out);
        self.spans
            .push([self.text.len() - 1, start, start + name.len(), start + need]);
        self.state[idx] = Some(State::Done(ents.clone(), plat));
        Some((ents, plat))
    }
}

#[cfg(test)]
#[allow(clippy::unnecessary_wraps)] // helpers build the Option fields of a TargetDef
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::map::SortedMap;
    use crate::model::TargetDef;

    fn t(name: &str, f: impl FnOnce(&mut TargetDef)) -> TargetDef {
        let mut d = TargetDef {
            name: name.to_string(),
            ..Default::default()
        };
        f(&mut d);
        d
    }

    fn strs(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| (*s).to_string()).collect())
    }

    fn links(v: &[(&str, &str)]) -> Option<SortedMap<String>> {
        Some(
            v.iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        )
    }

    /// The streamed document and the full resolution's, for `targets` of `targets_def`;
    /// and whether the streamed path rendered it (rather than falling back).
    fn both(defs: Vec<TargetDef>, targets: &[&str]) -> (String, String, bool) {
        let config = Config {
            groups: Vec::new(),
            targets: defs,
        };
        let env = BTreeMap::from([("SOURCE_DATE_EPOCH".to_string(), "7".to_string())]);
        let opts = ResolveOptions {
            targets: targets.iter().map(|s| (*s).to_string()).collect(),
            overrides: Vec::new(),
            flag_overrides: Vec::new(),
            env: &env,
            cwd: std::env::temp_dir(),
            file_relative_paths: false,
        };
        let full = match resolve(&config, &opts) {
            Ok(r) => r.to_print_json(),
            Err(e) => format!("error: {e}"),
        };
        let rendered = render(&config, &opts).is_some();
        let streamed = match print(&config, &opts) {
            Ok(p) => p.to_json(),
            Err(e) => format!("error: {e}"),
        };
        (streamed, full, rendered)
    }

    #[test]
    fn links_are_rendered_with_their_entitlements_and_linked_only_targets() {
        // `z` is requested and links `m` (requested, later in the order) and `a` (linked
        // only: a cacheonly output); `m` links `a` too; `a` needs an entitlement, which
        // reaches both.
        let defs = vec![
            t("z", |d| {
                d.contexts = links(&[("one", "target:m"), ("two", "target:a")]);
                d.platforms = strs(&["linux/amd64", "linux/arm64"]);
            }),
            t("m", |d| d.contexts = links(&[("base", "target:a")])),
            t("a", |d| {
                d.entitlements = strs(&["network.host"]);
                d.platforms = strs(&["linux/amd64", "linux/arm64"]);
            }),
        ];
        let (streamed, full, rendered) = both(defs, &["z", "m"]);
        assert!(
            rendered,
            "the streamed path renders a file that resolves cleanly"
        );
        assert_eq!(streamed, full);
        assert!(streamed.contains("\"cacheonly\""), "{streamed}");
        assert_eq!(streamed.matches("network.host").count(), 3, "{streamed}");
        assert!(
            streamed.contains("\"SOURCE_DATE_EPOCH\": \"7\""),
            "{streamed}"
        );
    }

    #[test]
    fn failures_and_warnings_come_from_the_full_resolution() {
        let cases = [
            // A loop of `target:` contexts.
            vec![
                t("a", |d| d.contexts = links(&[("b", "target:b")])),
                t("b", |d| d.contexts = links(&[("a", "target:a")])),
            ],
            // A link to itself, and to nothing.
            vec![t("a", |d| d.contexts = links(&[("a", "target:a")]))],
            vec![t("a", |d| d.contexts = links(&[("x", "target:nope")]))],
            // Platforms the linked target does not build.
            vec![
                t("a", |d| {
                    d.contexts = links(&[("b", "target:b")]);
                    d.platforms = strs(&["linux/amd64", "linux/s390x"]);
                }),
                t("b", |d| d.platforms = strs(&["linux/amd64", "linux/arm64"])),
            ],
            // An `inherits` cycle (a warning).
            vec![
                t("a", |d| d.inherits = strs(&["b"])),
                t("b", |d| d.inherits = strs(&["a"])),
            ],
            // A value the checks refuse.
            vec![t("a", |d| d.shm_size = Some("lots".to_string()))],
        ];
        for defs in cases {
            let (streamed, full, rendered) = both(defs, &["a"]);
            assert!(!rendered, "falls back: {full}");
            assert_eq!(streamed, full);
        }
        let (streamed, _, _) = both(vec![t("a", |_| {})], &["nope"]);
        assert!(streamed.starts_with("error: "), "{streamed}");
    }
}
