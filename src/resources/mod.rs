//! Managed resource types, one file each, read top-down: schema → validate/plan → create,
//! read, update, delete → import → helpers → tests.

use std::sync::Arc;

use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::Resource;
use crate::model::{Attr, Model};
use crate::schema::{IdentityAttribute, IdentitySchema};
use crate::value::{Type, Value};

pub mod dashboard;
pub mod datasource;
pub mod folder;

/// Every resource type this provider serves.
pub fn all() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(folder::FolderResource),
        Arc::new(dashboard::DashboardResource),
        Arc::new(datasource::DataSourceResource { type_name: "grafana_datasource" }),
        // The official provider's name for the same resource: its configurations run unchanged.
        Arc::new(datasource::DataSourceResource { type_name: "grafana_data_source" }),
    ]
}

pub use crate::grafana::check_uid;

/// A fresh uid for an object whose configuration sets none: `tf` and 24 random hex digits.
///
/// Chosen by the provider at apply time (never derived from the content: two resources with the
/// same content must not share one object), and sent with the create, so a create whose answer
/// is lost is confirmed by reading this uid back rather than repeated.
pub fn new_uid() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 12];
    ring::rand::SystemRandom::new().fill(&mut b).expect("the system's random source");
    format!("tf{}", b.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The state to keep after a create that may have happened but could not be confirmed (the
/// answer was lost and reading back failed too, or Terraform stopped the provider): the
/// planned values with the uid that was sent, and an error. Terraform records it as tainted,
/// so the next apply deletes that uid (if it exists) and creates again: never a duplicate, never
/// an orphan.
pub fn unconfirmed_create(kind: &str, planned: &Value, uid: &str, err: &crate::grafana::Error) -> (Value, Diagnostic) {
    let mut s = planned.unknowns_to_null();
    s.set("uid", Value::string(uid));
    let why = crate::diag::api_error("", err).detail;
    let d = Diagnostic::error(
        format!("Could not confirm that the {kind} {uid:?} was created"),
        format!(
            "{why}\n\nGrafana may have created it. It is recorded in the state as tainted, so the next apply removes uid {uid:?} if it exists and creates it again, without leaving a copy behind."
        ),
    );
    (s, d)
}

/// Splits an import id `uid` or `orgID:uid`; only organisation 1 exists on AMG.
pub fn parse_import_id(id: &str) -> Result<String, String> {
    let uid = match id.split_once(':') {
        None => id,
        Some(("1", uid)) => uid,
        Some((org, _)) => {
            return Err(format!(
                "organisation {org:?} is not supported; AMG workspaces have organisation 1 only, so use `<uid>` or `1:<uid>`"
            ));
        }
    };
    check_uid(uid).map_err(|e| format!("the uid {uid:?} {e}"))?;
    Ok(uid.to_string())
}

/// The identity of every uid-keyed Grafana object: `{uid}`.
pub fn uid_identity_schema(description: &'static str) -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![IdentityAttribute { name: "uid", ty: Type::String, description, required_for_import: true }],
    }
}

/// `{uid}` from a state.
pub fn uid_identity(uid: &Attr<String>) -> Value {
    UidIdentity { uid: uid.clone() }.encode()
}

crate::model! {
    /// The identity of every uid-keyed Grafana object.
    pub struct UidIdentity {
        uid: String,
    }
}

/// The uid of an identity object (`import { identity = { uid = … } }`).
pub fn identity_uid(identity: &Value) -> String {
    UidIdentity::decode(identity).uid.as_str().unwrap_or_default().to_string()
}

/// The uid in an import id, or an error diagnostic saying how to import a `kind`.
pub fn import_uid(kind: &str, id: &str, diags: &mut Diagnostics) -> Option<String> {
    match parse_import_id(id) {
        Ok(uid) => Some(uid),
        Err(e) => {
            diags.push(Diagnostic::error(
                "Invalid import id",
                format!("Import a {kind} by its uid (`<uid>` or `1:<uid>`): {e}."),
            ));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_resource_model_matches_its_schema() {
        for r in super::all() {
            crate::model::check_against_schema(r.type_name(), r.model_attributes(), &r.schema()).unwrap();
        }
    }
}
