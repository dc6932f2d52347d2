//! `terraform query` as Terraform drives it: ListResource (a stream it may stop reading),
//! then GenerateResourceConfig of each object, then the import of the generated configuration.

use futures_util::StreamExt;
use serde_json::json;
use tonic::Request;

use super::super::pb::provider_server::Provider as _;
use super::{Harness, Said, decode, dynamic, filled, s};
use crate::framework::list::{self, ListEvent, ListRequest, ListSink};
use crate::value::Value;

/// One result of a listing, decoded.
#[derive(Debug)]
pub struct Found {
    /// The identity's `uid` (its `name` for types named by name, `id` for a singleton,
    /// `<folder_uid>:<name>` for a rule group): the import id.
    pub uid: String,
    pub display_name: String,
    pub object: Option<Value>,
}

impl Harness {
    /// Lists `type_name` with whole objects: the display names are `names`, in that order, and
    /// the first object is what an import of it stores.
    pub async fn assert_listed_as_imported(&self, type_name: &str, names: &[&str]) {
        let (found, said) = self.list(type_name, &[], true, 100).await;
        said.assert_clean();
        assert_eq!(found.iter().map(|f| f.display_name.as_str()).collect::<Vec<_>>(), names);
        let (imported, _) = self.import(type_name, &found[0].uid).await;
        assert_eq!(found[0].object.as_ref(), Some(&imported.expect("imported").state));
    }

    /// ListResource of `type_name` with the filters `set`; reads at most `take` results, then
    /// drops the stream (as Terraform does at its limit).
    pub async fn list(&self, type_name: &str, set: &[(&str, Value)], include: bool, limit: i64) -> (Vec<Found>, Said) {
        self.list_taking(type_name, set, include, limit, usize::MAX).await
    }

    pub async fn list_taking(
        &self,
        type_name: &str,
        set: &[(&str, Value)],
        include: bool,
        limit: i64,
        take: usize,
    ) -> (Vec<Found>, Said) {
        let r = self.svc.provider.resource(type_name).unwrap_or_else(|| panic!("no resource {type_name}"));
        let list_schema = r.lister().expect("a list resource").schema();
        let (ty, id_ty) = (r.schema().ty(), r.identity_schema().expect("an identity").ty());
        let req = crate::tfplugin::pb::list_resource::Request {
            type_name: type_name.into(),
            config: dynamic(&filled(&list_schema, set), &list_schema.ty()),
            include_resource_object: include,
            limit,
        };
        let mut stream = self.svc.list_resource(Request::new(req)).await.unwrap().into_inner();
        let (mut found, mut diags) = (Vec::new(), Vec::new());
        while found.len() < take {
            let Some(event) = stream.next().await else { break };
            let event = event.expect("events, never a gRPC error");
            diags.extend(event.diagnostic);
            let Some(identity) = event.identity else { continue };
            let identity = decode(identity.identity_data, &id_ty);
            let key = ["uid", "name", "id"].iter().find_map(|k| identity.get(k).as_str());
            let mut uid = key.expect("a uid, name or id").to_string();
            // A rule group is `{folder_uid, name}`, imported as `<folderUID>:<name>`.
            if let Some(folder) = identity.get("folder_uid").as_str() {
                uid = format!("{folder}:{uid}");
            }
            found.push(Found {
                uid,
                display_name: event.display_name,
                object: event.resource_object.map(|o| decode(Some(o), &ty)),
            });
        }
        (found, Said::of(&diags))
    }

    /// GenerateResourceConfig of a state of `type_name`.
    pub async fn generate(&self, type_name: &str, state: &Value) -> (Value, Said) {
        let ty = self.schema(type_name).ty();
        let req = crate::tfplugin::pb::generate_resource_config::Request {
            type_name: type_name.into(),
            state: dynamic(state, &ty),
        };
        let resp = self.svc.generate_resource_config(Request::new(req)).await.unwrap().into_inner();
        (decode(resp.config, &ty), Said::of(&resp.diagnostics))
    }

    /// A folder `uid` titled `title`, under `parent` (amg-local 12.4 nests).
    async fn seed_folder(&self, uid: &str, title: &str, parent: Option<&str>) {
        let (status, _) =
            self.grafana("POST", "/api/folders", Some(json!({"uid": uid, "title": title, "parentUid": parent}))).await;
        assert_eq!(status, 200, "folder {uid}");
    }

    /// A dashboard `uid` titled `title` in `folder` with `tags`.
    async fn seed_dashboard(&self, uid: &str, title: &str, folder: &str, tags: &[&str]) {
        let body = json!({"dashboard": {"uid": uid, "title": title, "tags": tags, "panels": []}, "folderUid": folder});
        assert_eq!(self.grafana("POST", "/api/dashboards/db", Some(body)).await.0, 200, "dashboard {uid}");
    }

    /// Posts to the emulator's local control endpoint `what` (`provisioned/datasources`, …).
    fn seed_local(&self, what: &str, body: serde_json::Value) {
        let url = format!("{}/_amg-local/workspaces/{}/{what}", self.emu.control_plane_url, self.emu.workspace_id);
        let (status, _, _) = amg_local::harness::call("POST", &url, None, Some(body.to_string().as_bytes())).unwrap();
        assert_eq!(status, 200, "{what}");
    }
}

/// A reader that takes `n` results and then stops.
struct StopsAfter(usize);

#[async_trait::async_trait]
impl ListSink for StopsAfter {
    async fn send(&mut self, _event: ListEvent) -> bool {
        self.0 = self.0.saturating_sub(1);
        self.0 > 0
    }
}

fn names(found: &[Found]) -> Vec<&str> {
    found.iter().map(|f| f.display_name.as_str()).collect()
}

#[tokio::test]
async fn folders_are_listed_by_path_at_every_level_or_under_one_parent() {
    let h = Harness::start(&[]).await;
    h.seed_folder("team-a", "Team A", None).await;
    h.seed_folder("svc-x", "Service X", Some("team-a")).await;
    h.seed_folder("deep", "Deep", Some("svc-x")).await;
    h.seed_folder("team-b", "Team B", None).await;
    let (found, said) = h.list("grafana_folder", &[], false, 100).await;
    said.assert_clean();
    let mut listed: Vec<(&str, &str)> = found.iter().map(|f| (f.uid.as_str(), f.display_name.as_str())).collect();
    listed.sort();
    let want =
        [("deep", "Team A/Service X/Deep"), ("svc-x", "Team A/Service X"), ("team-a", "Team A"), ("team-b", "Team B")];
    assert_eq!(listed, want);
    assert!(found.iter().all(|f| f.object.is_none()), "no object unless asked for");

    let (found, said) = h.list("grafana_folder", &[("parent_uid", s("team-a"))], true, 100).await;
    said.assert_clean();
    assert_eq!(names(&found), ["Team A/Service X"]);
    // The object is what an import stores.
    let (imported, _) = h.import("grafana_folder", "svc-x").await;
    assert_eq!(found[0].object.as_ref(), Some(&imported.expect("imported").state));

    // A parent that does not exist: Grafana's 404, said.
    let (found, said) = h.list("grafana_folder", &[("parent_uid", s("nope"))], false, 100).await;
    assert!(found.is_empty() && said.errors.len() == 1, "{said:?}");
    assert!(said.errors[0].contains("Could not list the folders in \"nope\""), "{said:?}");
}

#[tokio::test]
async fn folders_do_not_nest_on_grafana_10_so_a_parent_filter_is_refused_at_the_attribute() {
    let h = Harness::start(&["--grafana-version", "10.4"]).await;
    h.seed_folder("team-a", "Team A", None).await;
    let (found, said) = h.list("grafana_folder", &[("parent_uid", s("team-a"))], false, 100).await;
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(said.errors.len(), 1, "{said:?}");
    assert!(said.errors[0].contains("Folders do not nest") && said.errors[0].ends_with("(at parent_uid)"), "{said:?}");
    let (found, said) = h.list("grafana_folder", &[], false, 100).await;
    said.assert_clean();
    assert_eq!(names(&found), ["Team A"]);
}

#[tokio::test]
async fn dashboards_are_listed_by_folder_tags_and_title_without_plugin_dashboards() {
    let h = Harness::start(&[]).await;
    h.seed_folder("team-a", "Team A", None).await;
    h.seed_folder("svc-x", "Service X", Some("team-a")).await;
    h.seed_dashboard("lat", "Latency", "svc-x", &["prod", "slo"]).await;
    h.seed_dashboard("err", "Errors", "svc-x", &["prod"]).await;
    h.seed_dashboard("home", "Home", "", &[]).await;
    h.seed_local(
        "provisioned/dashboards",
        json!({"pluginId": "aws-app", "dashboard": {"uid": "plug", "title": "EC2"}}),
    );

    let (found, said) = h.list("grafana_dashboard", &[], false, 100).await;
    said.assert_clean();
    assert_eq!(names(&found), ["Errors (Team A/Service X)", "Home (General)", "Latency (Team A/Service X)"]);
    let h = &h;
    let filtered = |set: Vec<(&'static str, Value)>| async move {
        let (found, said) = h.list("grafana_dashboard", &set, false, 100).await;
        said.assert_clean();
        found.into_iter().map(|f| f.uid).collect::<Vec<_>>()
    };
    assert_eq!(filtered(vec![("folder_uid", s("svc-x"))]).await, ["err", "lat"]);
    assert_eq!(filtered(vec![("folder_uid", s("general"))]).await, ["home"]);
    assert_eq!(filtered(vec![("tags", Value::List(vec![s("prod"), s("slo")]))]).await, ["lat"]);
    assert_eq!(filtered(vec![("query", s("LAT"))]).await, ["lat"]);
    assert!(filtered(vec![("folder_uid", s("team-a"))]).await.is_empty(), "only directly in the folder");

    // Whole objects: what an import stores, the model included.
    let (found, said) = h.list("grafana_dashboard", &[("query", s("Latency"))], true, 100).await;
    said.assert_clean();
    let (imported, _) = h.import("grafana_dashboard", "lat").await;
    assert_eq!(found[0].object.as_ref(), Some(&imported.expect("imported").state));
}

#[tokio::test]
async fn a_listing_honours_the_limit_with_one_request_per_page_and_one_read_per_object() {
    let h = Harness::start(&[]).await;
    for i in 0..30 {
        h.seed_dashboard(&format!("d{i:02}"), &format!("Dash {i:02}"), "", &[]).await;
    }
    let searches = || h.emu.count("GET", Some("/api/search"));
    let reads = || h.emu.count("GET", Some("/api/dashboards/uid/:uid"));
    let (s0, r0) = (searches(), reads());
    let (found, said) = h.list("grafana_dashboard", &[], true, 12).await;
    said.assert_clean();
    assert_eq!(found.len(), 12);
    assert!(found.iter().all(|f| f.object.is_some()));
    // One folder-path search, one page of 12, one read per object.
    assert_eq!((searches() - s0, reads() - r0), (2, 12));

    // Terraform stops reading after 3 (its stream closed): the listing ends at its next result,
    // having read at most the objects already in flight.
    let r1 = reads();
    let res = h.svc.provider.resource("grafana_dashboard").unwrap();
    let client = h.svc.provider.client(&mut Default::default()).unwrap();
    let mut sink = StopsAfter(3);
    let req = ListRequest { config: filled(&res.lister().unwrap().schema(), &[]), include_object: true, limit: 30 };
    list::list(res, &client, req, &mut sink).await;
    assert_eq!(sink.0, 0);
    let read = reads() - r1;
    assert!((3..30).contains(&read), "{read} reads for 3 results taken of 30");

    // Every one, in pages of the limit.
    let s2 = searches();
    let (found, said) = h.list("grafana_dashboard", &[], false, 1000).await;
    said.assert_clean();
    assert_eq!(found.len(), 30);
    assert_eq!(searches() - s2, 2, "the folders, then one short page");
}

#[tokio::test]
async fn data_sources_are_listed_by_name_and_type_without_provisioned_ones() {
    let h = Harness::start(&[]).await;
    for (uid, name, kind) in [("amp", "AMP prod", "prometheus"), ("cw", "CloudWatch", "cloudwatch")] {
        let body = json!({"uid": uid, "name": name, "type": kind, "access": "proxy"});
        assert_eq!(h.grafana("POST", "/api/datasources", Some(body)).await.0, 200);
    }
    h.seed_local("provisioned/datasources", json!({"name": "Provisioned", "type": "prometheus", "uid": "prov"}));
    for type_name in ["grafana_datasource", "grafana_data_source"] {
        let (found, said) = h.list(type_name, &[], false, 100).await;
        said.assert_clean();
        assert_eq!(names(&found), ["AMP prod (prometheus)", "CloudWatch (cloudwatch)"], "{type_name}");
    }
    let (found, said) = h.list("grafana_datasource", &[("type", s("cloudwatch"))], true, 100).await;
    said.assert_clean();
    assert_eq!(found.iter().map(|f| f.uid.as_str()).collect::<Vec<_>>(), ["cw"]);
    let (imported, _) = h.import("grafana_datasource", "cw").await;
    assert_eq!(found[0].object.as_ref(), Some(&imported.expect("imported").state));
}

#[tokio::test]
async fn generated_configuration_plans_only_the_import() {
    let h = Harness::start(&[]).await;
    h.configure(&[
        ("url", s(&h.emu.grafana_url.clone())),
        ("auth", s(&h.emu.admin_token.clone())),
        ("store_dashboard_sha256", Value::Bool(true)),
    ])
    .await
    .assert_clean();
    h.seed_folder("team-a", "Team A", None).await;
    h.seed_dashboard("lat", "Latency", "team-a", &["prod"]).await;
    for (type_name, filters) in [("grafana_folder", vec![]), ("grafana_dashboard", vec![("query", s("Latency"))])] {
        let (found, said) = h.list(type_name, &filters, true, 100).await;
        said.assert_clean();
        let object = found[0].object.clone().expect("the object");
        let (config, said) = h.generate(type_name, &object).await;
        said.assert_clean();
        assert!(config.get("org_id").is_null() && config.get("id").is_null() && config.get("url").is_null());
        if type_name == "grafana_dashboard" {
            let model = config.get("config_json").as_str().expect("the model");
            assert!(model.contains("\"Latency\""), "the JSON model, never its hash: {model}");
            assert_eq!(config.get("folder"), &s("team-a"));
        }
        // Terraform's import of the generated configuration: the plan is the state itself.
        let (imported, said) = h.import(type_name, &found[0].uid).await;
        said.assert_clean();
        let imported = imported.expect("imported");
        let (planned, replace, _, said) = h.plan(type_name, Some(&imported), &config).await;
        said.assert_clean();
        assert!(replace.is_empty());
        assert_eq!(planned, imported.state, "{type_name}: an import with no change");
    }
}

#[tokio::test]
async fn an_adopted_data_source_keeps_the_secrets_its_generated_configuration_cannot_carry() {
    let h = Harness::start(&[]).await;
    let body = json!({"uid": "loki", "name": "Loki", "type": "loki", "access": "proxy", "url": "https://loki.example",
                      "jsonData": {"httpHeaderName1": "X-Scope-OrgID"},
                      "secureJsonData": {"basicAuthPassword": "hidden", "httpHeaderValue1": "tenant"}});
    assert_eq!(h.grafana("POST", "/api/datasources", Some(body)).await.0, 200);
    // The listing says it (Terraform shows a result's diagnostics), and so does the generation.
    let (found, listed) = h.list("grafana_datasource", &[], true, 100).await;
    let (config, said) = h.generate("grafana_datasource", found[0].object.as_ref().expect("object")).await;
    assert_eq!(listed.warnings, said.warnings);
    assert_eq!(said.warnings.len(), 1, "{said:?}");
    let w = &said.warnings[0];
    assert!(w.contains("basicAuthPassword") && w.contains("X-Scope-OrgID") && !w.contains("hidden"), "{w}");
    assert!(w.contains("secure_json_data_encoded_wo"), "{w}");
    assert!(config.get("secure_json_data_encoded").is_null() && config.get("http_headers").is_null());

    let (imported, _) = h.import("grafana_datasource", "loki").await;
    let imported = imported.expect("imported");
    let (planned, _, _, said) = h.plan("grafana_datasource", Some(&imported), &config).await;
    said.assert_clean();
    assert_eq!(planned, imported.state, "nothing removed: an import with no change");

    // An update of something else keeps the secrets and the header.
    let mut moved = config.clone();
    moved.set("url", s("https://loki2.example"));
    let (_, said) = h.plan_apply("grafana_datasource", Some(&imported), &moved).await;
    said.assert_clean();
    let (_, ds) = h.grafana("GET", "/api/datasources/uid/loki", None).await;
    assert_eq!(ds["url"], "https://loki2.example");
    assert_eq!(ds["jsonData"]["httpHeaderName1"], "X-Scope-OrgID");
    assert_eq!(ds["secureJsonFields"], json!({"basicAuthPassword": true, "httpHeaderValue1": true}));
}
