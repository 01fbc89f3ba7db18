//! Dates and times (go-cty `stdlib/datetime.go`; buildx's `timestamp`, `formattimestamp`,
//! `unixtimestampparse`). Civil-date arithmetic is done here; no clock is ever read.

use bake_core::api::go;

use super::util::{arg_err, def, err, object, param, str_arg, str_value};
use super::{FnEnv, FnError, FuncDef};
use crate::value::{Type, Value};

/// An instant with the UTC offset it was written with.
#[derive(Clone, Copy, Debug)]
struct Time {
    /// Unix seconds.
    secs: i64,
    nanos: u32,
    /// Offset east of UTC, in seconds.
    off: i64,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in(m: i64, y: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Broken-down local time.
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    weekday: i64,
    yday: i64,
}

impl Time {
    fn civil(&self) -> Civil {
        let local = self.secs + self.off;
        let days = local.div_euclid(86_400);
        let rem = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            min: rem % 3600 / 60,
            sec: rem % 60,
            weekday: (days + 4).rem_euclid(7),
            yday: days - days_from_civil(year, 1, 1) + 1,
        }
    }

    /// Go's `Format("-0700")`-style offset, with `sep` between hours and minutes.
    fn offset(&self, sep: &str) -> String {
        let sign = if self.off < 0 { '-' } else { '+' };
        let a = self.off.abs();
        format!("{sign}{:02}{sep}{:02}", a / 3600, a % 3600 / 60)
    }

    fn rfc3339(&self) -> String {
        let c = self.civil();
        let z = if self.off == 0 {
            "Z".to_string()
        } else {
            self.offset(":")
        };
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}{z}",
            year4(c.year),
            c.month,
            c.day,
            c.hour,
            c.min,
            c.sec
        )
    }
}

fn year4(y: i64) -> String {
    if y < 0 {
        format!("-{:04}", -y)
    } else {
        format!("{y:04}")
    }
}

fn ts_err(m: impl AsRef<str>) -> String {
    format!("not a valid RFC3339 timestamp{}", m.as_ref())
}

fn digits(x: &str, n: usize) -> Option<i64> {
    let d = x.get(..n)?;
    if d.bytes().all(|b| b.is_ascii_digit()) {
        d.parse().ok()
    } else {
        None
    }
}

/// cty's `parseTimestamp`: strict RFC 3339, with cty's error wording.
fn parse_timestamp(x: &str) -> Result<Time, String> {
    let (year, month, day, r) = timestamp_date(x)?;
    let (hour, min, sec, r) = timestamp_clock(r)?;
    let (nanos, r) = timestamp_fraction(r)?;
    let (off, r) = timestamp_offset(r)?;
    if !r.is_empty() {
        return Err(ts_err(format!(": extra text: {}", go::quote(r))));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(ts_err(": day out of range"));
    }
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec;
    Ok(Time {
        secs: local - off,
        nanos,
        off,
    })
}

/// The error for a missing or malformed part of a timestamp (`what`) where `r` remains.
fn ts_segment_err(what: &str, r: &str) -> String {
    if r.is_empty() {
        ts_err(format!(": end of string before {what}"))
    } else {
        ts_err(format!(": cannot use {} as {what}", go::quote(r)))
    }
}

/// The separator `l` at the start of `r`, or the error for its absence.
fn ts_separator(l: char, r: &str) -> Result<(), String> {
    if r.starts_with(l) {
        Ok(())
    } else if r.is_empty() {
        Err(ts_err(format!(
            ": end of string where {} is expected",
            go::quote(&l.to_string())
        )))
    } else {
        Err(ts_err(format!(
            ": found {} where {} is expected",
            go::quote(r),
            go::quote(&l.to_string())
        )))
    }
}

/// `YYYY-MM-DD` (the day is checked against the month later): year, month, day, the rest.
fn timestamp_date(x: &str) -> Result<(i64, i64, i64, &str), String> {
    let mut r = x;
    let year = digits(r, 4).ok_or_else(|| ts_segment_err("year", r))?;
    r = &r[4..];
    ts_separator('-', r)?;
    r = &r[1..];
    let month = digits(r, 2).ok_or_else(|| ts_segment_err("month", r))?;
    if !(1..=12).contains(&month) {
        return Err(ts_err(": month out of range"));
    }
    r = &r[2..];
    ts_separator('-', r)?;
    r = &r[1..];
    let day = digits(r, 2).ok_or_else(|| ts_segment_err("day of month", r))?;
    r = &r[2..];
    Ok((year, month, day, r))
}

/// `Thh:mm:ss`: hour, minute, second, the rest.
fn timestamp_clock(r: &str) -> Result<(i64, i64, i64, &str), String> {
    if !r.starts_with('T') {
        return Err(ts_err(": missing required time introducer 'T'"));
    }
    let mut r = &r[1..];
    let hour = match digits(r, 2) {
        Some(h) => h,
        None if r.len() >= 2 && r.as_bytes()[0].is_ascii_digit() && r.as_bytes()[1] == b':' => {
            return Err(ts_err(": hour must have exactly two digits"))
        }
        None => return Err(ts_segment_err("hour", r)),
    };
    if hour > 23 {
        return Err(ts_err(": hour must be between 0 and 23 inclusive"));
    }
    r = &r[2..];
    ts_separator(':', r)?;
    r = &r[1..];
    let min = digits(r, 2).ok_or_else(|| ts_segment_err("minute", r))?;
    if min > 59 {
        return Err(ts_err(": minute out of range"));
    }
    r = &r[2..];
    ts_separator(':', r)?;
    r = &r[1..];
    let sec = digits(r, 2).ok_or_else(|| ts_segment_err("second", r))?;
    if sec > 59 {
        return Err(ts_err(": second out of range"));
    }
    r = &r[2..];
    Ok((hour, min, sec, r))
}

/// An optional `.fraction` of a second: nanoseconds (digits past the ninth ignored), the
/// rest.
fn timestamp_fraction(r: &str) -> Result<(u32, &str), String> {
    if r.starts_with(',') {
        return Err(ts_err(": sub-second separator must be a period"));
    }
    if r.starts_with('.') && r.as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
        let n = r[1..].bytes().take_while(u8::is_ascii_digit).count();
        let frac = &r[1..=n];
        let mut v: u64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            if i < 9 {
                v = v * 10 + u64::from(b - b'0');
            }
        }
        for _ in n.min(9)..9 {
            v *= 10;
        }
        return Ok((v as u32, &r[1 + n..]));
    }
    Ok((0, r))
}

/// `Z` or `+hh:mm` / `-hh:mm`: the offset from UTC in seconds, the rest.
fn timestamp_offset(r: &str) -> Result<(i64, &str), String> {
    if let Some(rest) = r.strip_prefix('Z') {
        return Ok((0, rest));
    }
    if (r.starts_with('+') || r.starts_with('-'))
        && r.len() >= 6
        && r.as_bytes()[3] == b':'
        && digits(&r[1..], 2).is_some()
        && digits(&r[4..], 2).is_some()
    {
        let h = digits(&r[1..], 2).unwrap_or(0);
        let m = digits(&r[4..], 2).unwrap_or(0);
        if h >= 24 {
            return Err(ts_err(": timezone hour out of range"));
        }
        if m >= 60 {
            return Err(ts_err(": timezone minute out of range"));
        }
        let o = (h * 60 + m) * 60;
        let neg = r.starts_with('-');
        return Ok((if neg { -o } else { o }, &r[6..]));
    }
    Err(ts_segment_err("UTC offset", r))
}

/// cty's `formatdate`: verbs (runs of one letter) replaced by parts of the time, text in
/// single quotes copied (`''` is a quote), anything else copied as is.
fn format_date(f: &str, t: &Time) -> Result<String, FnError> {
    let b = f.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    let is_verb = |x: u8| x.is_ascii_alphabetic();
    while i < b.len() {
        if b[i] == b'\'' {
            i = quoted_literal(b, i, &mut out)?;
            continue;
        }
        if is_verb(b[i]) {
            let mut j = i + 1;
            while j < b.len() && b[j] == b[i] {
                j += 1;
            }
            out.push_str(&format_verb(&f[i..j], t)?);
            i = j;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && b[j] != b'\'' && !is_verb(b[j]) {
            j += 1;
        }
        out.push_str(&f[i..j]);
        i = j;
    }
    Ok(out)
}

/// The quoted literal at `b[i]` (a `'`), appended to `out`; where it ends.
fn quoted_literal(b: &[u8], i: usize, out: &mut String) -> Result<usize, FnError> {
    // '' is an escaped quote
    if b.get(i + 1) == Some(&b'\'') {
        out.push('\'');
        return Ok(i + 2);
    }
    let mut j = i + 1;
    let mut lit = Vec::new();
    let mut closed = false;
    while j < b.len() {
        if b[j] == b'\'' {
            if b.get(j + 1) == Some(&b'\'') {
                lit.push(b'\'');
                j += 2;
                continue;
            }
            closed = true;
            j += 1;
            break;
        }
        lit.push(b[j]);
        j += 1;
    }
    if !closed {
        return arg_err(0, "unterminated literal '");
    }
    out.push_str(&String::from_utf8_lossy(&lit));
    Ok(j)
}

/// One format verb (`tok`, a run of one letter) of `formatdate`, rendered.
///
/// Long because it is a single `match` over the verbs and their lengths, one line each, as
/// cty's table lists them.
fn format_verb(tok: &str, t: &Time) -> Result<String, FnError> {
    let c = t.civil();
    let verb = tok.as_bytes()[0];
    let n = tok.len();
    let bad = |m: &str| -> Result<String, FnError> {
        arg_err(
            0,
            format!("invalid date format verb {}: {m}", go::quote(tok)),
        )
    };
    let two = |v: i64| format!("{v:02}");
    let piece = match (verb, n) {
        (b'Y', 2) => two(c.year.rem_euclid(100)),
        (b'Y', 4) => year4(c.year),
        (b'Y', _) => bad("year must either be \"YY\" or \"YYYY\"")?,
        (b'M', 1) => c.month.to_string(),
        (b'M', 2) => two(c.month),
        (b'M', 3) => MONTHS[(c.month - 1) as usize][..3].to_string(),
        (b'M', 4) => MONTHS[(c.month - 1) as usize].to_string(),
        (b'M', _) => bad("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\"")?,
        (b'D', 1) => c.day.to_string(),
        (b'D', 2) => two(c.day),
        (b'D', _) => bad("day of month must either be \"D\" or \"DD\"")?,
        (b'E', 3) => DAYS[c.weekday as usize][..3].to_string(),
        (b'E', 4) => DAYS[c.weekday as usize].to_string(),
        (b'E', _) => bad("day of week must either be \"EEE\" or \"EEEE\"")?,
        (b'h', 1) => c.hour.to_string(),
        (b'h', 2) => two(c.hour),
        (b'h', _) => bad("24-hour must either be \"h\" or \"hh\"")?,
        (b'H', k) if k <= 2 => {
            let h = if c.hour % 12 == 0 { 12 } else { c.hour % 12 };
            if k == 1 {
                h.to_string()
            } else {
                two(h)
            }
        }
        (b'H', _) => bad("12-hour must either be \"H\" or \"HH\"")?,
        (b'A' | b'a', 2) => {
            let pm = c.hour >= 12;
            match (verb == b'A', pm) {
                (true, false) => "AM".into(),
                (true, true) => "PM".into(),
                (false, false) => "am".into(),
                (false, true) => "pm".into(),
            }
        }
        (b'A' | b'a', _) => {
            let l = &tok[..1];
            bad(&format!("must be \"{l}{l}\""))?
        }
        (b'm', 1) => c.min.to_string(),
        (b'm', 2) => two(c.min),
        (b'm', _) => bad("minute must either be \"m\" or \"mm\"")?,
        (b's', 1) => c.sec.to_string(),
        (b's', 2) => two(c.sec),
        (b's', _) => bad("second must either be \"s\" or \"ss\"")?,
        (b'Z', 1) => {
            if t.off == 0 {
                "Z".into()
            } else {
                t.offset(":")
            }
        }
        (b'Z', 3) => {
            let o = t.offset("");
            if o == "+0000" {
                "UTC".into()
            } else {
                o
            }
        }
        (b'Z', 4) => t.offset(""),
        (b'Z', 5) => t.offset(":"),
        (b'Z', _) => bad("timezone must be Z, ZZZZ, or ZZZZZ")?,
        _ => {
            return arg_err(0, format!("invalid date format verb {}", go::quote(tok)));
        }
    };

    Ok(piece)
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn parse_duration(x: &str) -> Result<i128, String> {
    let bad = || format!("time: invalid duration {}", go::quote(x));
    let mut r = x;
    let mut neg = false;
    if let Some(c) = r.chars().next() {
        if c == '-' || c == '+' {
            neg = c == '-';
            r = &r[1..];
        }
    }
    if r == "0" {
        return Ok(0);
    }
    if r.is_empty() {
        return Err(bad());
    }
    let mut total: i128 = 0;
    while !r.is_empty() {
        let int_len = r.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &r[..int_len];
        r = &r[int_len..];
        let mut frac_part = "";
        if r.starts_with('.') {
            r = &r[1..];
            let fl = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..fl];
            r = &r[fl..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        let ul = r
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(r.len());
        let unit = &r[..ul];
        r = &r[ul..];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", go::quote(x)));
        }
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go::quote(unit),
                    go::quote(x)
                ))
            }
        };
        let iv: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| bad())?
        };
        let mut v = iv.checked_mul(scale).ok_or_else(bad)?;
        if !frac_part.is_empty() {
            let mut f: i128 = 0;
            let mut sc: i128 = 1;
            for b in frac_part.bytes().take(30) {
                f = f * 10 + i128::from(b - b'0');
                sc *= 10;
            }
            v += f * scale / sc;
        }
        total = total.checked_add(v).ok_or_else(bad)?;
        if total > i128::from(i64::MAX) {
            return Err(bad());
        }
    }
    Ok(if neg { -total } else { total })
}

fn timeadd(a: &[Value]) -> Result<Value, FnError> {
    let t = parse_timestamp(str_arg(&a[0])).map_err(FnError::msg)?;
    let d = parse_duration(str_arg(&a[1])).map_err(FnError::msg)?;
    let total = i128::from(t.secs) * 1_000_000_000 + i128::from(t.nanos) + d;
    let secs = total.div_euclid(1_000_000_000) as i64;
    let nanos = total.rem_euclid(1_000_000_000) as u32;
    Ok(str_value(
        Time {
            secs,
            nanos,
            off: t.off,
        }
        .rfc3339(),
    ))
}

fn formatdate(a: &[Value]) -> Result<Value, FnError> {
    let t = parse_timestamp(str_arg(&a[1])).map_err(|e| FnError::arg(1, e))?;
    format_date(str_arg(&a[0]), &t).map(str_value)
}

fn unix_value(v: &Value) -> Result<Time, String> {
    match v {
        Value::Number(x) => match x.to_i64() {
            Some(secs) if secs.abs() < 1 << 55 => Ok(Time {
                secs,
                nanos: 0,
                off: 0,
            }),
            _ => Err("unix timestamp must be an integer".into()),
        },
        _ => Err("unix timestamp must be an integer".into()),
    }
}

fn formattimestamp(a: &[Value]) -> Result<Value, FnError> {
    let f = str_arg(&a[0]);
    match &a[1] {
        Value::String(x) => {
            if f == "X" {
                let t = parse_timestamp(x)
                    .map_err(|_| FnError::arg(1, "timestamp string must be RFC3339"))?;
                return Ok(str_value(t.secs.to_string()));
            }
            formatdate(a)
        }
        Value::Number(_) => {
            let t = unix_value(&a[1]).map_err(|e| FnError::arg(1, e))?;
            if f == "X" {
                return Ok(str_value(t.secs.to_string()));
            }
            format_date(f, &t).map(str_value)
        }
        _ => arg_err(1, "must be a string timestamp or a unix timestamp number"),
    }
}

/// ISO 8601 week-numbering year and week.
fn iso_week(c: &Civil) -> (i64, i64) {
    // Monday-based weekday 1..=7
    let wd = if c.weekday == 0 { 7 } else { c.weekday };
    let mut year = c.year;
    let mut week = (c.yday - wd + 10) / 7;
    if week < 1 {
        year -= 1;
        let dec31 = days_from_civil(year, 12, 31);
        let wd31 = (dec31 + 4).rem_euclid(7);
        let wd31 = if wd31 == 0 { 7 } else { wd31 };
        let yday31 = if is_leap(year) { 366 } else { 365 };
        week = (yday31 - wd31 + 10) / 7;
    } else {
        let pw =
            |y: i64| (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)).rem_euclid(7);
        let long = pw(year) == 4 || pw(year - 1) == 3;
        if week == 53 && !long {
            year += 1;
            week = 1;
        }
    }
    (year, week)
}

fn unixtimestampparse(a: &[Value]) -> Result<Value, FnError> {
    let t = unix_value(&a[0]).map_err(|e| FnError::arg(0, e))?;
    let c = t.civil();
    let (iy, iw) = iso_week(&c);
    Ok(object(vec![
        ("year".into(), Value::int(c.year)),
        ("year_day".into(), Value::int(c.yday)),
        ("day".into(), Value::int(c.day)),
        ("month".into(), Value::int(c.month)),
        (
            "month_name".into(),
            str_value(MONTHS[(c.month - 1) as usize]),
        ),
        ("weekday".into(), Value::int(c.weekday)),
        ("weekday_name".into(), str_value(DAYS[c.weekday as usize])),
        ("hour".into(), Value::int(c.hour)),
        ("minute".into(), Value::int(c.min)),
        ("second".into(), Value::int(c.sec)),
        ("rfc3339".into(), str_value(t.rfc3339())),
        ("iso_year".into(), Value::int(iy)),
        ("iso_week".into(), Value::int(iw)),
    ]))
}

fn timestamp(env: &FnEnv) -> Result<Value, FnError> {
    match env.now {
        Some((secs, nanos)) => Ok(str_value(
            Time {
                secs,
                nanos,
                off: 0,
            }
            .rfc3339(),
        )),
        None => err("the current time is not available"),
    }
}

/// The date and time builtins: one table entry each (name, parameters, variadic
/// parameter, body).
pub(super) fn all() -> Vec<FuncDef> {
    vec![
        def(
            "formatdate",
            vec![param("format", Type::String), param("time", Type::String)],
            None,
            |_: &FnEnv, a: &[Value]| formatdate(a),
        ),
        def(
            "timeadd",
            vec![
                param("timestamp", Type::String),
                param("duration", Type::String),
            ],
            None,
            |_: &FnEnv, a: &[Value]| timeadd(a),
        ),
        def(
            "formattimestamp",
            vec![param("format", Type::String), param("time", Type::Dynamic)],
            None,
            |_: &FnEnv, a: &[Value]| formattimestamp(a),
        ),
        def(
            "unixtimestampparse",
            vec![param("unix_timestamp", Type::Number)],
            None,
            |_: &FnEnv, a: &[Value]| unixtimestampparse(a),
        ),
        def("timestamp", vec![], None, |e: &FnEnv, _: &[Value]| {
            timestamp(e)
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{call_err, nv, printed, sv};

    #[test]
    fn conformance_215_216_217() {
        let fd = |f: &str, t: &str| printed("formatdate", vec![sv(f), sv(t)]);
        assert_eq!(
            fd("YYYY-MM-DD hh:mm:ss", "2024-03-05T07:08:09Z"),
            "2024-03-05 07:08:09"
        );
        assert_eq!(
            fd("EEEE, DD MMM YYYY", "2024-03-05T07:08:09Z"),
            "Tuesday, 05 Mar 2024"
        );
        assert_eq!(fd("hh:mm ZZZ", "2024-03-05T07:08:09+02:00"), "07:08 +0200");
        assert_eq!(fd("ZZZ Z ZZZZZ", "2024-03-05T07:08:09Z"), "UTC Z +00:00");
        assert_eq!(
            fd("H:mm AA 'o''clock' ''", "2024-03-05T13:08:09Z"),
            "1:08 PM o'clock '"
        );
        assert_eq!(fd("YY M D", "2009-01-05T00:00:00.123Z"), "09 1 5");
        let ta = |t: &str, d: &str| printed("timeadd", vec![sv(t), sv(d)]);
        assert_eq!(ta("2024-01-31T23:00:00Z", "2h30m"), "2024-02-01T01:30:00Z");
        assert_eq!(ta("2024-01-01T00:00:00Z", "-1s"), "2023-12-31T23:59:59Z");
        assert_eq!(
            ta("2024-01-01T00:00:00+02:00", "1.5h"),
            "2024-01-01T01:30:00+02:00"
        );
        assert_eq!(ta("2024-02-28T00:00:00Z", "24h"), "2024-02-29T00:00:00Z");
        assert!(
            call_err("timeadd", vec![sv("2024-01-01T00:00:00Z"), sv("1d")])
                .contains("unknown unit")
        );
        assert!(
            call_err("timeadd", vec![sv("2024-01-01T00:00:00Z"), sv("1")]).contains("missing unit")
        );
        assert_eq!(
            call_err("formatdate", vec![sv("YYYY"), sv("yesterday")]),
            "not a valid RFC3339 timestamp: cannot use \"yesterday\" as year"
        );
        assert!(
            call_err("formatdate", vec![sv("YYYY"), sv("2024-02-30T00:00:00Z")])
                .contains("day out of range")
        );
        assert!(
            call_err("formatdate", vec![sv("YYY"), sv("2024-02-03T00:00:00Z")])
                .contains("year must")
        );
        assert!(
            call_err("formatdate", vec![sv("'abc"), sv("2024-02-03T00:00:00Z")])
                .contains("unterminated")
        );
        assert_eq!(
            printed(
                "formattimestamp",
                vec![sv("YYYY-MM-DD'T'hh:mm:ssZ"), nv(1_700_000_000)]
            ),
            "2023-11-14T22:13:20Z"
        );
        assert_eq!(
            printed("formattimestamp", vec![sv("X"), sv("2023-11-14T22:13:20Z")]),
            "1700000000"
        );
        assert_eq!(
            printed("unixtimestampparse", vec![nv(1_700_000_000)]),
            "{\"day\":14,\"hour\":22,\"iso_week\":46,\"iso_year\":2023,\"minute\":13,\"month\":11,\"month_name\":\"November\",\"rfc3339\":\"2023-11-14T22:13:20Z\",\"second\":20,\"weekday\":2,\"weekday_name\":\"Tuesday\",\"year\":2023,\"year_day\":318}"
        );
        assert_eq!(printed("timestamp", vec![]), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn iso_weeks() {
        use crate::value::Value;
        let w = |secs: i64| {
            let v = super::super::testutil::call("unixtimestampparse", vec![nv(secs)]).0;
            let m = v.as_map().unwrap().clone();
            let g = |k: &str| match &m[k] {
                Value::Number(n) => n.to_i64().unwrap(),
                _ => 0,
            };
            (g("iso_year"), g("iso_week"))
        };
        // 2021-01-01 (Friday) is in 2020-W53; 2024-12-30 (Monday) is 2025-W01;
        // 2026-01-01 (Thursday) is 2026-W01.
        assert_eq!(w(1_609_459_200), (2020, 53));
        assert_eq!(w(1_735_516_800), (2025, 1));
        assert_eq!(w(1_767_225_600), (2026, 1));
    }
}
