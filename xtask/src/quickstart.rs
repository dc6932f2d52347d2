//! `cargo xtask quickstart [--keep]`: the whole story on this machine, in about a minute.
//!
//! Starts `amg-local` (the AMG control plane and the workspaces' Grafana, over TLS as on AWS),
//! then runs `examples/quickstart` with real Terraform: the AWS provider (the machine's
//! filesystem mirror of 5.100.0) creates the workspace, this provider signs in to it with AMG-native
//! auth and fills it (an AMP data source, folders, three real dashboards), in one apply; then a
//! plan that must be empty. Prints what was made, where, and how long each step took.
//! `--keep` leaves the emulator running and prints the environment to point Terraform at it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::tools::{self, Emulator};
use crate::{cargo, root, run};

/// The AWS provider's filesystem mirror: `AWS_PROVIDER_MIRROR`, or where the machine image keeps it.
pub fn aws_mirror() -> Result<PathBuf, String> {
    let dir = std::env::var_os("AWS_PROVIDER_MIRROR").map_or_else(|| PathBuf::from("/opt/tf-plugins"), PathBuf::from);
    if dir.join("registry.terraform.io/hashicorp/aws").is_dir() {
        Ok(dir)
    } else {
        Err(format!(
            "no filesystem mirror of hashicorp/aws at {}: set AWS_PROVIDER_MIRROR to one (the machine image has 5.100.0)",
            dir.display()
        ))
    }
}

pub fn quickstart(args: &[String]) -> Result<(), String> {
    let keep = args.iter().any(|a| a == "--keep");
    let started = Instant::now();
    let tools = tools::ensure()?;
    let t = Instant::now();
    run(cargo().current_dir(root()).args(["build", "--locked", "--workspace", "--bins"]))?;
    let built = t.elapsed();
    let target = root().join("target/debug");
    let emu = tools::emulator(&target.join("amg-local"), &["--tls"])?;

    let work = root().join(".tools/quickstart");
    let _ = std::fs::remove_dir_all(&work);
    copy_dir(&root().join("examples/quickstart"), &work)?;
    let rc = tools::cli_config_with(
        &work,
        &target.join("terraform-provider-grafana"),
        &[(aws_mirror()?, "registry.terraform.io/hashicorp/aws")],
    )?;
    let mut env: Vec<(&str, String)> = vec![
        ("TF_CLI_CONFIG_FILE", rc.display().to_string()),
        ("CHECKPOINT_DISABLE", "1".into()),
        ("TF_IN_AUTOMATION", "1".into()),
        // The AWS provider gets the control plane from the configuration's variables; this
        // provider's AWS SDK from AWS_ENDPOINT_URL_GRAFANA, as any AWS SDK does.
        ("TF_VAR_local_emulator", "true".into()),
        ("TF_VAR_amg_endpoint", emu.control_plane_url.clone()),
        ("TF_VAR_grafana_ca_cert", emu.ca_cert_file.clone().unwrap_or_default()),
        ("GRAFANA_URL", String::new()),
        ("GRAFANA_AUTH", String::new()),
    ];
    // The AWS credentials both providers use: amg-local takes any; nothing else is read.
    env.extend(tools::amg_local_aws_env(&work, &emu.control_plane_url));
    let tf = &tools.terraforms[0].1;
    let terraform = |args: &[&str]| {
        let mut c = Command::new(tf);
        c.current_dir(&work).args(args).envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        c
    };
    let mut steps = vec![("build", built)];
    for (name, args) in [
        ("terraform init", &["init", "-input=false", "-no-color"][..]),
        ("terraform apply", &["apply", "-auto-approve", "-input=false", "-no-color"][..]),
    ] {
        let t = Instant::now();
        run(&mut terraform(args))?;
        steps.push((name, t.elapsed()));
    }
    let t = Instant::now();
    let st =
        terraform(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]).status().map_err(|e| e.to_string())?;
    steps.push(("terraform plan", t.elapsed()));
    if st.code() != Some(0) {
        return Err("the plan after apply is not empty".into());
    }

    let out = terraform(&["output", "-json"]).output().map_err(|e| e.to_string())?;
    let outputs: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("terraform output: {e}"))?;
    report(&emu, &outputs, &steps, started)?;
    if keep {
        println!("\namg-local keeps running (--keep); press Ctrl-C to stop it. To run Terraform against it:");
        println!("  cd {}", work.display());
        for (k, v) in &env {
            if !v.is_empty() {
                println!("  export {k}={v}");
            }
        }
        println!("  terraform plan");
        emu.wait();
    }
    Ok(())
}

/// What the quickstart made, where to look, and each step's time.
fn report(
    emu: &Emulator,
    outputs: &serde_json::Value,
    steps: &[(&str, std::time::Duration)],
    started: Instant,
) -> Result<(), String> {
    let ws = outputs["workspace_id"]["value"].as_str().unwrap_or_default().to_string();
    let stats = emu.try_stats()?;
    let held = &stats["workspaces"][&ws];
    println!(
        "\nquickstart: the AWS provider created workspace {ws} in amg-local and this provider filled it in the same apply; the next plan is empty."
    );
    println!(
        "  in the workspace: {} data source, {} folders, {} dashboards; live provider tokens: {}",
        held["datasources"], held["folders"], held["dashboards"], held["live_tokens"]
    );
    println!("  Grafana:           {}", outputs["grafana_url"]["value"].as_str().unwrap_or_default());
    for (name, url) in outputs["dashboard_urls"]["value"].as_object().into_iter().flatten() {
        println!("  dashboard {name:<9} {}", url.as_str().unwrap_or_default());
    }
    println!("  AMG control plane: {}", emu.control_plane_url);
    println!("  emulator stats:    {}/_amg-local/stats", emu.control_plane_url);
    for (name, d) in steps {
        println!("  {name:<17}  {:>6.2} s", d.as_secs_f64());
    }
    println!("  total              {:>6.2} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for e in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let p = e.map_err(|e| e.to_string())?.path();
        let dst = to.join(p.file_name().expect("a file name"));
        if p.is_dir() {
            copy_dir(&p, &dst)?;
        } else {
            std::fs::copy(&p, &dst).map_err(|e| format!("{}: {e}", p.display()))?;
        }
    }
    Ok(())
}
