//! Every resource type under faults: throttling and 5xx (`--fault-rate`), lost answers to
//! writes (`--drop-rate`), both on the control plane too in AMG auth mode, and Ctrl-C mid-apply.
//! Each ends with exactly the configured objects in Grafana and an empty plan.

use std::io::{BufRead, BufReader};

use crate::support::{Emulator, GrafanaAdmin, REQUIRED, Terraform, Workdir, wait_until};

/// `n` of each kind scaled from 100 dashboards, 20 folders (half with a uid) and 20 data
/// sources (half with a uid), dashboards spread over the folders.
fn objects(dashboards: usize, folders: usize, data_sources: usize) -> String {
    let mut c = String::new();
    for i in 0..folders {
        let uid = if i % 2 == 0 { format!("  uid   = \"rel-f{i}\"\n") } else { String::new() };
        c.push_str(&format!("resource \"grafana_folder\" \"f{i}\" {{\n  title = \"Folder {i}\"\n{uid}}}\n\n"));
    }
    for i in 0..dashboards {
        let uid = if i % 2 == 0 { format!(", uid = \"rel-d{i}\"") } else { String::new() };
        c.push_str(&format!(
            "resource \"grafana_dashboard\" \"d{i}\" {{\n  folder      = grafana_folder.f{}.uid\n  config_json = jsonencode({{ title = \"Dashboard {i}\"{uid}, panels = [{{ id = 1, type = \"timeseries\", title = \"p{i}\", gridPos = {{ h = 8, w = 12, x = 0, y = 0 }} }}] }})\n}}\n\n",
            i % folders.max(1)
        ));
    }
    for i in 0..data_sources {
        let uid = if i % 2 == 0 { format!("  uid  = \"rel-ds{i}\"\n") } else { String::new() };
        c.push_str(&format!(
            "resource \"grafana_data_source\" \"ds{i}\" {{\n  type = \"prometheus\"\n  name = \"Prometheus {i}\"\n  url  = \"https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-{i}\"\n{uid}  json_data_encoded = jsonencode({{ sigV4Auth = true, sigV4AuthType = \"ec2_iam_role\", sigV4Region = \"us-east-1\" }})\n}}\n\n"
        ));
    }
    c
}

fn url_provider(emu: &Emulator) -> String {
    format!(
        "provider \"grafana\" {{\n  url     = \"{}\"\n  auth    = \"{}\"\n  retries = 8\n}}\n",
        emu.grafana_url, emu.admin_token
    )
}

fn assert_exactly(emu: &Emulator, dashboards: u64, folders: u64, data_sources: u64, when: &str) {
    assert_eq!(
        (emu.held("dashboards"), emu.held("folders"), emu.held("datasources")),
        (dashboards, folders, data_sources),
        "{when}: (dashboards, folders, data sources) in Grafana"
    );
}

on_both_terraforms!(every_type_under_faults_applies_exactly_once);

/// Both Terraform versions meet the same faults: throttling and 5xx, and lost answers to writes.
fn every_type_under_faults_applies_exactly_once(tf: &Terraform) {
    let faults: &[&str] = &["--fault-rate", "0.2", "--drop-rate", "0.15", "--seed", "11"];
    let emu = Emulator::start(faults);
    let w = Workdir::new(tf);
    w.write("main.tf", &format!("{REQUIRED}\n{}\n{}", url_provider(&emu), objects(100, 20, 20)));
    w.init();
    let r = w.apply();
    r.assert_summary("140 added, 0 changed, 0 destroyed");
    assert_faults_met(&emu, false);
    assert_exactly(&emu, 100, 20, 20, &format!("after the apply under {faults:?}"));
    w.assert_plan_empty(&format!("under {faults:?}"));
    w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_exactly(&emu, 0, 0, 0, "after destroy");
}

on_both_terraforms!(amg_auth_under_faults_on_both_planes_applies_exactly_once_and_leaves_no_token);

/// AMG auth with the same faults on the control plane as on the Grafana API, the same on both
/// Terraform versions: throttling and 5xx, and lost answers to writes. Token minting and
/// clean-up go through the AWS SDK's retries; a lost answer to a token create (the SDK's retry
/// then meets a 409) is cleaned up and minted again; a lost answer to a delete (then a 404)
/// counts as done.
fn amg_auth_under_faults_on_both_planes_applies_exactly_once_and_leaves_no_token(tf: &Terraform) {
    let faults: &[&str] = &[
        "--tls",
        "--fault-rate",
        "0.15",
        "--drop-rate",
        "0.15",
        "--control-fault-rate",
        "0.15",
        "--control-drop-rate",
        "0.2",
        "--seed",
        "13",
    ];
    let emu = Emulator::start(faults);
    let w = crate::amg_auth::workdir(tf, &emu, false);
    // 13 attempts: with 9, one read in 50,000 fails all of them at a 0.3 fault rate, and this
    // test makes some 2,200 reads (14 commands over 140 objects): a 4 % flake (CI saw it once).
    let provider = crate::amg_auth::provider_block(&emu, &format!("\"{}\"", emu.workspace_id), "  retries      = 12\n");
    w.write("main.tf", &format!("{REQUIRED}\n{provider}\n{}", objects(100, 20, 20)));
    w.init();
    let r = w.apply();
    r.assert_summary("140 added, 0 changed, 0 destroyed");
    assert_exactly(&emu, 100, 20, 20, &format!("after the apply under {faults:?}"));
    w.assert_plan_empty(&format!("AMG auth under {faults:?}"));
    // More provider processes (each mints and deletes a token), so that the faults surely
    // meet token writes; each refreshes one folder (what needs a token), not all 140 objects,
    // whose reads under faults the apply and the plan above have already made.
    for i in 0..12 {
        let r = w.plan(&[&format!("-target=grafana_folder.f{i}")]);
        assert_eq!(r.code, 0, "plan {i} under {faults:?}: {r:?}");
    }
    let stats = emu.stats();
    let tokens =
        &stats["workspaces"][&emu.workspace_id]["tokens_by_service_account"]["terraform-provider-grafana-admin"];
    assert_eq!(tokens["live"], 0, "a live token left behind: {tokens}");
    let count = |pred: &dyn Fn(&str, u64) -> bool| -> u64 {
        stats["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| pred(r["route"].as_str().unwrap(), r["status"].as_u64().unwrap()))
            .map(|r| r["count"].as_u64().unwrap())
            .sum()
    };
    let repeated = count(&|route, status| route.contains("/tokens") && matches!(status, 404 | 409));
    assert!(repeated > 0, "no lost answer to a token write was met: the test shows nothing: {stats}");
    let injected = count(&|route, status| route.starts_with("/workspaces") && matches!(status, 429 | 500));
    assert!(injected > 0, "no control-plane fault was injected: the test shows nothing: {stats}");
    assert_faults_met(&emu, true);
}

/// Both kinds of fault were met on the Grafana API (else the test shows nothing): injected
/// 429/5xx answers, and answers dropped after the write was done.
fn assert_faults_met(emu: &Emulator, amg: bool) {
    let stats = emu.stats();
    let faults = &stats["faults"]["grafana"];
    let (injected, dropped) = (faults["injected"].as_u64().unwrap_or(0), faults["dropped"].as_u64().unwrap_or(0));
    assert!(injected > 0 && dropped > 0, "amg auth {amg}: faults met {faults}: the test shows nothing: {stats}");
}

/// Ctrl-C (SIGINT to Terraform's process group, as a terminal sends it) a few seconds into an
/// apply of 150 objects with 40 ms of latency per request: the next apply converges to exactly
/// 150, and the plan after is empty. Terraform 1.11.4 only (see `plugin::ctrl_c_during_apply_stops_cleanly_tf_1_11`).
#[test]
fn ctrl_c_mid_apply_of_150_objects_converges_on_the_next_apply_tf_1_11() {
    let tf = crate::support::terraform("1.11.4");
    let emu = Emulator::start(&["--latency-ms", "40"]);
    let w = Workdir::new(&tf);
    w.write("main.tf", &format!("{REQUIRED}\n{}\n{}", url_provider(&emu), objects(110, 20, 20)));
    w.init();
    let mut child =
        crate::support::spawn_interruptible(&w, &["apply", "-auto-approve", "-no-color", "-input=false"], &[]);
    let stdout = child.stdout.take().unwrap();
    let reader =
        std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    wait_until("some objects created", std::time::Duration::from_secs(60), || {
        emu.held("dashboards") + emu.held("folders") + emu.held("datasources") >= 30
    });
    crate::support::interrupt(&child);
    let out = child.wait_with_output().unwrap();
    let printed = reader.join().unwrap();
    assert_ne!(out.status.code(), Some(0), "the apply was not interrupted: {printed}");
    let held = emu.held("dashboards") + emu.held("folders") + emu.held("datasources");
    assert!(held < 150, "the interrupt came after the apply finished ({held} objects)");
    let r = w.apply();
    assert!(r.stdout.contains("Apply complete!"), "{r:?}");
    assert_exactly(&emu, 110, 20, 20, "after the re-apply");
    w.assert_plan_empty("after an interrupted apply and a re-apply");
}

/// Two Terraform runs at once against the same objects (two working directories holding the
/// same state, as two pipelines of one stack would): both read version 1, the first write wins,
/// the other is refused with a message naming the object and the change it would have lost.
/// Nothing is lost; the loser's next apply applies its change on top (visible to the winner's
/// next plan as drift), and then plans nothing.
#[test]
fn two_runs_at_once_one_wins_the_other_is_refused_and_both_converge() {
    let tf = crate::support::terraform("1.11.4");
    // Each request takes 0.8 s: both runs read before either writes.
    let emu = Emulator::start(&["--latency-ms", "800"]);
    let config = |who: &str| {
        format!(
            "{REQUIRED}\n{}\nresource \"grafana_folder\" \"f\" {{\n  uid   = \"race-f\"\n  title = \"Folder {who}\"\n}}\n\nresource \"grafana_dashboard\" \"d\" {{\n  folder      = \"race-f\"\n  config_json = jsonencode({{ uid = \"race-d\", title = \"Dashboard {who}\", panels = [] }})\n  depends_on  = [grafana_folder.f]\n}}\n\nresource \"grafana_data_source\" \"ds\" {{\n  uid  = \"race-ds\"\n  type = \"prometheus\"\n  name = \"Prometheus\"\n  url  = \"https://{who}.example.com\"\n}}\n",
            url_provider(&emu)
        )
    };
    let a = Workdir::new(&tf);
    a.write("main.tf", &config("base"));
    a.init();
    a.apply();
    let b = Workdir::new(&tf);
    b.write("terraform.tfstate", &std::fs::read_to_string(a.dir().join("terraform.tfstate")).unwrap());
    b.write("main.tf", &config("B"));
    b.init();
    a.write("main.tf", &config("A"));
    let args = ["apply", "-auto-approve", "-input=false", "-no-color"];
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| a.run(&args));
        let tb = s.spawn(|| b.run(&args));
        (ta.join().unwrap(), tb.join().unwrap())
    });
    assert!(
        ra.code != 0 || rb.code != 0,
        "both runs succeeded: one update overwrote the other unseen\nA: {ra:?}\nB: {rb:?}"
    );
    for r in [&ra, &rb].into_iter().filter(|r| r.code != 0) {
        let text = r.all().replace('\n', " ");
        assert!(text.contains("after Terraform's last refresh") || text.contains("since Terraform read it"), "{r:?}");
        assert!(["race-f", "race-d", "race-ds"].iter().any(|uid| text.contains(uid)), "the object is not named: {r:?}");
    }
    // Nothing lost: each object holds one of the two runs' values.
    let (_, f) = emu.grafana("GET", "/api/folders/race-f", None);
    let (_, d) = emu.grafana("GET", "/api/dashboards/uid/race-d", None);
    let (_, ds) = emu.grafana("GET", "/api/datasources/uid/race-ds", None);
    assert!(matches!(f["title"].as_str(), Some("Folder A" | "Folder B")), "{f}");
    assert!(matches!(d["dashboard"]["title"].as_str(), Some("Dashboard A" | "Dashboard B")), "{d}");
    assert!(matches!(ds["url"].as_str(), Some("https://A.example.com" | "https://B.example.com")), "{ds}");
    // The runs converge: whichever failed applies on top, and plans nothing after.
    let (loser, winner, who) = if ra.code != 0 { (&a, &b, "A") } else { (&b, &a, "B") };
    loser.apply();
    loser.assert_plan_empty("the loser after its re-apply");
    let (_, d) = emu.grafana("GET", "/api/dashboards/uid/race-d", None);
    assert_eq!(d["dashboard"]["title"], format!("Dashboard {who}"));
    let r = winner.plan(&[]);
    assert_eq!(r.code, 2, "the winner sees the later change as drift: {r:?}");
}
