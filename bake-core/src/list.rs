//! `--list`: parsing the option value and rendering the target and variable lists exactly as
//! buildx does (Go `tabwriter` tables or indented JSON).

use crate::error::ResolveError;
use crate::go::csv_fields;
use crate::json::Json;
use crate::model::Config;

/// What `--list` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListType {
    /// `targets`: the targets and groups.
    Targets,
    /// `variables`: the HCL variables.
    Variables,
}

/// How `--list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// `format=table` (the default): a tab-aligned table.
    Table,
    /// `format=json`: indented JSON.
    Json,
}

/// A parsed `--list` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListOptions {
    /// What to list.
    pub kind: ListType,
    /// How to print it.
    pub format: ListFormat,
}

/// A variable as the HCL frontend reports it for `--list=variables`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VariableInfo {
    /// The variable's name.
    pub name: String,
    /// The value as a string; `None` for null (printed `<null>`).
    pub value: Option<String>,
    /// The declared type in words (`bool`, `list of string`); `None` when untyped.
    pub type_name: Option<String>,
    /// The `description` attribute; `None` when unset.
    pub description: Option<String>,
}

/// What to list.
#[derive(Debug, Clone, Copy)]
pub enum ListInput<'a> {
    /// The targets and groups of a configuration.
    Targets(&'a Config),
    /// The variables the HCL frontend found.
    Variables(&'a [VariableInfo]),
}

/// Parses a `--list` value: `targets`, `variables`, or `type=...,format=table|json`.
pub fn parse_list(input: &str) -> Result<ListOptions, ResolveError> {
    let bad = |reason: String| ResolveError::ListValue {
        value: input.to_string(),
        reason,
    };
    let fields = csv_fields(input).map_err(bad)?;
    let mut typ = String::new();
    let mut format = String::new();
    if fields.len() == 1 && fields[0] == input && !input.starts_with("type=") {
        typ = input.to_string();
    }
    if typ.is_empty() {
        for field in &fields {
            let Some((k, v)) = field.split_once('=') else {
                return Err(bad(format!("invalid value `{field}`")));
            };
            match k.trim().to_lowercase().as_str() {
                "type" => typ = v.to_string(),
                "format" => format = v.to_string(),
                key => return Err(bad(format!("unexpected key `{key}` in `{field}`"))),
            }
        }
    }
    let kind = match typ.as_str() {
        "targets" => ListType::Targets,
        "variables" => ListType::Variables,
        _ => return Err(ResolveError::ListType { value: typ }),
    };
    let format = match format.as_str() {
        "" | "table" => ListFormat::Table,
        "json" => ListFormat::Json,
        _ => return Err(ResolveError::ListFormat { value: format }),
    };
    Ok(ListOptions { kind, format })
}

/// Go's `text/tabwriter` with `minwidth=1, tabwidth=8, padding=1, padchar='\t', flags=0`
/// over complete lines (each `\t`-separated, each ending with a newline).
#[must_use]
pub(crate) fn tabwriter(lines: &[Vec<String>]) -> String {
    fn format(
        out: &mut String,
        lines: &[Vec<String>],
        widths: &mut Vec<usize>,
        mut line0: usize,
        line1: usize,
    ) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines[this].len() {
                this += 1;
                continue;
            }
            write_lines(out, lines, widths, line0, this);
            line0 = this;
            let mut width = 1;
            while this < line1 && column + 1 < lines[this].len() {
                width = width.max(lines[this][column].chars().count() + 1);
                this += 1;
            }
            widths.push(width);
            format(out, lines, widths, line0, this);
            widths.pop();
            line0 = this;
        }
        write_lines(out, lines, widths, line0, line1);
    }
    fn write_lines(
        out: &mut String,
        lines: &[Vec<String>],
        widths: &[usize],
        line0: usize,
        line1: usize,
    ) {
        for line in &lines[line0..line1] {
            for (j, cell) in line.iter().enumerate() {
                out.push_str(cell);
                if j < widths.len() && j + 1 < line.len() {
                    let cellw = widths[j].div_ceil(8) * 8;
                    let n = cellw - cell.chars().count();
                    for _ in 0..n.div_ceil(8) {
                        out.push('\t');
                    }
                }
            }
            out.push('\n');
        }
    }
    let mut out = String::new();
    format(&mut out, lines, &mut Vec::new(), 0, lines.len());
    out
}

fn json_array(items: Vec<Json>) -> String {
    let mut s = Json::Arr(items).to_pretty();
    s.push('\n');
    s
}

/// Renders `--list` output.
#[must_use]
pub fn render_list(opts: ListOptions, input: ListInput<'_>) -> String {
    match input {
        ListInput::Targets(config) => render_targets(opts.format, config),
        ListInput::Variables(vars) => render_variables(opts.format, vars),
    }
}

fn render_targets(format: ListFormat, config: &Config) -> String {
    // One entry per name: groups take their last definition, targets their first
    // non-empty description (definitions merge, later descriptions win).
    let mut entries: Vec<(String, String, bool)> = Vec::new();
    for t in &config.targets {
        let desc = t.description.clone().unwrap_or_default();
        match entries.iter_mut().find(|(n, _, g)| *n == t.name && !g) {
            Some(e) => {
                if !desc.is_empty() {
                    e.1 = desc;
                }
            }
            None => entries.push((t.name.clone(), desc, false)),
        }
    }
    let mut groups: Vec<&crate::model::GroupDef> = Vec::new();
    for g in &config.groups {
        match groups.iter_mut().find(|x| x.name == g.name) {
            Some(x) => *x = g,
            None => groups.push(g),
        }
    }
    for g in groups {
        let mut desc = g.description.clone().unwrap_or_default();
        let mut members = crate::util::dedup(&g.targets);
        if !members.is_empty() {
            members.sort();
            let names = members.join(", ");
            desc = if desc.is_empty() {
                names
            } else {
                format!("{desc} ({names})")
            };
        }
        entries.push((g.name.clone(), desc, true));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.retain(|(n, _, _)| !n.starts_with('_'));
    match format {
        ListFormat::Table => {
            let mut lines = vec![vec!["TARGET".to_string(), "DESCRIPTION".to_string()]];
            lines.extend(entries.into_iter().map(|(n, d, _)| vec![n, d]));
            tabwriter(&lines)
        }
        ListFormat::Json => json_array(
            entries
                .into_iter()
                .map(|(n, d, g)| {
                    let mut f = vec![("name".to_string(), Json::Str(n))];
                    if !d.is_empty() {
                        f.push(("description".to_string(), Json::Str(d)));
                    }
                    if g {
                        f.push(("group".to_string(), Json::Bool(true)));
                    }
                    Json::Obj(f)
                })
                .collect(),
        ),
    }
}

fn render_variables(format: ListFormat, vars: &[VariableInfo]) -> String {
    let mut vars: Vec<&VariableInfo> = vars.iter().collect();
    vars.sort_by(|a, b| a.name.cmp(&b.name));
    match format {
        ListFormat::Table => {
            let mut lines = vec![vec![
                "VARIABLE".to_string(),
                "TYPE".to_string(),
                "VALUE".to_string(),
                "DESCRIPTION".to_string(),
            ]];
            for v in vars {
                lines.push(vec![
                    v.name.clone(),
                    v.type_name.clone().unwrap_or_default(),
                    v.value.clone().unwrap_or_else(|| "<null>".to_string()),
                    v.description.clone().unwrap_or_default(),
                ]);
            }
            tabwriter(&lines)
        }
        ListFormat::Json => json_array(
            vars.into_iter()
                .map(|v| {
                    let mut f = vec![("name".to_string(), Json::str(v.name.clone()))];
                    if let Some(d) = v.description.as_ref().filter(|d| !d.is_empty()) {
                        f.push(("description".to_string(), Json::str(d.clone())));
                    }
                    if let Some(t) = v.type_name.as_ref().filter(|t| !t.is_empty()) {
                        f.push(("type".to_string(), Json::str(t.clone())));
                    }
                    if let Some(val) = &v.value {
                        f.push(("value".to_string(), Json::str(val.clone())));
                    }
                    Json::Obj(f)
                })
                .collect(),
        ),
    }
}
