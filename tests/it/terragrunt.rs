//! `examples/terragrunt`: a live stack of two units. No Terragrunt binary can be had here, so
//! this does what Terragrunt does with it: writes `root.hcl`'s `generate` blocks into each unit,
//! passes `inputs` as `TF_VAR_` variables, applies `workspace/`, then `dashboards/` with the
//! workspace's outputs where its `dependency` block reads them.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::amg_auth::workdir;
use crate::support::{Emulator, Terraform, Workdir};

on_both_terraforms!(the_units_apply_in_dependency_order_with_the_workspace_outputs_as_inputs);

pub fn stack() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/terragrunt")
}

/// `root.hcl`'s `generate` blocks: (path, contents). Reads the one form the example uses:
/// `path = "..."` and `contents = <<EOF` … `EOF`, with no interpolation inside.
pub fn generated() -> Vec<(String, String)> {
    let root = std::fs::read_to_string(stack().join("root.hcl")).unwrap();
    let mut out = Vec::new();
    let mut lines = root.lines();
    while let Some(line) = lines.next() {
        if !line.starts_with("generate \"") {
            continue;
        }
        let mut path = None;
        for l in lines.by_ref() {
            let t = l.trim();
            if let Some(p) = t.strip_prefix("path").map(|r| r.trim_start().trim_start_matches('=').trim()) {
                path = Some(p.trim_matches('"').to_string());
            }
            if t.starts_with("contents") && t.ends_with("<<EOF") {
                let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "EOF").collect();
                assert!(!body.join("\n").contains("${"), "interpolation in a generate block: this reader takes none");
                out.push((path.take().expect("path before contents"), body.join("\n") + "\n"));
                break;
            }
        }
    }
    assert!(!out.is_empty(), "root.hcl generates nothing");
    out
}

/// A unit's own files plus what `root.hcl` generates, in `w`.
pub fn write_unit(w: &Workdir, unit: &Path) {
    for e in std::fs::read_dir(unit).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".tf") {
            w.write(&name, &std::fs::read_to_string(&p).unwrap());
        }
    }
    for (path, contents) in generated() {
        w.write(&path, &contents);
    }
}

fn unit(tf: &Terraform, emu: &Emulator, name: &str) -> Workdir {
    let mut w = workdir(tf, emu, true);
    write_unit(&w, &stack().join(name));
    // root.hcl's inputs, and the variables that point the stack at amg-local.
    let root = std::fs::read_to_string(stack().join("root.hcl")).unwrap();
    assert!(root.contains("region = \"us-east-1\"") && root.contains("region = local.region"), "root.hcl's inputs");
    w.env("TF_VAR_region", "us-east-1");
    w.env("TF_VAR_local_emulator", "true");
    w.env("TF_VAR_amg_endpoint", &emu.control_plane_url);
    w.env("TF_VAR_grafana_ca_cert", emu.ca_cert_file.as_deref().expect("amg-local --tls"));
    w
}

fn the_units_apply_in_dependency_order_with_the_workspace_outputs_as_inputs(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    let ws_unit = unit(tf, &emu, "workspace");
    ws_unit.init();
    let r = ws_unit.apply();
    assert!(r.stdout.contains("1 added"), "{r:?}");
    let outputs: Value = serde_json::from_str(&ws_unit.ok(&["output", "-json"]).stdout).unwrap();
    let ws = outputs["workspace_id"]["value"].as_str().expect("workspace_id output").to_string();

    // dashboards/ reads that output through its dependency block, as its input workspace_id.
    let deps = std::fs::read_to_string(stack().join("dashboards/terragrunt.hcl")).unwrap();
    assert!(deps.contains("config_path = \"../workspace\""), "{deps}");
    assert!(deps.contains("workspace_id = dependency.workspace.outputs.workspace_id"), "{deps}");
    let mut dash_unit = unit(tf, &emu, "dashboards");
    dash_unit.env("TF_VAR_workspace_id", &ws);
    dash_unit.init();
    let r = dash_unit.apply();
    assert!(r.stdout.contains("3 added"), "{r:?}");
    assert_eq!(emu.held_in(&ws), [1, 1, 1, 0], "data sources, folders, dashboards, live tokens");
    dash_unit.assert_plan_empty("the dashboards unit");
    ws_unit.assert_plan_empty("the workspace unit");

    // `terragrunt run --all destroy` goes in reverse order.
    dash_unit.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(emu.stats()["workspaces"][&ws]["dashboards"].as_u64(), Some(0));
    ws_unit.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
}
