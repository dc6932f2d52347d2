//! What the user reads about the provider block: every diagnostic `settings.rs` gives, named,
//! so the rules read as rules and each message is written once.

use std::ops::RangeInclusive;

use crate::diag::Diagnostic;

pub(super) fn grafana_cloud(name: &str) -> Diagnostic {
    Diagnostic::error(
        "A Grafana Cloud argument",
        format!(
            "`{name}` configures Grafana Cloud or one of its services in the official grafana/grafana provider. This \
                provider manages Amazon Managed Grafana and self-hosted Grafana, where it has no meaning: remove it. \
                Keep the official provider (under another local name) for Grafana Cloud resources."
        ),
    )
    .at_attr(name)
}

pub(super) fn bad_url(why: &str) -> Diagnostic {
    Diagnostic::error(
        "Invalid Grafana URL",
        format!(
            "`url` must be an http(s) URL such as https://g-abc1234567.grafana-workspace.us-east-1.amazonaws.com: \
                {why}."
        ),
    )
    .at_attr("url")
}

pub(super) fn missing_url() -> Diagnostic {
    let debug = if crate::plugin::debug_mode() {
        "This provider runs in debug mode (`--debug`): it reads GRAFANA_URL, GRAFANA_AUTH and the AWS settings from \
            the environment of the shell that started it, not Terraform's; export them there."
    } else {
        ""
    };
    Diagnostic::error(
        "Missing Grafana URL",
        format!(
            "Set `url` in the provider block (or the GRAFANA_URL environment variable) to the Grafana base URL, e.g. \
                \"https://${{aws_grafana_workspace.this.endpoint}}\"; or set `workspace_id` to use AMG-native auth, \
                which finds the URL itself.{debug}"
        ),
    )
    .at_attr("url")
}

pub(super) fn grafana_url_ignored() -> Diagnostic {
    Diagnostic::warning(
        "GRAFANA_URL ignored",
        "AMG-native auth (`workspace_id`) sends its token only to the workspace's own URL, so GRAFANA_URL from the \
            environment is ignored. Unset it, or set `url` in the provider block if the workspace is reached through \
            another address.",
    )
    .at_attr("url")
}

pub(super) fn plain_http() -> Diagnostic {
    Diagnostic::warning(
        "Grafana reached over plain HTTP",
        "`url` starts with http:// and names another machine: the token, headers and data source secrets cross the \
            network unencrypted. Use https://.",
    )
    .at_attr("url")
}

/// `insecure_skip_verify` in force: said at every plan, as it puts the token at risk.
pub(super) fn insecure_warning(with_ca: bool) -> Diagnostic {
    let ca = if with_ca { " `ca_cert` is ignored while it is set." } else { "" };
    Diagnostic::warning(
        "insecure_skip_verify: Grafana's certificate is not checked",
        format!(
            "With `insecure_skip_verify` (or GRAFANA_INSECURE_SKIP_VERIFY) the provider accepts any certificate, so \
                anyone between it and Grafana can read the token, headers and secrets it sends, and its client \
                certificate is presented to any server.{ca} For a private CA, set `ca_cert` instead."
        ),
    )
    .at_attr("insecure_skip_verify")
}

pub(super) fn insecure_from_env_with_amg() -> Diagnostic {
    Diagnostic::error(
        "GRAFANA_INSECURE_SKIP_VERIFY refused with AMG-native auth",
        "GRAFANA_INSECURE_SKIP_VERIFY turns off the check of Grafana's certificate, and AMG-native auth sends an admin \
            token: unset it (AMG workspaces have certificates that verify), or set `insecure_skip_verify = true` in \
            the provider block if you mean it.",
    )
    .at_attr("insecure_skip_verify")
}

pub(super) fn out_of_range(name: &str, range: &RangeInclusive<i64>, unit: &str) -> Diagnostic {
    let what = match name {
        "org_id" => "a whole number".to_string(),
        "token_ttl_seconds" => {
            "a whole number from 5 to 2592000 seconds (AMG's limit is 30 days); the default, 900, suits most runs"
                .into()
        }
        _ => format!("a whole number from {} to {}{unit}", range.start(), range.end()),
    };
    Diagnostic::error(format!("Invalid {name}"), format!("`{name}` must be {what}.")).at_attr(name)
}

pub(super) fn not_a_number_in_env(var: &str, name: &str, value: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Invalid {var}"),
        format!("{var} must be a whole number, not {}.", crate::diag::quote(value)),
    )
    .at_attr(name)
}

pub(super) fn two_auth_modes() -> Diagnostic {
    Diagnostic::error(
        "Two ways to authenticate",
        "`auth` (a Grafana token) and `workspace_id` (AMG-native auth, which mints its own short-lived token from your \
            AWS credentials) exclude each other: remove one.",
    )
    .at_attr("auth")
}

pub(super) fn two_auth_modes_in_env() -> Diagnostic {
    Diagnostic::error(
        "Two ways to authenticate",
        "Both GRAFANA_AMG_WORKSPACE_ID and GRAFANA_AUTH are set: unset one (AMG-native auth with the workspace id, or \
            a Grafana token).",
    )
    .at_attr("workspace_id")
}

pub(super) fn bad_workspace_id(w: &str) -> Diagnostic {
    Diagnostic::error(
        "Invalid workspace_id",
        format!(
            "{} is not an AMG workspace id: those are `g-` and ten hex digits, e.g. g-abc1234567 \
                (`aws_grafana_workspace.this.id`; not its name or endpoint).",
            crate::diag::quote(w)
        ),
    )
    .at_attr("workspace_id")
}

pub(super) fn bad_role(r: &str) -> Diagnostic {
    Diagnostic::error(
        "Invalid grafana_role",
        format!("`grafana_role` is {}: use ADMIN, EDITOR or VIEWER.", crate::diag::quote(r)),
    )
    .at_attr("grafana_role")
}

pub(super) fn org_refused(o: i64) -> Diagnostic {
    Diagnostic::error(
        "Unsupported organisation",
        format!(
            "`org_id` is {o}, but an AMG workspace has one organisation, 1. Remove `org_id` (and GRAFANA_ORG_ID), or \
                set it to 1."
        ),
    )
    .at_attr("org_id")
}

pub(super) fn bad_status_pattern(p: &str) -> Diagnostic {
    Diagnostic::error(
        "Invalid retry status code",
        format!(
            "{} is not a status code: write three digits, `x` for any digit, e.g. \"429\" or \"5xx\".",
            crate::diag::quote(p)
        ),
    )
    .at_attr("retry_status_codes")
}

pub(super) fn tls_pair() -> Diagnostic {
    Diagnostic::error(
        "tls_cert and tls_key go together",
        "A client certificate needs its key: set both `tls_cert` and `tls_key` (or GRAFANA_TLS_CERT and \
            GRAFANA_TLS_KEY), or neither.",
    )
    .at_attr("tls_key")
}

pub(super) fn invalid_headers_env() -> Diagnostic {
    Diagnostic::error(
        "Invalid GRAFANA_HTTP_HEADERS",
        "GRAFANA_HTTP_HEADERS must be a JSON object of strings, e.g. {\"X-Org\": \"a\"}.",
    )
    .at_attr("http_headers")
}

pub(super) fn unreadable_pem(attr: &str, os: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Cannot read {attr}"),
        format!(
            "`{attr}` is neither PEM content (text starting with `-----BEGIN`) nor the path of a readable PEM file: \
                reading it as a path failed ({os}). Give the PEM text itself, e.g. file(\"ca.pem\") or a variable \
                holding it, or the path of a PEM file. (The value is not shown: it may be a key.)"
        ),
    )
    .at_attr(attr)
}
