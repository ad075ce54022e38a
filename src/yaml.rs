//! The YAML writer of everything Helm, kubectl and the controllers read (all of out/), and the bounds every YAML
//! input is checked against before a parser sees it.
//!
//! Helm and kubectl read YAML 1.1 (go-yaml v2 behind sigs.k8s.io/yaml): `on`, `no`, `y`, `0x1F`, `1_000`,
//! `2001-12-14`, `12:30` are booleans, numbers or dates there, strings in YAML 1.2. serde_yaml writes them plain
//! (research/live-objects-and-yaml.md, B9), so a label value `on` became `true`. This writer leaves a string plain
//! only when it starts with a letter or `/`, holds nothing but letters, digits, spaces and `-._/(),=+@%;`, and
//! is none of the 1.1 boolean and null words; everything else is double-quoted with every character outside
//! printable ASCII-or-Unicode escaped. Strings that start with a letter cannot be a number, a date or a
//! sexagesimal in either version, so the plain ones read the same under YAML 1.1 and 1.2. Floats always carry a
//! `.` (PyYAML's 1.1 reads `1e3` as a string). The layout follows serde_yaml's (block style, sequences at their
//! key's indentation, `|` literals for multi-line text), so the files stay easy to read and diff.

use crate::error::InternalError;
use serde::Serialize;
use serde_json::Value;
use std::io::Read;

thread_local! {
    /// Whether [`to_string`] parses its documents back (off only inside [`comparing_only`]).
    static READ_BACK: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Runs `f` with [`to_string`]'s read-back off, for a run that writes nothing and only compares its text with what
/// is on disk (`hagen generate --check`): it accepts nothing, since text equal to the disk's is what a writing run
/// read back when it wrote it, and any other text fails the comparison anyway. Reading back is most of the cost of
/// such a run (BENCHMARKS.md).
pub fn comparing_only<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            READ_BACK.set(self.0);
        }
    }
    let _restore = Restore(READ_BACK.replace(false));
    f()
}

/// Whether what hagen writes is checked by reading it back (YAML here, PromQL in the alert rules): always, but
/// inside [`comparing_only`].
pub fn reading_back() -> bool {
    READ_BACK.get()
}

/// Serialises `v` as a YAML document (block style, ends with a newline), parsed back before it is accepted: a
/// document that would not read back as `v` is an error (a bug in this writer), never a file.
pub fn to_string<T: Serialize + ?Sized>(v: &T) -> Result<String, InternalError> {
    let value = serde_json::to_value(v).map_err(InternalError::Serialize)?;
    value_to_string(&value)
}

/// [`to_string`] of a JSON value, without the copy `serde_json::to_value` would make of it.
pub fn value_to_string(value: &Value) -> Result<String, InternalError> {
    let text = emit(value);
    if !reading_back() {
        return Ok(text);
    }
    let back: Value = match serde_yaml::from_str(&text) {
        Ok(back) => back,
        Err(source) => return Err(InternalError::YamlUnreadable { source, text }),
    };
    if &back != value {
        return Err(InternalError::YamlDiffers { text });
    }
    Ok(text)
}

/// Writes a JSON value as a YAML document, into one string (no string per scalar).
pub fn emit(v: &Value) -> String {
    let mut out = String::with_capacity(4096);
    match v {
        Value::Object(m) if !m.is_empty() => block(&mut out, v, 0, false),
        Value::Array(a) if !a.is_empty() => block(&mut out, v, 0, false),
        _ => {
            inline(&mut out, v);
            out.push('\n');
        }
    }
    out
}

/// Writes a value on the current line: a scalar, `{}` or `[]`.
fn inline(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) => scalar_into(out, s),
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

fn number(n: &serde_json::Number) -> String {
    let s = n.to_string();
    if n.is_f64() && !s.contains('.') {
        // `1e300` is a string to PyYAML (YAML 1.1 floats need a dot) and `5` would become an integer.
        match s.find(['e', 'E']) {
            Some(i) => format!("{}.0{}", &s[..i], &s[i..]),
            None => format!("{s}.0"),
        }
    } else {
        s
    }
}

/// Whether a value needs lines of its own (a non-empty mapping or sequence).
fn is_block(v: &Value) -> bool {
    matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    match SPACES.get(..n) {
        Some(spaces) => out.push_str(spaces),
        None => out.extend(std::iter::repeat_n(' ', n)),
    }
}

/// Writes a non-empty mapping or sequence at indentation `at`; with `inline_first`, its first line continues
/// the current line (after `- `).
fn block(out: &mut String, v: &Value, at: usize, inline_first: bool) {
    match v {
        Value::Object(m) => {
            for (n, (k, val)) in m.iter().enumerate() {
                if n > 0 || !inline_first {
                    indent(out, at);
                }
                scalar_into(out, k);
                out.push(':');
                entry_value(out, val, at);
            }
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                if n > 0 || !inline_first {
                    indent(out, at);
                }
                out.push('-');
                match item {
                    _ if is_block(item) => {
                        out.push(' ');
                        block(out, item, at + 2, true);
                    }
                    Value::String(s) if literal_ok(s) => literal(out, s, at + 2),
                    _ => {
                        out.push(' ');
                        inline(out, item);
                        out.push('\n');
                    }
                }
            }
        }
        _ => {
            inline(out, v);
            out.push('\n');
        }
    }
}

/// The value of a mapping entry whose key (at indentation `at`) and colon are written.
fn entry_value(out: &mut String, val: &Value, at: usize) {
    match val {
        Value::Object(_) if is_block(val) => {
            out.push('\n');
            block(out, val, at + 2, false);
        }
        Value::Array(_) if is_block(val) => {
            out.push('\n');
            block(out, val, at, false);
        }
        Value::String(s) if literal_ok(s) => literal(out, s, at + 2),
        _ => {
            out.push(' ');
            inline(out, val);
            out.push('\n');
        }
    }
}

/// The mapping entry `key: v` at indentation `at`, `v` already written by [`emit`] as `text`: what the writer
/// writes for the entry, without writing `v` again. A block's lines are `text`'s, each non-empty one indented as
/// deep as the block sits (every line of a block starts at its depth, a `|` literal's lines included).
pub fn entry_written(out: &mut String, key: &str, v: &Value, text: &str, at: usize) {
    indent(out, at);
    scalar_into(out, key);
    out.push(':');
    let depth = match v {
        Value::Object(_) if is_block(v) => at + 2,
        Value::Array(_) if is_block(v) => at,
        _ => return entry_value(out, v, at),
    };
    out.push('\n');
    for line in text.split_inclusive('\n') {
        if line != "\n" {
            indent(out, depth);
        }
        out.push_str(line);
    }
}

/// Multi-line text as a `|` literal block: kept only for text whose every line reads back unchanged (no line
/// starts with a space or is blank but not empty, nothing that needs an escape, at most one final newline).
fn literal_ok(s: &str) -> bool {
    let body = s.strip_suffix('\n').unwrap_or(s);
    body.contains('\n')
        && !body.ends_with('\n')
        && !body.starts_with([' ', '\n'])
        && body.split('\n').all(|l| l.is_empty() || !l.trim().is_empty())
        && body.split('\n').all(|l| !l.ends_with(' '))
        && !s.split('\n').any(any_escape)
}

fn literal(out: &mut String, s: &str, at: usize) {
    out.push_str(if s.ends_with('\n') { " |\n" } else { " |-\n" });
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            indent(out, at);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// The YAML 1.1 words for booleans and null (go-yaml v2's resolve table, PyYAML), in any letter case.
const WORDS: [&str; 9] = ["y", "yes", "n", "no", "true", "false", "on", "off", "null"];

/// The bytes a plain scalar may hold: letters, digits and ` -._/(),=+@%;:`$`.
const PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        table[c] = (c as u8).is_ascii_alphanumeric();
        c += 1;
    }
    let punctuation = b" -._/(),=+@%;:`$";
    let mut i = 0;
    while i < punctuation.len() {
        table[punctuation[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `s` may be written without quotes and reads back as the same string under YAML 1.1 and 1.2: it starts
/// with a letter or `/`, holds only [`PLAIN`] bytes, has no `: ` or two spaces, does not end with a space or `:`,
/// and is none of the [`WORDS`] (one pass over the bytes).
pub fn plain_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == b'/') {
        return false;
    }
    let mut previous = 0u8;
    for &c in bytes {
        if !PLAIN[c as usize] || (c == b' ' && matches!(previous, b' ' | b':')) {
            return false;
        }
        previous = c;
    }
    let word = bytes.len() <= 5 && WORDS.iter().any(|w| w.eq_ignore_ascii_case(s));
    !matches!(previous, b' ' | b':') && !word
}

/// Characters a double-quoted scalar must escape: controls, the C1 block (NEL is a YAML 1.1 line break), the
/// Unicode line and paragraph separators, the byte-order mark and the non-characters.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// Whether a character of `s` [needs an escape](needs_escape): ASCII text a byte at a time (only its controls do).
fn any_escape(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(needs_escape)
    }
}

/// A string as a YAML scalar: plain when [`plain_ok`]; single-quoted when it holds `"` or `\\` but nothing that
/// needs an escape (single quotes escape nothing but `'`, in both YAML versions); else double-quoted.
pub fn scalar(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    scalar_into(&mut out, s);
    out
}

/// [`scalar`], written at the end of `out`.
fn scalar_into(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
        return;
    }
    // A quote or backslash found byte-wise (both ASCII); `\n` and `\t` need escapes: they are controls.
    if s.bytes().any(|b| b == b'"' || b == b'\\') && !any_escape(s) {
        out.push('\'');
        for (n, part) in s.split('\'').enumerate() {
            if n > 0 {
                out.push_str("''");
            }
            out.push_str(part);
        }
        out.push('\'');
    } else {
        quoted_into(out, s, s.is_ascii());
    }
}

/// A double-quoted YAML scalar (the escapes both YAML 1.1 and 1.2 define).
pub fn quoted(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    quoted_into(&mut q, s, s.is_ascii());
    q
}

/// [`quoted`], written at the end of `q`: the runs between escapes are copied whole, ASCII text read a byte at a
/// time.
fn quoted_into(q: &mut String, s: &str, ascii: bool) {
    q.push('"');
    if ascii {
        let mut run = 0;
        for (i, b) in s.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\t' => "\\t",
                b'\r' => "\\r",
                0..0x20 | 0x7f => "",
                _ => continue,
            };
            q.push_str(&s[run..i]);
            run = i + 1;
            if escape.is_empty() {
                push_unicode_escape(q, char::from(b));
            } else {
                q.push_str(escape);
            }
        }
        q.push_str(&s[run..]);
    } else {
        quoted_chars(q, s);
    }
    q.push('"');
}

fn push_unicode_escape(q: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = write!(q, "\\u{:04X}", c as u32);
}

/// The inside of [`quoted`] for text beyond ASCII, a character at a time.
fn quoted_chars(q: &mut String, s: &str) {
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            c if needs_escape(c) => "",
            _ => continue,
        };
        q.push_str(&s[run..i]);
        run = i + c.len_utf8();
        if escape.is_empty() {
            push_unicode_escape(q, c);
        } else {
            q.push_str(escape);
        }
    }
    q.push_str(&s[run..]);
}

/// How far a YAML input may reach before any parser sees it.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes.
    pub size: usize,
    /// Nesting of block and flow collections together.
    pub depth: usize,
}

/// The catalogue and patch files: hand-written, small.
pub const SMALL: Limits = Limits {
    size: 1 << 20,
    depth: 64,
};

/// Rendered manifests (`post-render` stdin, `audit` input): a kube-prometheus-stack render with its CRDs is 5 MB,
/// and cert-manager's CRDs nest 38 levels deep (serde_yaml's own limit is 128).
pub const STREAM: Limits = Limits {
    size: 256 << 20,
    depth: 100,
};

/// Reads a file of at most `limit` bytes: a larger one, or `/dev/zero`, is refused without being read whole.
pub fn read_file(path: &std::path::Path, limit: usize) -> crate::error::Result<String> {
    let err = |source| crate::error::Error::Read {
        path: path.to_path_buf(),
        source,
    };
    read_to_limit(std::fs::File::open(path).map_err(err)?, limit).map_err(err)
}

/// Reads UTF-8 text of at most `limit` bytes.
pub fn read_to_limit(r: impl Read, limit: usize) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    r.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        return Err(std::io::Error::other(format!(
            "larger than {} MiB; refused rather than read whole",
            limit >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|_| std::io::Error::other("not UTF-8 text"))
}

/// Why an input was refused before parsing: a byte offset and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfBounds {
    pub offset: usize,
    pub message: String,
}

/// Checks size and nesting depth in one pass over the text, in linear time, before a parser sees it (the
/// parsers' own limits come after quadratic work: `{a: {a: …` 100,000 deep took minutes). Block nesting is
/// counted from indentation and `- ` entries, flow nesting from brackets outside quoted scalars and comments;
/// block scalars (`|`, `>`) are skipped. On the charts' own renders it equals the parser's depth (cert-manager's
/// CRDs: 38); odd layouts (a quoted scalar over several lines) can only count higher.
pub fn check_bounds(text: &str, limits: Limits) -> Result<(), OutOfBounds> {
    if text.len() > limits.size {
        return Err(OutOfBounds {
            offset: limits.size,
            message: format!(
                "the input is larger than {} MiB; hagen refuses it rather than read it whole",
                limits.size >> 20
            ),
        });
    }
    let mut nesting = Nesting {
        indents: Vec::new(),
        flow: 0,
        block_scalar: None,
        limit: limits.depth,
    };
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        nesting
            .line(line.trim_end_matches(['\n', '\r']))
            .map_err(|column| OutOfBounds {
                offset: start + column,
                message: format!("collections are nested deeper than {} levels", limits.depth),
            })?;
    }
    Ok(())
}

/// What [`check_bounds`] knows between lines: the block and flow collections open, and a block scalar's lines
/// to skip.
struct Nesting {
    /// Columns of the block nodes open around this line.
    indents: Vec<usize>,
    /// Flow collections (`[`, `{`) open.
    flow: usize,
    /// Lines indented deeper than this belong to a block scalar.
    block_scalar: Option<usize>,
    /// The deepest nesting allowed.
    limit: usize,
}

impl Nesting {
    /// Reads one line (without its line break); `Err` with the byte column where the nesting passes the limit.
    fn line(&mut self, content: &str) -> Result<(), usize> {
        let bytes = content.as_bytes();
        let lead = bytes.iter().take_while(|b| **b == b' ').count();
        if let Some(parent) = self.block_scalar {
            if lead == bytes.len() || lead > parent {
                return Ok(());
            }
            self.block_scalar = None;
        }
        if lead == 0 && (content.starts_with("---") || content.starts_with("...")) {
            // A new document: whatever an earlier one left open (a stray bracket in a plain scalar) ends here.
            self.flow = 0;
            self.indents.clear();
            return Ok(());
        }
        let mut i = lead;
        if self.flow == 0 {
            let rest = &content[lead..];
            if rest.is_empty() || rest.starts_with('#') {
                return Ok(());
            }
            i = self.open_block(bytes, lead)?;
        }
        self.scan_nodes(bytes, lead, i)
    }

    /// Whether the nesting is now deeper than allowed.
    fn too_deep(&self) -> bool {
        self.flow + self.indents.len() > self.limit
    }

    /// A block line's indentation: closes the block nodes at or right of `lead`, opens one level for the node
    /// and one for each `- ` or `? ` before it (each at its own column); returns where the line's node starts.
    fn open_block(&mut self, bytes: &[u8], lead: usize) -> Result<usize, usize> {
        while self.indents.last().is_some_and(|&c| c >= lead) {
            self.indents.pop();
        }
        let mut i = lead;
        loop {
            self.indents.push(i);
            if self.too_deep() {
                return Err(i);
            }
            if !is_indicator(bytes, i, b"-?") {
                break;
            }
            i += 1;
            while bytes.get(i) == Some(&b' ') {
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
        }
        Ok(i)
    }

    /// The rest of a line from `i`: flow brackets outside quoted scalars and comments (tags and anchors
    /// skipped), and the start of a block scalar, whose lines are skipped after this one.
    fn scan_nodes(&mut self, bytes: &[u8], lead: usize, mut i: usize) -> Result<(), usize> {
        let mut node_start = true; // a quoted scalar, a flow collection or a block scalar may begin here
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b' ' => {
                    i += 1;
                    continue;
                }
                b'#' if i == 0 || bytes[i - 1] == b' ' => break,
                b'\'' | b'"' if node_start => {
                    // A quoted scalar continued on later lines is rare in what hagen reads; its rest is then
                    // counted as plain text, which can only make the count stricter.
                    i = quoted_end(bytes, i);
                    node_start = false;
                }
                b'!' | b'&' if node_start => {
                    // A tag or an anchor: the node it belongs to still starts after it.
                    while i < bytes.len() && bytes[i] != b' ' {
                        i += 1;
                    }
                    continue;
                }
                b'[' | b'{' if node_start || self.flow > 0 => {
                    self.flow += 1;
                    if self.too_deep() {
                        return Err(i);
                    }
                    node_start = true;
                }
                b']' | b'}' if self.flow > 0 => {
                    self.flow -= 1;
                    node_start = false;
                }
                b',' if self.flow > 0 => node_start = true,
                b':' if self.flow > 0 || bytes.get(i + 1).is_none_or(|c| *c == b' ') => node_start = true,
                b'-' | b'?' if node_start && is_indicator(bytes, i, b"-?") => {}
                b'|' | b'>' if node_start && self.flow == 0 => {
                    self.block_scalar = Some(self.block_scalar_owner(i, lead));
                    break;
                }
                _ => node_start = false,
            }
            i += 1;
        }
        Ok(())
    }

    /// The column of the node owning a block scalar that starts at `i`: the key before it, or the `- ` entry when
    /// it is the entry's value; its lines are those indented deeper.
    fn block_scalar_owner(&self, i: usize, lead: usize) -> usize {
        let n = self.indents.len();
        match self.indents.last() {
            Some(&c) if c == i && n >= 2 => self.indents[n - 2],
            Some(&c) => c,
            None => lead,
        }
    }
}

/// Whether `bytes[i]` is one of `indicators` standing alone (followed by a space or the line's end).
fn is_indicator(bytes: &[u8], i: usize, indicators: &[u8]) -> bool {
    bytes.get(i).is_some_and(|b| indicators.contains(b)) && bytes.get(i + 1).is_none_or(|c| *c == b' ')
}

/// The index of the quote closing the quoted scalar that opens at `start` (`''` and `\"` escapes skipped), or
/// the line's end when it goes on.
fn quoted_end(bytes: &[u8], start: usize) -> usize {
    let q = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        if q == b'"' && bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == q {
            if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_a_yaml_1_1_reader_would_retype_are_quoted() {
        for s in [
            "y",
            "Y",
            "n",
            "yes",
            "No",
            "ON",
            "off",
            "true",
            "False",
            "~",
            "null",
            "",
            "0x1F",
            "0X1F",
            "+0x1F",
            "0o17",
            "0b101",
            "012",
            "08",
            "1_000",
            "0x_1F",
            "1e3",
            "6.02e23",
            "1.10",
            ".5",
            "5.",
            "1e400",
            ".inf",
            "-.inf",
            ".nan",
            "12:30",
            "190:20:30.15",
            "2001-12-14",
            "2001-12-14t21:59:43.10-05:00",
            "<<",
            "=",
            "-",
            "- a",
            "a: b",
            "a:",
            "a #b",
            "#a",
            "say \"on\"",
            "back\\slash",
            " a",
            "a ",
            "@a",
            "`a",
            "!a",
            "&a",
            "*a",
            "|",
            ">",
            "%a",
            "[a]",
            "{a}",
            "a\nb",
            "tab\tin",
            "nel\u{85}",
            "ls\u{2028}",
            "\u{feff}bom",
            "'a'",
            "\"a\"",
            "?a",
            "a:",
        ] {
            assert!(!plain_ok(s), "{s:?} must be quoted");
            let doc = emit(&json!({ "k": s }));
            let back: serde_yaml::Value = serde_yaml::from_str(&doc).unwrap();
            assert_eq!(back["k"].as_str(), Some(s), "{doc}");
        }
        for s in [
            "coredns",
            "app.kubernetes.io/name",
            "/spec/replicas",
            "Cluster DNS (primary), v2",
            "inf",
            "https://x.io:443/a",
            "run `a` $b",
        ] {
            assert!(plain_ok(s), "{s:?} may stay plain");
        }
    }

    /// The scalar writer as it was before it scanned bytes and wrote into one string (BENCHMARKS.md): the same
    /// text for every string.
    fn scalar_as_before(s: &str) -> String {
        let plain = s
            .as_bytes()
            .first()
            .is_some_and(|f| f.is_ascii_alphabetic() || *f == b'/')
            && s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b" -._/(),=+@%;:`$".contains(&c))
            && !s.ends_with([' ', ':'])
            && !s.contains(": ")
            && !s.contains("  ")
            && !WORDS.iter().any(|w| w.eq_ignore_ascii_case(s));
        if plain {
            s.to_string()
        } else if s.contains(['"', '\\']) && !s.contains(['\n', '\t']) && !s.chars().any(needs_escape) {
            format!("'{}'", s.replace('\'', "''"))
        } else {
            let mut q = String::from('"');
            for c in s.chars() {
                match c {
                    '"' => q.push_str("\\\""),
                    '\\' => q.push_str("\\\\"),
                    '\n' => q.push_str("\\n"),
                    '\t' => q.push_str("\\t"),
                    '\r' => q.push_str("\\r"),
                    c if needs_escape(c) => q.push_str(&format!("\\u{:04X}", c as u32)),
                    c => q.push(c),
                }
            }
            q.push('"');
            q
        }
    }

    proptest::proptest! {
        #[test]
        fn scalars_are_written_as_before(s in "[a-zA-Z0-9 :/\"'\\\\\n\t\r\u{0}-\u{1f}\u{7f}-\u{a0}\u{2028}\u{feff}\u{fffe}é{}$`#-]{0,12}") {
            proptest::prop_assert_eq!(scalar(&s), scalar_as_before(&s));
            let literal_before = {
                let body = s.strip_suffix('\n').unwrap_or(&s);
                body.contains('\n')
                    && !body.ends_with('\n')
                    && !body.starts_with([' ', '\n'])
                    && body.split('\n').all(|l| l.is_empty() || !l.trim().is_empty())
                    && body.split('\n').all(|l| !l.ends_with(' '))
                    && s.chars().all(|c| c == '\n' || !needs_escape(c))
            };
            proptest::prop_assert_eq!(literal_ok(&s), literal_before);
        }
    }

    #[test]
    fn an_entry_of_written_text_is_the_entry_the_writer_writes() {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            "[a-z :#'\"\n-]{0,12}".prop_map(Value::String),
        ];
        let tree = leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec(("[a-z]{1,3}", inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        });
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        runner
            .run(&(tree, 0..3usize), |(v, depth)| {
                let at = depth * 2;
                let mut whole = String::new();
                block(&mut whole, &serde_json::json!({ "values": v }), at, false);
                let mut spliced = String::new();
                entry_written(&mut spliced, "values", &v, &emit(&v), at);
                prop_assert_eq!(spliced, whole);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn layout_follows_serde_yaml() {
        let v =
            json!({"a": 1, "b": [1, {"c": "on", "d": []}, [2, 3]], "e": {"f": {}}, "g": null, "h": 0.5, "i": 1e300});
        assert_eq!(
            emit(&v),
            "a: 1\nb:\n- 1\n- c: \"on\"\n  d: []\n- - 2\n  - 3\ne:\n  f: {}\ng: null\nh: 0.5\ni: 1.0e+300\n"
        );
        assert_eq!(
            emit(&json!({"p": "- op: add\n  path: /x\n"})),
            "p: |\n  - op: add\n    path: /x\n"
        );
        assert_eq!(emit(&json!(["a\n\nb"])), "- |-\n  a\n\n  b\n");
        assert_eq!(emit(&json!(" lead\nx\n")), "\" lead\\nx\\n\"\n");
    }

    #[test]
    fn bounds_count_block_and_flow_nesting() {
        let deep_flow = format!("a: {}1{}\n", "[".repeat(100), "]".repeat(100));
        assert!(check_bounds(&deep_flow, SMALL).is_err());
        let mut deep_block = String::new();
        for n in 0..100 {
            deep_block.push_str(&format!("{}k{n}:\n", " ".repeat(n)));
        }
        assert!(check_bounds(&deep_block, SMALL).is_err());
        let compact = format!("{}a\n", "- ".repeat(100));
        assert!(check_bounds(&compact, SMALL).is_err());
        let tagged = format!("a: {}1{}\n", "!t &x [".repeat(100), "]".repeat(100));
        assert!(check_bounds(&tagged, SMALL).is_err());
        let fine = "a:\n  b: [1, {c: \"[[[[\"}]\n  d: 'it''s [ fine'\n  e: |\n    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n  f: a[b # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n";
        assert_eq!(check_bounds(fine, SMALL), Ok(()));
        let shipped = include_str!("../catalog/cluster.yaml");
        assert_eq!(check_bounds(shipped, SMALL), Ok(()));
        assert!(check_bounds(&"a".repeat((1 << 20) + 1), SMALL).is_err());
    }
}
