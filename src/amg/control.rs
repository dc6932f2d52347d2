//! The control-plane calls of AMG-native auth: the SDK client from the credential chain, the
//! workspace (waited for while not ACTIVE), the provider's service account (or API keys),
//! minting, and deleting expired and lost tokens.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_config::BehaviorVersion;
use aws_sdk_grafana::Client;
use aws_sdk_grafana::config::ProvideCredentials;
use aws_sdk_grafana::config::retry::RetryConfig;
use aws_sdk_grafana::config::timeout::TimeoutConfig;
use aws_sdk_grafana::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_grafana::types::{PermissionType, WorkspaceStatus};

use super::{
    Amg, CREDENTIALS_TIMEOUT, Denied, Held, LOST_MINTS, MAX_ATTEMPTS, Minted, Minter, Workspace, api_keys_possible,
    at_workspace, explain, fallback, next_page, no_credentials, service_account_name, token_name,
};
use crate::grafana::{Secret, SourceError};

impl Amg {
    pub(super) async fn sdk(&self) -> Result<&Client, SourceError> {
        self.sdk
            .get_or_init(|| async {
                let s = &self.settings;
                let imds = aws_config::imds::Client::builder()
                    .max_attempts(1)
                    .connect_timeout(Duration::from_secs(1))
                    .read_timeout(Duration::from_secs(1))
                    .build();
                let mut creds =
                    aws_config::default_provider::credentials::DefaultCredentialsChain::builder().imds_client(imds);
                let mut loader = aws_config::defaults(BehaviorVersion::latest())
                    .retry_config(
                        RetryConfig::standard()
                            .with_max_attempts(MAX_ATTEMPTS)
                            .with_initial_backoff(Duration::from_millis(200))
                            .with_max_backoff(Duration::from_secs(5)),
                    )
                    .timeout_config(
                        TimeoutConfig::builder()
                            .connect_timeout(Duration::from_secs(5))
                            .operation_attempt_timeout(Duration::from_secs(20))
                            .operation_timeout(Duration::from_secs(60))
                            .build(),
                    );
                if let Some(p) = &s.profile {
                    creds = creds.profile_name(p);
                    loader = loader.profile_name(p);
                }
                if let Some(r) = &s.region {
                    let region = aws_config::Region::new(r.clone());
                    creds = creds.region(region.clone());
                    loader = loader.region(region);
                }
                let conf = loader.credentials_provider(creds.build().await).load().await;
                let Some(region) = conf.region().map(|r| r.to_string()) else {
                    return Err(SourceError::at(
                        "region",
                        "No AWS region: set `region` in the provider block, or AWS_REGION (or a `region` in the AWS \
                            profile).",
                    ));
                };
                let provider =
                    conf.credentials_provider().ok_or_else(|| no_credentials("no credential provider", None))?;
                match tokio::time::timeout(CREDENTIALS_TIMEOUT, provider.provide_credentials()).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return Err(no_credentials(&e.to_string(), s.profile.as_deref())),
                    Err(_) => return Err(no_credentials("the lookup took too long", s.profile.as_deref())),
                }
                tracing::info!(region = %region, workspace = %s.workspace_id, "AMG auth: AWS credentials found");
                Ok(Client::new(&conf))
            })
            .await
            .as_ref()
            .map_err(SourceError::clone)
    }

    /// The workspace, once ACTIVE (waiting, bounded, while AMG is still working on it).
    pub(super) async fn workspace(&self) -> Result<&Workspace, SourceError> {
        self.workspace
            .get_or_init(|| async {
                let c = self.sdk().await?;
                let id = &self.settings.workspace_id;
                let started = Instant::now();
                let mut logged = false;
                loop {
                    let out = c
                        .describe_workspace()
                        .workspace_id(id)
                        .send()
                        .await
                        .map_err(|e| at_workspace(explain(e, "DescribeWorkspace", id)))?;
                    let ws = out
                        .workspace
                        .ok_or_else(|| at_workspace(format!("DescribeWorkspace {id} returned no workspace")))?;
                    match ws.status() {
                        WorkspaceStatus::Active => {
                            if logged {
                                tracing::info!(workspace = %id, waited_s = started.elapsed().as_secs_f64(), "workspace \
                                    is ACTIVE");
                            }
                            return Ok(Workspace {
                                endpoint: ws.endpoint().to_string(),
                                version: ws.grafana_version().to_string(),
                                service_managed: ws.permission_type() == Some(&PermissionType::ServiceManaged),
                            });
                        }
                        s @ (WorkspaceStatus::Creating
                        | WorkspaceStatus::Updating
                        | WorkspaceStatus::VersionUpdating
                        | WorkspaceStatus::Upgrading) => {
                            if started.elapsed() >= self.settings.ready_timeout {
                                return Err(SourceError::at(
                                    "workspace_ready_timeout_seconds",
                                    format!(
                                        "Workspace {id} is still {} after {} s. AMG is creating or updating it; apply \
                                        again when `aws grafana describe-workspace --workspace-id {id}` says ACTIVE, \
                                        or raise the provider's `workspace_ready_timeout_seconds`.",
                                        s.as_str(),
                                        started.elapsed().as_secs()
                                    ),
                                ));
                            }
                            if !logged {
                                let timeout_s = self.settings.ready_timeout.as_secs();
                                let status = s.as_str();
                                let waiting = "waiting for the workspace to become ACTIVE";
                                tracing::warn!(workspace = %id, status, timeout_s, "{waiting}");
                                logged = true;
                            }
                            let pause = self.settings.ready_timeout / 4 + Duration::from_millis(100);
                            tokio::time::sleep(Duration::from_secs(2).min(pause)).await;
                        }
                        s => {
                            return Err(at_workspace(format!(
                                "Workspace {id} is {}: it cannot serve Grafana requests. Check it in the AMG console.",
                                s.as_str()
                            )));
                        }
                    }
                }
            })
            .await
            .as_ref()
            .map_err(SourceError::clone)
    }

    /// The service account to mint under (found or created), or API keys on a 10.4 workspace
    /// whose caller may not use service accounts.
    async fn minter(&self) -> Result<&Minter, SourceError> {
        self.minter
            .get_or_init(|| async {
                let c = self.sdk().await?;
                let ws = self.workspace().await?;
                let id = &self.settings.workspace_id;
                let name = service_account_name(self.settings.role);
                let found = match self.find_service_account(c, &name).await {
                    Ok(f) => f,
                    Err(Denied(e)) if api_keys_possible(&ws.version) => return Ok(fallback(&e)),
                    Err(Denied(e)) => return Err(at_workspace(e)),
                };
                if let Some((sa, role)) = found {
                    self.check_role(&name, &role)?;
                    return Ok(Minter::ServiceAccount(sa));
                }
                let created = c
                    .create_workspace_service_account()
                    .workspace_id(id)
                    .name(&name)
                    .grafana_role(self.settings.role.aws())
                    .send()
                    .await;
                match created {
                    Ok(o) => {
                        tracing::info!(workspace = %id, service_account = %name, "created the provider's service \
                            account");
                        Ok(Minter::ServiceAccount(o.id))
                    }
                    // Another run created it at the same moment: use theirs.
                    Err(e) if e.code() == Some("ConflictException") => {
                        match self.find_service_account(c, &name).await {
                            Ok(Some((sa, role))) => self.check_role(&name, &role).map(|()| Minter::ServiceAccount(sa)),
                            Ok(None) => Err(at_workspace(format!(
                                "service account {name} conflicts but cannot be found in {id}"
                            ))),
                            Err(Denied(e)) => Err(at_workspace(e)),
                        }
                    }
                    Err(e) if e.code() == Some("AccessDeniedException") && api_keys_possible(&ws.version) => {
                        Ok(fallback(&explain(e, "CreateWorkspaceServiceAccount", id)))
                    }
                    Err(e) => Err(at_workspace(explain(e, "CreateWorkspaceServiceAccount", id))),
                }
            })
            .await
            .as_ref()
            .map_err(SourceError::clone)
    }

    /// A service account found by name must not hold more than `grafana_role` asks for: a
    /// token minted under it would have powers the configuration never granted.
    pub(super) fn check_role(&self, name: &str, found: &aws_sdk_grafana::types::Role) -> Result<(), SourceError> {
        let rank = |r: &aws_sdk_grafana::types::Role| match r {
            aws_sdk_grafana::types::Role::Viewer => 1,
            aws_sdk_grafana::types::Role::Editor => 2,
            _ => 3,
        };
        let wanted = self.settings.role.aws();
        if rank(found) > rank(&wanted) {
            return Err(SourceError::at(
                "grafana_role",
                format!(
                    "The service account {name} in workspace {} has the {} role, more than `grafana_role` ({}) \
                        asks for, so the provider will not mint tokens under it. Delete that service account (`aws \
                        grafana delete-workspace-service-account --workspace-id {} --service-account-id <id>`, or in \
                        the AMG console): the provider creates it again with the {} role.",
                    self.settings.workspace_id,
                    found.as_str(),
                    wanted.as_str(),
                    self.settings.workspace_id,
                    wanted.as_str()
                ),
            ));
        }
        if rank(found) < rank(&wanted) {
            tracing::warn!(service_account = %name, role = found.as_str(), "the provider's service account has a lower \
                role than `grafana_role`: Grafana will refuse what that role may not do");
        }
        Ok(())
    }

    async fn find_service_account(
        &self,
        c: &Client,
        name: &str,
    ) -> Result<Option<(String, aws_sdk_grafana::types::Role)>, Denied> {
        let id = &self.settings.workspace_id;
        let mut next: Option<String> = None;
        let mut pages = 0;
        loop {
            let out = c
                .list_workspace_service_accounts()
                .workspace_id(id)
                .set_next_token(next.clone())
                .send()
                .await
                .map_err(|e| Denied(explain(e, "ListWorkspaceServiceAccounts", id)))?;
            if let Some(sa) = out.service_accounts.iter().find(|s| s.name == name) {
                return Ok(Some((sa.id.clone(), sa.grafana_role.clone())));
            }
            pages += 1;
            match next_page(out.next_token, &mut next, pages) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(why) => return Err(Denied(format!("ListWorkspaceServiceAccounts on {id}: {why}"))),
            }
        }
    }

    /// Mints a new token (or API key), first deleting this service account's expired tokens.
    pub(super) async fn mint(&self) -> Result<Minted, SourceError> {
        let c = self.sdk().await?;
        let minter = self.minter().await?;
        let id = &self.settings.workspace_id;
        let ttl = self.settings.ttl;
        let name = token_name();
        let started = Instant::now();
        let (secret, held) = match minter {
            Minter::ServiceAccount(sa) => {
                self.delete_expired(c, sa).await;
                let mut name = name.clone();
                let mut out = self.create_token(c, sa, &name).await;
                // A lost answer the SDK retried: the first attempt made the token, whose key
                // only that answer carried. Delete it (it would otherwise live out its TTL) and
                // mint under a new name; bounded, as each attempt may lose its answer again.
                for _ in 0..LOST_MINTS {
                    if !matches!(&out, Err(e) if e.code() == Some("ConflictException")) {
                        break;
                    }
                    tracing::warn!(token = %name, "a token was created but its answer was lost; deleting it and \
                        minting another");
                    self.delete_token_named(c, sa, &name).await;
                    name = token_name();
                    out = self.create_token(c, sa, &name).await;
                }
                let out = out.map_err(|e| at_workspace(explain(e, "CreateWorkspaceServiceAccountToken", id)))?;
                let t = out
                    .service_account_token
                    .ok_or_else(|| at_workspace("CreateWorkspaceServiceAccountToken returned no token".into()))?;
                (Secret::new(&t.key), Held::Token { sa: sa.clone(), id: t.id })
            }
            Minter::ApiKeys => {
                let mut name = name.clone();
                let mut out = self.create_api_key(c, &name).await;
                for _ in 0..LOST_MINTS {
                    if !matches!(&out, Err(e) if e.code() == Some("ConflictException")) {
                        break;
                    }
                    tracing::warn!(key = %name, "an API key was created but its answer was lost; deleting it and \
                        minting another");
                    let _ = c.delete_workspace_api_key().workspace_id(id).key_name(&name).send().await;
                    name = token_name();
                    out = self.create_api_key(c, &name).await;
                }
                let out = out.map_err(|e| at_workspace(explain(e, "CreateWorkspaceApiKey", id)))?;
                (Secret::new(&out.key), Held::ApiKey { name })
            }
        };
        let (ttl_s, took_ms) = (ttl.as_secs(), started.elapsed().as_millis() as u64);
        tracing::info!(workspace = %id, token = %name, ttl_s, took_ms, "minted a Grafana token");
        Ok(Minted { secret, held, renew_at: started + ttl.mul_f64(0.8) })
    }

    async fn create_token(
        &self,
        c: &Client,
        sa: &str,
        name: &str,
    ) -> Result<
        aws_sdk_grafana::operation::create_workspace_service_account_token::CreateWorkspaceServiceAccountTokenOutput,
        SdkError<
            aws_sdk_grafana::operation::create_workspace_service_account_token::CreateWorkspaceServiceAccountTokenError,
        >,
    > {
        c.create_workspace_service_account_token()
            .workspace_id(&self.settings.workspace_id)
            .service_account_id(sa)
            .name(name)
            .seconds_to_live(self.settings.ttl.as_secs() as i32)
            .send()
            .await
    }

    async fn create_api_key(
        &self,
        c: &Client,
        name: &str,
    ) -> Result<
        aws_sdk_grafana::operation::create_workspace_api_key::CreateWorkspaceApiKeyOutput,
        SdkError<aws_sdk_grafana::operation::create_workspace_api_key::CreateWorkspaceApiKeyError>,
    > {
        c.create_workspace_api_key()
            .workspace_id(&self.settings.workspace_id)
            .key_name(name)
            .key_role(self.settings.role.aws().as_str())
            .seconds_to_live(self.settings.ttl.as_secs() as i32)
            .send()
            .await
    }

    /// Deletes the token called `name` (one whose creation answer was lost).
    async fn delete_token_named(&self, c: &Client, sa: &str, name: &str) {
        let id = &self.settings.workspace_id;
        let Ok(out) = c.list_workspace_service_account_tokens().workspace_id(id).service_account_id(sa).send().await
        else {
            return;
        };
        // One page: the provider keeps at most a few tokens (expired ones are deleted first).
        for t in out.service_account_tokens.iter().filter(|t| t.name == name) {
            let _ = c
                .delete_workspace_service_account_token()
                .workspace_id(id)
                .service_account_id(sa)
                .token_id(&t.id)
                .send()
                .await;
        }
    }

    /// Deletes the service account's expired tokens: AMG counts them against its cap of 99.
    /// Live tokens are left alone (another run may be using them).
    async fn delete_expired(&self, c: &Client, sa: &str) {
        let id = &self.settings.workspace_id;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        let mut next: Option<String> = None;
        let mut expired = Vec::new();
        let mut live = 0usize;
        let mut pages = 0;
        loop {
            let out = match c
                .list_workspace_service_account_tokens()
                .workspace_id(id)
                .service_account_id(sa)
                .set_next_token(next.clone())
                .send()
                .await
            {
                Ok(o) => o,
                Err(e) => {
                    let e = explain(e, "ListWorkspaceServiceAccountTokens", id);
                    tracing::warn!(error = %e, "could not list the service account's tokens; expired ones stay");
                    return;
                }
            };
            let (gone, alive): (Vec<_>, Vec<_>) =
                out.service_account_tokens.iter().partition(|t| t.expires_at.secs() <= now);
            expired.extend(gone.into_iter().map(|t| t.id.clone()));
            live += alive.len();
            pages += 1;
            match next_page(out.next_token, &mut next, pages) {
                Ok(true) => {}
                Ok(false) => break,
                Err(why) => {
                    tracing::warn!(reason = %why, "ListWorkspaceServiceAccountTokens did not end; clean-up stopped \
                        there");
                    break;
                }
            }
        }
        for t in &expired {
            if let Err(e) = c
                .delete_workspace_service_account_token()
                .workspace_id(id)
                .service_account_id(sa)
                .token_id(t)
                .send()
                .await
                && e.code() != Some("ResourceNotFoundException")
            {
                let error = explain(e, "DeleteWorkspaceServiceAccountToken", id);
                tracing::warn!(error = %error, "could not delete an expired token");
            }
        }
        if !expired.is_empty() {
            tracing::info!(deleted = expired.len(), "deleted expired tokens of the provider's service account");
        }
        if live > 0 {
            // Another run's (still running, or killed with SIGKILL before it could revoke):
            // left alone, they end at their TTL.
            tracing::warn!(
                live_tokens = live,
                service_account_id = sa,
                "found {live} live token(s) of the provider's service account minted by other runs (running now, or \
                    killed before they could revoke); they are left to expire at their TTL"
            );
        } else {
            tracing::info!(live_tokens = 0, "no live token of the provider's service account from other runs");
        }
    }
}
