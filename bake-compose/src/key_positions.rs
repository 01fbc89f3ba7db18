//! Where keys are in block-style YAML text, found by following indentation (for `--explain`
//! origins and for the caret of errors the parser gave no position for).

/// The byte offset of every key of block-style YAML by its path (segments joined by `\n`),
/// following keys by indentation: the first key of each path wins. Flow style, anchors and
/// merged keys are not followed.
pub(crate) struct KeyOffsets {
    // Lookups only (never iterated), so a hash map does not make output order depend on it.
    at: std::collections::HashMap<String, usize>,
}

impl KeyOffsets {
    /// Paths deeper than this are not indexed (the deepest looked up is
    /// `services.NAME.build.x-bake.FIELD`).
    const DEPTH: usize = 6;

    pub(crate) fn new(text: &str) -> Self {
        let mut at = std::collections::HashMap::new();
        let mut stack: Vec<(usize, &str)> = Vec::new();
        let mut path = String::new();
        let mut off = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start_matches(' ');
            let indent = line.len() - trimmed.len();
            let content = trimmed.trim_end();
            if !(content.is_empty() || content.starts_with('#') || content.starts_with('-')) {
                if let Some((key, _)) = content.split_once(':') {
                    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
                    while stack.last().is_some_and(|(i, _)| *i >= indent) {
                        stack.pop();
                    }
                    stack.push((indent, key));
                    if stack.len() <= Self::DEPTH {
                        path.clear();
                        for (i, (_, k)) in stack.iter().enumerate() {
                            if i > 0 {
                                path.push('\n');
                            }
                            path.push_str(k);
                        }
                        at.entry(path.clone()).or_insert(off + indent);
                    }
                }
            }
            off += line.len();
        }
        KeyOffsets { at }
    }

    pub(crate) fn get(&self, path: &str) -> Option<usize> {
        self.at.get(path).copied()
    }
}

/// The byte offset of the key at dotted `path` (`services.app.build.args`) in block-style
/// YAML: follows keys by indentation; `None` when the path cannot be followed (flow style,
/// anchors, merged keys).
pub(crate) fn key_offset(text: &str, path: &str) -> Option<usize> {
    let want: Vec<&str> = path.split('.').collect();
    let mut stack: Vec<(usize, &str)> = Vec::new();
    let mut off = 0;
    let mut best = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let content = trimmed.trim_end();
        if content.is_empty() || content.starts_with('#') || content.starts_with('-') {
            off += line.len();
            continue;
        }
        if let Some((key, _)) = content.split_once(':') {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            while stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            stack.push((indent, key));
            let depth = stack.len();
            if depth <= want.len() && stack.iter().zip(&want).all(|((_, k), w)| k == w) {
                best = Some(off + indent);
                if depth == want.len() {
                    return best;
                }
            }
        }
        off += line.len();
    }
    best
}

#[cfg(test)]
mod tests {
    use super::{key_offset, KeyOffsets};

    #[test]
    fn locate_falls_back_to_the_deepest_key() {
        let text = "services:\n  web:\n    image: x\n  app:\n    build:\n      args: 42\n";
        let off = key_offset(text, "services.app.build.args").unwrap_or(usize::MAX);
        assert_eq!(&text[off..off + 5], "args:");
        let off = key_offset(text, "services.app.build.labels").unwrap_or(usize::MAX);
        assert_eq!(&text[off..off + 6], "build:");
        assert_eq!(key_offset("{services: {}}", "services.x"), None);
    }

    #[test]
    fn follows_block_keys_by_indentation() {
        let text = "services:\n  web:\n    image: x\n  app:\n    build:\n      args: 42\n  app:\n    later: 1\n";
        let index = KeyOffsets::new(text);
        let off = index
            .get("services\napp\nbuild\nargs")
            .unwrap_or(usize::MAX);
        assert_eq!(&text[off..off + 5], "args:");
        // The first key of a path wins.
        let off = index.get("services\napp").unwrap_or(usize::MAX);
        assert_eq!(off, text.find("app:").unwrap_or(0));
        assert_eq!(index.get("services\napp\nbuild\nlabels"), None);
        assert_eq!(KeyOffsets::new("{services: {}}").get("services\nx"), None);
    }
}
