//! Diagnostics: what the user reads when something is wrong, with the attribute it is about.
//!
//! Every user-facing failure becomes a [`Diagnostic`] with a short summary and a detail that
//! says what to do next. Raw gRPC statuses are never used for those. Tokens never appear here.

use std::fmt;

use crate::grafana;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One step into a value: an attribute, a map key or a list index (a block of a list: `rule[0]`).
/// Converted at the protocol boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Attr(String),
    Key(String),
    Index(i64),
}

/// A path to an attribute, e.g. `config_json` or `inputs["DS_PROM"]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrPath(pub Vec<Step>);

impl AttrPath {
    pub fn attr(name: &str) -> AttrPath {
        AttrPath(vec![Step::Attr(name.to_string())])
    }
    /// This path, then attribute (or block) `name`: `rule[0].data`.
    pub fn then(&self, name: &str) -> AttrPath {
        let mut p = self.clone();
        p.0.push(Step::Attr(name.to_string()));
        p
    }
    /// This path, then element `i` of a list (a list block's `i`th block).
    pub fn index(&self, i: usize) -> AttrPath {
        let mut p = self.clone();
        p.0.push(Step::Index(i as i64));
        p
    }
    /// This path, then the element of a map at `key`.
    #[allow(dead_code, reason = "a protocol path step; no diagnostic points into a map yet")]
    pub fn key(&self, key: &str) -> AttrPath {
        let mut p = self.clone();
        p.0.push(Step::Key(key.to_string()));
        p
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A user's value quoted in a diagnostic, bounded: a long one (a 2,000-character name, a whole
/// JSON model) is cut at [`QUOTED_CHARS`] characters and its length in bytes given instead.
pub fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTED_CHARS) {
        None => format!("{s:?}"),
        Some((cut, _)) => format!("{:?}… ({} bytes)", &s[..cut], s.len()),
    }
}

/// How much of a user's value a diagnostic quotes.
pub const QUOTED_CHARS: usize = 60;

/// A length check against one of Grafana's limits, which Grafana counts in bytes (Go's `len`):
/// `what` is e.g. "`name`".
pub fn too_long(what: &str, value: &str, max: usize) -> Option<String> {
    (value.len() > max).then(|| {
        format!(
            "{what} is {} bytes long ({}); Grafana accepts at most {max} bytes: shorten it.",
            value.len(),
            quote(value)
        )
    })
}

/// A write-only attribute set for a client that cannot keep it out of state; `alternative`
/// names the sibling that works everywhere, if there is one.
pub fn write_only_unsupported(path: &AttrPath, alternative: &str) -> Diagnostic {
    Diagnostic::error(
        "Write-only attribute not supported by this Terraform",
        format!(
            "`{path}` is write-only: its value must never be stored in state, and this Terraform or OpenTofu version \
                cannot guarantee that. Use Terraform ≥ 1.11 or OpenTofu ≥ 1.11, or remove `{path}`{alternative}."
        ),
    )
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, summary: summary.into(), detail: detail.into(), path: None }
    }
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, summary: summary.into(), detail: detail.into(), path: None }
    }
    pub fn at(mut self, path: AttrPath) -> Diagnostic {
        self.path = Some(path);
        self
    }
    pub fn at_attr(self, name: &str) -> Diagnostic {
        self.at(AttrPath::attr(name))
    }
}

/// An accumulator passed through every lifecycle call.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// The one place a Grafana API error becomes a diagnostic. `action` reads like
/// "Could not create folder \"team-a\"".
/// The Grafana client could not be built from the provider's settings: at the setting at fault.
pub fn config_error(err: &grafana::Error) -> Diagnostic {
    let d = Diagnostic::error("Invalid provider configuration", err.to_string());
    match err {
        grafana::Error::Config { setting, .. } => d.at_attr(setting),
        _ => d,
    }
}

pub fn api_error(action: impl fmt::Display, err: &grafana::Error) -> Diagnostic {
    use grafana::Error as E;
    let amg_hint;
    let hint = match err.root() {
        E::Api { status: 403, role: Some(role), .. } => {
            amg_hint = format!(
                "Grafana refused the token the provider minted with AMG-native auth, which has the {role} role \
                    (`grafana_role`). Data sources need ADMIN; folders and dashboards need EDITOR or ADMIN; VIEWER can \
                    only read. Set `grafana_role` to the role this needs (ADMIN, the default, does everything), or \
                    leave this object to a configuration that has it."
            );
            amg_hint.as_str()
        }
        E::Api { status: 401, role: Some(_), .. } => {
            "Grafana refused the token the provider minted with AMG-native auth, and the new one it minted too. Check \
                that `workspace_id` and `region` name the workspace whose Grafana this is, and that nothing deletes \
                the provider's service account (`terraform-provider-grafana-<role>`) while it runs."
        }
        E::Api { status: 401, .. } => {
            "Grafana did not accept the credentials. Check the provider's `auth` (or GRAFANA_AUTH): the token may be \
                expired, revoked or for another workspace."
        }
        E::Api { status: 403, .. } => {
            "The token's role lacks permission for this. Use a token of a service account with the Admin role (Editors \
                cannot manage data sources; Viewers cannot save)."
        }
        E::Api { status: 409 | 412, .. } => {
            "Another object already uses this name or uid, or it changed since Terraform last read it. Run `terraform \
                plan` again to see the current state."
        }
        E::Transport { reason, .. } if reason.to_lowercase().contains("certificate") => {
            "Grafana's TLS certificate could not be verified. If a private CA signed it, set the provider's `ca_cert` \
                (or GRAFANA_CA_CERT) to that CA's PEM."
        }
        E::Transport { timed_out: true, .. } => {
            "Grafana accepted the connection but did not answer in time. Reads are retried; writes are never repeated \
                blindly, as Grafana may have acted on them: the provider read back what Grafana holds instead. Check \
                the workspace's status and the network path, then apply again."
        }
        E::Transport { connect: true, .. } => {
            "Grafana could not be reached. Check `url` (scheme, host and port) and the network path; the provider \
                retried the connection a few times."
        }
        E::Transport { .. } => {
            "The connection to Grafana was lost before its answer arrived. Reads are retried; writes are never \
                repeated blindly: where it mattered the provider read back what Grafana holds. Apply again to \
                converge."
        }
        E::Api { status: 429 | 500..=599, .. } => {
            "Grafana was unavailable or asked to slow down; the provider retried what was safe to retry. Try again; if \
                it persists, check the workspace status."
        }
        E::Credentials(source) => {
            amg_hint = format!(
                "This comes from the provider block's AMG-native auth, not from this resource: the argument to look at \
                    is the provider's `{}`.",
                source.setting
            );
            amg_hint.as_str()
        }
        E::Stopped => "Terraform asked the provider to stop; nothing more was sent to Grafana.",
        E::IsFolder { .. } => {
            "Manage or look it up as a folder: `grafana_folder` (`terraform import grafana_folder.<name> <uid>`, or \
                the `grafana_folder` data source)."
        }
        _ => "",
    };
    let detail = if hint.is_empty() { err.to_string() } else { format!("{err}\n\n{hint}") };
    Diagnostic::error(action.to_string(), detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana::Error as E;

    #[test]
    fn an_amg_auth_failure_names_the_provider_argument_to_look_at() {
        let e = E::Credentials(grafana::SourceError::at("region", "No AWS region: set `region`."));
        let d = api_error("Could not create folder \"f\"", &e);
        assert_eq!(d.summary, "Could not create folder \"f\"");
        assert!(d.detail.starts_with("No AWS region") && d.detail.contains("the provider's `region`"), "{}", d.detail);
        assert!(d.path.is_none(), "a resource's diagnostic can only point into that resource's configuration");
    }

    #[test]
    fn a_long_value_is_quoted_cut_with_its_length() {
        assert_eq!(quote("AMP"), "\"AMP\"");
        let long = "é".repeat(2000);
        let q = quote(&long);
        assert!(q.len() < 200 && q.ends_with("… (4000 bytes)"), "{q}");
        let why = too_long("`name`", &"n".repeat(191), 190).unwrap();
        assert!(why.contains("191 bytes long") && why.contains("at most 190 bytes") && why.len() < 200, "{why}");
        assert_eq!(too_long("`name`", &"n".repeat(190), 190), None);
        // Bytes, as Grafana counts: 100 two-byte characters are 200 bytes.
        assert!(too_long("`name`", &"é".repeat(100), 190).is_some());
    }

    fn api(status: u16, message: &str) -> E {
        E::Api { status, message: message.into(), reason: None, retry_after: None, role: None }
    }

    fn transport(connect: bool, tls: bool, timed_out: bool, reason: &str) -> E {
        E::Transport {
            method: "POST".into(),
            path: "/api/folders".into(),
            reason: reason.into(),
            connect,
            tls,
            timed_out,
            note: String::new(),
        }
    }

    #[test]
    fn grafana_errors_become_diagnostics_that_say_what_to_do() {
        let table: Vec<(E, &str)> = vec![
            (api(401, "Invalid API key"), "Check the provider's `auth`"),
            (api(403, "Access denied"), "service account with the Admin role"),
            (api(409, "exists"), "already uses this name or uid"),
            (api(412, "changed"), "already uses this name or uid"),
            (api(503, "Service Unavailable"), "retried what was safe to retry"),
            (api(429, "Too Many Requests"), "retried what was safe to retry"),
            (transport(true, true, false, "invalid peer certificate: UnknownIssuer"), "set the provider's `ca_cert`"),
            (transport(false, false, true, "no answer within 30 s (timed out)"), "did not answer in time"),
            (transport(true, false, false, "connection refused"), "could not be reached"),
            (transport(false, false, false, "connection closed before message completed"), "lost before its answer"),
            (E::Stopped, "Terraform asked the provider to stop"),
            (
                E::Version {
                    url: "https://g/api/frontend/settings".into(),
                    reason: "401".into(),
                    source: Box::new(api(401, "x")),
                },
                "Check the provider's `auth`",
            ),
        ];
        for (e, hint) in table {
            let d = api_error("Could not create folder \"a\"", &e);
            assert_eq!(d.severity, Severity::Error);
            assert_eq!(d.summary, "Could not create folder \"a\"");
            assert!(d.detail.starts_with(&e.to_string()), "the error itself comes first: {}", d.detail);
            assert!(d.detail.contains(hint), "{e:?} → {}", d.detail);
        }
        // An error no hint fits is shown as it is.
        let d = api_error("x", &api(400, "folder title cannot be empty"));
        assert_eq!(d.detail, "Grafana answered 400: folder title cannot be empty");
    }
}
