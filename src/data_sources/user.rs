//! Data source `grafana_user`: a user who has signed in to the workspace, found by `email`,
//! `login` or `user_id` (the official provider's schema). On AMG users come from IAM Identity
//! Center or SAML and appear on their first sign-in; they are read from the organisation's user
//! list (`/api/org/users`), which a workspace admin may read, not from the server admin API the
//! official provider calls.

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::{Ctx, DataSource};
use crate::grafana::OrgUser;
use crate::model::{Attr, Model};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub struct UserLookup;

crate::model! {
    /// The `grafana_user` data source's attributes.
    pub struct UserModel {
        user_id: i64,
        email: String,
        login: String,
        name: String,
        is_admin: bool,
        role: String,
        id: String,
    }
}

/// How the configuration names the user.
enum By<'a> {
    Id(i64),
    Email(&'a str),
    Login(&'a str),
}

#[async_trait]
impl DataSource for UserLookup {
    fn type_name(&self) -> &'static str {
        "grafana_user"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up a user of the workspace by `email`, `login` or `user_id` (set one). On AMG users come from IAM \
                Identity Center or SAML and appear in Grafana the first time they sign in: a user who has not signed \
                in yet is not found (the error says so).",
            vec![
                Attribute::number("user_id").optional_computed().describe(
                    "The user's numeric id. Set this, `email` or `login`; `-1` (the official default) is unset.",
                ),
                Attribute::string("email").optional_computed().describe(
                    "The user's email address, matched without regard to case. Set this, `login` or `user_id`.",
                ),
                Attribute::string("login")
                    .optional_computed()
                    .describe("The user's login, matched without regard to case. Set this, `email` or `user_id`."),
                Attribute::string("name").computed().describe("The user's display name."),
                Attribute::bool("is_admin").computed().describe(
                    "Whether the user is a Grafana server admin: never on AMG, whose workspace admins are organisation \
                        admins (see `role`).",
                ),
                Attribute::string("role")
                    .computed()
                    .describe("The user's role in the workspace's organisation: `Admin`, `Editor` or `Viewer`."),
                Attribute::string("id").computed().describe("The user's id, as a string."),
            ],
        )
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        UserModel::attributes()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = UserModel::decode(config);
        let unknown = c.user_id.is_unknown() || c.email.is_unknown() || c.login.is_unknown();
        let set = [by_id(&c).is_some(), non_empty(&c.email).is_some(), non_empty(&c.login).is_some()];
        let n = set.iter().filter(|s| **s).count();
        if !unknown && n != 1 {
            diags.push(
                Diagnostic::error(
                    "Set one of email, login and user_id",
                    if n == 0 {
                        "Say which user to look up: set `email`, `login` or `user_id`."
                    } else {
                        "Look the user up by one of `email`, `login` and `user_id`, not several."
                    },
                )
                .at_attr("email"),
            );
        }
    }

    async fn read(&self, ctx: &Ctx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let c = UserModel::decode(config);
        let (by, attr) = match (by_id(&c), non_empty(&c.email), non_empty(&c.login)) {
            (Some(id), _, _) => (By::Id(id), "user_id"),
            (_, Some(email), _) => (By::Email(email), "email"),
            (_, _, Some(login)) => (By::Login(login), "login"),
            _ => return None,
        };
        let query = match by {
            By::Id(_) => "",
            By::Email(text) | By::Login(text) => text,
        };
        let users = match ctx.client.org_users(query).await {
            Ok(users) => users,
            Err(e) => {
                diags.push(api_error("Could not list the workspace's users", &e));
                return None;
            }
        };
        let found = users.into_iter().find(|u| match by {
            By::Id(id) => u.user_id == id,
            By::Email(email) => u.email.eq_ignore_ascii_case(email),
            By::Login(login) => u.login.eq_ignore_ascii_case(login),
        });
        match found {
            Some(u) => Some(state(u)),
            None => {
                diags.push(not_signed_in(attr, query_text(&by)).at_attr(attr));
                None
            }
        }
    }
}

fn by_id(c: &UserModel) -> Option<i64> {
    c.user_id.known().copied().filter(|id| *id >= 0)
}

fn non_empty(a: &Attr<String>) -> Option<&str> {
    a.as_str().filter(|s| !s.is_empty())
}

fn query_text(by: &By<'_>) -> String {
    match by {
        By::Id(id) => id.to_string(),
        By::Email(t) | By::Login(t) => format!("{t:?}"),
    }
}

fn state(u: OrgUser) -> Value {
    UserModel {
        id: u.user_id.to_string().into(),
        user_id: u.user_id.into(),
        email: u.email.into(),
        login: u.login.into(),
        name: u.name.into(),
        is_admin: false.into(),
        role: u.role.into(),
    }
    .encode()
}

fn not_signed_in(attr: &str, value: String) -> Diagnostic {
    Diagnostic::error(
        "User not found",
        format!(
            "No user with {attr} {value} has signed in to this workspace. On AMG users come from IAM Identity Center \
                or SAML and appear in Grafana the first time they sign in: check that the person is assigned to the \
                workspace, ask them to sign in once, then plan again."
        ),
    )
}
