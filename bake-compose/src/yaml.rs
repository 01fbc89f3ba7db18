//! YAML to a generic value tree, as compose-go reads it through yaml.v3: aliases expanded,
//! merge keys (`<<`, nested) applied, duplicate keys rejected with their line, and the
//! compose tags `!reset` / `!override` recorded as paths.

use std::collections::HashMap;

use indexmap::IndexMap;
use saphyr_parser::{Event, Parser, ScalarStyle};

/// A mapping with string keys, in file order.
pub(crate) type Map = IndexMap<String, Value>;

/// A YAML value (after key stringification).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Value>),
    Map(Map),
}

impl Value {
    /// The value as Go's `fmt.Sprint` prints it (scalars only; containers print empty).
    #[must_use]
    pub(crate) fn sprint(&self) -> String {
        match self {
            Value::Null => "<nil>".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => go_float(*f),
            Value::Str(s) => s.clone(),
            Value::Seq(items) => {
                let parts: Vec<String> = items.iter().map(Value::sprint).collect();
                format!("[{}]", parts.join(" "))
            }
            Value::Map(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(k, v)| format!("{k}:{}", v.sprint()))
                    .collect();
                format!("map[{}]", parts.join(" "))
            }
        }
    }

    /// The Go type yaml.v3 decodes the value to, as Go's errors name it.
    pub(crate) fn go_type(&self) -> &'static str {
        match self {
            Value::Null => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Seq(_) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }
}

/// Go's `%v` for a float64 (shortest representation, exponent outside [1e-4, 1e21)).
#[must_use]
pub(crate) fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// One parsed document: its root and the paths tagged `!reset` / `!override`.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub root: Value,
    /// Dotted paths (`services.app.build.tags`) of nodes tagged `!reset` or `!override`.
    pub reset_paths: Vec<String>,
}

/// A YAML error with its position.
#[derive(Debug, Clone)]
pub(crate) struct YamlError {
    pub message: String,
    /// byte offset in the text, if known
    pub offset: Option<usize>,
    /// 1-based line, if known
    pub line: Option<usize>,
}

#[derive(Clone)]
struct Node {
    value: Value,
    /// relative paths of tagged descendants ("" for the node itself)
    tagged: Vec<String>,
    reset: bool,
    /// How many nodes the value holds, aliases expanded ([`MAX_EXPANDED_NODES`]).
    size: usize,
}

struct Builder<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    anchors: HashMap<usize, Node>,
    visits: usize,
    /// Nodes copied by aliases so far in this document.
    expanded: usize,
}

const MAX_VISITS: usize = 10_000_000;

/// How many nodes aliases may copy into one document: a few lines of nested aliases
/// ("billion laughs") would otherwise expand to more values than memory holds.
pub(crate) const MAX_EXPANDED_NODES: usize = 1_000_000;

impl Builder<'_> {
    fn offset(&self, line: usize, col: usize) -> usize {
        let start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        // col is in characters
        let rest = &self.text[start.min(self.text.len())..];
        start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i)
    }
}

/// Parses every document of `text`.
///
/// # Errors
/// Syntax errors, duplicate keys, unknown aliases.
pub(crate) fn parse(text: &str) -> Result<Vec<Document>, YamlError> {
    // libyaml accepts a flow collection closed by a bracket at the indentation of its key
    // (`command: [\n  "a"\n]`); the YAML 1.2 scanner does not: indent such lines and retry.
    let mut owned: Option<String> = None;
    for _ in 0..64 {
        let t = owned.as_deref().unwrap_or(text);
        match parse_once(t) {
            Err(e) if e.message.ends_with("invalid indentation") => {
                let Some(line) = e.line else { return Err(e) };
                let lines: Vec<&str> = t.split('\n').collect();
                let Some(l) = lines.get(line.wrapping_sub(1)) else {
                    return Err(e);
                };
                if !l.trim_start().starts_with([']', '}']) {
                    return Err(e);
                }
                let mut fixed: Vec<String> = lines.iter().map(|s| (*s).to_string()).collect();
                fixed[line - 1] = format!("  {l}");
                owned = Some(fixed.join("\n"));
            }
            other => return other,
        }
    }
    parse_once(owned.as_deref().unwrap_or(text))
}

fn parse_once(text: &str) -> Result<Vec<Document>, YamlError> {
    let mut line_starts = vec![0];
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            line_starts.push(i + 1);
        }
    }
    let mut b = Builder {
        text,
        line_starts,
        anchors: HashMap::new(),
        visits: 0,
        expanded: 0,
    };
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    while let Some(ev) = next_event(&mut parser, &b)? {
        match ev.0 {
            Event::DocumentStart(_) => {
                b.anchors.clear();
                b.expanded = 0;
                let Some(first) = next_event(&mut parser, &b)? else {
                    break;
                };
                if matches!(first.0, Event::DocumentEnd) {
                    continue;
                }
                let node = build(&mut parser, &mut b, first, "")?;
                // DocumentEnd
                let _ = next_event(&mut parser, &b)?;
                let mut reset_paths = node.tagged.clone();
                reset_paths.retain(|p| !p.is_empty());
                if matches!(node.value, Value::Null) {
                    continue;
                }
                docs.push(Document {
                    root: node.value,
                    reset_paths,
                });
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Ok(docs)
}

/// An event and where it is.
type SpannedEvent<'a> = (Event<'a>, saphyr_parser::Span);

/// The next event, a syntax error with its position.
fn next_event<'a>(
    parser: &mut EventParser<'a>,
    b: &Builder<'_>,
) -> Result<Option<SpannedEvent<'a>>, YamlError> {
    match parser.next_event() {
        None => Ok(None),
        Some(Ok(ev)) => Ok(Some(ev)),
        Some(Err(e)) => {
            let m = e.marker();
            Err(YamlError {
                message: format!("yaml: line {}: {}", m.line(), e.info()),
                offset: Some(b.offset(m.line(), m.col())),
                line: Some(m.line()),
            })
        }
    }
}

/// `base.key`, either part possibly empty.
fn dotted(base: &str, key: &str) -> String {
    if key.is_empty() {
        base.to_string()
    } else if base.is_empty() {
        key.to_string()
    } else {
        format!("{base}.{key}")
    }
}

fn tag_kind(tag: Option<&saphyr_parser::Tag>) -> (bool, bool, Option<String>) {
    match tag {
        Some(t) if t.handle == "!" && t.suffix == "reset" => (true, false, None),
        Some(t) if t.handle == "!" && t.suffix == "override" => (false, true, None),
        Some(t) if t.handle == "tag:yaml.org,2002:" || t.handle == "!!" => {
            (false, false, Some(t.suffix.clone()))
        }
        _ => (false, false, None),
    }
}

/// The parser over a document's text.
type EventParser<'a> = Parser<'a, saphyr_parser::StrInput<'a>>;

/// The node that starts with event `ev`, at dotted `path` (for the `!reset` / `!override`
/// paths), its descendants read from `parser`.
fn build<'a>(
    parser: &mut EventParser<'a>,
    b: &mut Builder<'_>,
    ev: SpannedEvent<'a>,
    path: &str,
) -> Result<Node, YamlError> {
    b.visits += 1;
    if b.visits > MAX_VISITS {
        return Err(YamlError {
            message: "compose file exceeds maximum node visit limit".into(),
            offset: None,
            line: None,
        });
    }
    let (event, span) = ev;
    let line = span.start.line();
    let offset = b.offset(span.start.line(), span.start.col());
    match event {
        Event::Alias(id) => build_alias(b, id, line, offset),
        Event::Scalar(text, style, anchor, tag) => {
            let (reset, over, core) = tag_kind(tag.as_deref());
            let value = if reset {
                Value::Null
            } else {
                scalar(&text, style, core.as_deref())
            };
            let node = Node {
                value,
                tagged: if reset || over {
                    vec![String::new()]
                } else {
                    vec![]
                },
                reset,
                size: 1,
            };
            Ok(b.anchored(anchor, node))
        }
        Event::SequenceStart(anchor, tag) => {
            let node = build_sequence(parser, b, tag_kind(tag.as_deref()), path)?;
            Ok(b.anchored(anchor, node))
        }
        Event::MappingStart(anchor, tag) => {
            let node = build_mapping(parser, b, tag_kind(tag.as_deref()), path)?;
            Ok(b.anchored(anchor, node))
        }
        _ => Err(YamlError {
            message: format!("yaml: line {line}: unexpected event"),
            offset: Some(offset),
            line: None,
        }),
    }
}

impl Builder<'_> {
    /// `node`, recorded under `anchor` when it has one.
    fn anchored(&mut self, anchor: usize, node: Node) -> Node {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        node
    }
}

/// A copy of the node anchored as `id`, counted against [`MAX_EXPANDED_NODES`].
fn build_alias(
    b: &mut Builder<'_>,
    id: usize,
    line: usize,
    offset: usize,
) -> Result<Node, YamlError> {
    match b.anchors.get(&id) {
        Some(n) => {
            b.expanded = b.expanded.saturating_add(n.size);
            if b.expanded > MAX_EXPANDED_NODES {
                return Err(YamlError {
                    message: format!(
                        "yaml: line {line}: aliases expand to more than the limit of {MAX_EXPANDED_NODES} nodes"
                    ),
                    offset: Some(offset),
                    line: Some(line),
                });
            }
            Ok(n.clone())
        }
        None => Err(YamlError {
            message: format!("yaml: line {line}: unknown anchor referenced"),
            offset: Some(offset),
            line: None,
        }),
    }
}

/// A sequence, up to its end event; `!reset` items are left out.
fn build_sequence(
    parser: &mut EventParser<'_>,
    b: &mut Builder<'_>,
    (reset, over, _): (bool, bool, Option<String>),
    path: &str,
) -> Result<Node, YamlError> {
    let mut items = Vec::new();
    let mut tagged = Vec::new();
    let mut size = 1usize;
    loop {
        let Some(ev) = next_event(parser, b)? else {
            return Err(end_of_stream(b));
        };
        if matches!(ev.0, Event::SequenceEnd) {
            break;
        }
        let idx = items.len().to_string();
        let child = build(parser, b, ev, &dotted(path, &idx))?;
        size = size.saturating_add(child.size);
        for t in child.tagged {
            tagged.push(dotted(&idx, &t));
        }
        if !child.reset {
            items.push(child.value);
        }
    }
    if reset || over {
        tagged = vec![String::new()];
    }
    Ok(Node {
        value: if reset {
            Value::Null
        } else {
            Value::Seq(items)
        },
        tagged,
        reset,
        size,
    })
}

/// A mapping, up to its end event: duplicate keys rejected, merge keys (`<<`) applied,
/// `!reset` values left out.
fn build_mapping(
    parser: &mut EventParser<'_>,
    b: &mut Builder<'_>,
    (reset, over, _): (bool, bool, Option<String>),
    path: &str,
) -> Result<Node, YamlError> {
    let mut map = Map::new();
    let mut lines: HashMap<String, usize> = HashMap::new();
    let mut merges: Vec<Map> = Vec::new();
    let mut tagged = Vec::new();
    let mut size = 1usize;
    loop {
        let Some(kev) = next_event(parser, b)? else {
            return Err(end_of_stream(b));
        };
        if matches!(kev.0, Event::MappingEnd) {
            break;
        }
        let kline = kev.1.start.line();
        let koff = b.offset(kline, kev.1.start.col());
        let key_is_merge =
            matches!(&kev.0, Event::Scalar(s, ScalarStyle::Plain, _, None) if s == "<<");
        let knode = build(parser, b, kev, &format!("{path}\u{0}key"))?;
        size = size.saturating_add(knode.size);
        let key = match &knode.value {
            Value::Str(s) => s.clone(),
            Value::Null if !key_is_merge => "null".into(),
            other => other.sprint(),
        };
        let Some(vev) = next_event(parser, b)? else {
            return Err(end_of_stream(b));
        };
        if key_is_merge {
            let vnode = build(parser, b, vev, path)?;
            size = size.saturating_add(vnode.size);
            tagged.extend(vnode.tagged);
            merge_sources(vnode.value, kline, koff, &mut merges)?;
            continue;
        }
        if let Some(first) = lines.get(&key) {
            return Err(YamlError {
                message: format!(
                    "line {kline}: mapping key {key:?} already defined at line {first}"
                ),
                offset: Some(koff),
                line: None,
            });
        }
        lines.insert(key.clone(), kline);
        let child_path = dotted(path, &key);
        let vnode = build(parser, b, vev, &child_path)?;
        size = size.saturating_add(vnode.size);
        for t in vnode.tagged {
            tagged.push(dotted(&key, &t));
        }
        if !vnode.reset {
            map.insert(key, vnode.value);
        }
    }
    if !merges.is_empty() {
        map = apply_merges(map, merges, &lines);
    }
    if reset || over {
        tagged = vec![String::new()];
    }
    Ok(Node {
        value: if reset { Value::Null } else { Value::Map(map) },
        tagged,
        reset,
        size,
    })
}

/// The mappings a merge key's value names: a mapping, or a sequence of them.
fn merge_sources(
    value: Value,
    line: usize,
    offset: usize,
    merges: &mut Vec<Map>,
) -> Result<(), YamlError> {
    let invalid = || YamlError {
        message: format!(
            "yaml: line {line}: map merge requires map or sequence of maps as the value"
        ),
        offset: Some(offset),
        line: None,
    };
    match value {
        Value::Map(m) => merges.push(m),
        Value::Seq(items) => {
            for it in items {
                match it {
                    Value::Map(m) => merges.push(m),
                    _ => return Err(invalid()),
                }
            }
        }
        _ => return Err(invalid()),
    }
    Ok(())
}

/// `map` over its merge sources: explicit keys win over merged ones, and earlier merge
/// sources win over later ones.
fn apply_merges(map: Map, merges: Vec<Map>, explicit: &HashMap<String, usize>) -> Map {
    let mut merged = Map::new();
    for m in merges {
        for (k, v) in m {
            if !explicit.contains_key(&k) && !merged.contains_key(&k) {
                merged.insert(k, v);
            }
        }
    }
    for (k, v) in map {
        merged.insert(k, v);
    }
    merged
}

/// The error for a stream that ends inside a collection.
fn end_of_stream(b: &Builder<'_>) -> YamlError {
    YamlError {
        message: "yaml: unexpected end of stream".into(),
        offset: Some(b.text.len()),
        line: None,
    }
}

/// Resolves a scalar as yaml.v3 does when decoding into `interface{}`.
fn scalar(text: &str, style: ScalarStyle, core_tag: Option<&str>) -> Value {
    match core_tag {
        Some("str") => return Value::Str(text.to_string()),
        Some("null") => return Value::Null,
        _ => {}
    }
    if style != ScalarStyle::Plain && core_tag.is_none() {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' {
        let plain: String = text.chars().filter(|&c| c != '_').collect();
        if let Some(i) = parse_go_int(&plain) {
            return Value::Int(i);
        }
        if is_float(&plain) {
            if let Ok(f) = plain.parse::<f64>() {
                return Value::Float(f);
            }
        }
    }
    Value::Str(text.to_string())
}

fn is_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        && s.chars().any(|c| c.is_ascii_digit())
        && !s.starts_with(['e', 'E'])
}

/// `strconv.ParseInt(s, 0, 64)`: decimal, `0x`, `0o`, `0b`, and a leading `0` as octal.
fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) =
        if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            (16, r)
        } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
            (8, r)
        } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
            (2, r)
        } else if body.len() > 1 && body.starts_with('0') {
            (8, &body[1..])
        } else {
            (10, body)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i128::from_str_radix(digits, radix).ok()?;
    let v = if neg { -v } else { v };
    i64::try_from(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Value {
        parse(text).unwrap().remove(0).root
    }

    #[test]
    fn scalars_as_yaml_v3() {
        let v = root("a: yes\nb: on\nc: 0755\nd: 1_000\ne: 1.5\nf: ~\ng: 'x'\nh: true\n");
        let Value::Map(m) = v else { panic!() };
        assert_eq!(m["a"], Value::Str("yes".into()));
        assert_eq!(m["b"], Value::Str("on".into()));
        assert_eq!(m["c"], Value::Int(493));
        assert_eq!(m["d"], Value::Int(1000));
        assert_eq!(m["e"], Value::Float(1.5));
        assert_eq!(m["f"], Value::Null);
        assert_eq!(m["g"], Value::Str("x".into()));
        assert_eq!(m["h"], Value::Bool(true));
    }

    #[test]
    fn nested_merge_keys() {
        let v = root("a: &a {x: 1}\nb: &b\n  <<: *a\n  y: 2\nc:\n  <<: *b\n  z: 3\n");
        let Value::Map(m) = v else { panic!() };
        let Value::Map(c) = &m["c"] else { panic!() };
        assert_eq!(c.len(), 3);
        assert_eq!(c["x"], Value::Int(1));
    }

    #[test]
    fn duplicate_keys_rejected() {
        let e = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(
            e.message,
            "line 3: mapping key \"a\" already defined at line 1"
        );
    }

    #[test]
    fn reset_paths() {
        let d = parse("s:\n  a: !reset []\n  b: !override\n    x: 1\n")
            .unwrap()
            .remove(0);
        assert_eq!(d.reset_paths, vec!["s.a".to_string(), "s.b".to_string()]);
        let Value::Map(m) = d.root else { panic!() };
        let Value::Map(s) = &m["s"] else { panic!() };
        assert!(!s.contains_key("a"));
    }

    #[test]
    fn go_floats() {
        assert_eq!(go_float(1.5), "1.5");
        assert_eq!(go_float(1e21), "1e+21");
        assert_eq!(go_float(100.0), "100");
    }
}
