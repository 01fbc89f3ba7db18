//! Which process runs a run, and whether it still does.

/// The process that records a run: its pid and, where the system tells it (Linux's
/// `/proc/PID/stat`), the kernel's start time of that process, so that a later process
/// given the same pid is not taken for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// The process id.
    pub pid: u32,
    /// The process's start time in clock ticks since boot (`/proc/PID/stat` field 22).
    pub start: Option<String>,
}

impl Owner {
    /// This process.
    #[must_use]
    pub fn current() -> Owner {
        let pid = std::process::id();
        Owner {
            pid,
            start: stat(pid).map(|s| s.start),
        }
    }
}

struct Stat {
    state: char,
    start: String,
}

/// Fields 3 (state) and 22 (start time) of `/proc/PID/stat`. The second field, the command
/// name, is in parentheses and may hold spaces and parentheses: the fields after it are
/// counted from the last `)`.
fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some(Stat {
        state: fields.first()?.chars().next()?,
        start: (*fields.get(19)?).to_string(),
    })
}

/// Whether the process `owner` names still runs: same pid, and the same start time where one
/// was recorded. A zombie (ended, not yet reaped) is not running.
#[must_use]
pub fn is_alive(owner: &Owner) -> bool {
    if let Some(s) = stat(owner.pid) {
        return s.state != 'Z' && owner.start.as_ref().is_none_or(|st| *st == s.start);
    }
    if std::path::Path::new("/proc/self/stat").exists() {
        // /proc works and has no such process.
        return false;
    }
    let Ok(pid) = libc::pid_t::try_from(owner.pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 sends nothing; it only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}
