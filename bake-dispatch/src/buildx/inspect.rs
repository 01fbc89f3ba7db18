//! What a project's builder reports about itself (`docker buildx inspect --bootstrap`), for
//! `bakery projects list`.

use std::time::Duration;

use super::BuildxBackend;
use crate::config::ProjectConfig;

/// A project's builder as it answered `docker buildx inspect --bootstrap`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuilderState {
    /// Whether it answered and its first node is running.
    pub reachable: bool,
    /// Why not, when it is not.
    pub reason: Option<String>,
    /// The platforms its first node reports.
    pub platforms: Vec<String>,
    /// The `BuildKit` version its first node reports.
    pub buildkit: Option<String>,
}

impl BuildxBackend {
    /// Asks the builder of project `project` (with settings `config`) what it is, starting it
    /// when it is a builder that starts on demand (`--bootstrap`, as a build would), giving
    /// up after `limit`. Never creates a builder: a project's `endpoint` builder that no build
    /// has made yet is reported as not reachable, with that reason.
    pub async fn inspect(
        &self,
        project: &str,
        config: &ProjectConfig,
        limit: Duration,
    ) -> BuilderState {
        let env = Self::project_env(config);
        let name = Self::project_builder(project, config);
        let mut args = vec!["buildx", "inspect", "--bootstrap"];
        if let Some(n) = &name {
            args.push(n);
        }
        match self.short(&args, &env, limit).await {
            Ok(out) => parse_inspect(&out),
            Err(e) => {
                let reason = match (&config.endpoint, &config.builder) {
                    (Some(ep), None) if e.contains("no builder") => format!(
                        "builder {} for {ep} not created yet (the first build creates it)",
                        name.unwrap_or_default()
                    ),
                    _ => e.trim_start_matches("ERROR: ").to_string(),
                };
                BuilderState {
                    reason: Some(reason),
                    ..BuilderState::default()
                }
            }
        }
    }
}

/// Reads `docker buildx inspect`'s text: the first `Error:` line (the builder's or a node's)
/// makes it unreachable; else the first node's `Status`, `Platforms` and `BuildKit version`
/// (`Buildkit:` before buildx 0.12).
#[must_use]
pub fn parse_inspect(text: &str) -> BuilderState {
    let mut st = BuilderState::default();
    let mut status: Option<String> = None;
    let mut in_nodes = false;
    let mut nodes_seen = 0;
    for line in text.lines() {
        if line.trim() == "Nodes:" {
            in_nodes = true;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if line.starts_with(' ') {
            continue;
        }
        let value = value.trim();
        match key.trim() {
            "Error" if st.reason.is_none() && !value.is_empty() => {
                st.reason = Some(value.to_string());
            }
            "Name" if in_nodes => nodes_seen += 1,
            _ if nodes_seen > 1 => {}
            "Status" if in_nodes => status = Some(value.to_string()),
            "Platforms" if in_nodes && !value.is_empty() => {
                st.platforms = value.split(',').map(|p| p.trim().to_string()).collect();
            }
            "BuildKit version" | "Buildkit" if in_nodes && !value.is_empty() => {
                st.buildkit = Some(value.to_string());
            }
            _ => {}
        }
    }
    if st.reason.is_none() {
        match status.as_deref() {
            Some("running") => st.reachable = true,
            Some(s) => st.reason = Some(format!("builder status: {s}")),
            None => st.reason = Some("the builder reported no node".into()),
        }
    }
    st
}

#[cfg(test)]
mod tests {
    use super::parse_inspect;

    #[test]
    fn a_running_builder() {
        let st = parse_inspect(
            "Name:          default\nDriver:        docker\n\nNodes:\nName:             default\n\
             Endpoint:         default\nStatus:           running\nBuildKit version: v0.25.1\n\
             Platforms:        linux/amd64, linux/arm64\nLabels:\n org.x: y\n",
        );
        assert!(st.reachable);
        assert_eq!(st.reason, None);
        assert_eq!(st.platforms, vec!["linux/amd64", "linux/arm64"]);
        assert_eq!(st.buildkit.as_deref(), Some("v0.25.1"));
    }

    #[test]
    fn an_engine_that_does_not_answer() {
        let st = parse_inspect(
            "Name:          default\nDriver:        \nError:         Cannot connect to the Docker \
             daemon at unix:///x.sock. Is the docker daemon running?\n\nNodes:\n",
        );
        assert!(!st.reachable);
        assert_eq!(
            st.reason.as_deref(),
            Some("Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?")
        );
    }

    #[test]
    fn a_stopped_node_and_old_buildx_keys() {
        let st = parse_inspect(
            "Name: b\nNodes:\nName: b0\nStatus: inactive\nBuildkit: v0.11.0\nPlatforms: \n",
        );
        assert!(!st.reachable);
        assert_eq!(st.reason.as_deref(), Some("builder status: inactive"));
        assert_eq!(st.buildkit.as_deref(), Some("v0.11.0"));
    }
}
