//! `examples/terragrunt` (an implicit stack: units with a `dependency`) and
//! `examples/terragrunt-stack` (an explicit stack: `terragrunt.stack.hcl` with `unit` blocks
//! taken from a catalog). No Terragrunt binary can be had here, so this does what Terragrunt
//! does with them: generates the explicit stack's units as `terragrunt stack generate` does
//! (the unit's files into `.terragrunt-stack/<path>/`, its values into `terragrunt.values.hcl`),
//! writes `root.hcl`'s `generate` blocks into each unit, evaluates its `inputs` (literals,
//! `values.*`, `dependency.*.outputs.*`) into `TF_VAR_` variables, and applies the units in
//! dependency order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::amg_auth::workdir;
use crate::support::{Emulator, Terraform, Workdir};

on_both_terraforms!(
    the_units_apply_in_dependency_order_with_the_workspace_outputs_as_inputs,
    the_explicit_stack_applies_as_its_generated_units,
);

pub fn stack() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/terragrunt")
}

/// `root.hcl`'s `generate` blocks: (path, contents). Reads the one form the example uses:
/// `path = "..."` and `contents = <<EOF` … `EOF`, with no interpolation inside.
fn generated_from(root: &Path) -> Vec<(String, String)> {
    let root = std::fs::read_to_string(root).unwrap();
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
    write_unit_with(w, unit, &stack().join("root.hcl"));
}

fn write_unit_with(w: &Workdir, unit: &Path, root: &Path) {
    for e in std::fs::read_dir(unit).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".tf") {
            w.write(&name, &std::fs::read_to_string(&p).unwrap());
        }
    }
    for (path, contents) in generated_from(root) {
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
    r.assert_summary("1 added, 0 changed, 0 destroyed");
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
    r.assert_summary("3 added, 0 changed, 0 destroyed");
    assert_eq!(emu.held_in(&ws), [1, 1, 1, 0], "data sources, folders, dashboards, live tokens");
    dash_unit.assert_plan_empty("the dashboards unit");
    ws_unit.assert_plan_empty("the workspace unit");

    // `terragrunt run --all destroy` goes in reverse order.
    dash_unit.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(emu.stats()["workspaces"][&ws]["dashboards"].as_u64(), Some(0));
    ws_unit.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
}

// ---- the explicit stack ----

pub fn explicit_stack() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/terragrunt-stack")
}

/// One `unit` block of a `terragrunt.stack.hcl`.
#[derive(Clone, Debug)]
struct StackUnit {
    name: String,
    source: String,
    path: String,
    values: BTreeMap<String, String>,
}

/// A quoted HCL string literal's text (the example's values are all strings).
fn literal(v: &str) -> Option<String> {
    let v = v.trim();
    (v.len() >= 2 && v.starts_with('"') && v.ends_with('"') && !v.contains("${")).then(|| v[1..v.len() - 1].to_string())
}

/// The `unit` blocks of a stack file, in the one form the example uses: `source`, `path` and a
/// `values` object of string literals, one attribute a line.
fn stack_units(file: &Path) -> Vec<StackUnit> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut units = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(name) = line.strip_prefix("unit \"").and_then(|r| r.strip_suffix("\" {")) else { continue };
        let mut u =
            StackUnit { name: name.into(), source: String::new(), path: String::new(), values: BTreeMap::new() };
        let mut in_values = false;
        for l in lines.by_ref() {
            match (in_values, l.split_once('=').map(|(k, v)| (k.trim(), v.trim()))) {
                (false, _) if l == "}" => break,
                (true, _) if l == "}" => in_values = false,
                (false, Some(("values", "{"))) => in_values = true,
                (false, Some(("source", v))) => u.source = literal(v).expect("source"),
                (false, Some(("path", v))) => u.path = literal(v).expect("path"),
                (true, Some((k, v))) => {
                    u.values.insert(k.into(), literal(v).unwrap_or_else(|| panic!("value {k} is not a string: {v}")));
                }
                _ => panic!("{}: a line this reader does not take: {l}", file.display()),
            }
        }
        units.push(u);
    }
    units
}

/// What `terragrunt stack generate` writes for `live/terragrunt.stack.hcl` (Terragrunt's
/// `config/stack.go`): each unit's source directory copied to `.terragrunt-stack/<path>/`, and
/// its values in `terragrunt.values.hcl` (a header comment, then the values sorted by name).
fn stack_generate(live: &Path) -> Vec<(StackUnit, PathBuf)> {
    let mut out = Vec::new();
    for u in stack_units(&live.join("terragrunt.stack.hcl")) {
        let dir = live.join(".terragrunt-stack").join(&u.path);
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(live.join(&u.source)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
        let mut values =
            String::from("# Auto-generated by the terragrunt.stack.hcl file by Terragrunt. Do not edit manually\n");
        for (k, v) in &u.values {
            values.push_str(&format!("{k} = {v:?}\n"));
        }
        std::fs::write(dir.join("terragrunt.values.hcl"), values).unwrap();
        out.push((u, dir));
    }
    out
}

/// A generated unit's `terragrunt.values.hcl`, read back.
fn read_values(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(dir.join("terragrunt.values.hcl"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l.split_once('=').expect("name = value");
            (k.trim().to_string(), literal(v).expect("a string value"))
        })
        .collect()
}

/// An expression of a unit's `terragrunt.hcl`: a literal, `values.<name>`, or
/// `dependency.<unit>.outputs.<name>` (from `outputs`, keyed by the dependency block's name).
fn evaluate(expr: &str, values: &BTreeMap<String, String>, outputs: &BTreeMap<String, serde_json::Value>) -> String {
    let expr = expr.trim();
    if let Some(v) = literal(expr) {
        return v;
    }
    if let Some(name) = expr.strip_prefix("values.") {
        return values.get(name).unwrap_or_else(|| panic!("no value {name}")).clone();
    }
    let parts: Vec<&str> = expr.split('.').collect();
    match parts.as_slice() {
        ["dependency", dep, "outputs", name] => outputs[*dep][*name]["value"]
            .as_str()
            .unwrap_or_else(|| panic!("dependency {dep} has no output {name}"))
            .to_string(),
        _ => panic!("an expression this reader does not take: {expr}"),
    }
}

/// A unit's `dependency` blocks (name → `config_path` expression) and `inputs` (name →
/// expression), one attribute a line.
fn unit_config(dir: &Path) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let text = std::fs::read_to_string(dir.join("terragrunt.hcl")).unwrap();
    let (mut deps, mut inputs) = (BTreeMap::new(), BTreeMap::new());
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if let Some(name) = line.strip_prefix("dependency \"").and_then(|r| r.strip_suffix("\" {")) {
            for l in lines.by_ref().take_while(|l| *l != "}") {
                if let Some(p) = l.strip_prefix("config_path").and_then(|r| r.trim_start().strip_prefix('=')) {
                    deps.insert(name.to_string(), p.trim().to_string());
                }
            }
        } else if line == "inputs = {" {
            for l in lines.by_ref().take_while(|l| *l != "}") {
                let (k, v) = l.split_once('=').expect("name = expression");
                inputs.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
    }
    (deps, inputs)
}

fn the_explicit_stack_applies_as_its_generated_units(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    // A copy of the example, so generating writes nothing in the repository.
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&explicit_stack(), copy.path());
    let live = copy.path().join("live");
    let generated = stack_generate(&live);
    assert_eq!(generated.iter().map(|(u, _)| u.name.as_str()).collect::<Vec<_>>(), ["workspace", "content"]);

    let root = live.join("root.hcl");
    let root_text = std::fs::read_to_string(&root).unwrap();
    assert!(root_text.contains("region = local.region"), "root.hcl's inputs");
    let mut outputs: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    let mut applied: Vec<(String, Workdir)> = Vec::new();
    // Dependency order: every generated unit after the units its dependency blocks name.
    for (u, dir) in &generated {
        let values = read_values(dir);
        let (deps, inputs) = unit_config(dir);
        for (dep, path) in &deps {
            let target = dir.join(evaluate(path, &values, &outputs));
            let target = target.canonicalize().unwrap();
            let (name, _) = generated
                .iter()
                .find(|(_, d)| d.canonicalize().unwrap() == target)
                .unwrap_or_else(|| panic!("{dep} points at no unit of the stack"));
            let (_, w) = applied.iter().find(|(n, _)| n == &name.name).expect("dependency applied first");
            outputs.insert(dep.clone(), serde_json::from_str(&w.ok(&["output", "-json"]).stdout).unwrap());
        }
        let mut w = workdir(tf, &emu, true);
        write_unit_with(&w, dir, &root);
        w.env("TF_VAR_region", "us-east-1");
        w.env("TF_VAR_local_emulator", "true");
        w.env("TF_VAR_amg_endpoint", &emu.control_plane_url);
        w.env("TF_VAR_grafana_ca_cert", emu.ca_cert_file.as_deref().expect("amg-local --tls"));
        for (k, expr) in &inputs {
            w.env(&format!("TF_VAR_{k}"), &evaluate(expr, &values, &outputs));
        }
        w.init();
        let r = w.apply();
        let added = if u.name == "workspace" { 1 } else { 2 };
        assert_eq!(r.summary(), format!("{added} added, 0 changed, 0 destroyed"), "{}: {r:?}", u.name);
        applied.push((u.name.clone(), w));
    }
    let ws = outputs["workspace"]["workspace_id"]["value"].as_str().unwrap().to_string();
    assert_eq!(emu.held_in(&ws), [0, 1, 1, 0], "data sources, folders, dashboards, live tokens");
    for (name, w) in applied.iter().rev() {
        w.assert_plan_empty(&format!("the {name} unit of the explicit stack"));
    }
    // `terragrunt stack run destroy` goes in reverse dependency order.
    for (_, w) in applied.iter().rev() {
        w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    }
    assert_eq!(emu.stats()["workspaces"][&ws]["dashboards"].as_u64(), None, "the workspace is gone");
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}
