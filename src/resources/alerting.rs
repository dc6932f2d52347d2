//! What the alerting types keyed by name share: import ids `name` and `orgID:name`, the
//! identity `{name}`, the `disable_provenance` attribute and how Grafana's `provenance` reads
//! back into it, and the diagnostics for a name already taken or a provenance Grafana keeps.

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Attr, Model};
use crate::schema::{Attribute, IdentitySchema};
use crate::value::Value;

crate::model! {
    /// The identity of an alerting object keyed by name.
    pub struct NameIdentity {
        name: String,
    }
}

/// `{name}`: the identity of an alerting object keyed by name.
pub fn name_identity_schema(description: &'static str) -> IdentitySchema {
    crate::resources::text_identity_schema("name", description)
}

/// The name an import id `<name>` or `<orgID>:<name>` names (a prefix that is not a number is
/// part of the name); only organisation 1 exists on AMG.
pub fn name_of_import_id<'a>(id: &'a str, kind: &str, diags: &mut Diagnostics) -> Option<&'a str> {
    match id.split_once(':') {
        Some(("0" | "1", name)) => Some(name),
        Some((org, _)) if !org.is_empty() && org.bytes().all(|b| b.is_ascii_digit()) => {
            diags.push(Diagnostic::error(
                "Invalid import id",
                format!(
                    "Import a {kind} by its name (`<name>` or `1:<name>`): organisation {org:?} is not supported; AMG \
                        workspaces have organisation 1 only."
                ),
            ));
            None
        }
        _ => Some(id),
    }
}

/// The name in an identity object `{name}`.
pub fn name_of_identity(identity: &Value) -> String {
    NameIdentity::decode(identity).name.as_str().unwrap_or_default().to_string()
}

/// `disable_provenance`, as every alerting type has it.
pub fn disable_provenance_attribute() -> Attribute {
    Attribute::bool("disable_provenance").default(Value::Bool(false)).requires_replace().describe(
        "Leave the object editable in Grafana's UI (the `X-Disable-Provenance` header). Grafana 12 refuses to change \
            an object's provenance in place, so changing this replaces the object. Defaults to `false`.",
    )
}

/// `disable_provenance` read back from Grafana's `provenance` (none: editable), or the prior
/// value where Grafana does not say.
pub fn provenance_read_back(provenance: Option<&str>, prior: &Attr<bool>) -> Attr<bool> {
    match provenance {
        Some(p) => Attr::from(p.is_empty()),
        None => Attr::from(prior.is_true()),
    }
}

/// A create refused because Grafana holds an object of that name: how to adopt it instead.
pub fn already_exists(kind: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("The {kind} already exists"),
        format!(
            "Grafana already holds a {kind} named {name:?}. To manage it with Terraform, import it: `terraform import \
                <address> {name:?}` (or an `import` block with `id = \"{name}\"`); otherwise choose another `name`."
        ),
    )
    .at_attr("name")
}

/// Grafana refused a write because the object has another provenance.
pub fn provenance_refused(kind: &str, name: &str, message: &str) -> Diagnostic {
    Diagnostic::error(
        format!("The {kind}'s provenance cannot change"),
        format!(
            "Grafana holds {kind} {name:?} with another provenance than this write asks for (Grafana: {message}). Set \
                `disable_provenance` to match how it was made, or delete it in Grafana and apply again."
        ),
    )
    .at_attr("disable_provenance")
}
