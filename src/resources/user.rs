//! `grafana_user`, served only to refuse it: on AMG users come from IAM Identity Center or
//! SAML and appear in Grafana on their first sign-in ("user assignment and user access
//! management from the Grafana workspace is not supported", AMG user guide), so a user with a
//! password cannot be made. The official provider's schema is accepted so its configurations
//! parse, and every one is refused at validate, with no call, pointing to the lookup
//! `data "grafana_user"`.

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{Ctx, ReadOutcome, Resource};
use crate::model::Model;
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub struct UserResource;

crate::model! {
    /// The official `grafana_user`'s attributes.
    pub struct UserModel {
        email: String,
        name: String,
        login: String,
        password: String,
        is_admin: bool,
        user_id: i64,
        id: String,
    }
}

#[async_trait]
impl Resource for UserResource {
    fn type_name(&self) -> &'static str {
        "grafana_user"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "**Refused on AMG.** AMG workspaces get their users from IAM Identity Center or SAML: a user appears in \
                Grafana the first time they sign in, and cannot be made with a password. Every configuration of this \
                type is refused at plan, with nothing written. To refer to a user, look them up with \
                `data \"grafana_user\"` (by `email`, `login` or `user_id`) once they have signed in; give access \
                through the IAM Identity Center users and groups assigned to the workspace. The official provider's \
                attributes are accepted so its configurations parse.",
            vec![
                Attribute::string("email").required().describe("The official provider's user email."),
                Attribute::string("name").optional().describe("The official provider's display name."),
                Attribute::string("login").optional_computed().describe("The official provider's login."),
                Attribute::string("password")
                    .required()
                    .sensitive()
                    .describe("The official provider's password: AMG users have none."),
                Attribute::bool("is_admin").optional().describe("The official provider's server admin flag."),
                Attribute::number("user_id").computed().describe("The official provider's user id."),
                Attribute::string("id").computed().describe("The official provider's id."),
            ],
        )
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        UserModel::attributes()
    }

    fn refusal(&self) -> Option<Diagnostic> {
        Some(refused())
    }

    async fn create(&self, _ctx: &Ctx<'_>, _planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        diags.push(refused());
        None
    }

    async fn read(&self, _ctx: &Ctx<'_>, _prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        diags.push(refused());
        ReadOutcome::Failed
    }

    async fn update(&self, _ctx: &Ctx<'_>, _prior: &Value, _planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        diags.push(refused());
        None
    }

    async fn delete(&self, _ctx: &Ctx<'_>, _state: &Value, diags: &mut Diagnostics) {
        diags.push(refused());
    }

    fn import_id(&self, _id: &str, diags: &mut Diagnostics) -> Option<Value> {
        diags.push(refused());
        None
    }
}

/// Why: AMG users come from single sign-on; what to do instead.
fn refused() -> Diagnostic {
    Diagnostic::error(
        "AMG users come from single sign-on",
        "An AMG workspace gets its users from IAM Identity Center or SAML: a user appears in Grafana the first \
            time they sign in, and no user can be made with a password. Remove this `grafana_user` (with \
            `terraform state rm` if it is in the state), assign the person to the workspace in IAM Identity \
            Center (or your SAML identity provider), and once they have signed in refer to them with \
            `data \"grafana_user\"` by `email` or `login`.",
    )
    // At `email`, not `password`: Terraform shows the configuration line a diagnostic points at.
    .at_attr("email")
}
