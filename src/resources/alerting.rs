//! What the alerting types keyed by name share: import ids `name` and `orgID:name`, the
//! identity `{name}`, the `disable_provenance` attribute and how Grafana's `provenance` reads
//! back into it, and the diagnostics for a name already taken or a provenance Grafana keeps.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{ListMemo, Listed, Lister, Page};
use crate::grafana::{Client, Error};
use crate::model::{Attr, Model};
use crate::resources::listing::whole;
use crate::schema::{Attribute, IdentityAttribute, IdentitySchema, Schema};
use crate::value::{Type, Value};

crate::model! {
    /// The identity of an alerting object keyed by name.
    pub struct NameIdentity {
        name: String,
    }
}

/// `{name}`: the identity of an alerting object keyed by name.
pub fn name_identity_schema(description: &'static str) -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![IdentityAttribute { name: "name", ty: Type::String, description, required_for_import: true }],
    }
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

/// The names Grafana holds of one alerting type, from one request.
pub type Names<'a> = Pin<Box<dyn Future<Output = Result<Vec<String>, Error>> + Send + 'a>>;

/// `list "<type>"` for an alerting type keyed by name: every object, in one request, its name
/// both the import id and what a person reads.
pub struct ByName {
    /// The list resource's description.
    pub description: &'static str,
    /// What is listed and how, for an error: "the mute timings (GET …)".
    pub what: &'static str,
    pub names: for<'a> fn(&'a Client) -> Names<'a>,
}

#[async_trait]
impl Lister for ByName {
    fn schema(&self) -> Schema {
        Schema::new(self.description, Vec::new())
    }

    async fn page(
        &self,
        client: &Client,
        _config: &Value,
        _memo: &ListMemo,
        page: usize,
        _size: usize,
        diags: &mut Diagnostics,
    ) -> Option<Page> {
        let listed = |name: String| Some(Listed { id: name.clone(), display_name: name });
        whole(page, || (self.names)(client), self.what, diags, listed).await
    }
}
