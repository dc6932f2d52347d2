//! Adopting a workspace made by hand (Terraform 1.14 and later): `terraform query` lists what
//! Grafana holds, `-generate-config-out` writes the configuration and the import blocks, and
//! the plan of it is imports only; adoption writes nothing to Grafana.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::{Emulator, GrafanaAdmin, Terraform, Workdir};

mod a_seeded_workspace_is_adopted_with_terraform_query {
    #[test]
    fn tf_1_15() {
        super::a_seeded_workspace_is_adopted_with_terraform_query(&crate::support::terraform("1.15.5"))
    }
}

/// Real dashboards of the corpus, a few to a folder, in nested folders.
const FOLDERS: [(&str, &str, Option<&str>); 4] = [
    ("platform", "Platform", None),
    ("platform-eks", "EKS", Some("platform")),
    ("platform-eks-nodes", "Nodes", Some("platform-eks")),
    ("apps", "Applications", None),
];

/// What the seeded workspace holds: (folders, dashboards by folder, data sources).
fn seed(emu: &Emulator) -> (usize, BTreeMap<String, Vec<String>>, usize) {
    for (uid, title, parent) in FOLDERS {
        let (s, b) =
            emu.grafana("POST", "/api/folders", Some(json!({"uid": uid, "title": title, "parentUid": parent})));
        assert_eq!(s, 200, "{b}");
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dashboards");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut by_folder: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut uids = std::collections::BTreeSet::new();
    for (i, path) in files.iter().enumerate().take(12) {
        let mut model: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let uid = format!("seeded-{i:02}");
        model["uid"] = json!(uid);
        model["id"] = Value::Null;
        let folder = ["platform", "platform-eks", "platform-eks-nodes", "apps", ""][i % 5];
        let (s, b) = emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": model, "folderUid": folder})));
        assert_eq!(s, 200, "{}: {b}", path.display());
        assert!(uids.insert(uid.clone()));
        by_folder.entry(folder.to_string()).or_default().push(uid);
    }
    for (uid, name, kind) in [("amp", "AMP prod", "prometheus"), ("cw", "CloudWatch", "cloudwatch")] {
        let body = json!({"uid": uid, "name": name, "type": kind, "access": "proxy", "url": "https://example.com"});
        assert_eq!(emu.grafana("POST", "/api/datasources", Some(body)).0, 200);
    }
    // A data source holding a secret, which Grafana never returns.
    let body = json!({"uid": "loki", "name": "Loki", "type": "loki", "access": "proxy", "url": "https://loki.example",
                      "basicAuth": true, "basicAuthUser": "tenant", "secureJsonData": {"basicAuthPassword": "hidden"}});
    assert_eq!(emu.grafana("POST", "/api/datasources", Some(body)).0, 200);
    // Not manageable, so not offered: a provisioned data source and an app plugin's dashboard.
    let local = |what: &str, body: Value| {
        let url = format!("{}/_amg-local/workspaces/{}/{what}", emu.control_plane_url, emu.workspace_id);
        assert_eq!(crate::support::http("POST", &url, None, Some(body), None).0, 200, "{what}");
    };
    local("provisioned/datasources", json!({"name": "Provisioned", "type": "prometheus", "uid": "prov"}));
    local("provisioned/dashboards", json!({"pluginId": "aws-app", "dashboard": {"uid": "plug", "title": "EC2"}}));
    (FOLDERS.len(), by_folder, 3)
}

const QUERY: &str = r#"
list "grafana_folder" "all" {
  provider = grafana
  limit    = 1000
}

list "grafana_dashboard" "all" {
  provider = grafana
  limit    = 1000
}

list "grafana_datasource" "all" {
  provider = grafana
}
"#;

/// Every dashboard's version in Grafana, by uid.
fn versions(emu: &Emulator) -> BTreeMap<String, i64> {
    let (_, hits) = emu.grafana("GET", "/api/search?type=dash-db&limit=5000", None);
    hits.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let uid = h["uid"].as_str().unwrap().to_string();
            let (_, d) = emu.grafana("GET", &format!("/api/dashboards/uid/{uid}"), None);
            (uid, d["meta"]["version"].as_i64().unwrap())
        })
        .collect()
}

fn a_seeded_workspace_is_adopted_with_terraform_query(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let (folders, by_folder, datasources) = seed(&emu);
    let dashboards: usize = by_folder.values().map(Vec::len).sum();
    let before = versions(&emu);
    let writes = emu.writes();
    let w = Workdir::new(tf);
    w.config(&emu, "");
    w.write("adopt.tfquery.hcl", QUERY);
    w.init();

    // Every manageable object, named as a person knows it; not the provisioned ones.
    let r = w.ok(&["query", "-no-color"]);
    let lines = |prefix: &str| r.stdout.lines().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(lines("list.grafana_folder.all"), folders, "{r:?}");
    assert_eq!(lines("list.grafana_dashboard.all"), dashboards, "{r:?}");
    assert_eq!(lines("list.grafana_datasource.all"), datasources, "{r:?}");
    assert!(r.stdout.contains("Platform/EKS/Nodes"), "folder paths: {r:?}");
    assert!(r.stdout.contains("AMP prod (prometheus)"), "{r:?}");
    for hidden in ["Provisioned", "EC2", "plug", "prov"] {
        assert!(!r.stdout.split_whitespace().any(|x| x == hidden), "{hidden} offered: {r:?}");
    }

    // A folder filter lists exactly that folder's dashboards.
    w.write(
        "eks.tfquery.hcl",
        "list \"grafana_dashboard\" \"eks\" {\n  provider = grafana\n  config {\n    folder_uid = \"platform-eks\"\n  }\n}\n",
    );
    let r = w.ok(&["query", "-no-color"]);
    let mut eks: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("list.grafana_dashboard.eks"))
        .filter_map(|l| l.split_whitespace().find_map(|x| x.strip_prefix("uid=")))
        .collect();
    eks.sort();
    assert_eq!(eks, by_folder["platform-eks"], "{r:?}");
    w.remove("eks.tfquery.hcl");

    // The documented examples run as written (in place of the query file: their names clash).
    w.remove("adopt.tfquery.hcl");
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/list-resources");
    for l in terraform_provider_grafana::docs::list_type_names() {
        let text = std::fs::read_to_string(examples.join(l).join("list-resource.tfquery.hcl")).unwrap();
        w.write(&format!("{l}.tfquery.hcl"), &text);
    }
    let r = w.ok(&["query", "-no-color"]);
    assert!(r.stdout.lines().any(|l| l.starts_with("list.grafana_folder.platform ")), "{r:?}");
    assert!(r.stdout.lines().any(|l| l.starts_with("list.grafana_data_source.all ")), "{r:?}");
    for l in terraform_provider_grafana::docs::list_type_names() {
        w.remove(&format!("{l}.tfquery.hcl"));
    }
    w.write("adopt.tfquery.hcl", QUERY);

    // The configuration and import blocks of all of them; the plan of it is imports only.
    let r = w.ok(&["query", "-generate-config-out=generated.tf", "-no-color"]);
    let said = r.all().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(said.contains("Warning: Data source \"Loki\" holds secrets the configuration cannot carry"), "{r:?}");
    assert!(said.contains("secret `basicAuthPassword`") && !said.contains("hidden"), "{r:?}");
    let generated = std::fs::read_to_string(w.dir().join("generated.tf")).unwrap();
    let total = folders + dashboards + datasources;
    assert_eq!(generated.matches("\nimport {").count() + usize::from(generated.starts_with("import {")), total);
    assert!(!generated.contains("org_id ="), "{generated}");
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    let summary = format!("Plan: {total} to import, 0 to add, 0 to change, 0 to destroy.");
    assert!(r.stdout.lines().any(|l| l.trim() == summary), "{summary}: {r:?}");
    let r = w.apply();
    assert_eq!(r.summary(), format!("{total} imported, 0 added, 0 changed, 0 destroyed"), "{r:?}");
    w.assert_plan_empty("after adopting the workspace");

    // Adoption wrote nothing: no dashboard's version moved, the secret is where it was.
    let (_, loki) = emu.grafana("GET", "/api/datasources/uid/loki", None);
    assert_eq!(loki["secureJsonFields"], json!({"basicAuthPassword": true}));
    assert_eq!(emu.writes(), writes, "adoption wrote to Grafana");
    assert_eq!(versions(&emu), before);
}
