//! Flux's post-build substitution: `${VAR}`, `${VAR:=default}` and `${VAR:-default}` in every
//! string of a manifest, `$${VAR}` for a literal `${VAR}`, nothing in a manifest annotated
//! `kustomize.toolkit.fluxcd.io/substitute: disabled`. A variable given with `--var` (or in a Flux
//! `Kustomization`'s `postBuild.substitute` among the manifests) is replaced by its value; any
//! other stays in the text as a marker that becomes a Terraform variable.
//!
//! Names that are Grafana's or the operator's rather than Flux's are left alone: a dashboard's
//! own template variables, `__`-prefixed built-ins, `datasources` input names and `valuesFrom`
//! keys (a Flux tree escapes them, or Flux would have emptied them before the operator saw them).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Brackets a variable's name where its value is not known: `\u{E000}NAME\u{E001}`.
pub const OPEN: char = '\u{E000}';
pub const CLOSE: char = '\u{E001}';

#[derive(Default)]
pub struct Vars {
    pub given: BTreeMap<String, String>,
    /// Names left to Grafana or the operator.
    pub kept: BTreeSet<String>,
    /// Variables met and not given, with the default the manifest wrote, if any.
    pub unresolved: BTreeMap<String, Option<String>>,
}

impl Vars {
    /// Substitutes every string of a manifest, in place (mapping keys are left as they are).
    pub fn manifest(&mut self, v: &mut Value) {
        let annotation = &v["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/substitute"];
        if annotation.as_str() == Some("disabled") {
            return;
        }
        self.walk(v);
    }

    fn walk(&mut self, v: &mut Value) {
        match v {
            Value::String(s) => {
                let whole = whole_reference(s);
                let out = self.text(s);
                // `isDefault: ${DEFAULT}` with DEFAULT=true is the boolean, as Flux's YAML has it.
                *v = match whole {
                    Some(name) if self.given.contains_key(&name) => match crate::yaml::documents(&out).0.pop() {
                        Some(d) if !d.value.is_object() && !d.value.is_array() && !d.value.is_null() => d.value,
                        _ => Value::String(out),
                    },
                    _ => Value::String(out),
                };
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.walk(x)),
            Value::Object(m) => m.values_mut().for_each(|x| self.walk(x)),
            _ => {}
        }
    }

    /// One string, substituted.
    pub fn text(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            if let Some(tail) = after.strip_prefix("$${") {
                out.push_str("${");
                rest = tail;
                continue;
            }
            match reference(after) {
                Some((name, default, len)) if !self.kept.contains(&name) => {
                    match (self.given.get(&name), &default) {
                        (Some(v), _) => out.push_str(v),
                        (None, _) => {
                            let d = self.unresolved.entry(name.clone()).or_default();
                            if d.is_none() {
                                *d = default;
                            }
                            out.push(OPEN);
                            out.push_str(&name);
                            out.push(CLOSE);
                        }
                    }
                    rest = &after[len..];
                }
                _ => {
                    out.push('$');
                    rest = &after[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// `${NAME}`, `${NAME:=d}`, `${NAME:-d}` at the start of `s`: the name, the default, the length.
fn reference(s: &str) -> Option<(String, Option<String>, usize)> {
    let body = s.strip_prefix("${")?;
    let end = body.find('}')?;
    let inner = &body[..end];
    let (name, default) = match inner.find(":=").or_else(|| inner.find(":-")) {
        Some(i) => (&inner[..i], Some(inner[i + 2..].to_string())),
        None => (inner, None),
    };
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| (name.to_string(), default, end + 3))
}

fn whole_reference(s: &str) -> Option<String> {
    reference(s).filter(|(_, _, len)| *len == s.len()).map(|(n, _, _)| n)
}

/// The names a string holds as `${NAME}` (for the names Grafana and the operator use).
pub fn references(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        if let Some((n, _, len)) = reference(&rest[i..]) {
            out.push(n);
            rest = &rest[i + len..];
        } else {
            rest = &rest[i + 2..];
        }
    }
    out
}

/// The variables a string's markers name, in order.
pub fn markers(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(OPEN) {
        let after = &rest[i + OPEN.len_utf8()..];
        let Some(j) = after.find(CLOSE) else { break };
        out.push(after[..j].to_string());
        rest = &after[j + CLOSE.len_utf8()..];
    }
    out
}

/// A string for people: markers shown as the `${NAME}` the manifest had.
pub fn display(s: &str) -> String {
    s.replace(OPEN, "${").replace(CLOSE, "}")
}

/// Terraform's name for a Flux variable: `AMP_ENDPOINT_URL` is `amp_endpoint_url`.
pub fn tf_name(flux: &str) -> String {
    flux.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn given_variables_are_replaced_others_become_markers_and_escapes_are_literal() {
        let mut vars = Vars::default();
        vars.given.insert("REGION".into(), "eu-west-1".into());
        vars.kept.insert("DS_PROMETHEUS".into());
        let s = vars.text("https://${HOST}/${REGION}/$${LIT} ${DS_PROMETHEUS} ${X:=dflt} $5 ${bad-name}");
        assert_eq!(
            s,
            "https://\u{E000}HOST\u{E001}/eu-west-1/${LIT} ${DS_PROMETHEUS} \u{E000}X\u{E001} $5 ${bad-name}"
        );
        assert_eq!(vars.unresolved, BTreeMap::from([("HOST".into(), None), ("X".into(), Some("dflt".into()))]));
        assert_eq!(markers(&s), vec!["HOST", "X"]);
    }

    #[test]
    fn a_whole_value_substituted_is_read_as_yaml_and_disabled_manifests_are_left_alone() {
        let mut vars = Vars::default();
        vars.given.insert("DEFAULT".into(), "true".into());
        let mut m = json!({"spec": {"isDefault": "${DEFAULT}", "name": "n-${DEFAULT}"}});
        vars.manifest(&mut m);
        assert_eq!(m["spec"], json!({"isDefault": true, "name": "n-true"}));
        let mut off = json!({"metadata": {"annotations": {"kustomize.toolkit.fluxcd.io/substitute": "disabled"}},
            "spec": {"x": "${DEFAULT}"}});
        vars.manifest(&mut off);
        assert_eq!(off["spec"]["x"], "${DEFAULT}");
    }
}
