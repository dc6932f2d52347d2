//! A short-lived Grafana token for an AMG workspace, for this project's other tools
//! (`operator2tf --workspace-id`): minted with the caller's AWS credentials exactly as the
//! provider mints its own, and deleted with [`close`]. The token is an Admin's: Grafana lets only
//! Admins read data sources (`datasources:read`), and the tools read those.

use std::time::Duration;

use crate::amg::{self, Amg};

/// A token and the workspace's Grafana URL; [`close`] deletes the token.
pub struct Leased {
    pub url: String,
    pub token: String,
    handle: Vec<u8>,
}

impl std::fmt::Debug for Leased {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leased").field("url", &self.url).finish_non_exhaustive()
    }
}

/// Mints an Admin token for `workspace_id` that lives `ttl` at most.
pub async fn open(workspace_id: &str, region: Option<&str>, ttl: Duration) -> Result<Leased, String> {
    let amg = Amg::new(amg::Settings {
        workspace_id: workspace_id.to_string(),
        region: region.map(str::to_string),
        profile: None,
        role: amg::Role::Admin,
        ttl,
        ready_timeout: Duration::from_secs(60),
    });
    let lease = amg.lease().await.map_err(|e| e.to_string())?;
    Ok(Leased {
        url: lease.url.to_string(),
        token: lease.token.expose_to_terraform().to_string(),
        handle: lease.handle,
    })
}

/// Deletes the token (bounded; a token it cannot delete expires with its TTL).
pub async fn close(leased: Leased) -> Result<(), String> {
    Amg::end_lease(&leased.handle).await.map_err(|e| e.to_string())
}
