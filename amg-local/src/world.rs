//! All of the emulator's state: workspaces, their Grafana objects, service accounts, tokens,
//! API keys, and the request counters behind `/_amg-local/stats`.
//!
//! One `Mutex` per workspace guards its Grafana store; the emulator is a test double, so
//! simplicity wins over concurrency here (see the benchmark in the README for its throughput).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// The Grafana version a workspace behaves as (`amg-local/reference/grafana-api.md` §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    V10_4,
    V12_4,
}

impl Profile {
    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "10.4" => Some(Profile::V10_4),
            "12.4" => Some(Profile::V12_4),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Profile::V10_4 => "10.4",
            Profile::V12_4 => "12.4",
        }
    }
    /// Full version string `/api/frontend/settings` reports in `buildInfo.version`.
    pub fn full_version(self) -> &'static str {
        match self {
            Profile::V10_4 => "10.4.1",
            Profile::V12_4 => "12.4.0",
        }
    }
    pub fn nested_folders(self) -> bool {
        self == Profile::V12_4
    }
    pub fn unique_titles(self) -> bool {
        self == Profile::V10_4
    }
    pub fn api_keys(self) -> bool {
        self == Profile::V10_4
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Editor,
    Admin,
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
    pub fn aws(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Editor => "EDITOR",
            Role::Viewer => "VIEWER",
        }
    }
}

/// The service account of the admin token the ready line prints.
pub const ADMIN_SERVICE_ACCOUNT: &str = "amg-local-admin";

/// Shared handle to the emulator's state.
pub type Shared = Arc<World>;

pub struct World {
    /// The profile of workspaces created without a `grafanaVersion` (and of the default one).
    pub default_profile: Profile,
    /// `https` when workspaces serve TLS.
    pub scheme: &'static str,
    /// Whether 12.4 workspaces convert `prometheus` data sources that use SigV4 into
    /// `grafana-amazonprometheus-datasource` (as Grafana 12+'s migration does).
    pub prometheus_sigv4_migration: bool,
    /// Whether workspaces serve Grafana's role-based permission API (`/api/access-control/…`);
    /// AMG does not.
    pub access_control: bool,
    pub rng: Mutex<StdRng>,
    pub workspaces: RwLock<BTreeMap<String, Arc<Workspace>>>,
    /// Grafana credential (token or API key) → where it lives.
    pub credentials: Mutex<HashMap<String, Credential>>,
    /// Every token and API key ever issued, deleted ones included: what a secret scan looks for.
    pub issued: Mutex<Vec<String>>,
    pub stats: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// Faults met, by plane (`grafana`, `control`) and kind (`injected`, `dropped`).
    pub faults: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    /// IAM actions (`grafana:CreateWorkspaceServiceAccount`) denied to every caller.
    pub denied: Vec<String>,
    /// How long a workspace stays CREATING or UPDATING.
    pub settle: std::time::Duration,
}

#[derive(Clone, Debug)]
pub enum Credential {
    Token { workspace: String, sa_id: u64, token_id: u64 },
    ApiKey { workspace: String, name: String },
}

pub struct Workspace {
    pub id: String,
    pub profile: Profile,
    pub grafana_addr: SocketAddr,
    pub scheme: &'static str,
    /// The control-plane description (`WorkspaceDescription` members), kept as JSON.
    pub desc: Mutex<serde_json::Map<String, Value>>,
    pub accounts: Mutex<Accounts>,
    pub grafana: Mutex<Store>,
}

impl Workspace {
    pub fn grafana_url(&self) -> String {
        format!("{}://{}", self.scheme, self.grafana_addr)
    }
}

/// Service accounts, their tokens, and API keys of one workspace.
#[derive(Default)]
pub struct Accounts {
    pub next_sa: u64,
    pub next_token: u64,
    pub service_accounts: BTreeMap<u64, ServiceAccount>,
    pub api_keys: BTreeMap<String, ApiKey>,
}

pub struct ServiceAccount {
    pub id: u64,
    pub name: String,
    pub login: String,
    pub role: Role,
    pub tokens: BTreeMap<u64, Token>,
}

pub struct Token {
    pub id: u64,
    pub name: String,
    pub created: f64,
    pub expires: f64,
}

pub struct ApiKey {
    pub role: Role,
    pub expires: f64,
}

/// One workspace's Grafana objects (organisation 1).
#[derive(Default)]
pub struct Store {
    pub next_id: i64,
    pub folders: BTreeMap<String, FolderRec>,
    pub dashboards: BTreeMap<String, DashRec>,
    pub versions: BTreeMap<String, Vec<VersionRec>>,
    pub datasources: Vec<DsRec>,
    /// Alerting notification template groups by name: (content as stored, provenance: `api` or `""`).
    pub templates: BTreeMap<String, (String, String)>,
    /// Users who signed in (through IAM Identity Center or SAML on AMG), in sign-in order.
    pub users: Vec<UserRec>,
    /// Folder permissions set through `POST /api/folders/{uid}/permissions`, by folder uid; a
    /// folder without an entry has Grafana's defaults (Editor: Edit, Viewer: View).
    pub folder_permissions: BTreeMap<String, Vec<PermissionRec>>,
    /// Each dashboard's own permissions by uid, from its first save on (Grafana's defaults then:
    /// Editor: Edit, Viewer: View in the General folder, none in a folder).
    pub dashboard_permissions: BTreeMap<String, Vec<PermissionRec>>,
    /// Teams, in creation order.
    pub teams: Vec<TeamRec>,
    /// Alerting mute timings, in creation order.
    pub mute_timings: Vec<MuteTiming>,
    /// Alerting contact points' integrations, in creation order; `None` until first touched
    /// (then Grafana's default `grafana-default-email`).
    pub contact_points: Option<Vec<Integration>>,
    /// The notification policy tree and its provenance, once a PUT replaced Grafana's default.
    pub policies: Option<(serde_json::Value, String)>,
    /// Alert rules, each group's in its order.
    pub alert_rules: Vec<AlertRuleRec>,
}

/// A user of the workspace's organisation, as single sign-on makes them on first sign-in.
pub struct UserRec {
    pub id: i64,
    pub uid: String,
    pub login: String,
    pub email: String,
    pub name: String,
    /// `Admin`, `Editor` or `Viewer`: the organisation role.
    pub role: String,
}

/// One permission of a folder or a dashboard: for a role, a team or a user; 1 View, 2 Edit, 4 Admin.
#[derive(Clone, PartialEq)]
pub struct PermissionRec {
    pub role: Option<String>,
    pub team_id: i64,
    pub user_id: i64,
    pub permission: i64,
}

/// A team: its members by user id, its preferences (`theme`, `homeDashboardUID`, `timezone`,
/// `weekStart`, as last put).
pub struct TeamRec {
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub email: String,
    pub members: Vec<i64>,
    pub preferences: serde_json::Value,
}

/// The contact point of Grafana's default alerting configuration, which the default
/// notification policy tree sends to.
pub const DEFAULT_RECEIVER: &str = "grafana-default-email";

/// One integration of an alerting contact point: its settings as sent (secrets included),
/// its provenance (`api` or `""`).
pub struct Integration {
    pub uid: String,
    pub name: String,
    pub kind: String,
    pub settings: serde_json::Map<String, Value>,
    pub disable_resolve_message: bool,
    pub provenance: String,
}

/// An alerting mute timing: its time intervals in Alertmanager's form, its provenance (`api` or `""`).
pub struct MuteTiming {
    pub name: String,
    pub intervals: serde_json::Value,
    pub provenance: String,
}

/// An alert rule: its group (folder uid and name) and the group's interval, the rule as Grafana
/// answers it (without provenance), its provenance (`api` or `""`).
pub struct AlertRuleRec {
    pub uid: String,
    pub folder_uid: String,
    pub group: String,
    pub interval: i64,
    pub rule: serde_json::Value,
    pub provenance: String,
}

impl Store {
    pub fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }
}

#[derive(Clone)]
pub struct FolderRec {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub parent_uid: Option<String>,
    pub version: i64,
    pub created: String,
    pub updated: String,
    pub created_by: String,
    pub updated_by: String,
}

#[derive(Clone)]
pub struct DashRec {
    pub id: i64,
    pub uid: String,
    pub title: String,
    pub folder_uid: Option<String>,
    pub data: serde_json::Map<String, Value>,
    pub version: i64,
    pub created: String,
    pub updated: String,
    pub created_by: String,
    pub updated_by: String,
    pub plugin_id: Option<String>,
}

#[derive(Clone)]
pub struct VersionRec {
    pub id: i64,
    pub version: i64,
    pub parent_version: i64,
    pub restored_from: i64,
    pub created: String,
    pub created_by: String,
    pub message: String,
    pub data: serde_json::Map<String, Value>,
}

#[derive(Clone)]
pub struct DsRec {
    pub id: i64,
    pub uid: String,
    pub name: String,
    pub kind: String,
    pub access: String,
    pub url: String,
    pub user: String,
    pub database: String,
    pub basic_auth: bool,
    pub basic_auth_user: String,
    pub with_credentials: bool,
    pub is_default: bool,
    pub json_data: Value,
    pub secure: BTreeMap<String, String>,
    pub version: i64,
    pub read_only: bool,
}

impl World {
    /// A world with no workspace yet. `seed` makes every random draw repeatable.
    pub fn new(
        seed: Option<u64>,
        default_profile: Profile,
        tls: bool,
        prometheus_sigv4_migration: bool,
        access_control: bool,
        denied: Vec<String>,
        settle: std::time::Duration,
    ) -> Arc<World> {
        let seed = seed
            .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(7));
        Arc::new(World {
            default_profile,
            scheme: if tls { "https" } else { "http" },
            prometheus_sigv4_migration,
            access_control,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            workspaces: RwLock::new(BTreeMap::new()),
            credentials: Mutex::new(HashMap::new()),
            issued: Mutex::new(Vec::new()),
            stats: Mutex::new(BTreeMap::new()),
            faults: Mutex::new(BTreeMap::new()),
            denied,
            settle,
        })
    }

    pub fn workspace(&self, id: &str) -> Option<Arc<Workspace>> {
        self.workspaces.read().expect("lock").get(id).cloned()
    }

    /// A fraction in [0, 1) from the seeded generator.
    pub fn roll(&self) -> f64 {
        self.rng.lock().expect("lock").random::<f64>()
    }

    pub fn random_hex(&self, n: usize) -> String {
        let mut rng = self.rng.lock().expect("lock");
        (0..n).map(|_| char::from_digit(rng.random_range(0..16), 16).expect("hex digit")).collect()
    }

    pub fn random_alnum(&self, n: usize) -> String {
        const CH: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut rng = self.rng.lock().expect("lock");
        (0..n).map(|_| CH[rng.random_range(0..CH.len())] as char).collect()
    }

    /// A Grafana-style generated uid: a letter, 24 hex digits of a random UUID, a letter.
    pub fn new_uid(&self) -> String {
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        let (a, b) = {
            let mut rng = self.rng.lock().expect("lock");
            (letters[rng.random_range(0..26)] as char, letters[rng.random_range(0..26)] as char)
        };
        format!("{a}{}{b}", self.random_hex(24))
    }

    /// Mints a service-account token with the Admin role for the ready line.
    pub fn mint_admin_token(&self, ws: &Workspace) -> String {
        let sa_id = {
            let mut acc = ws.accounts.lock().expect("lock");
            acc.next_sa += 1;
            let id = acc.next_sa;
            acc.service_accounts.insert(
                id,
                ServiceAccount {
                    id,
                    name: ADMIN_SERVICE_ACCOUNT.into(),
                    login: format!("sa-{ADMIN_SERVICE_ACCOUNT}"),
                    role: Role::Admin,
                    tokens: BTreeMap::new(),
                },
            );
            id
        };
        self.mint_token(ws, sa_id, "amg-local-admin", 30 * 24 * 3600).expect("service account just created").1
    }

    /// Creates a token for a service account: (token id, key).
    pub fn mint_token(&self, ws: &Workspace, sa_id: u64, name: &str, seconds_to_live: u64) -> Option<(u64, String)> {
        let key = format!("glsa_{}_{}", self.random_alnum(32), self.random_hex(8));
        let now = now_epoch();
        let mut acc = ws.accounts.lock().expect("lock");
        acc.next_token += 1;
        let id = acc.next_token;
        let sa = acc.service_accounts.get_mut(&sa_id)?;
        sa.tokens.insert(id, Token { id, name: name.to_string(), created: now, expires: now + seconds_to_live as f64 });
        self.credentials
            .lock()
            .expect("lock")
            .insert(key.clone(), Credential::Token { workspace: ws.id.clone(), sa_id, token_id: id });
        self.issued.lock().expect("lock").push(key.clone());
        Some((id, key))
    }

    pub fn record(&self, method: &str, route: &str, status: u16) {
        *self.stats.lock().expect("lock").entry((method.to_string(), route.to_string(), status)).or_insert(0) += 1;
    }

    pub fn stats_json(&self) -> Value {
        let requests: Vec<Value> = self
            .stats
            .lock()
            .expect("lock")
            .iter()
            .map(|((m, r, s), c)| json!({"method": m, "route": r, "status": s, "count": c}))
            .collect();
        let now = now_epoch();
        let mut workspaces = serde_json::Map::new();
        for (id, ws) in self.workspaces.read().expect("lock").iter() {
            let g = ws.grafana.lock().expect("lock");
            let acc = ws.accounts.lock().expect("lock");
            let live_tokens: usize =
                acc.service_accounts.values().map(|sa| sa.tokens.values().filter(|t| t.expires > now).count()).sum();
            workspaces.insert(
                id.clone(),
                json!({
                    "dashboards": g.dashboards.len(),
                    "folders": g.folders.len(),
                    "datasources": g.datasources.len(),
                    "templates": g.templates.len(),
                    "mute_timings": g.mute_timings.len(),
                    "alert_rules": g.alert_rules.len(),
                    // Integrations of contact points other than Grafana's default one.
                    "contact_points": g.contact_points.as_ref().map_or(0, |all| {
                        all.iter().filter(|i| i.name != DEFAULT_RECEIVER).count()
                    }),
                    "teams": g.teams.len(),
                    "service_accounts": acc.service_accounts.len(),
                    "live_tokens": live_tokens,
                    "api_keys": acc.api_keys.values().filter(|k| k.expires > now).count(),
                    "api_keys_total": acc.api_keys.len(),
                    "tokens_by_service_account": acc.service_accounts.values().map(|sa| (sa.name.clone(), json!({
                        "live": sa.tokens.values().filter(|t| t.expires > now).count(),
                        "total": sa.tokens.len(),
                    }))).collect::<serde_json::Map<String, Value>>(),
                }),
            );
        }
        let mut faults = json!({});
        for ((plane, kind), n) in self.faults.lock().expect("lock").iter() {
            faults[*plane][*kind] = json!(n);
        }
        json!({"requests": requests, "workspaces": workspaces, "faults": faults})
    }

    /// Counts a fault met on `plane` (`grafana`, `control`): `injected` or `dropped`.
    pub fn count_fault(&self, plane: &'static str, kind: &'static str) {
        *self.faults.lock().expect("lock").entry((plane, kind)).or_default() += 1;
    }
}

pub fn now_epoch() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as f64 / 1000.0).unwrap_or(0.0)
}

/// RFC 3339 UTC, as Grafana writes `created`/`updated`.
pub fn now_rfc3339() -> String {
    let t = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
