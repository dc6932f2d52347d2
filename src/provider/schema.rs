//! The provider block: its schema (the descriptions are the documentation) and the typed model
//! every call decodes it into once.

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{Attribute, Schema};
use crate::value::{Number, Type};

crate::model! {
    /// The provider block's attributes, but the Grafana Cloud ones ([`GRAFANA_CLOUD`]), which
    /// are only ever refused.
    pub struct ProviderModel {
        url: String,
        auth: String,
        ca_cert: String,
        tls_cert: String,
        tls_key: String,
        insecure_skip_verify: bool,
        http_headers: BTreeMap<String, String>,
        retries: Number,
        retry_wait: Number,
        retry_status_codes: BTreeSet<String>,
        allow_url_outside_workspace: bool,
        workspace_id: String,
        region: String,
        profile: String,
        grafana_role: String,
        token_ttl_seconds: Number,
        workspace_ready_timeout_seconds: Number,
        store_dashboard_sha256: bool,
        org_id: Number,
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "Manages Grafana objects (folders, dashboards, data sources) in an Amazon Managed Grafana workspace or any \
            Grafana reachable over HTTP(S).",
        connection()
            .into_iter()
            .chain(amg_native())
            .chain([
                Attribute::bool("store_dashboard_sha256").optional().describe(
                    "Keep only a SHA-256 hash of each dashboard's model in state, instead of its JSON: for very large \
                        dashboards. The plan then shows a dashboard whose content changed as a change of that hash (a \
                        drift made in Grafana too); the apply works from the configuration. As with the official \
                        provider, Terraform is asked to accept a planned `config_json` that differs from the \
                        configuration. May also be set with `GRAFANA_STORE_DASHBOARD_SHA256`.",
                ),
                Attribute::number("org_id").optional().describe(
                    "The organisation. AMG workspaces have one, organisation 1: `0` and `1` mean it, any other value \
                        is refused at plan. Accepted for configurations written for the official provider. May also be \
                        set with `GRAFANA_ORG_ID`.",
                ),
            ])
            .chain(GRAFANA_CLOUD.iter().map(|(name, sensitive)| {
                let a = if *name == "stack_id" { Attribute::number(name) } else { Attribute::string(name) }.optional();
                let a = if *sensitive { a.sensitive() } else { a };
                a.describe(
                    "An argument of the official provider for Grafana Cloud and its services (Synthetic Monitoring, \
                        OnCall, k6, Fleet Management, Frontend Observability, Connections): refused at plan, as this \
                        provider manages Amazon Managed Grafana and self-hosted Grafana.",
                )
            }))
            .collect(),
    )
}

/// How the provider reaches Grafana: URL, credentials, TLS, headers and retries.
fn connection() -> Vec<Attribute> {
    vec![
        Attribute::string("url").optional().describe(
            "Base URL of the Grafana, e.g. `https://g-abc1234567.grafana-workspace.us-east-1.amazonaws.com`. For an \
                AMG workspace use `\"https://${aws_grafana_workspace.this.endpoint}\"`. May also be set with the \
                `GRAFANA_URL` environment variable.",
        ),
        Attribute::string("auth").optional().sensitive().describe(
            "A Grafana service-account token (`glsa_…`) or API key, sent as `Authorization: Bearer`. May also be set \
                with the `GRAFANA_AUTH` environment variable. Never logged.",
        ),
        Attribute::string("ca_cert").optional().describe(
            "Extra certificate authority to trust for `url`: PEM content, or the path of a PEM file. May also be set \
                with the `GRAFANA_CA_CERT` environment variable.",
        ),
        Attribute::string("tls_cert").optional().describe(
            "A client certificate to present to Grafana (PEM content or the path of a PEM file), with `tls_key`. May \
                also be set with `GRAFANA_TLS_CERT`.",
        ),
        Attribute::string("tls_key").optional().sensitive().describe(
            "The client certificate's private key (PEM content or the path of a PEM file), with `tls_cert`. May also \
                be set with `GRAFANA_TLS_KEY`.",
        ),
        Attribute::bool("insecure_skip_verify").optional().describe(
            "Accept any certificate from Grafana, without verifying it. For test setups only: prefer `ca_cert`. May \
                also be set with `GRAFANA_INSECURE_SKIP_VERIFY`.",
        ),
        Attribute::of("http_headers", Type::map(Type::String)).optional().sensitive().describe(
            "Headers sent with every request to Grafana, name to value (a proxy's credentials, say). May also be set \
                with `GRAFANA_HTTP_HEADERS`, as a JSON object. Never logged.",
        ),
        Attribute::number("retries").optional().describe(
            "How many times a failed request is retried (default 4). Requests are retried on statuses that mean \
                Grafana did not act (429, 503) and failed connections; reads also on `retry_status_codes`, timeouts \
                and lost answers; a write that Grafana may have acted on is never repeated: the provider reads back \
                instead. May also be set with `GRAFANA_RETRIES`.",
        ),
        Attribute::number("retry_wait").optional().describe(
            "Seconds to wait between retries, instead of the default exponential wait (0.2 s doubling to at most 5 s, \
                with full jitter); a `Retry-After` from Grafana wins. Every call is bounded in time too (30 s per \
                attempt, 75 s in all). May also be set with `GRAFANA_RETRY_WAIT`.",
        ),
        Attribute::of("retry_status_codes", Type::set(Type::String)).optional().describe(
            "More statuses to retry reads on, `x` a digit wildcard (e.g. `[\"5xx\", \"429\"]`). Writes answered with \
                them are not retried, as Grafana may have acted on them; a 4xx other than 429 is never retried. May \
                also be set with `GRAFANA_RETRY_STATUS_CODES`, comma-separated.",
        ),
    ]
}

/// AMG-native auth: the workspace and the token the provider mints for it.
fn amg_native() -> Vec<Attribute> {
    vec![
        Attribute::bool("allow_url_outside_workspace").optional().describe(
            "AMG-native auth: let `url` name another address than the workspace's own endpoint (as `DescribeWorkspace` \
                gives it), such as a proxy or a private DNS name in front of the workspace. Without it, a `url` that \
                is not the workspace's endpoint is refused before any token is minted, as the minted token is an admin \
                token. Default `false`.",
        ),
        Attribute::string("workspace_id").optional().describe(
            "AMG-native auth: the id of an Amazon Managed Grafana workspace (`g-` and ten hex digits such as \
                `g-abc1234567`, e.g. `aws_grafana_workspace.this.id`). With it the provider needs no Grafana token: it \
                uses the caller's AWS credentials (the AWS SDK's default chain: environment, shared profiles, SSO, web \
                identity/IRSA, EKS Pod Identity, container and instance metadata) to mint a short-lived \
                service-account token when it first needs one, and deletes it when Terraform stops the provider. \
                Excludes `auth`. May also be set with `GRAFANA_AMG_WORKSPACE_ID`.",
        ),
        Attribute::string("region").optional().describe(
            "AMG-native auth: the workspace's AWS region. Default: the AWS configuration's (AWS_REGION, the profile's \
                `region`).",
        ),
        Attribute::string("profile").optional().describe(
            "AMG-native auth: the AWS shared-config profile to take credentials from. Default: AWS_PROFILE, else \
                `default`.",
        ),
        Attribute::string("grafana_role").optional().describe(
            "AMG-native auth: the Grafana role of the minted token: `ADMIN` (the default; needed for data sources), \
                `EDITOR` or `VIEWER`. The provider keeps one service account per role in the workspace, \
                `terraform-provider-grafana-admin` (`-editor`, `-viewer`), and reuses it on every run.",
        ),
        Attribute::number("token_ttl_seconds").optional().describe(
            "AMG-native auth: how long a minted token lives, in seconds (default 900, at least 5, at most 2592000). \
                The provider mints a new one when 80% of that has passed, and deletes its tokens when Terraform stops \
                it; the TTL bounds the life of a token left behind by a killed process.",
        ),
        Attribute::number("workspace_ready_timeout_seconds").optional().describe(
            "AMG-native auth: how long to wait for a workspace that is not ACTIVE yet (CREATING, UPDATING, \
                VERSION_UPDATING, UPGRADING) before failing, in seconds (default 600).",
        ),
    ]
}

/// The official provider's Grafana Cloud arguments (name, sensitive): accepted in the schema so
/// that a configuration written for it gets one clear message instead of "unsupported argument".
pub const GRAFANA_CLOUD: &[(&str, bool)] = &[
    ("stack_id", false),
    ("cloud_access_policy_token", true),
    ("cloud_api_url", false),
    ("sm_access_token", true),
    ("sm_url", false),
    ("oncall_access_token", true),
    ("oncall_url", false),
    ("cloud_provider_access_token", true),
    ("cloud_provider_url", false),
    ("connections_api_access_token", true),
    ("connections_api_url", false),
    ("fleet_management_auth", true),
    ("fleet_management_url", false),
    ("frontend_o11y_api_url", false),
    ("frontend_o11y_api_access_token", true),
    ("k6_url", false),
    ("k6_access_token", true),
];

#[cfg(test)]
mod tests {
    use crate::model::Model;

    #[test]
    fn the_provider_model_and_the_cloud_arguments_are_the_schema() {
        let mut model = super::ProviderModel::attributes();
        let cloud = super::GRAFANA_CLOUD
            .iter()
            .map(|(n, _)| (*n, if *n == "stack_id" { crate::value::Type::Number } else { crate::value::Type::String }));
        model.extend(cloud);
        crate::model::check_against_schema("provider", model, &super::schema()).unwrap();
    }
}
