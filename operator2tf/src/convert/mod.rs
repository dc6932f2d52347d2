//! From manifests to Terraform resources: the index of what the manifests hold (ConfigMaps,
//! Secrets, folders by name and title), one converter per kind, and the record of every
//! manifest's fate for `CONVERSION.md`.

mod alerting;
mod content;
mod dashboard;
mod datasource;
mod folder;
mod rule_group;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::flux::Vars;
use crate::hcl::{Block, Expr, identifier};
use crate::load::{Failure, Manifest, Source};

pub use content::Fetch;

pub const GROUP: &str = "grafana.integreatly.org/";

/// A Terraform resource made from a manifest.
#[derive(Debug)]
pub struct Resource {
    pub source: Source,
    pub kind: &'static str,
    pub name: String,
    pub attrs: Vec<(String, Expr)>,
    /// Nested blocks (a rule group's `rule`s, a policy's `policy`s).
    pub blocks: Vec<Block>,
    /// The object's uid in Grafana (for alerting objects, the import id), and where it came from.
    pub uid: Option<(String, String)>,
    /// What live mode looks up when no uid is known (and checks when one is).
    pub lookup: Lookup,
    /// A dashboard's model, written to `dashboards/<name>.json`; with `inputs` when it declares
    /// `__inputs` (the provider fills them as the operator did).
    pub dashboard: Option<Value>,
    /// Import or creation, as decided (live mode's finding, or the uid's source offline).
    pub import: Option<String>,
    pub how: String,
}

impl Resource {
    pub fn new(source: &Source, kind: &'static str, name: String, attrs: Vec<(String, Expr)>, lookup: Lookup) -> Self {
        Resource {
            source: source.clone(),
            kind,
            name,
            attrs,
            blocks: Vec::new(),
            uid: None,
            lookup,
            dashboard: None,
            import: None,
            how: String::new(),
        }
    }

    pub fn address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }

    /// `disable_provenance`: set when Grafana (or the manifest's `editable`) leaves the object
    /// editable in its UI, left out when the operator provisioned it.
    pub fn set_editable(&mut self, editable: bool) {
        self.attrs.retain(|(k, _)| k != "disable_provenance");
        if editable {
            self.attrs.push(("disable_provenance".into(), Expr::Bool(true)));
        }
    }
}

#[derive(Debug, Clone)]
pub enum Lookup {
    /// A folder by title, under a parent folder resource (or at the top).
    Folder {
        title: String,
        parent: Option<usize>,
    },
    /// A dashboard by title in a folder resource.
    Dashboard {
        title: String,
        folder: Option<usize>,
    },
    DataSource {
        name: String,
    },
    /// An alerting object whose import id the manifest names: live mode reads `path` to see
    /// that it exists and its provenance.
    Alerting {
        path: String,
    },
    /// A folder's permission list, imported by the folder's uid.
    Permissions {
        folder: usize,
    },
    /// A rule group, whose import id needs its folder's uid (a folder resource's, or given).
    RuleGroup {
        folder: Option<usize>,
        folder_uid: Option<String>,
        name: String,
    },
}

/// Something in the manifests that is not converted, and what to do about it.
#[derive(Debug)]
pub struct Note {
    pub source: Source,
    pub what: String,
    pub todo: String,
}

#[derive(Default)]
pub struct Converted {
    pub resources: Vec<Resource>,
    pub notes: Vec<Note>,
    pub failures: Vec<Failure>,
    /// Kinds read past: (kind, how many).
    pub ignored: BTreeMap<String, usize>,
    /// Variables that carry secrets (sensitive), by Terraform name, with where they come from.
    pub secrets: BTreeMap<String, String>,
    pub vars: Vars,
}

impl Converted {
    /// The Flux variables the resources use (by Flux name): the ones `variables.tf` declares.
    pub fn used_variables(&self) -> BTreeSet<String> {
        fn json(v: &Value, out: &mut BTreeSet<String>) {
            match v {
                Value::String(s) => out.extend(crate::flux::markers(s)),
                Value::Array(a) => a.iter().for_each(|x| json(x, out)),
                Value::Object(m) => m.values().for_each(|x| json(x, out)),
                _ => {}
            }
        }
        fn expr(e: &Expr, out: &mut BTreeSet<String>) {
            match e {
                Expr::Str(s) => out.extend(crate::flux::markers(s)),
                Expr::JsonEncode(v) => json(v, out),
                Expr::Map(pairs) => pairs.iter().for_each(|(_, e)| expr(e, out)),
                Expr::Bool(_) | Expr::Raw(_) => {}
            }
        }
        fn block(b: &Block, out: &mut BTreeSet<String>) {
            b.attrs.iter().for_each(|(_, e)| expr(e, out));
            b.blocks.iter().for_each(|b| block(b, out));
        }
        let mut out = BTreeSet::new();
        for r in &self.resources {
            r.attrs.iter().for_each(|(_, e)| expr(e, &mut out));
            r.blocks.iter().for_each(|b| block(b, &mut out));
            if let Some(d) = &r.dashboard {
                json(d, &mut out);
            }
        }
        out
    }
}

/// What the manifests hold, by namespace and name.
pub struct Index<'a> {
    pub config_maps: BTreeMap<(String, String), &'a Value>,
    pub secrets: BTreeSet<(String, String)>,
    pub folders: BTreeMap<(String, String), usize>,
    pub folder_titles: BTreeMap<String, usize>,
    pub fetch: &'a Fetch,
}

/// A text that says something: a string, not empty.
pub fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// The uid the operator used: the first of `candidates` (value, where it is) that is set.
pub fn first_uid(candidates: &[(&Value, &str)]) -> Option<(String, String)> {
    candidates.iter().find_map(|(v, from)| text(v).map(|u| (u, from.to_string())))
}

/// One segment of a Grafana API path, percent-encoded (a name may hold spaces or slashes).
pub fn path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

pub fn namespace(m: &Value) -> String {
    m["metadata"]["namespace"].as_str().unwrap_or("default").to_string()
}

pub fn meta_name(m: &Value) -> String {
    m["metadata"]["name"].as_str().unwrap_or_default().to_string()
}

fn kind_of(m: &Value) -> (String, String) {
    (m["apiVersion"].as_str().unwrap_or_default().to_string(), m["kind"].as_str().unwrap_or_default().to_string())
}

/// Converts the manifests (already Flux-substituted).
pub fn convert(manifests: &[Manifest], fetch: &Fetch, vars: Vars) -> Converted {
    let mut out = Converted { vars, ..Converted::default() };
    let mut index = Index {
        config_maps: BTreeMap::new(),
        secrets: BTreeSet::new(),
        folders: BTreeMap::new(),
        folder_titles: BTreeMap::new(),
        fetch,
    };
    let mut ours: Vec<(&Manifest, String)> = Vec::new();
    for m in manifests {
        let (api, kind) = kind_of(&m.value);
        let key = (namespace(&m.value), meta_name(&m.value));
        match (api.as_str(), kind.as_str()) {
            ("v1", "ConfigMap") => {
                index.config_maps.insert(key, &m.value);
            }
            ("v1", "Secret") => {
                index.secrets.insert(key);
            }
            (a, k) if a.starts_with(GROUP) => {
                if a != "grafana.integreatly.org/v1beta1" {
                    out.failures.push(Failure {
                        source: m.source.clone(),
                        message: format!(
                            "unknown apiVersion `{a}` for {k}: grafana-operator serves \
                                `grafana.integreatly.org/v1beta1` (v1alpha1 manifests need the operator's v5 migration)"
                        ),
                    });
                    continue;
                }
                ours.push((m, k.to_string()));
            }
            (_, k) => *out.ignored.entry(if k.is_empty() { "(no kind)".into() } else { k.into() }).or_default() += 1,
        }
    }
    // Folders first: dashboards and folders refer to them.
    for (m, _) in ours.iter().filter(|(_, k)| k == "GrafanaFolder") {
        folder::convert(m, &mut index, &mut out);
    }
    for (m, _) in ours.iter().filter(|(_, k)| k == "GrafanaFolder") {
        folder::parent(m, &index, &mut out);
    }
    for (m, kind) in &ours {
        match kind.as_str() {
            "GrafanaFolder" => {}
            "GrafanaDashboard" => dashboard::convert(m, &mut index, &mut out),
            "GrafanaDatasource" => datasource::convert(m, &index, &mut out),
            "GrafanaNotificationTemplate" => alerting::template(m, &mut out),
            "GrafanaMuteTiming" => alerting::mute_timing(m, &mut out),
            "GrafanaNotificationPolicy" => alerting::policy(m, &mut out),
            "GrafanaContactPoint" => alerting::contact_point(m, &index, &mut out),
            "GrafanaAlertRuleGroup" => rule_group::convert(m, &index, &mut out),
            "Grafana" => out.notes.push(Note {
                source: m.source.clone(),
                what: format!("Grafana instance `{}`", meta_name(&m.value)),
                todo: "On AMG the instance is the workspace: manage it with `aws_grafana_workspace` (AWS provider)."
                    .into(),
            }),
            other => out.notes.push(Note {
                source: m.source.clone(),
                what: format!("{other} `{}`", meta_name(&m.value)),
                todo: format!("{other} is not converted by this version of operator2tf: write it by hand."),
            }),
        }
    }
    selectors(manifests, &ours, &mut out);
    out
}

/// A unique resource name for a kind: the manifest's name, then with its namespace, then numbered.
pub fn unique_name(out: &Converted, kind: &str, ns: &str, name: &str) -> String {
    let taken = |n: &str| out.resources.iter().any(|r| r.kind == kind && r.name == n);
    let base = identifier(name);
    if !taken(&base) {
        return base;
    }
    let with_ns = identifier(&format!("{ns}_{name}"));
    if !taken(&with_ns) {
        return with_ns;
    }
    (2..).map(|i| format!("{with_ns}_{i}")).find(|n| !taken(n)).expect("a free name")
}

/// `instanceSelector` matching several `Grafana` instances among the manifests: one workspace
/// per conversion, so the report says to repeat it.
fn selectors(manifests: &[Manifest], ours: &[(&Manifest, String)], out: &mut Converted) {
    let instances: Vec<&Value> = manifests
        .iter()
        .map(|m| &m.value)
        .filter(|v| kind_of(v).1 == "Grafana" && kind_of(v).0.starts_with(GROUP))
        .collect();
    for (m, kind) in ours.iter().filter(|(_, k)| k != "Grafana") {
        let Some(labels) = m.value["spec"]["instanceSelector"]["matchLabels"].as_object() else { continue };
        let cross = m.value["spec"]["allowCrossNamespaceImport"].as_bool() == Some(true);
        let matching = instances
            .iter()
            .filter(|g| cross || namespace(g) == namespace(&m.value))
            .filter(|g| labels.iter().all(|(k, v)| &g["metadata"]["labels"][k] == v))
            .count();
        if matching > 1 {
            out.notes.push(Note {
                source: m.source.clone(),
                what: format!("{kind} `{}` selects {matching} Grafana instances", meta_name(&m.value)),
                todo: "Converted once, for the workspace operator2tf was pointed at; run it again with another \
                    `--out` (and workspace) for each of the others."
                    .into(),
            });
        }
    }
}

/// The model's own template variables, `__inputs` names and the `datasources` input names of
/// every dashboard, and every `valuesFrom` key: names Flux must leave to Grafana and the operator.
pub fn kept_names(manifests: &[Manifest]) -> BTreeSet<String> {
    let mut kept = BTreeSet::new();
    let scan_model = |text: &str, kept: &mut BTreeSet<String>| {
        for n in crate::flux::references(text).into_iter().filter(|n| n.starts_with("__")) {
            kept.insert(n);
        }
        if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) {
            for list in [&m.get("templating").and_then(|t| t.get("list")), &m.get("__inputs")] {
                for v in list.and_then(Value::as_array).into_iter().flatten() {
                    if let Some(n) = v["name"].as_str() {
                        kept.insert(n.to_string());
                    }
                }
            }
        }
    };
    for m in manifests {
        let spec = &m.value["spec"];
        if let Some(j) = spec["json"].as_str() {
            scan_model(j, &mut kept);
        }
        for d in m.value["data"].as_object().into_iter().flat_map(|d| d.values()) {
            if let Some(t) = d.as_str() {
                scan_model(t, &mut kept);
            }
        }
        for d in spec["datasources"].as_array().into_iter().flatten() {
            if let Some(n) = d["inputName"].as_str() {
                kept.insert(n.trim_start_matches("${").trim_end_matches('}').to_string());
            }
        }
        let receivers = spec["receivers"].as_array().into_iter().flatten().map(|r| &r["valuesFrom"]);
        for v in std::iter::once(&spec["valuesFrom"]).chain(receivers).filter_map(Value::as_array).flatten() {
            for r in ["configMapKeyRef", "secretKeyRef"] {
                if let Some(k) = v["valueFrom"][r]["key"].as_str() {
                    kept.insert(k.to_string());
                }
            }
        }
    }
    kept
}
