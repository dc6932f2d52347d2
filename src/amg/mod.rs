//! AMG-native auth: a workspace id and the caller's AWS credentials become a short-lived
//! Grafana token. The only module that names AWS SDK types (`aws-config`, `aws-sdk-grafana`).
//!
//! Lifecycle, per provider process:
//! - nothing happens until the first Grafana request needs a token (validate makes no AWS
//!   call, nor does a plan unless a plan-time check asks Grafana);
//! - then: credentials from `aws-config`'s default chain (the instance-metadata lookup bounded),
//!   `DescribeWorkspace` (waiting, bounded, while the workspace is not ACTIVE), the provider's
//!   service account for the role found or created (`terraform-provider-grafana-<role>`), its
//!   expired tokens deleted (AMG counts them against 99 per service account), one token minted
//!   with `token_ttl_seconds`;
//! - the token is re-minted when 80% of its life is gone, and once when Grafana answers 401;
//! - [`Amg::revoke`] deletes every token this process minted (Terraform's `Shutdown`); the TTL
//!   is the backstop when the process is killed;
//! - a Grafana 10.4 workspace whose caller may not use service accounts gets a workspace API key
//!   instead, with the same TTL and clean-up.
//!
//! SigV4, the credential chain and retries (standard mode, bounded attempts) are the SDK's.
//! Tokens never reach logs, errors or state: they live in [`Secret`]s.
//!
//! `mod.rs` holds the settings, the lifecycle (revoke) and the token source Grafana's client
//! asks; `control.rs` the control-plane calls: the SDK client, the workspace, the service
//! account, minting and the clean-up of expired tokens.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_grafana::Client;
use aws_sdk_grafana::config::retry::RetryConfig;
use aws_sdk_grafana::error::{ProvideErrorMetadata, SdkError};
use tokio::sync::OnceCell;

use crate::grafana::{Secret, SourceError, TokenSource};

mod control;

/// The role of the minted token, and of the provider's service account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Editor,
    Viewer,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "ADMIN" => Some(Role::Admin),
            "EDITOR" => Some(Role::Editor),
            "VIEWER" => Some(Role::Viewer),
            _ => None,
        }
    }
    /// As Terraform configurations and AMG write it: `ADMIN`, `EDITOR`, `VIEWER`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Editor => "EDITOR",
            Role::Viewer => "VIEWER",
        }
    }
    fn aws(self) -> aws_sdk_grafana::types::Role {
        match self {
            Role::Admin => aws_sdk_grafana::types::Role::Admin,
            Role::Editor => aws_sdk_grafana::types::Role::Editor,
            Role::Viewer => aws_sdk_grafana::types::Role::Viewer,
        }
    }
    fn word(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }
}

/// The provider's service account for `role`: one per role, found and reused by every run.
pub fn service_account_name(role: Role) -> String {
    format!("terraform-provider-grafana-{}", role.word())
}

/// What the provider block says about AMG-native auth.
#[derive(Clone, Debug)]
pub struct Settings {
    pub workspace_id: String,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub role: Role,
    pub ttl: Duration,
    /// How long to wait for a workspace that is not ACTIVE yet.
    pub ready_timeout: Duration,
}

/// Every operation's attempts: the SDK's standard retry mode (exponential backoff with jitter
/// from 0.2 s to 5 s, a retry quota), on throttling, 5xx and lost connections. Bounded in time
/// too by the operation timeout.
const MAX_ATTEMPTS: u32 = 8;
/// How many mints whose answers were lost (the SDK's retry then meets the token it made) are
/// cleaned up and tried again under a new name.
const LOST_MINTS: usize = 4;
/// How long the credential chain may look (instance metadata on a machine without it).
const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(20);
/// Revoking runs inside go-plugin's `Shutdown` call, which Terraform waits for before it gives
/// the process its 2 s to exit; bounded so a control plane that does not answer cannot hold
/// Terraform up (the token then expires with its TTL).
const REVOKE_TIMEOUT: Duration = Duration::from_secs(4);

/// A credential this process minted, to delete at the end.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
enum Held {
    Token { sa: String, id: String },
    ApiKey { name: String },
}

struct Minted {
    secret: Secret,
    held: Held,
    renew_at: Instant,
}

/// A token minted for another consumer: see [`Amg::lease`].
pub struct Lease {
    pub token: Secret,
    /// The workspace's Grafana URL, `https://<endpoint>`.
    pub url: url::Url,
    pub expires_at: SystemTime,
    /// What [`Amg::end_lease`] needs to delete it: the workspace, where to reach AWS, the
    /// token's ids. No secret.
    pub handle: Vec<u8>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct LeaseHandle {
    workspace_id: String,
    region: Option<String>,
    profile: Option<String>,
    held: Held,
}

/// The service account to mint under, or API keys (10.4, when service accounts are denied).
#[derive(Clone, Debug)]
enum Minter {
    ServiceAccount(String),
    ApiKeys,
}

struct Workspace {
    endpoint: String,
    version: String,
    /// AMG manages the workspace's IAM role and its policies (`permissionType` SERVICE_MANAGED).
    service_managed: bool,
}

pub struct Amg {
    settings: Settings,
    /// Set once per process, failures included: missing credentials, an unknown workspace or
    /// one that stays CREATING past the wait are answered at once to every later request
    /// instead of being looked for (or waited for) again, one request after another.
    sdk: OnceCell<Result<Client, SourceError>>,
    workspace: OnceCell<Result<Workspace, SourceError>>,
    minter: OnceCell<Result<Minter, SourceError>>,
    current: tokio::sync::Mutex<Option<Minted>>,
    /// Tokens replaced by newer ones: still valid for requests in flight, deleted at the end.
    retired: Mutex<Vec<Held>>,
}

impl std::fmt::Debug for Amg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Amg").field("workspace_id", &self.settings.workspace_id).finish_non_exhaustive()
    }
}

impl Amg {
    pub fn new(settings: Settings) -> Amg {
        Amg {
            settings,
            sdk: OnceCell::new(),
            workspace: OnceCell::new(),
            minter: OnceCell::new(),
            current: tokio::sync::Mutex::new(None),
            retired: Mutex::new(Vec::new()),
        }
    }

    /// The settings it was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Mints a token for a consumer other than this provider's client (the ephemeral
    /// `grafana_amg_token`): the token, the workspace's Grafana URL, when it expires, and the
    /// handle that deletes it ([`Amg::end_lease`]), which holds no secret. Not deleted at
    /// [`Amg::revoke`]: its consumer ends it.
    pub async fn lease(&self) -> Result<Lease, SourceError> {
        let url = TokenSource::url(self).await?;
        // Taken before the mint, so never later than AMG's own expiry (creation + TTL).
        let expires_at = SystemTime::now() + self.settings.ttl;
        let minted = self.mint().await?;
        let s = &self.settings;
        let handle = LeaseHandle {
            workspace_id: s.workspace_id.clone(),
            region: s.region.clone(),
            profile: s.profile.clone(),
            held: minted.held,
        };
        let handle = serde_json::to_vec(&handle).expect("a lease handle serialises");
        Ok(Lease { token: minted.secret, url, expires_at, handle })
    }

    /// Deletes the token a [`Lease`] handle names, from the handle alone (the process that
    /// closes may not be the one that opened). Bounded as [`Amg::revoke`]; a token it could not
    /// delete expires with its TTL.
    pub async fn end_lease(handle: &[u8]) -> Result<(), SourceError> {
        let h: LeaseHandle = serde_json::from_slice(handle)
            .map_err(|e| SourceError::at("workspace_id", format!("not a token handle of this provider: {e}")))?;
        let amg = Amg::new(Settings {
            workspace_id: h.workspace_id,
            region: h.region,
            profile: h.profile,
            role: Role::Viewer,
            ttl: Duration::ZERO,
            ready_timeout: Duration::ZERO,
        });
        amg.sdk().await?;
        amg.retired.lock().expect("retired lock").push(h.held);
        amg.revoke().await;
        Ok(())
    }

    /// Deletes every token (or API key) this process minted. Called when Terraform shuts the
    /// provider down; bounded, as Terraform kills the process soon after (a token left behind
    /// expires with its TTL, and the next run deletes it).
    pub async fn revoke(&self) {
        let ws = &self.settings.workspace_id;
        if tokio::time::timeout(REVOKE_TIMEOUT, self.revoke_all()).await.is_err() {
            tracing::warn!(workspace = %ws, "deleting minted tokens took too long; they expire with their TTL");
        }
    }

    async fn revoke_all(&self) {
        let mut all: Vec<Held> = std::mem::take(&mut *self.retired.lock().expect("retired lock"));
        if let Some(m) = self.current.lock().await.take() {
            all.push(m.held);
        }
        let (Some(Ok(c)), false) = (self.sdk.get(), all.is_empty()) else { return };
        let ws = &self.settings.workspace_id;
        for h in &all {
            // A delete the SDK repeated after a lost answer finds nothing: done.
            let gone = |code: Option<&str>| code == Some("ResourceNotFoundException");
            let failed = match h {
                Held::Token { sa, id } => {
                    match c
                        .delete_workspace_service_account_token()
                        .workspace_id(ws)
                        .service_account_id(sa)
                        .token_id(id)
                        .customize()
                        .config_override(quick_retries())
                        .send()
                        .await
                    {
                        Err(e) if !gone(e.code()) => Some(explain(e, "DeleteWorkspaceServiceAccountToken", ws)),
                        _ => None,
                    }
                }
                Held::ApiKey { name } => {
                    match c
                        .delete_workspace_api_key()
                        .workspace_id(ws)
                        .key_name(name)
                        .customize()
                        .config_override(quick_retries())
                        .send()
                        .await
                    {
                        Err(e) if !gone(e.code()) => Some(explain(e, "DeleteWorkspaceApiKey", ws)),
                        _ => None,
                    }
                }
            };
            if let Some(e) = failed {
                tracing::warn!(error = %e, "could not delete a token minted by this run; it expires with its TTL");
            }
        }
        tracing::info!(tokens = all.len(), workspace = %ws, "deleted the tokens this run minted");
    }
}

#[async_trait::async_trait]
impl TokenSource for Amg {
    async fn url(&self) -> Result<url::Url, SourceError> {
        let ws = self.workspace().await?;
        let u = format!("https://{}", ws.endpoint);
        url::Url::parse(&u).map_err(|e| at_workspace(format!("workspace endpoint {u:?} is not a URL: {e}")))
    }

    async fn token(&self) -> Result<Secret, SourceError> {
        let mut cur = self.current.lock().await;
        if let Some(m) = cur.as_ref()
            && Instant::now() < m.renew_at
        {
            return Ok(m.secret.clone());
        }
        let new = self.mint().await?;
        let secret = new.secret.clone();
        if let Some(old) = cur.replace(new) {
            self.retired.lock().expect("retired lock").push(old.held);
        }
        Ok(secret)
    }

    fn role(&self) -> Option<String> {
        Some(self.settings.role.name().to_string())
    }

    async fn service_managed(&self) -> Option<bool> {
        self.workspace().await.ok().map(|w| w.service_managed)
    }

    async fn renew(&self, rejected: &Secret) -> Result<Secret, SourceError> {
        let mut cur = self.current.lock().await;
        if let Some(m) = cur.as_ref()
            && m.secret != *rejected
        {
            return Ok(m.secret.clone()); // another request renewed it already
        }
        tracing::warn!(workspace = %self.settings.workspace_id, "Grafana refused the minted token (expired or \
            revoked); minting a new one");
        let new = self.mint().await?;
        let secret = new.secret.clone();
        if let Some(old) = cur.replace(new) {
            self.retired.lock().expect("retired lock").push(old.held);
        }
        Ok(secret)
    }
}

/// The deletes at shutdown have [`REVOKE_TIMEOUT`] in all: the same attempts as every other
/// operation, with shorter pauses (50 ms doubling to 0.5 s).
/// The most pages of one control-plane list the provider reads (a workspace holds at most a
/// few hundred service accounts, an account at most 99 tokens).
const MAX_CONTROL_PAGES: usize = 100;

/// The next page's token into `next`: `Ok(true)` to read it, `Ok(false)` at the end, an error
/// when the list does not end (a token repeated, or more than [`MAX_CONTROL_PAGES`] pages).
fn next_page(token: Option<String>, next: &mut Option<String>, pages: usize) -> Result<bool, String> {
    let Some(t) = token else { return Ok(false) };
    if pages >= MAX_CONTROL_PAGES {
        return Err(format!("more than {MAX_CONTROL_PAGES} pages; stopped"));
    }
    if next.as_deref() == Some(t.as_str()) {
        return Err("the same next token twice; stopped".into());
    }
    *next = Some(t);
    Ok(true)
}

fn quick_retries() -> aws_sdk_grafana::config::Builder {
    aws_sdk_grafana::config::Builder::default().retry_config(
        RetryConfig::standard()
            .with_max_attempts(MAX_ATTEMPTS)
            .with_initial_backoff(Duration::from_millis(50))
            .with_max_backoff(Duration::from_millis(500)),
    )
}

/// A control-plane failure that may be a denial of service-account operations.
struct Denied(String);

/// A failure about the workspace itself (not found, denied, not ready, a quota), the provider
/// argument to look at being `workspace_id`.
fn at_workspace(message: String) -> SourceError {
    SourceError::at("workspace_id", message)
}

/// AMG has workspace API keys up to Grafana 10 (removed in 12).
fn api_keys_possible(version: &str) -> bool {
    version.split('.').next().and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| m <= 10)
}

fn fallback(why: &str) -> Minter {
    tracing::warn!(reason = %why, "service accounts are denied to this caller; using short-lived workspace API keys \
        (Grafana 10.4)");
    Minter::ApiKeys
}

/// `terraform-provider-grafana-<unix seconds>-<random>`: unique per mint, sortable, and
/// recognisable in the console.
fn token_name() -> String {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 4];
    ring::rand::SystemRandom::new().fill(&mut b).expect("the system's random source");
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    format!("terraform-provider-grafana-{secs}-{}", b.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn no_credentials(why: &str, profile: Option<&str>) -> SourceError {
    let profile = profile.map(|p| format!(" (profile {p:?})")).unwrap_or_default();
    let message = format!(
        "No AWS credentials found for AMG auth ({why}). Looked in: the environment \
            (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN), the shared config and credentials \
            files{profile} (including SSO and credential_process), web identity (AWS_WEB_IDENTITY_TOKEN_FILE with \
            AWS_ROLE_ARN, as IRSA sets), container credentials (ECS, EKS Pod Identity) and EC2 instance metadata. Set \
            one of these (e.g. `aws sso login`, or AWS_PROFILE), or use `url` and `auth` with a Grafana token instead \
            of `workspace_id`."
    );
    SourceError::at("profile", message)
}

/// A control-plane error as a sentence that names the IAM action and what to do.
fn explain<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    e: SdkError<E, R>,
    action: &str,
    workspace: &str,
) -> String {
    let code = e.code().unwrap_or_default().to_string();
    let message = e.message().unwrap_or_default().to_string();
    match code.as_str() {
        "ResourceNotFoundException" if action == "DescribeWorkspace" => format!(
            "Workspace {workspace} was not found ({message}). Check `workspace_id` and `region` (or AWS_REGION): the \
                id looks like g-abc1234567 (`g-` and ten hex digits) and belongs to one region and account."
        ),
        "AccessDeniedException" => format!(
            "AWS denied grafana:{action} on workspace {workspace}: {message}. Allow the `grafana:{action}` action on \
                this workspace in the caller's IAM policy (see the provider's documentation for the full policy)."
        ),
        "ThrottlingException" => format!(
            "AMG throttled grafana:{action} on workspace {workspace} after {MAX_ATTEMPTS} attempts: {message}. Retry \
                later, or lower Terraform's -parallelism."
        ),
        "ServiceQuotaExceededException" => format!(
            "grafana:{action} on workspace {workspace} hit a quota: {message}. A service account holds at most 99 \
                tokens, expired ones included; the provider deletes its expired tokens, so live tokens of other runs \
                fill it: delete unused ones in the AMG console."
        ),
        "" => {
            let mut text = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                text.push_str(": ");
                text.push_str(&s.to_string());
                src = s.source();
            }
            format!(
                "grafana:{action} on workspace {workspace} failed: {text}. Check the network path to the AMG API (or \
                    AWS_ENDPOINT_URL_GRAFANA)."
            )
        }
        _ => format!("grafana:{action} on workspace {workspace} failed: {code}: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_auth_failure_names_the_provider_argument_it_is_about() {
        assert_eq!(no_credentials("none found", Some("ops")).setting, "profile");
        assert!(no_credentials("none found", Some("ops")).message.contains("(profile \"ops\")"));
        let amg = Amg::new(Settings {
            workspace_id: "g-0123456789".into(),
            region: None,
            profile: None,
            role: Role::Editor,
            ttl: Duration::from_secs(900),
            ready_timeout: Duration::from_secs(1),
        });
        let e = amg.check_role("terraform-provider-grafana-editor", &aws_sdk_grafana::types::Role::Admin).unwrap_err();
        assert_eq!(e.setting, "grafana_role");
        assert!(e.message.contains("has the ADMIN role, more than `grafana_role` (EDITOR)"), "{}", e.message);
        assert!(
            amg.check_role("x", &aws_sdk_grafana::types::Role::Viewer).is_ok(),
            "a lower role is only warned about"
        );
        assert_eq!(at_workspace("gone".into()).setting, "workspace_id");
        for r in [Role::Admin, Role::Editor, Role::Viewer] {
            assert_eq!(Role::parse(r.name()), Some(r), "a role's name reads back as the role");
        }
    }

    #[test]
    fn control_plane_lists_end_at_a_repeated_token_or_the_page_limit() {
        let mut next = None;
        assert_eq!(next_page(None, &mut next, 1), Ok(false), "no token: the end");
        assert_eq!(next_page(Some("a".into()), &mut next, 1), Ok(true));
        assert_eq!(next.as_deref(), Some("a"));
        assert!(next_page(Some("a".into()), &mut next, 2).unwrap_err().contains("same next token"));
        let mut next = None;
        assert!(next_page(Some("z".into()), &mut next, MAX_CONTROL_PAGES).unwrap_err().contains("100 pages"));
    }

    #[test]
    fn api_keys_are_a_fallback_up_to_grafana_10() {
        assert!(api_keys_possible("10.4") && api_keys_possible("9.4") && api_keys_possible("8.4"));
        assert!(!api_keys_possible("12.4") && !api_keys_possible("11.0") && !api_keys_possible(""));
    }

    #[test]
    fn names_are_fixed_per_role_and_unique_per_token() {
        assert_eq!(service_account_name(Role::Admin), "terraform-provider-grafana-admin");
        assert_eq!(service_account_name(Role::Viewer), "terraform-provider-grafana-viewer");
        let (a, b) = (token_name(), token_name());
        assert_ne!(a, b);
        assert!(a.starts_with("terraform-provider-grafana-") && a.len() <= 100, "{a}");
    }

    #[test]
    fn no_credentials_says_where_it_looked_and_what_to_set() {
        let m = no_credentials("no providers in chain", Some("ci")).message;
        for want in
            ["AWS_ACCESS_KEY_ID", "profile \"ci\"", "AWS_WEB_IDENTITY_TOKEN_FILE", "instance metadata", "`auth`"]
        {
            assert!(m.contains(want), "{want}: {m}");
        }
    }
}
