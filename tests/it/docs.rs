//! `docs/` is rendered from the schema descriptions and `examples/`; this test keeps it true.
//! On a difference it rewrites the file and fails: run the tests again and commit the result.
//! It also applies each resource example against amg-local, so examples cannot rot.

use std::path::PathBuf;

use terraform_provider_grafana::docs;

use crate::support::{Emulator, Terraform, Workdir};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn docs_are_up_to_date() {
    let docs = repo().join("docs");
    let mut stale = Vec::new();
    for (rel, text) in docs::render(&repo()) {
        let path = docs.join(&rel);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            stale.push(rel.display().to_string());
        }
    }
    assert!(stale.is_empty(), "docs were out of date and have been rewritten: {stale:?}; commit them");
}

#[test]
fn every_resource_and_data_source_has_examples() {
    let (resources, data_sources) = docs::type_names();
    for r in &resources {
        for f in ["resource.tf", "import.sh"] {
            let path = repo().join("examples/resources").join(r).join(f);
            assert!(path.is_file(), "missing {}", path.display());
        }
    }
    for d in &data_sources {
        let path = repo().join("examples/data-sources").join(d).join("data-source.tf");
        assert!(path.is_file(), "missing {}", path.display());
    }
}

on_both_terraforms!(resource_examples_apply);

/// Applies each resource example (with the provider from GRAFANA_URL/GRAFANA_AUTH): an empty
/// plan after, and a clean destroy.
fn resource_examples_apply(tf: &Terraform) {
    for r in docs::type_names().0 {
        let emu = Emulator::start(&[]);
        let mut w = Workdir::new(tf);
        w.env("GRAFANA_URL", &emu.grafana_url);
        w.env("GRAFANA_AUTH", &emu.admin_token);
        let dir = repo().join("examples/resources").join(r);
        let ex = std::fs::read_to_string(dir.join("resource.tf")).unwrap();
        // Files the example reads (an exported dashboard, say) go along.
        for f in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            if !["resource.tf", "import.sh", "import-block.tf"].contains(&name.as_str()) {
                w.write(&name, &std::fs::read_to_string(&f).unwrap());
            }
        }
        w.write("main.tf", &format!("{}\nprovider \"grafana\" {{}}\n\n{ex}", crate::support::REQUIRED));
        w.init();
        w.apply();
        w.assert_plan_empty(r);
        w.ok(&["destroy", "-auto-approve", "-no-color"]);
    }
}

on_both_terraforms!(quickstart_applies);

/// `examples/quickstart`, what `cargo xtask quickstart` applies: the AWS provider creates the
/// workspace in amg-local and this provider (AMG-native auth) fills it in the same apply; the
/// export's inputs are filled; the next plan is empty; no token is left.
fn quickstart_applies(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    let mut w = crate::amg_auth::workdir(tf, &emu, true);
    copy_example(&w, &repo().join("examples/quickstart"));
    w.env("TF_VAR_local_emulator", "true");
    w.env("TF_VAR_amg_endpoint", &emu.control_plane_url);
    w.env("TF_VAR_grafana_ca_cert", emu.ca_cert_file.as_deref().expect("--tls"));
    w.init();
    let r = w.apply();
    assert!(r.stdout.contains("Apply complete! Resources: 7 added"), "{r:?}");
    let ws = w.state()["aws_grafana_workspace.this"]["id"].as_str().expect("workspace id").to_string();
    assert_eq!(emu.held_in(&ws), [1, 2, 3, 0], "data sources, folders, dashboards, live tokens");
    w.assert_plan_empty("quickstart");
    w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
}

/// Copies an example directory (its subdirectories too: dashboards read with `file()`) into `w`.
fn copy_example(w: &Workdir, dir: &std::path::Path) {
    for f in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if f.is_dir() {
            std::fs::create_dir_all(w.dir().join(&name)).unwrap();
            for g in std::fs::read_dir(&f).unwrap().map(|e| e.unwrap().path()) {
                let sub = format!("{name}/{}", g.file_name().unwrap().to_string_lossy());
                w.write(&sub, &std::fs::read_to_string(&g).unwrap());
            }
        } else if !name.ends_with(".sh") && !name.ends_with(".hcl") {
            w.write(&name, &std::fs::read_to_string(&f).unwrap());
        }
    }
}

on_both_terraforms!(every_example_directory_validates);

/// Every directory under `examples/` is a configuration that validates as it is (with only
/// the `required_providers` block a user's configuration has), so no example names something it
/// does not declare or reads a file that is not there.
fn every_example_directory_validates(tf: &Terraform) {
    let mut dirs: Vec<PathBuf> =
        vec![repo().join("examples/provider"), repo().join("examples/quickstart"), repo().join("examples/amg-stack")];
    for group in ["resources", "data-sources"] {
        for e in std::fs::read_dir(repo().join("examples").join(group)).unwrap() {
            dirs.push(e.unwrap().path());
        }
    }
    // Terragrunt units, with what root.hcl generates into them.
    let units = ["workspace", "dashboards"].map(|u| crate::terragrunt::stack().join(u));
    dirs.extend(units.iter().cloned());
    assert!(dirs.len() >= 12, "{dirs:?}");
    for dir in dirs {
        let w = Workdir::with_aws(tf);
        copy_example(&w, &dir);
        if units.contains(&dir) {
            crate::terragrunt::write_unit(&w, &dir);
        }
        let has_terraform_block = std::fs::read_dir(w.dir())
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .any(|t| t.contains("required_providers"));
        if !has_terraform_block {
            w.write(
                "versions.tf",
                "terraform {\n  required_providers {\n    grafana = { source = \"amg-oss/grafana\", version = \"0.1.0\" }\n    aws     = { source = \"hashicorp/aws\", version = \"5.100.0\" }\n  }\n}\n",
            );
        }
        w.init();
        let r = w.run(&["validate", "-no-color"]);
        assert_eq!(r.code, 0, "{} does not validate: {r:?}", dir.display());
        assert!(r.stdout.contains("The configuration is valid"), "{r:?}");
    }
}
