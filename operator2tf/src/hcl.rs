//! Writing Terraform's native syntax: strings escaped (`${` and `%{` doubled so nothing is
//! interpolated by accident), Flux variables' markers turned into `${var.name}`, JSON values as
//! HCL object and tuple expressions, attributes aligned as `terraform fmt` aligns them.

use serde_json::Value;

use crate::flux::{CLOSE, OPEN, tf_name};

/// The right-hand side of an attribute.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A string; Flux markers in it become variable references.
    Str(String),
    Bool(bool),
    /// An expression written as it is: `grafana_folder.team.uid`, `file("…")`.
    Raw(String),
    /// `jsonencode({ … })` of a JSON value.
    JsonEncode(Value),
    /// An object expression `{ key = value }`, one pair a line.
    Map(Vec<(String, Expr)>),
}

/// A block: `resource "grafana_folder" "team" { … }`, with its attributes, then its blocks.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub header: String,
    pub attrs: Vec<(String, Expr)>,
    pub blocks: Vec<Block>,
}

impl Block {
    pub fn new(header: impl Into<String>, attrs: Vec<(String, Expr)>) -> Block {
        Block { header: header.into(), attrs, blocks: Vec::new() }
    }

    pub fn render(&self) -> String {
        self.render_at(0)
    }

    fn render_at(&self, depth: usize) -> String {
        let pad = "  ".repeat(depth);
        let mut out = format!("{pad}{} {{\n", self.header);
        out.push_str(&attributes(&self.attrs, depth + 1));
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 || !self.attrs.is_empty() {
                out.push('\n');
            }
            out.push_str(&b.render_at(depth + 1));
        }
        out.push_str(&format!("{pad}}}\n"));
        out
    }
}

fn attributes(attrs: &[(String, Expr)], depth: usize) -> String {
    let pad = "  ".repeat(depth);
    let rendered: Vec<(String, String)> = attrs.iter().map(|(k, e)| (key(k), expr(e, depth))).collect();
    let mut out = String::new();
    let mut i = 0;
    while i < rendered.len() {
        // A run of one-line values is aligned on its `=`; a multi-line value stands alone.
        let mut j = i;
        while j < rendered.len() && !rendered[j].1.contains('\n') {
            j += 1;
        }
        let run = if j == i { i + 1 } else { j };
        let width = rendered[i..run].iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        for (k, v) in &rendered[i..run] {
            out.push_str(&format!("{pad}{k:<width$} = {v}\n"));
        }
        i = run;
    }
    out
}

fn key(k: &str) -> String {
    let ident = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident { k.to_string() } else { string(k) }
}

pub fn expr(e: &Expr, depth: usize) -> String {
    match e {
        Expr::Str(s) => string(s),
        Expr::Bool(b) => b.to_string(),
        Expr::Raw(r) => r.clone(),
        Expr::JsonEncode(v) => format!("jsonencode({})", value(v, depth)),
        Expr::Map(pairs) if pairs.is_empty() => "{}".to_string(),
        Expr::Map(pairs) => format!("{{\n{}{}}}", attributes(pairs, depth + 1), "  ".repeat(depth)),
    }
}

/// A JSON value as an HCL expression (objects one key a line).
pub fn value(v: &Value, depth: usize) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(a) if a.is_empty() => "[]".to_string(),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(|x| value(x, depth)).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(m) if m.is_empty() => "{}".to_string(),
        Value::Object(m) => {
            let pairs: Vec<(String, Expr)> =
                m.iter().map(|(k, v)| (k.clone(), Expr::Raw(value(v, depth + 1)))).collect();
            format!("{{\n{}{}}}", attributes(&pairs, depth + 1), "  ".repeat(depth))
        }
    }
}

/// A quoted HCL string; a string that is one Flux marker is the bare `var.name`.
pub fn string(s: &str) -> String {
    if let Some(inner) = s.strip_prefix(OPEN).and_then(|r| r.strip_suffix(CLOSE))
        && !inner.contains(OPEN)
    {
        return format!("var.{}", tf_name(inner));
    }
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("$$"),
            '%' if chars.peek() == Some(&'{') => out.push_str("%%"),
            OPEN => {
                let name: String = chars.by_ref().take_while(|c| *c != CLOSE).collect();
                out.push_str(&format!("${{var.{}}}", tf_name(&name)));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A label or address part from a Kubernetes name: `my-dash.v2` is `my_dash_v2`.
pub fn identifier(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if !s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') {
        s.insert(0, '_');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_escaped_and_flux_markers_become_variable_references() {
        assert_eq!(string("a\"b\\c\n${x} %{y} $z"), r#""a\"b\\c\n$${x} %%{y} $z""#);
        assert_eq!(string("https://\u{E000}AMP_URL\u{E001}/api"), r#""https://${var.amp_url}/api""#);
        assert_eq!(string("\u{E000}REGION\u{E001}"), "var.region");
        assert_eq!(identifier("9-lives.dash"), "_9_lives_dash");
    }

    #[test]
    fn a_block_aligns_one_line_attributes_and_writes_json_as_hcl() {
        let mut b = Block::new(
            "resource \"grafana_data_source\" \"amp\"",
            vec![
                ("name".into(), Expr::Str("AMP".into())),
                ("is_default".into(), Expr::Bool(true)),
                ("json_data_encoded".into(), Expr::JsonEncode(json!({"sigV4Auth": true, "a b": [1, "x"]}))),
            ],
        );
        b.blocks.push(Block::new("rule", vec![("name".into(), Expr::Str("r".into()))]));
        assert_eq!(
            b.render(),
            "resource \"grafana_data_source\" \"amp\" {\n  name       = \"AMP\"\n  is_default = true\n  \
             json_data_encoded = jsonencode({\n    sigV4Auth = true\n    \"a b\"     = [1, \"x\"]\n  })\n\n  rule {\n    name = \"r\"\n  }\n}\n"
        );
    }
}
