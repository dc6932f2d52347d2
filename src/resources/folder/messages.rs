//! What `grafana_folder` says when Grafana refuses: each refusal a named constructor, at the
//! attribute to change, and the predicates that tell Grafana's answers apart.

use super::FolderModel;
use crate::diag::{Diagnostic, api_error};
use crate::grafana::{self, Client, Folder};

/// The folder an existing uid belongs to, and how to adopt it.
pub(super) fn uid_taken(existing: &Folder) -> Diagnostic {
    Diagnostic::error(
        "A folder with this uid already exists",
        format!(
            "Grafana already has folder {:?} titled {}. Another resource in this configuration may manage it: give \
                each folder a distinct uid. If it is not managed here: to manage it with Terraform, import it \
                (`terraform import <address> {}`, or an import block); or give this folder another uid.",
            existing.uid,
            crate::diag::quote(&existing.title),
            existing.uid
        ),
    )
    .at_attr("uid")
}

/// Grafana 10.4's rule that a folder may not take the title of a dashboard in the General folder
/// (where every 10.4 folder sits), told by its answer: 400 and its message.
pub(super) fn titled_like_a_dashboard(e: &grafana::Error) -> Option<Diagnostic> {
    let grafana::Error::Api { status: 400, message, .. } = e.root() else { return None };
    message.contains("cannot be the same as one of its dashboards").then(|| {
        Diagnostic::error(
            "A folder may not have a dashboard's title on Grafana 10.4",
            "Grafana 10.4 refuses a folder titled like a dashboard in the General folder (titles are compared as URL \
                slugs, so case and punctuation do not tell them apart). Nothing was saved. Rename the folder, or \
                rename that dashboard or move it into a folder; Grafana 11.3 and later have no such rule.",
        )
        .at_attr("title")
    })
}

/// Grafana refused a write made from a version that is no longer the folder's: 412, with
/// 10.x's reason `version-mismatch` or 12.x's none.
pub(super) fn version_moved_on(e: &grafana::Error) -> bool {
    let mismatch = |r: &Option<String>| r.as_deref().is_none_or(|r| r == "version-mismatch");
    matches!(e, grafana::Error::Api { status: 412, reason, .. } if mismatch(reason))
}

/// A rename refused because the folder changed in Grafana after Terraform read it (`now` says
/// how): nothing is lost, and the next plan shows the difference.
pub(super) fn changed_since_read(uid: &str, now: &str, title: &str) -> Diagnostic {
    Diagnostic::error(
        "The folder changed in Grafana since Terraform read it",
        format!(
            "Folder {uid:?} {now}, so it was not renamed to {title:?}, to keep from losing that change. Run `terraform \
                plan` to see the difference; the next apply renames it to the configured title."
        ),
    )
    .at_attr("title")
}

/// A refused create, naming the object in the way where Grafana's answer allows.
pub(super) async fn create_error(client: &Client, planned: &FolderModel, uid: &str, e: &grafana::Error) -> Diagnostic {
    let title = planned.title.as_str().unwrap_or_default();
    if let Some(d) = titled_like_a_dashboard(e) {
        return d;
    }
    // The folder itself cannot be missing yet: a 404 is about the parent.
    if let (true, Some(parent)) = (is_not_found(e), planned.parent_folder_uid.as_str()) {
        return missing_parent(parent, e);
    }
    if let grafana::Error::Api { status: 409, message, .. } = e {
        if message.contains("same uid")
            && let Ok(existing) = client.get_folder(uid).await
        {
            return uid_taken(&existing);
        }
        if message.contains("same name") {
            let found = client.find_folders_by_title(title.trim()).await.unwrap_or_default();
            let named = found
                .iter()
                .map(|f| format!("{} (uid {})", crate::diag::quote(&f.title), f.uid))
                .collect::<Vec<_>>()
                .join(", ");
            let import = found.first().map_or(String::new(), |f| format!(" (`terraform import <address> {}`)", f.uid));
            return Diagnostic::error(
                "A folder with this title already exists",
                format!(
                    "Grafana 10.4 requires top-level folder titles to be unique, and {} already uses {}. Another \
                        resource in this configuration may manage it: when two folders swap titles, rename in two \
                        applies (first to a free title). If it is not managed here, import that folder to manage \
                        it{import}, or choose another title.",
                    if named.is_empty() { "another folder".to_string() } else { format!("folder {named}") },
                    crate::diag::quote(title.trim())
                ),
            )
            .at_attr("title");
        }
    }
    api_error(format!("Could not create folder {}", crate::diag::quote(title)), e)
}

pub(super) fn is_not_found(e: &grafana::Error) -> bool {
    matches!(e.root(), grafana::Error::Api { status: 404, .. })
}

/// Grafana answered 404 to a create or move under `parent`: no folder has that uid.
pub(super) fn missing_parent(parent: &str, e: &grafana::Error) -> Diagnostic {
    Diagnostic::error(
        "The parent folder does not exist",
        format!(
            "No folder has the uid {} that `parent_folder_uid` names ({e}). Refer to the parent's resource \
                (`parent_folder_uid = grafana_folder.<name>.uid`), so that Terraform creates it first, or correct \
                the uid.",
            crate::diag::quote(parent)
        ),
    )
    .at_attr("parent_folder_uid")
}

/// Grafana refuses to delete a folder that holds alert rules (it would take them with it).
pub(super) fn holds_rules(uid: &str) -> Diagnostic {
    Diagnostic::error(
        "Folder holds alert rules",
        format!(
            "Grafana refuses to delete folder {uid:?} while it holds alert rules, and nothing was deleted. Destroy the \
                `grafana_rule_group` resources in it first: Terraform does, in the same run, when they name the folder \
                as `folder_uid = grafana_folder.<name>.uid`. Rule groups Terraform does not manage must be deleted or \
                moved in Grafana."
        ),
    )
}
