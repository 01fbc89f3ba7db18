//! The merged configuration a resolution starts from: one group per name (its last
//! definition), one target per name (its definitions merged in file order), and the name
//! lookups (patterns, groups within groups).

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{ByName, Definition};
use crate::error::ResolveError;
use crate::fields::Draft;
use crate::limits::MAX_NESTING;
use crate::model::{Config, GroupDef};
use crate::pathmatch::path_match;
use crate::util::{dedup, dedup_owned, did_you_mean, FxBuildHasher};

/// The merged configuration: one group per name (last definition), one target per name
/// (definitions merged in order).
pub(super) struct Definitions<'a> {
    pub(super) groups: ByName<GroupDef>,
    pub(super) targets: IndexMap<&'a str, Definition<'a>, FxBuildHasher>,
    /// Paths are relative to each definition's file (`BUILDX_BAKE_FILE_RELATIVE_PATHS`).
    pub(super) frel: bool,
}

impl<'a> Definitions<'a> {
    pub(super) fn build(config: &'a Config, frel: bool) -> Result<Self, ResolveError> {
        // Indexed by name: lookups must stay O(1) for files with thousands of targets.
        let mut groups =
            ByName::with_capacity_and_hasher(config.groups.len(), FxBuildHasher::default());
        for g in &config.groups {
            let g2 = GroupDef {
                name: g.name.clone(),
                description: g.description.clone(),
                targets: dedup(&g.targets),
            };
            groups.insert(g.name.clone(), g2);
        }
        let mut targets: IndexMap<&'a str, Definition<'a>, FxBuildHasher> =
            IndexMap::with_capacity_and_hasher(config.targets.len(), FxBuildHasher::default());
        for d in &config.targets {
            Draft::check(d)?;
            if let Some(existing) = targets.get_mut(d.name.as_str()) {
                let mut t = match std::mem::replace(existing, Definition::Merged(Box::default())) {
                    Definition::One(first) => Box::new(Draft::lower(first, frel)?),
                    Definition::Merged(t) => t,
                };
                t.merge(Draft::lower(d, frel)?);
                *existing = Definition::Merged(t);
            } else {
                targets.insert(d.name.as_str(), Definition::One(d));
            }
        }
        Ok(Definitions {
            groups,
            targets,
            frel,
        })
    }

    pub(super) fn group(&self, name: &str) -> Option<&GroupDef> {
        self.groups.get(name)
    }

    pub(super) fn has_target(&self, name: &str) -> bool {
        self.targets.contains_key(name)
    }

    pub(super) fn all_names(&self) -> impl Iterator<Item = &str> {
        self.groups
            .keys()
            .map(String::as_str)
            .chain(self.targets.keys().copied())
    }

    /// `matchNames`: a name without glob characters is taken as is.
    pub(super) fn match_names(&self, pattern: &str) -> Result<Vec<String>, ResolveError> {
        if !pattern.contains(['*', '?', '[', ']']) {
            return Ok(vec![pattern.to_string()]);
        }
        let names: Vec<String> = self
            .all_names()
            .filter(|n| path_match(pattern, n) == Ok(true))
            .map(str::to_string)
            .collect();
        if names.is_empty() {
            if path_match(pattern, "").is_err() {
                return Err(ResolveError::BadPattern {
                    pattern: pattern.to_string(),
                });
            }
            return Err(ResolveError::NoMatch {
                pattern: pattern.to_string(),
                help: None,
            });
        }
        Ok(names)
    }

    /// `expandTargets`: `--set` patterns match targets only.
    pub(super) fn expand_targets(&self, pattern: &str) -> Result<Vec<String>, ResolveError> {
        if self.has_target(pattern) {
            return Ok(vec![pattern.to_string()]);
        }
        let mut names = Vec::new();
        for (n, _) in &self.targets {
            match path_match(pattern, n) {
                Err(_) => {
                    return Err(ResolveError::BadPattern {
                        pattern: pattern.to_string(),
                    })
                }
                Ok(true) => names.push((*n).to_string()),
                Ok(false) => {}
            }
        }
        if names.is_empty() {
            let help = if self.group(pattern).is_some() {
                Some(format!(
                    "`{pattern}` is a group; `--set` patterns match target names only"
                ))
            } else {
                did_you_mean(pattern, self.targets.keys().copied())
            };
            return Err(ResolveError::NoMatch {
                pattern: pattern.to_string(),
                help,
            });
        }
        Ok(names)
    }

    /// `ResolveGroup`: the targets and groups a name expands to.
    pub(super) fn resolve_group(
        &self,
        name: &str,
    ) -> Result<(Vec<String>, Vec<String>), ResolveError> {
        let mut visited = HashMap::new();
        let (t, g) = self.group_rec(name, &mut visited, 0)?;
        Ok((dedup_owned(t), dedup_owned(g)))
    }

    fn group_rec(
        &self,
        name: &str,
        visited: &mut HashMap<String, (Vec<String>, Vec<String>)>,
        depth: usize,
    ) -> Result<(Vec<String>, Vec<String>), ResolveError> {
        if let Some(v) = visited.get(name) {
            return Ok(v.clone());
        }
        let Some(g) = self.group(name) else {
            return Ok((vec![name.to_string()], Vec::new()));
        };
        if depth >= MAX_NESTING {
            return Err(ResolveError::TooDeep {
                what: "groups",
                name: name.to_string(),
                limit: MAX_NESTING,
            });
        }
        visited.insert(name.to_string(), (Vec::new(), Vec::new()));
        let mut targets = Vec::new();
        let mut groups = vec![name.to_string()];
        for t in &g.targets {
            if self.group(t).is_none() {
                // What `group_rec` returns for a target (groups alone are `visited`).
                targets.push(t.clone());
                continue;
            }
            let (tt, tg) = self.group_rec(t, visited, depth + 1)?;
            if tt.is_empty() {
                targets.push(t.clone());
            } else {
                targets.extend(tt);
            }
            groups.extend(tg);
        }
        visited.insert(name.to_string(), (targets.clone(), groups.clone()));
        Ok((targets, groups))
    }

    pub(super) fn not_found(&self, name: &str, context: Option<String>) -> ResolveError {
        let help = if self.group(name).is_some() {
            Some(format!(
                "`{name}` is a group that is empty or contains itself (a group cycle)"
            ))
        } else {
            context.or_else(|| did_you_mean(name, self.all_names()))
        };
        ResolveError::TargetNotFound {
            name: name.to_string(),
            help,
        }
    }
}
