//! Ephemeral resource `grafana_amg_token`: a short-lived Grafana token for an AMG workspace,
//! for what this provider does not manage (a second provider block, another provider's
//! write-only argument, a script), minted for the run and deleted at its end. Nothing of it
//! reaches state or plan.

use std::time::Duration;

use async_trait::async_trait;

use crate::amg::{self, Amg};
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{EphemeralCtx, EphemeralResource, Opened};
use crate::model::Model;
use crate::provider::settings::{DEFAULT_READY_TIMEOUT, DEFAULT_TOKEN_TTL, TOKEN_TTL, number, role, workspace_id};
use crate::schema::{Attribute, Schema};
use crate::value::{Number, Type, Value};

pub struct AmgToken;

crate::model! {
    /// The `grafana_amg_token` ephemeral resource's attributes.
    pub struct AmgTokenModel {
        workspace_id: String,
        region: String,
        grafana_role: String,
        ttl_seconds: Number,
        token: String,
        url: String,
        expires_at: String,
    }
}

#[async_trait]
impl EphemeralResource for AmgToken {
    fn type_name(&self) -> &'static str {
        "grafana_amg_token"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "A short-lived Grafana token for an Amazon Managed Grafana workspace, minted with the AWS credentials the \
                provider finds (the AWS SDK's default chain) when Terraform opens it and deleted when Terraform closes \
                it, at the end of the run. It is never in state or plan. Use it where this provider's own resources \
                do not reach: a second `grafana` provider block with another role, another provider's write-only \
                argument, a script. Needs Terraform 1.10 or later (OpenTofu 1.11).",
            vec![
                Attribute::string("workspace_id").optional().describe(
                    "The AMG workspace (`g-` and ten hex digits). Defaults to the provider's `workspace_id` when it \
                        uses AMG-native auth; required when it uses `url` and `auth`.",
                ),
                Attribute::string("region").optional().describe(
                    "The workspace's AWS region. Defaults to the provider's `region`, then the AWS configuration \
                        (AWS_REGION, the profile).",
                ),
                Attribute::string("grafana_role").optional().describe(
                    "The token's Grafana role: `ADMIN`, `EDITOR` or `VIEWER` (the default). It is minted under the \
                        provider's service account for that role, `terraform-provider-grafana-<role>`, created when \
                        missing.",
                ),
                Attribute::number("ttl_seconds").optional().describe(
                    "How long the token lives, 5 to 2592000 seconds (default 900). Terraform closes the resource at \
                        the end of the run, which deletes the token; the TTL bounds it when the run is killed.",
                ),
                Attribute::string("token").computed().sensitive().describe(
                    "The Grafana token: a service-account token (on a Grafana 10.4 workspace whose caller may not use \
                        service accounts, a workspace API key).",
                ),
                Attribute::string("url").computed().describe("The workspace's Grafana URL, `https://<endpoint>`."),
                Attribute::string("expires_at").computed().describe("When the token expires, RFC 3339, in UTC."),
            ],
        )
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        AmgTokenModel::attributes()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = AmgTokenModel::decode(config);
        let checks = [
            c.workspace_id.as_str().map(workspace_id),
            c.grafana_role.as_str().map(|r| role(r).map(drop)),
            Some(number(&c.ttl_seconds, "ttl_seconds", &TOKEN_TTL, " seconds").map(drop)),
        ];
        diags.0.extend(checks.into_iter().flatten().filter_map(Result::err));
    }

    async fn open(&self, ctx: &EphemeralCtx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Opened> {
        let c = AmgTokenModel::decode(config);
        let settings = settings(&c, ctx.amg, diags)?;
        let amg = Amg::new(settings);
        let lease = match amg.lease().await {
            Ok(lease) => lease,
            Err(e) => {
                let d = Diagnostic::error("Could not mint a Grafana token", e.message);
                // A path only where the failure is about an argument of this block.
                let here = ["workspace_id", "region", "grafana_role"].contains(&e.setting);
                diags.push(if here { d.at_attr(e.setting) } else { d });
                return None;
            }
        };
        let expires_at = time::OffsetDateTime::from(lease.expires_at)
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default();
        let result = AmgTokenModel {
            workspace_id: amg.settings().workspace_id.clone().into(),
            region: c.region.clone(),
            grafana_role: amg.settings().role.name().to_string().into(),
            ttl_seconds: Number::Int(amg.settings().ttl.as_secs() as i64).into(),
            token: lease.token.expose_to_terraform().to_string().into(),
            url: lease.url.as_str().trim_end_matches('/').to_string().into(),
            expires_at: expires_at.into(),
        };
        Some(Opened { result: result.encode(), private: lease.handle })
    }

    async fn close(&self, private: &[u8], diags: &mut Diagnostics) {
        if let Err(e) = Amg::end_lease(private).await {
            diags.push(Diagnostic::warning(
                "Could not delete the Grafana token",
                format!("{}. It expires with its TTL (`ttl_seconds`).", e.message),
            ));
        }
    }
}

/// The minting settings: this block's arguments, else the provider's AMG-native auth.
fn settings(c: &AmgTokenModel, provider: Option<&amg::Settings>, diags: &mut Diagnostics) -> Option<amg::Settings> {
    let Some(workspace) = c.workspace_id.as_str().map(str::to_string).or(provider.map(|p| p.workspace_id.clone()))
    else {
        diags.push(
            Diagnostic::error(
                "No AMG workspace",
                "Set `workspace_id`: the provider has no AMG workspace to lend (it uses `url` and `auth`, or its own \
                    `workspace_id` is not known until apply).",
            )
            .at_attr("workspace_id"),
        );
        return None;
    };
    let grafana_role = match c.grafana_role.as_str().map(role).transpose() {
        Ok(r) => r.unwrap_or(amg::Role::Viewer),
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let ttl = match number(&c.ttl_seconds, "ttl_seconds", &TOKEN_TTL, " seconds") {
        Ok(t) => t.unwrap_or(DEFAULT_TOKEN_TTL),
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    Some(amg::Settings {
        workspace_id: workspace,
        region: c.region.as_str().map(str::to_string).or(provider.and_then(|p| p.region.clone())),
        profile: provider.and_then(|p| p.profile.clone()),
        role: grafana_role,
        ttl: Duration::from_secs(ttl as u64),
        ready_timeout: provider.map_or(Duration::from_secs(DEFAULT_READY_TIMEOUT as u64), |p| p.ready_timeout),
    })
}
