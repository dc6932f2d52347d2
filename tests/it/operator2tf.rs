//! `operator2tf`: a grafana-operator + Flux tree for AMG (`tests/fixtures/operator/amg-flux`),
//! converted in live mode against a workspace seeded as the operator left it, plans imports
//! only, applies, and plans nothing after; bad input is named by file and document.

use std::path::{Path, PathBuf};
use std::process::Command;

use amg_local::harness::Loopback;
use serde_json::{Value, json};

use crate::support::{Emulator, GrafanaAdmin, REQUIRED, Workdir};

on_both_terraforms!(a_flux_tree_of_the_operator_converts_to_a_plan_of_imports_only);

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn operator2tf() -> PathBuf {
    let bin = crate::support::bin_dir().join("operator2tf");
    assert!(
        bin.exists(),
        "{} is not built: run `cargo build --workspace --bins` (cargo xtask test does)",
        bin.display()
    );
    bin
}

fn fixture_dashboard(name: &str) -> Value {
    let path = repo().join("tests/fixtures/dashboards").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(operator2tf()).args(args).output().expect("run operator2tf");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Folder uids Kubernetes gave the `GrafanaFolder` without `spec.uid` and the folder the
/// operator made for the namespace; a data source's and a dashboard's likewise.
const PLATFORM: &str = "0b8f5e3a-6f0e-4d39-9a57-3c1d2f7e9a10";
const MONITORING: &str = "5c1a9d2e-1b7f-4c3e-8e44-7d1f0a6b2c93";
const XRAY: &str = "9e2d4c1b-3a5f-4e6d-8c7b-1a2b3c4d5e6f";
const OVERVIEW: &str = "7d1e2f3a-4b5c-4d6e-9f80-a1b2c3d4e5f6";

/// What grafana-operator left in the workspace for the tree, written out by hand.
fn seed(emu: &Emulator) {
    for (uid, title) in [(PLATFORM, "Platform"), ("eks", "EKS prod"), (MONITORING, "monitoring")] {
        let (s, b) = emu.grafana("POST", "/api/folders", Some(json!({"uid": uid, "title": title})));
        assert_eq!(s, 200, "{b}");
    }
    let sigv4 = json!({"authType": "ec2_iam_role", "defaultRegion": "us-east-1"});
    for body in [
        json!({"uid": "amp", "name": "AMP", "type": "grafana-amazonprometheus-datasource", "access": "proxy",
            "url": "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-0123/", "isDefault": true,
            "jsonData": {"sigV4Auth": true, "sigV4AuthType": "ec2_iam_role", "sigV4Region": "us-east-1",
                "httpMethod": "POST"}}),
        json!({"uid": "cloudwatch", "name": "CloudWatch", "type": "cloudwatch", "access": "proxy", "jsonData": sigv4}),
        json!({"uid": XRAY, "name": "X-Ray", "type": "grafana-x-ray-datasource", "access": "proxy", "jsonData": sigv4}),
        json!({"uid": "thanos", "name": "Thanos", "type": "prometheus", "access": "proxy",
            "url": "https://thanos.example.internal",
            "jsonData": {"httpHeaderName1": "Authorization", "manageAlerts": "true,", "timeInterval": "30s"},
            "secureJsonData": {"httpHeaderValue1": "Bearer t0k3n-from-the-secret"}}),
    ] {
        let (s, b) = emu.grafana("POST", "/api/datasources", Some(body));
        assert_eq!(s, 200, "{b}");
    }
    let (_, amp) = emu.grafana("GET", "/api/datasources/uid/amp", None);
    assert_eq!(amp["isDefault"], true, "{amp}");
    let overview = json!({
        "title": "Cluster overview", "tags": ["eks", "prod"], "schemaVersion": 39, "uid": OVERVIEW,
        "templating": {"list": [{"name": "namespace", "type": "query", "datasource": {"type": "prometheus", "uid": "AMP"},
            "query": "label_values(kube_pod_info, namespace)"}]},
        "panels": [{"id": 1, "type": "timeseries", "title": "CPU by namespace", "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
            "datasource": {"type": "prometheus", "uid": "AMP"},
            "targets": [{"refId": "A",
                "expr": "sum by (namespace) (rate(container_cpu_usage_seconds_total{namespace=~\"$namespace\"}[$__rate_interval]))"}]}]
    });
    let build_info = json!({
        "title": "Build info", "tags": ["platform"], "schemaVersion": 39, "time": {"from": "now-24h", "to": "now"},
        "uid": "build-info",
        "panels": [{"id": 1, "type": "table", "title": "Versions", "gridPos": {"h": 8, "w": 24, "x": 0, "y": 0},
            "datasource": {"type": "prometheus", "uid": "amp"},
            "targets": [{"refId": "A", "expr": "count by (version) (build_info)", "format": "table"}]}]
    });
    let mut nodes = fixture_dashboard("aws-observability__eks_infrastructure_nodeexporter-nodes.json");
    nodes["id"] = Value::Null;
    let global = fixture_text("dotdc__dashboards_k8s-views-global.json").replace("${DS_PROMETHEUS}", "AMP");
    let mut global: Value = serde_json::from_str(&global).expect("JSON");
    global["id"] = Value::Null;
    let mut apiserver = fixture_dashboard("aws-observability__eks_apiserver_apiserver-basic.json");
    apiserver["id"] = Value::Null;
    for (model, folder) in
        [(overview, PLATFORM), (nodes, "eks"), (global, "eks"), (apiserver, MONITORING), (build_info, PLATFORM)]
    {
        let (s, b) = emu.grafana("POST", "/api/dashboards/db", Some(json!({"dashboard": model, "folderUid": folder})));
        assert_eq!(s, 200, "{b}");
    }
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(repo().join("tests/fixtures/dashboards").join(name)).expect("fixture")
}

/// Where `url:` dashboards are published and a stand-in for grafana.com, on loopback.
fn publisher() -> Loopback {
    let nodes = fixture_text("aws-observability__eks_infrastructure_nodeexporter-nodes.json");
    let global = fixture_text("dotdc__dashboards_k8s-views-global.json");
    Loopback::start(move |req, s| match req.path.as_str() {
        "/dashboards/node-exporter-nodes.json" => Loopback::json(s, "200 OK", &nodes),
        "/api/dashboards/15757/revisions/37/download" => Loopback::json(s, "200 OK", &global),
        _ => Loopback::json(s, "404 Not Found", r#"{"message":"not found"}"#),
    })
}

/// The tree's Flux values, and where its `url:` and grafana.com dashboards are served.
fn flux_args(web: &Loopback) -> Vec<String> {
    let base = format!("DASHBOARDS_BASE_URL={}/dashboards", web.url);
    [
        "--var",
        "AWS_REGION=us-east-1",
        "--var",
        "CLUSTER_NAME=prod",
        "--var",
        &base,
        "--fetch",
        "--grafana-com-url",
        &web.url,
    ]
    .map(str::to_string)
    .to_vec()
}

/// `provider.tf`: the provider pointed at `emu` (operator2tf writes no provider block).
fn point_at(w: &Workdir, emu: &Emulator) {
    let provider =
        format!("provider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n}}\n", emu.grafana_url, emu.admin_token);
    w.write("provider.tf", &format!("{REQUIRED}\n{provider}"));
}

/// What a live-mode conversion of a tree should give: the line operator2tf prints, the number
/// of imports, lines of the report, and the variables to give Terraform.
struct Adoption<'a> {
    printed: &'a str,
    imports: usize,
    report: Vec<String>,
    vars: &'a [(&'a str, &'a str)],
}

/// Converts `tree` in live mode against `emu` (plus `extra` arguments), checks what operator2tf
/// printed and reported, then takes the output through Terraform: a plan of imports only that
/// writes nothing, the apply, an empty plan. The working directory, for more checks.
fn adopt(tf: &crate::support::Terraform, emu: &Emulator, tree: &str, extra: &[&str], want: Adoption<'_>) -> Workdir {
    let mut w = Workdir::new(tf);
    let out = w.dir().to_str().expect("utf-8").to_string();
    let tree = repo().join("tests/fixtures/operator").join(tree);
    let mut args = extra.to_vec();
    args.extend(["--grafana-url", &emu.grafana_url, "--grafana-auth", &emu.admin_token, "--out", &out]);
    args.push(tree.to_str().expect("utf-8"));
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.starts_with(&format!("operator2tf: {}", want.printed)), "{stdout}\n{stderr}");
    let report = std::fs::read_to_string(w.dir().join("CONVERSION.md")).expect("CONVERSION.md");
    for line in &want.report {
        assert!(report.contains(line.as_str()), "{line}\n{report}");
    }
    point_at(&w, emu);
    for (k, v) in want.vars {
        w.env(k, v);
    }
    w.init();
    let writes = emu.writes();
    let plan = w.plan(&[]);
    let n = want.imports;
    assert!(plan.stdout.contains(&format!("Plan: {n} to import, 0 to add, 0 to change, 0 to destroy.")), "{plan:?}");
    assert_eq!(emu.writes(), writes, "planning wrote to Grafana");
    w.apply().assert_summary(&format!("{n} imported, 0 added, 0 changed, 0 destroyed"));
    w.assert_plan_empty("after adopting what the operator made");
    w
}

fn a_flux_tree_of_the_operator_converts_to_a_plan_of_imports_only(tf: &crate::support::Terraform) {
    let emu = Emulator::start(&[]);
    seed(&emu);
    let web = publisher();
    let flux = flux_args(&web);
    let flux: Vec<&str> = flux.iter().map(String::as_str).collect();
    let w = adopt(
        tf,
        &emu,
        "amg-flux",
        &flux,
        Adoption {
            printed: "12 resources (12 to import, 0 to create), 1 not converted, 0 failed",
            imports: 12,
            report: vec![
                format!(
                    "| `grafana_folder.platform` | `{PLATFORM}` | uid {PLATFORM} found in the workspace by folder titled \"Platform\" |"
                ),
                format!(
                    "| `grafana_data_source.xray` | `{XRAY}` | uid {XRAY} found in the workspace by data source named \"X-Ray\" |"
                ),
                "| Grafana instance `external-grafana` | On AMG the instance is the workspace".to_string(),
                "- `thanos_credentials_thanos_token` (sensitive): Secret `thanos-credentials` key `THANOS_TOKEN`"
                    .to_string(),
            ],
            vars: &[
                ("TF_VAR_amp_endpoint_url", "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-0123/"),
                ("TF_VAR_thanos_credentials_thanos_token", "t0k3n-from-the-secret"),
            ],
        },
    );
    for file in ["main.tf", "variables.tf", "terraform.tfstate"] {
        let text = std::fs::read_to_string(w.dir().join(file)).expect(file);
        assert!(!text.contains("t0k3n"), "the Secret's value reached {file}");
    }
    let (_, headers) = emu.grafana("GET", "/api/datasources/uid/thanos", None);
    assert_eq!(headers["secureJsonFields"], json!({"httpHeaderValue1": true}), "{headers}");
}

/// Bad input: each fault named with its file and document, the rest converted, exit 1.
#[test]
fn bad_manifests_are_named_by_file_and_document_and_the_rest_still_converts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head = "apiVersion: grafana.integreatly.org/v1beta1\nkind: GrafanaDashboard\nmetadata:\n  name:";
    let spec = "spec:\n  instanceSelector:\n    matchLabels:\n      dashboards: grafana\n";
    let files = [
        ("broken.yaml", "kind: GrafanaFolder\nmetadata: {name: [unclosed\n".to_string()),
        (
            "old.yaml",
            "apiVersion: grafana.integreatly.org/v1alpha1\nkind: GrafanaDashboard\nmetadata:\n  name: old\n".into(),
        ),
        (
            "dashboards.yaml",
            format!(
                "{head} good\n{spec}  json: '{{\"title\": \"Good\", \"uid\": \"good\"}}'\n---\n\
                 {head} bad-json\n{spec}  json: '{{\"title\": \"Bad\",'\n---\n\
                 {head} no-map\n{spec}  configMapRef:\n    name: missing\n    key: d.json\n"
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let out = dir.path().join("out");
    let (code, stdout, stderr) = run(&["--out", out.to_str().expect("utf-8"), dir.path().to_str().expect("utf-8")]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let at = |f: &str| dir.path().join(f).display().to_string();
    for line in [
        format!("error: {} (document 1): not YAML: ", at("broken.yaml")),
        format!(
            "error: {} (document 1): unknown apiVersion `grafana.integreatly.org/v1alpha1` for GrafanaDashboard",
            at("old.yaml")
        ),
        format!(
            "error: {} (document 2): GrafanaDashboard `bad-json`: the content (`json`) is not valid JSON",
            at("dashboards.yaml")
        ),
        format!(
            "error: {} (document 3): GrafanaDashboard `no-map`: `configMapRef` names ConfigMap `missing` (namespace \
             `default`), which is not among the manifests",
            at("dashboards.yaml")
        ),
    ] {
        assert!(stderr.lines().any(|l| l.starts_with(&line)), "{line}\n--- stderr\n{stderr}");
    }
    assert!(
        stdout.starts_with("operator2tf: 2 resources (1 to import, 1 to create), 0 not converted, 4 failed"),
        "{stdout}"
    );
    let main_tf = std::fs::read_to_string(out.join("main.tf")).expect("main.tf");
    assert!(main_tf.contains("resource \"grafana_dashboard\" \"good\""), "{main_tf}");
    assert!(!main_tf.contains("bad_json") && !main_tf.contains("no_map"), "{main_tf}");
    let report = std::fs::read_to_string(out.join("CONVERSION.md")).expect("CONVERSION.md");
    assert!(report.contains("## Failed") && report.contains("`bad-json`"), "{report}");
    // Not a flag this tool knows: usage, exit 2.
    let (code, _, stderr) = run(&["--bogus"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown flag --bogus"), "{stderr}");
}

/// `--workspace-id`: the token comes from AMG with the caller's AWS credentials (amg-local's
/// control plane, over `AWS_ENDPOINT_URL_GRAFANA`), finds what only the workspace knows, and is
/// deleted before operator2tf exits.
#[test]
fn the_workspace_id_mode_mints_its_token_finds_the_same_objects_and_deletes_it() {
    let emu = Emulator::start(&["--tls"]);
    seed(&emu);
    let web = publisher();
    let dir = tempfile::tempdir().expect("tempdir");
    let none = dir.path().join("no-such-aws-file");
    let tree = repo().join("tests/fixtures/operator/amg-flux");
    let out = Command::new(operator2tf())
        .args(flux_args(&web))
        .args(["--workspace-id", &emu.workspace_id, "--region", "us-east-1"])
        .args(["--ca-cert", emu.ca_cert_file.as_deref().expect("--tls"), "--out"])
        .arg(dir.path().join("out"))
        .arg(&tree)
        .env("AWS_ENDPOINT_URL_GRAFANA", &emu.control_plane_url)
        .env("AWS_ACCESS_KEY_ID", "AKIDAMGLOCAL")
        .env("AWS_SECRET_ACCESS_KEY", "amg-local-secret-key")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &none)
        .env("AWS_SHARED_CREDENTIALS_FILE", &none)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("GRAFANA_AUTH")
        .output()
        .expect("run operator2tf");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("operator2tf: 12 resources (12 to import, 0 to create), 1 not converted, 0 failed"),
        "{stdout}\n{stderr}"
    );
    let report = std::fs::read_to_string(dir.path().join("out/CONVERSION.md")).expect("CONVERSION.md");
    assert!(
        report.contains(&format!("Uids checked and looked up in AMG workspace `{}`.", emu.workspace_id)),
        "{report}"
    );
    assert!(report.contains(&format!("| `grafana_data_source.xray` | `{XRAY}` |")), "{report}");
    let (live, total) = crate::amg_auth::tokens_of(&emu, &emu.workspace_id, "terraform-provider-grafana-admin");
    assert_eq!((live, total), (0, 0), "the minted token outlived operator2tf");
    let tokens = "/workspaces/:id/serviceaccounts/:sa/tokens";
    assert_eq!(emu.count("POST", Some(tokens)), 1, "one token minted: {}", emu.stats()["requests"]);
    assert_eq!(emu.count("DELETE", Some(&format!("{tokens}/:token"))), 1, "and deleted");
}

/// A Grafana API call as the operator makes it, with its headers (`X-Disable-Provenance`).
fn operator_call(emu: &Emulator, method: &str, path: &str, body: Value, editable: bool) {
    let headers: &[(&str, &str)] = if editable { &[("X-Disable-Provenance", "true")] } else { &[] };
    let url = format!("{}{path}", emu.grafana_url);
    let body = body.to_string();
    let (status, _, answer) =
        amg_local::harness::call_with(method, &url, Some(&emu.admin_token), Some(body.as_bytes()), headers)
            .expect("amg-local answers");
    assert!((200..300).contains(&status), "{method} {path}: {status} {}", String::from_utf8_lossy(&answer));
}

/// What grafana-operator left for `tests/fixtures/operator/alerting`, written out by hand.
fn seed_alerting(emu: &Emulator) {
    let amp = json!({"uid": "amp", "name": "AMP", "type": "prometheus", "access": "proxy",
        "url": "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-0123/",
        "jsonData": {"sigV4Auth": true, "sigV4AuthType": "ec2_iam_role", "sigV4Region": "us-east-1"}});
    operator_call(emu, "POST", "/api/datasources", amp, false);
    operator_call(emu, "POST", "/api/folders", json!({"uid": "alerts", "title": "Alerts"}), false);
    let items = json!({"items": [{"role": "Editor", "permission": 2}, {"role": "Viewer", "permission": 1}]});
    operator_call(emu, "POST", "/api/folders/alerts/permissions", items, false);
    let template = "{{ define \"oncall.title\" }}[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}{{ end }}\n";
    operator_call(emu, "PUT", "/api/v1/provisioning/templates/oncall.title", json!({"template": template}), false);
    let timing = json!({"name": "nights-and-weekends", "time_intervals": [
        {"weekdays": ["saturday", "sunday"], "location": "Europe/Paris"},
        {"times": [{"start_time": "22:00", "end_time": "24:00"}], "weekdays": ["monday:friday"], "location": "Europe/Paris"}
    ]});
    operator_call(emu, "POST", "/api/v1/provisioning/mute-timings", timing, true);
    for (kind, settings) in [
        (
            "email",
            json!({"addresses": "oncall@example.com", "subject": "{{ template \"oncall.title\" . }}", "singleEmail": true}),
        ),
        ("webhook", json!({"url": "https://hooks.example.internal/grafana", "httpMethod": "POST"})),
    ] {
        let body = json!({"name": "On-call", "type": kind, "settings": settings});
        operator_call(emu, "POST", "/api/v1/provisioning/contact-points", body, false);
    }
    let tree = json!({"receiver": "On-call", "group_by": ["grafana_folder", "alertname"], "routes": [
        {"receiver": "On-call", "object_matchers": [["severity", "=", "critical"]],
         "mute_time_intervals": ["nights-and-weekends"], "group_wait": "30s"}]});
    operator_call(emu, "PUT", "/api/v1/provisioning/policies", tree, false);
    let rule = json!({"uid": "node-not-ready", "title": "Node not ready", "condition": "B", "for": "5m",
        "noDataState": "NoData", "execErrState": "Error", "labels": {"severity": "critical"},
        "annotations": {"summary": "A node has not been Ready for 5 minutes"}, "folderUID": "alerts", "ruleGroup": "EKS nodes",
        "data": [
            {"refId": "A", "datasourceUid": "amp", "relativeTimeRange": {"from": 600, "to": 0},
             "model": {"refId": "A", "expr": "kube_node_status_condition{condition=\"Ready\",status=\"true\"} == 0", "instant": true}},
            {"refId": "B", "datasourceUid": "__expr__", "relativeTimeRange": {"from": 0, "to": 0},
             "model": {"refId": "B", "type": "threshold", "expression": "A",
                "conditions": [{"evaluator": {"type": "gt", "params": [0]}}]}}]});
    let group = json!({"title": "EKS nodes", "folderUid": "alerts", "interval": 60, "rules": [rule]});
    operator_call(emu, "PUT", "/api/v1/provisioning/folder/alerts/rule-groups/EKS%20nodes", group, false);
}

on_both_terraforms!(the_operators_alerting_converts_to_a_plan_of_imports_only);

fn the_operators_alerting_converts_to_a_plan_of_imports_only(tf: &crate::support::Terraform) {
    let emu = Emulator::start(&[]);
    seed_alerting(&emu);
    adopt(
        tf,
        &emu,
        "alerting",
        &[],
        Adoption {
            printed: "8 resources (8 to import, 0 to create), 0 not converted, 0 failed",
            imports: 8,
            report: vec![
            "| `grafana_mute_timing.nights_and_weekends` | `nights-and-weekends` | id from `spec.name`; found in the \
             workspace (editable in Grafana) |"
                .to_string(),
            "| `grafana_rule_group.eks_nodes` | `alerts:EKS nodes` |".to_string(),
        ],
            vars: &[("TF_VAR_alert_contacts_oncall_addresses", "oncall@example.com")],
        },
    );
}

on_both_terraforms!(the_operators_own_examples_convert_offline_and_apply_to_an_empty_workspace);

/// An example of grafana-operator's (`tests/fixtures/operator/examples`, see its SOURCES.md):
/// what operator2tf prints, and the variables its configuration needs (`None`: nothing applies,
/// as everything in it ends in the report).
struct Example {
    dir: &'static str,
    printed: &'static str,
    apply: Option<(&'static str, &'static [(&'static str, &'static str)])>,
}

const EXAMPLES: &[Example] = &[
    Example {
        dir: "basic",
        printed: "2 resources (0 to import, 2 to create), 1 not converted, 0 failed",
        apply: Some(("2 added, 0 changed, 0 destroyed", &[])),
    },
    Example {
        dir: "folder",
        printed: "2 resources (0 to import, 2 to create), 1 not converted, 0 failed",
        apply: Some(("2 added, 0 changed, 0 destroyed", &[])),
    },
    Example {
        dir: "gzip_json",
        printed: "2 resources (0 to import, 2 to create), 1 not converted, 0 failed",
        apply: Some(("2 added, 0 changed, 0 destroyed", &[])),
    },
    Example {
        dir: "datasource_mapping",
        printed: "4 resources (1 to import, 3 to create), 1 not converted, 0 failed",
        apply: Some(("4 added, 0 changed, 0 destroyed", &[])),
    },
    Example {
        dir: "alertrulegroup",
        printed: "2 resources (0 to import, 2 to create), 1 not converted, 0 failed",
        apply: Some(("2 added, 0 changed, 0 destroyed", &[])),
    },
    Example {
        dir: "contact_point",
        printed: "1 resource (1 to import, 0 to create), 0 not converted, 0 failed",
        apply: Some((
            "1 added, 0 changed, 0 destroyed",
            &[
                ("TF_VAR_contacts_alert_mails", "foo@example.com"),
                ("TF_VAR_contacts_alert_hook", "https://webhook.example.invalid/hook"),
            ],
        )),
    },
    Example {
        dir: "custom_folder",
        printed: "0 resources (0 to import, 0 to create), 2 not converted, 0 failed",
        apply: None,
    },
    Example {
        dir: "jsonnet",
        printed: "0 resources (0 to import, 0 to create), 2 not converted, 0 failed",
        apply: None,
    },
    Example { dir: "oci", printed: "0 resources (0 to import, 0 to create), 3 not converted, 0 failed", apply: None },
];

fn the_operators_own_examples_convert_offline_and_apply_to_an_empty_workspace(tf: &crate::support::Terraform) {
    for ex in EXAMPLES {
        let mut w = Workdir::new(tf);
        let out = w.dir().to_str().expect("utf-8").to_string();
        let dir = repo().join("tests/fixtures/operator/examples").join(ex.dir);
        let (code, stdout, stderr) = run(&["--out", &out, dir.to_str().expect("utf-8")]);
        assert_eq!(code, 0, "{}: {stdout}\n{stderr}", ex.dir);
        assert!(stdout.starts_with(&format!("operator2tf: {}", ex.printed)), "{}: {stdout}\n{stderr}", ex.dir);
        let Some((summary, vars)) = ex.apply else { continue };
        // A new workspace: nothing to import (the operator never ran against it).
        w.remove("imports.tf");
        let emu = Emulator::start(&[]);
        point_at(&w, &emu);
        for (k, v) in vars {
            w.env(k, v);
        }
        w.init();
        w.apply().assert_summary(summary);
        w.assert_plan_empty(ex.dir);
    }
}
