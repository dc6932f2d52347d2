//! `cargo xtask soak [--cycles N] [--seed S]`: N plan/apply cycles of an AMG-auth configuration
//! against amg-local with faults on both planes (throttling, 5xx, lost answers), each after a
//! random change made in Grafana behind Terraform's back (a dashboard edited, a folder deleted
//! with its dashboards, a data source renamed or deleted). After each cycle: the apply succeeded,
//! Grafana holds exactly the configured objects and the next plan is empty. At the end: no live
//! token and one service account of the provider's, no provider process left, and the
//! emulator's open file descriptors back to where they were. Not a CI test: it takes minutes.

use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

use crate::{root, run, tools};

const FOLDERS: usize = 10;
const DASHBOARDS: usize = 20;
const DATA_SOURCES: usize = 5;

pub fn run_soak(args: &[String]) -> Result<(), String> {
    let flag = |name: &str, default: u64| -> Result<u64, String> {
        match args.iter().position(|a| a == name) {
            Some(i) => args.get(i + 1).and_then(|v| v.parse().ok()).ok_or(format!("{name} needs a number")),
            None => Ok(default),
        }
    };
    let (cycles, seed) = (flag("--cycles", 20)?, flag("--seed", 1)?);
    let soak = Soak::start(seed)?;
    if soak.terraform(&["init", "-input=false", "-no-color"])? != 0 {
        return Err("terraform init failed".into());
    }
    if soak.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"])? != 0 {
        return Err("the first apply failed".into());
    }
    let fds_before = soak.fds();
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let started = Instant::now();
    for cycle in 1..=cycles {
        let change = soak.change_in_grafana(cycle, &mut next);
        let t = Instant::now();
        if soak.terraform(&["apply", "-auto-approve", "-input=false", "-no-color"])? != 0 {
            return Err(format!("cycle {cycle} ({change}): the apply failed"));
        }
        let plan = soak.terraform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])?;
        if plan != 0 {
            return Err(format!("cycle {cycle} ({change}): the plan after apply is not empty (exit {plan})"));
        }
        let held = &soak.stats()["workspaces"][&soak.ws];
        let counts = (held["folders"].as_u64(), held["dashboards"].as_u64(), held["datasources"].as_u64());
        if counts != (Some(FOLDERS as u64), Some(DASHBOARDS as u64), Some(DATA_SOURCES as u64)) {
            return Err(format!("cycle {cycle} ({change}): Grafana holds {counts:?}"));
        }
        println!("soak: cycle {cycle}/{cycles}: {change}; apply + plan {:.1} s; ok", t.elapsed().as_secs_f64());
    }
    soak.check_nothing_leaked(cycles, started, fds_before)
}

/// The emulator (faults on both planes), the working directory and how to reach both.
struct Soak {
    emu: amg_local::harness::Running,
    work: std::path::PathBuf,
    tf: std::path::PathBuf,
    env: Vec<(&'static str, String)>,
    ws: String,
}

impl Soak {
    fn start(seed: u64) -> Result<Soak, String> {
        let tools = tools::ensure()?;
        run(crate::cargo().current_dir(root()).args(["build", "--locked", "--workspace", "--bins"]))?;
        let target = root().join("target/debug");
        let seed = seed.to_string();
        let faults = ["--fault-rate", "0.1", "--drop-rate", "0.05", "--control-fault-rate", "0.1"];
        let args = [&faults[..], &["--control-drop-rate", "0.05", "--tls", "--seed", &seed]].concat();
        let emu = amg_local::harness::Running::spawn(&target.join("amg-local"), &args, Stdio::null())?;
        let (cp, ws, ca) = (emu.get("control_plane_url"), emu.get("workspace_id"), emu.get("ca_cert_file"));
        let work = root().join(".tools/soak");
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        std::fs::write(work.join("main.tf"), config(&ws, &ca)).map_err(|e| e.to_string())?;
        let rc = tools::cli_config(&work, &target.join("terraform-provider-grafana"))?;
        let mut env = vec![("TF_CLI_CONFIG_FILE", rc.display().to_string()), ("CHECKPOINT_DISABLE", "1".into())];
        env.extend(tools::amg_local_aws_env(&work, &cp));
        Ok(Soak { emu, work, tf: tools.terraforms[0].1.clone(), env, ws })
    }

    /// Runs Terraform; prints what it said when it failed.
    fn terraform(&self, args: &[&str]) -> Result<i32, String> {
        let out = Command::new(&self.tf)
            .current_dir(&self.work)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (*k, v)))
            .output()
            .map_err(|e| e.to_string())?;
        let code = out.status.code().unwrap_or(-1);
        if code == 1 {
            eprintln!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        Ok(code)
    }

    /// A call on the workspace's Grafana API as its admin (behind Terraform's back).
    fn grafana(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (ca, admin, url) = (self.emu.get("ca_cert_file"), self.emu.get("admin_token"), self.emu.get("grafana_url"));
        let mut c = Command::new("curl");
        c.args(["-sS", "--cacert", &ca, "-X", method, "-H", &format!("Authorization: Bearer {admin}")]);
        if let Some(b) = body {
            c.args(["-H", "content-type: application/json", "--data", &b.to_string()]);
        }
        let out = c.arg(format!("{url}{path}")).output().map(|o| o.stdout).unwrap_or_default();
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    }

    fn stats(&self) -> Value {
        self.emu.try_stats().unwrap_or(Value::Null)
    }

    /// The emulator's open file descriptors.
    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.emu.pid())).map(|d| d.count()).unwrap_or(0)
    }

    /// One random change made in Grafana; says which.
    fn change_in_grafana(&self, cycle: u64, next: &mut impl FnMut(usize) -> usize) -> String {
        match next(4) {
            0 => {
                let uid = format!("soak-d{}", next(DASHBOARDS));
                let mut d = self.grafana("GET", &format!("/api/dashboards/uid/{uid}"), None)["dashboard"].clone();
                d["title"] = Value::from(format!("Edited in Grafana {cycle}"));
                let body = serde_json::json!({"dashboard": d, "overwrite": true});
                self.grafana("POST", "/api/dashboards/db", Some(&body));
                format!("edited dashboard {uid}")
            }
            1 => {
                let uid = format!("soak-f{}", next(FOLDERS));
                self.grafana("DELETE", &format!("/api/folders/{uid}"), None);
                format!("deleted folder {uid} and its dashboards")
            }
            2 => {
                let uid = format!("soak-ds{}", next(DATA_SOURCES));
                let mut ds = self.grafana("GET", &format!("/api/datasources/uid/{uid}"), None);
                ds["name"] = Value::from(format!("Renamed {cycle}"));
                self.grafana("PUT", &format!("/api/datasources/uid/{uid}"), Some(&ds));
                format!("renamed data source {uid}")
            }
            _ => {
                let uid = format!("soak-ds{}", next(DATA_SOURCES));
                self.grafana("DELETE", &format!("/api/datasources/uid/{uid}"), None);
                format!("deleted data source {uid}")
            }
        }
    }

    /// No live token, one service account of the provider's, no provider process, and the
    /// emulator's file descriptors back where they were.
    fn check_nothing_leaked(&self, cycles: u64, started: Instant, fds_before: usize) -> Result<(), String> {
        let held = &self.stats()["workspaces"][&self.ws];
        let accounts: Vec<&String> = held["tokens_by_service_account"]
            .as_object()
            .map(|m| m.keys().filter(|k| k.starts_with("terraform-provider-grafana")).collect())
            .unwrap_or_default();
        let live = held["tokens_by_service_account"]["terraform-provider-grafana-admin"]["live"].as_u64().unwrap_or(0);
        let providers = Command::new("pgrep")
            .args(["-f", "terraform-provider-grafana_v"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).lines().count())
            .unwrap_or(0);
        let fds_after = self.fds();
        println!(
            "soak: {cycles} cycles in {:.0} s; provider tokens live: {live}; provider service accounts: {}; provider processes left: {providers}; emulator fds {fds_before} -> {fds_after}",
            started.elapsed().as_secs_f64(),
            accounts.len()
        );
        if live != 0 || accounts.len() != 1 || providers != 0 || fds_after > fds_before + 4 {
            return Err("something leaked (see the line above)".into());
        }
        Ok(())
    }
}

fn config(ws: &str, ca: &str) -> String {
    let mut c = format!(
        "terraform {{\n  required_providers {{\n    grafana = {{ source = \"amg-oss/grafana\", version = \"0.1.0\" }}\n  }}\n}}\n\nprovider \"grafana\" {{\n  workspace_id = \"{ws}\"\n  ca_cert      = \"{ca}\"\n  retries      = 8\n}}\n\n"
    );
    for i in 0..FOLDERS {
        c.push_str(&format!(
            "resource \"grafana_folder\" \"f{i}\" {{\n  uid   = \"soak-f{i}\"\n  title = \"Soak {i}\"\n}}\n\n"
        ));
    }
    for i in 0..DASHBOARDS {
        c.push_str(&format!(
            "resource \"grafana_dashboard\" \"d{i}\" {{\n  folder      = grafana_folder.f{}.uid\n  config_json = jsonencode({{ uid = \"soak-d{i}\", title = \"Soak dashboard {i}\", panels = [] }})\n}}\n\n",
            i % FOLDERS
        ));
    }
    for i in 0..DATA_SOURCES {
        c.push_str(&format!(
            "resource \"grafana_data_source\" \"ds{i}\" {{\n  uid  = \"soak-ds{i}\"\n  type = \"prometheus\"\n  name = \"Soak {i}\"\n  url  = \"https://prometheus-{i}.example.com\"\n}}\n\n"
        ));
    }
    c
}
