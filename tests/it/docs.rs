//! `docs/` is rendered from the schema descriptions and `examples/`; this test keeps it true.
//! On a difference it rewrites the file and fails: run the tests again and commit the result.
//! It also applies each resource example against amg-local, so examples cannot rot.

use std::fmt::Write as _;
use std::path::PathBuf;

use terraform_provider_grafana::provider::{self, Provider};
use terraform_provider_grafana::schema::{Presence, Schema};

use crate::support::{Emulator, Terraform, Workdir};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(rel: &str) -> Option<String> {
    std::fs::read_to_string(repo().join("examples").join(rel)).ok()
}

fn render_schema(out: &mut String, s: &Schema) {
    for (title, pick) in [
        ("Required", &(|p: Presence| p == Presence::Required) as &dyn Fn(Presence) -> bool),
        ("Optional", &|p| matches!(p, Presence::Optional | Presence::OptionalComputed)),
        ("Read-Only", &|p| p == Presence::Computed),
    ] {
        let attrs: Vec<_> = s.attributes.iter().filter(|a| pick(a.presence)).collect();
        if attrs.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        for a in attrs {
            let mut flags = vec![type_name(&a.ty())];
            if a.sensitive {
                flags.push("Sensitive".into());
            }
            if a.write_only {
                flags.push("Write-only".into());
            }
            if a.deprecation.is_some() {
                flags.push("Deprecated".into());
            }
            let _ = writeln!(out, "- `{}` ({}) {}", a.name, flags.join(", "), a.description);
        }
        out.push('\n');
    }
}

fn type_name(t: &terraform_provider_grafana::value::Type) -> String {
    use terraform_provider_grafana::value::Type as T;
    match t {
        T::String => "String".into(),
        T::Number => "Number".into(),
        T::Bool => "Boolean".into(),
        T::List(e) => format!("List of {}", type_name(e)),
        T::Set(e) => format!("Set of {}", type_name(e)),
        T::Map(e) => format!("Map of {}", type_name(e)),
        T::Object(_) => "Object".into(),
    }
}

fn hcl_block(title: &str, code: &str, lang: &str) -> String {
    format!("## {title}\n\n```{lang}\n{}\n```\n\n", code.trim_end())
}

fn render_all() -> Vec<(PathBuf, String)> {
    let p = Provider::new();
    let mut files = Vec::new();

    let mut index = String::from("# Grafana provider (for Amazon Managed Grafana)\n\n");
    let _ = writeln!(index, "{}\n", provider::schema().description);
    index.push_str(&std::fs::read_to_string(repo().join("docs/templates/index.md")).expect("docs/templates/index.md"));
    index.push('\n');
    if let Some(e) = example("provider/provider.tf") {
        index.push_str(&hcl_block("Example", &e, "terraform"));
    }
    index.push_str("## Schema\n\n");
    render_schema(&mut index, &provider::schema());
    files.push((PathBuf::from("index.md"), index));

    for r in p.resources() {
        let name = r.type_name();
        let short = name.trim_start_matches("grafana_");
        let s = r.schema();
        let mut doc = format!("# {name} (Resource)\n\n{}\n\n", s.description);
        if let Some(e) = example(&format!("resources/{name}/resource.tf")) {
            doc.push_str(&hcl_block("Example", &e, "terraform"));
        }
        doc.push_str("## Schema\n\n");
        render_schema(&mut doc, &s);
        if let Some(id) = r.identity_schema() {
            doc.push_str("## Identity\n\nUsed by `import { identity = { … } }` (Terraform ≥ 1.12):\n\n");
            for a in &id.attributes {
                let _ = writeln!(doc, "- `{}` ({}) {}", a.name, type_name(&a.ty), a.description);
            }
            doc.push('\n');
        }
        if let Some(e) = example(&format!("resources/{name}/import.sh")) {
            doc.push_str(&hcl_block("Import", &e, "shell"));
        }
        if let Some(e) = example(&format!("resources/{name}/import-block.tf")) {
            doc.push_str(&hcl_block("Import with a block", &e, "terraform"));
        }
        files.push((PathBuf::from(format!("resources/{short}.md")), doc));
    }
    for d in p.data_sources() {
        let name = d.type_name();
        let short = name.trim_start_matches("grafana_");
        let s = d.schema();
        let mut doc = format!("# {name} (Data Source)\n\n{}\n\n", s.description);
        if let Some(e) = example(&format!("data-sources/{name}/data-source.tf")) {
            doc.push_str(&hcl_block("Example", &e, "terraform"));
        }
        doc.push_str("## Schema\n\n");
        render_schema(&mut doc, &s);
        files.push((PathBuf::from(format!("data-sources/{short}.md")), doc));
    }
    files
}

#[test]
fn docs_are_up_to_date() {
    let docs = repo().join("docs");
    let mut stale = Vec::new();
    for (rel, text) in render_all() {
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
    let p = Provider::new();
    for r in p.resources() {
        for f in ["resource.tf", "import.sh"] {
            let path = repo().join("examples/resources").join(r.type_name()).join(f);
            assert!(path.is_file(), "missing {}", path.display());
        }
    }
    for d in p.data_sources() {
        let path = repo().join("examples/data-sources").join(d.type_name()).join("data-source.tf");
        assert!(path.is_file(), "missing {}", path.display());
    }
}

on_both_terraforms!(resource_examples_apply);

/// Applies each resource example (with the provider from GRAFANA_URL/GRAFANA_AUTH): an empty
/// plan after, and a clean destroy.
fn resource_examples_apply(tf: &Terraform) {
    let p = Provider::new();
    for r in p.resources() {
        let emu = Emulator::start(&[]);
        let mut w = Workdir::new(tf);
        w.env("GRAFANA_URL", &emu.grafana_url);
        w.env("GRAFANA_AUTH", &emu.admin_token);
        let dir = repo().join("examples/resources").join(r.type_name());
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
        w.assert_plan_empty(r.type_name());
        w.ok(&["destroy", "-auto-approve", "-no-color"]);
    }
}

on_both_terraforms!(quickstart_applies);

/// `examples/quickstart`, what `cargo xtask quickstart` applies, applies with an empty plan after.
fn quickstart_applies(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let mut w = Workdir::new(tf);
    w.env("GRAFANA_URL", &emu.grafana_url);
    w.env("GRAFANA_AUTH", &emu.admin_token);
    w.write("main.tf", &std::fs::read_to_string(repo().join("examples/quickstart/main.tf")).unwrap());
    w.init();
    let r = w.apply();
    assert!(r.stdout.contains("Apply complete! Resources: 3 added"), "{r:?}");
    assert_eq!(emu.held("folders"), 2);
    assert_eq!(emu.held("dashboards"), 1);
    w.assert_plan_empty("quickstart");
}
