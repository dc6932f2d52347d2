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
    let tools = tools::ensure()?;
    run(crate::cargo().current_dir(root()).args(["build", "--locked", "--workspace", "--bins"]))?;
    let target = root().join("target/debug");
    let seed_s = seed.to_string();
    let emu = amg_local::harness::Running::start(
        &target.join("amg-local"),
        &[
            "--tls",
            "--fault-rate",
            "0.1",
            "--drop-rate",
            "0.05",
            "--control-fault-rate",
            "0.1",
            "--control-drop-rate",
            "0.05",
            "--seed",
            &seed_s,
        ],
        Stdio::null(),
    )?;
    let (cp, gurl, admin, ws, ca) = (
        emu.get("control_plane_url"),
        emu.get("grafana_url"),
        emu.get("admin_token"),
        emu.get("workspace_id"),
        emu.get("ca_cert_file"),
    );
    let fds = || std::fs::read_dir(format!("/proc/{}/fd", emu.pid())).map(|d| d.count()).unwrap_or(0);
    let work = root().join(".tools/soak");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    std::fs::write(work.join("main.tf"), config(&ws, &ca)).map_err(|e| e.to_string())?;
    let rc = tools::cli_config(&work, &target.join("terraform-provider-grafana"))?;
    let tf = tools.terraforms[0].1.clone();
    let mut env: Vec<(&str, String)> =
        vec![("TF_CLI_CONFIG_FILE", rc.display().to_string()), ("CHECKPOINT_DISABLE", "1".into())];
    env.extend(tools::amg_local_aws_env(&work, &cp));
    let terraform = |args: &[&str]| -> Result<i32, String> {
        let out = Command::new(&tf)
            .current_dir(&work)
            .args(args)
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .output()
            .map_err(|e| e.to_string())?;
        let code = out.status.code().unwrap_or(-1);
        if code == 1 {
            eprintln!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        }
        Ok(code)
    };
    let grafana = |method: &str, path: &str, body: Option<&Value>| -> Value {
        let mut c = Command::new("curl");
        c.args(["-sS", "--cacert", &ca, "-X", method, "-H", &format!("Authorization: Bearer {admin}")]);
        if let Some(b) = body {
            c.args(["-H", "content-type: application/json", "--data", &b.to_string()]);
        }
        let out = c.arg(format!("{gurl}{path}")).output().map(|o| o.stdout).unwrap_or_default();
        serde_json::from_slice(&out).unwrap_or(Value::Null)
    };
    let stats = || -> Value {
        let out = Command::new("curl").args(["-sS", &format!("{cp}/_amg-local/stats")]).output();
        out.ok().and_then(|o| serde_json::from_slice(&o.stdout).ok()).unwrap_or(Value::Null)
    };

    if terraform(&["init", "-input=false", "-no-color"])? != 0 {
        return Err("terraform init failed".into());
    }
    if terraform(&["apply", "-auto-approve", "-input=false", "-no-color"])? != 0 {
        return Err("the first apply failed".into());
    }
    let fds_before = fds();
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let started = Instant::now();
    for cycle in 1..=cycles {
        let change = match next(4) {
            0 => {
                let uid = format!("soak-d{}", next(DASHBOARDS));
                let mut d = grafana("GET", &format!("/api/dashboards/uid/{uid}"), None)["dashboard"].clone();
                d["title"] = Value::from(format!("Edited in Grafana {cycle}"));
                grafana("POST", "/api/dashboards/db", Some(&serde_json::json!({"dashboard": d, "overwrite": true})));
                format!("edited dashboard {uid}")
            }
            1 => {
                let uid = format!("soak-f{}", next(FOLDERS));
                grafana("DELETE", &format!("/api/folders/{uid}"), None);
                format!("deleted folder {uid} and its dashboards")
            }
            2 => {
                let uid = format!("soak-ds{}", next(DATA_SOURCES));
                let mut ds = grafana("GET", &format!("/api/datasources/uid/{uid}"), None);
                ds["name"] = Value::from(format!("Renamed {cycle}"));
                grafana("PUT", &format!("/api/datasources/uid/{uid}"), Some(&ds));
                format!("renamed data source {uid}")
            }
            _ => {
                let uid = format!("soak-ds{}", next(DATA_SOURCES));
                grafana("DELETE", &format!("/api/datasources/uid/{uid}"), None);
                format!("deleted data source {uid}")
            }
        };
        let t = Instant::now();
        if terraform(&["apply", "-auto-approve", "-input=false", "-no-color"])? != 0 {
            return Err(format!("cycle {cycle} ({change}): the apply failed"));
        }
        let plan = terraform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"])?;
        if plan != 0 {
            return Err(format!("cycle {cycle} ({change}): the plan after apply is not empty (exit {plan})"));
        }
        let held = &stats()["workspaces"][&ws];
        let counts = (held["folders"].as_u64(), held["dashboards"].as_u64(), held["datasources"].as_u64());
        if counts != (Some(FOLDERS as u64), Some(DASHBOARDS as u64), Some(DATA_SOURCES as u64)) {
            return Err(format!("cycle {cycle} ({change}): Grafana holds {counts:?}"));
        }
        println!("soak: cycle {cycle}/{cycles}: {change}; apply + plan {:.1} s; ok", t.elapsed().as_secs_f64());
    }
    let held = &stats()["workspaces"][&ws];
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
    let fds_after = fds();
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
