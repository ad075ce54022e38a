//! Free text (a component's purpose and impact, names, URLs) made safe for each place hagen writes it: a YAML
//! comment, a Markdown table cell, a shell command line, a Go template (Prometheus annotations). The catalogue
//! already refuses control characters in every field; these escapes hold even if it did not.

/// Text for one line of a `#` comment: every line break and control character becomes a space, so nothing after
/// it can become a YAML key.
pub fn comment(s: &str) -> String {
    // Printable ASCII needs no change (almost every line hagen writes).
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `n` and a noun, plural unless `n` is 1 (`1 component`, `2 components`); the plural adds an `s`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Text for a Markdown table cell: on one line, `|` escaped, and no raw HTML.
pub fn markdown_cell(s: &str) -> String {
    comment(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
}

/// One shell word: left as is when it holds only characters no POSIX shell treats specially, else single-quoted
/// (a `'` inside becomes `'\''`).
pub fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Text shown literally by a Go template (Prometheus expands annotations as templates): only `{{` starts an
/// action, so each one is written as the action `{{ "{{" }}`, which prints it.
pub fn go_template_literal(s: &str) -> String {
    s.replace("{{", r#"{{ "{{" }}"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_destination_escapes_what_it_reads() {
        assert_eq!(comment("a\nimage: evil\r\u{2028}x"), "a image: evil  x");
        assert_eq!(markdown_cell("a | b\n<script>"), "a \\| b &lt;script>");
        assert_eq!(shell_word("https://x.io/charts"), "https://x.io/charts");
        assert_eq!(shell_word("a; rm -rf ~"), "'a; rm -rf ~'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(
            go_template_literal("{{ $value }} and {{{"),
            r#"{{ "{{" }} $value }} and {{ "{{" }}{"#
        );
    }
}
