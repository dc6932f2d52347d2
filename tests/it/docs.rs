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
    let (mut resources, data_sources) = docs::type_names();
    // A type served only to be refused has no example to apply, nothing to list.
    resources.retain(|r| !docs::refused_type_names().contains(r));
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
    for e in docs::ephemeral_type_names() {
        let path = repo().join("examples/ephemeral-resources").join(e).join("ephemeral-resource.tf");
        assert!(path.is_file(), "missing {}", path.display());
    }
    // Every managed type is listed (`terraform query`); `adoption` runs these examples.
    assert_eq!(docs::list_type_names(), resources, "every managed type has a list resource");
    for l in docs::list_type_names() {
        let path = repo().join("examples/list-resources").join(l).join("list-resource.tfquery.hcl");
        assert!(path.is_file(), "missing {}", path.display());
    }
}

on_both_terraforms!(resource_examples_apply);

/// Applies each resource example (with the provider from GRAFANA_URL/GRAFANA_AUTH, in a
/// workspace where the users the examples name have signed in): an empty plan after, and a
/// clean destroy.
fn resource_examples_apply(tf: &Terraform) {
    for r in docs::type_names().0.into_iter().filter(|r| !docs::refused_type_names().contains(r)) {
        let emu = Emulator::start(&[]);
        // The users the examples name, signed in as single sign-on makes them.
        emu.sign_in("alice", "alice@example.com", "Alice", "Editor");
        emu.sign_in("bob", "bob@example.com", "Bob", "Viewer");
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
/// workspace in amg-local and this provider (AMG-native auth) fills it in the same apply. The
/// plan before the workspace exists succeeds without calling AMG; the export's inputs are
/// filled; no token is left live after the apply, the next plan (empty) or the destroy.
fn quickstart_applies(tf: &Terraform) {
    use crate::amg_auth::{assert_nothing_live, control_plane_calls};
    let emu = Emulator::start(&["--tls"]);
    let mut w = crate::amg_auth::workdir(tf, &emu, true);
    copy_example(&w, &repo().join("examples/quickstart"));
    w.env("TF_VAR_local_emulator", "true");
    w.env("TF_VAR_amg_endpoint", &emu.control_plane_url);
    w.env("TF_VAR_grafana_ca_cert", emu.ca_cert_file.as_deref().expect("--tls"));
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "the plan before the workspace exists succeeds: {r:?}");
    assert_eq!(control_plane_calls(&emu), 0, "planning called AMG");
    let r = w.apply();
    r.assert_summary("7 added, 0 changed, 0 destroyed");
    let ws = w.state()["aws_grafana_workspace.this"]["id"].as_str().expect("workspace id").to_string();
    assert_eq!(emu.held_in(&ws), [1, 2, 3, 0], "data sources, folders, dashboards, live tokens");
    assert_nothing_live(&emu, &ws, "the apply");
    w.assert_plan_empty("quickstart");
    assert_nothing_live(&emu, &ws, "the plan");
    w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert!(emu.stats()["workspaces"].get(&ws).is_none_or(|w| w["live_tokens"] == 0), "{}", emu.stats());
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
    for group in ["resources", "data-sources", "ephemeral-resources"] {
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
        // The AWS provider only where the example uses it: loading its schema takes seconds.
        let uses_aws = std::fs::read_dir(w.dir())
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .any(|t| t.contains("aws_") || t.contains("provider \"aws\""));
        if !has_terraform_block {
            let aws =
                if uses_aws { "    aws     = { source = \"hashicorp/aws\", version = \"5.100.0\" }\n" } else { "" };
            w.write(
                "versions.tf",
                &format!("terraform {{\n  required_providers {{\n    grafana = {{ source = \"amg-oss/grafana\", version = \"0.1.0\" }}\n{aws}  }}\n}}\n"),
            );
        }
        w.init();
        let r = w.run(&["validate", "-no-color"]);
        assert_eq!(r.code, 0, "{} does not validate: {r:?}", dir.display());
        assert!(r.stdout.contains("The configuration is valid"), "{r:?}");
    }
}

on_both_terraforms!(readme_configuration_validates_as_written, the_local_development_loop_runs_as_documented);

/// The README's configuration block, as a reader copies it: `init` and `validate` pass.
fn readme_configuration_validates_as_written(tf: &Terraform) {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let block = readme
        .split("```terraform\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```terraform block in README.md");
    assert!(block.contains("provider \"grafana\""), "{block}");
    let w = Workdir::new(tf);
    w.write("main.tf", block);
    w.init();
    let r = w.ok(&["validate", "-no-color"]);
    assert!(r.stdout.contains("Success! The configuration is valid"), "{r:?}");
}

/// docs/guides/local-development.md's loop: a build named by `dev_overrides`, plan and apply
/// with no `terraform init`, a rebuild, and the next plan uses it without a lock-file error.
fn the_local_development_loop_runs_as_documented(tf: &Terraform) {
    let guide = std::fs::read_to_string(repo().join("docs/guides/local-development.md")).unwrap();
    assert!(
        guide.contains("dev_overrides {\n    \"amg-oss/grafana\" = \"/path/to/checkout/target/debug\""),
        "the guide changed"
    );
    let emu = Emulator::start(&[]);
    let build = tempfile::tempdir().unwrap();
    let bin = build.path().join("terraform-provider-grafana");
    std::fs::copy(crate::support::provider_bin(), &bin).unwrap();
    let w = Workdir::new(tf);
    w.dev_override_from("amg-oss/grafana", build.path());
    w.config(&emu, "resource \"grafana_folder\" \"dev\" {\n  title = \"From source\"\n}\n");
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "a plan without init: {r:?}");
    assert!(r.all().contains("Provider development overrides are in effect"), "{r:?}");
    let r = w.apply();
    r.assert_summary("1 added, 0 changed, 0 destroyed");
    // A rebuild: another binary in the same place (bytes appended to an ELF file leave it
    // runnable and change its hash, as a rebuild does).
    let mut bytes = std::fs::read(&bin).unwrap();
    bytes.extend_from_slice(b"rebuilt");
    std::fs::remove_file(&bin).unwrap();
    std::fs::write(&bin, bytes).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = w.plan(&[]);
    assert_eq!(r.code, 0, "the plan after a rebuild: {r:?}");
    assert!(!r.all().contains("checksums previously recorded"), "{r:?}");
    assert_eq!(emu.held("folders"), 1);
}

/// Every workspace id in the docs, examples, schema descriptions and messages has AMG's form.
#[test]
fn every_workspace_id_in_docs_and_messages_has_the_real_form() {
    let mut files = vec![repo().join("README.md"), repo().join("amg-local/README.md")];
    let mut dirs = vec![repo().join("docs"), repo().join("examples"), repo().join("src")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().path()) {
            if e.is_dir() {
                dirs.push(e);
            } else if ["md", "tf", "hcl", "rs"].iter().any(|x| e.extension().is_some_and(|y| y == *x)) {
                files.push(e);
            }
        }
    }
    let mut wrong = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (at, _) in text.match_indices("g-") {
            let before = text[..at].chars().last();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                continue;
            }
            let id: String = text[at + 2..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            // A workspace id here is anything of letters and digits with a digit in it, or
            // that is cut short as one would write an example (`g-abc`, `g-xxxx`).
            let looks_like_one =
                id.chars().any(|c| c.is_ascii_digit()) || matches!(id.as_str(), "abc" | "xxxx" | "xxx");
            let real = id.len() == 10 && id.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
            if looks_like_one && !real {
                wrong.push(format!("{}: g-{id}", f.strip_prefix(repo()).unwrap().display()));
            }
        }
    }
    assert!(wrong.is_empty(), "workspace ids not of AMG's form (`g-` and ten hex digits): {wrong:#?}");
}
