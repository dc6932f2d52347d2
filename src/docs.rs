//! The registry documentation under `docs/`, rendered from the schema descriptions (which are
//! the documentation) and `examples/`. The integration suite renders it and fails, after
//! rewriting the files, when `docs/` is stale.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::provider::{self, Provider};
use crate::schema::{Attribute, Block, BlockNesting, Presence, Schema};
use crate::value::Type;

/// The Terraform type names this provider serves: (resources, data sources).
pub fn type_names() -> (Vec<&'static str>, Vec<&'static str>) {
    let p = Provider::new();
    (p.resources().iter().map(|r| r.type_name()).collect(), p.data_sources().iter().map(|d| d.type_name()).collect())
}

/// The page of a data source or an ephemeral resource: description, example, schema.
fn page(repo: &Path, kind: &str, dir: &str, example_file: &str, name: &str, s: &Schema) -> (PathBuf, String) {
    let short = name.trim_start_matches("grafana_");
    let mut doc = format!("# {name} ({kind})\n\n{}\n\n", s.description);
    if let Some(e) = example(repo, &format!("{dir}/{name}/{example_file}")) {
        doc.push_str(&hcl_block("Example", &e, "terraform"));
    }
    doc.push_str("## Schema\n\n");
    render_schema(&mut doc, s);
    (PathBuf::from(format!("{dir}/{short}.md")), doc)
}

/// The list resource type names this provider serves (`terraform query`).
/// The resource types served only to refuse them (their docs say what to use instead).
pub fn refused_type_names() -> Vec<&'static str> {
    Provider::new().resources().iter().filter(|r| r.refusal().is_some()).map(|r| r.type_name()).collect()
}

/// The managed types that are listed (`terraform query`).
pub fn list_type_names() -> Vec<&'static str> {
    Provider::new().resources().iter().filter(|r| r.lister().is_some()).map(|r| r.type_name()).collect()
}

/// The ephemeral resource type names this provider serves.
pub fn ephemeral_type_names() -> Vec<&'static str> {
    Provider::new().ephemeral_resources().iter().map(|e| e.type_name()).collect()
}

/// What a list resource page says before its filters.
const LIST_SCHEMA: &str = "## Schema\n\nIn a `list` block of a `.tfquery.hcl` file (`terraform query`, \
    Terraform ≥ 1.14). The block takes `provider`, `limit` (at most this many results; Terraform's default is 100) and \
    `include_resource`; the filters below go in its `config { … }` block. `terraform query \
    -generate-config-out=FILE` writes a resource block and an import block for each result. See the guide \
    [Adopting an existing workspace](../guides/adopting-an-existing-workspace.md).\n\n";

fn example(repo: &Path, rel: &str) -> Option<String> {
    std::fs::read_to_string(repo.join("examples").join(rel)).ok()
}

/// The JSON files beside an example (what it reads with `file()`), by name.
fn example_files(repo: &Path, dir: &str) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(repo.join("examples").join(dir)) else { return Vec::new() };
    let mut out: Vec<(String, String)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter_map(|p| Some((p.file_name()?.to_string_lossy().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    out.sort();
    out
}

fn render_schema(out: &mut String, s: &Schema) {
    render_body(out, &s.attributes, &s.blocks, "");
}

/// A schema's or block's attributes by presence, then its blocks, each block's body in a
/// section of its own below (`Nested schema for rule.data`).
fn render_body(out: &mut String, attributes: &[Attribute], blocks: &[Block], path: &str) {
    render_attributes(out, attributes);
    if blocks.is_empty() {
        return;
    }
    let _ = writeln!(out, "### Blocks\n");
    for b in blocks {
        let kind = match b.nesting {
            BlockNesting::Single => "Block, at most one",
            BlockNesting::List => "Block List",
            BlockNesting::Set => "Block Set",
        };
        let mut flags = vec![kind.to_string()];
        if b.min_items > 0 {
            flags.push(format!("Min: {}", b.min_items));
        }
        if b.max_items > 0 && b.nesting != BlockNesting::Single {
            flags.push(format!("Max: {}", b.max_items));
        }
        if b.deprecation.is_some() {
            flags.push("Deprecated".into());
        }
        let _ = writeln!(out, "- `{}` ({}) {} See `{path}{}` below.", b.name, flags.join(", "), b.description, b.name);
    }
    out.push('\n');
    for b in blocks {
        let here = format!("{path}{}", b.name);
        let _ = writeln!(out, "### Nested schema for `{here}`\n");
        render_body(out, &b.attributes, &b.blocks, &format!("{here}."));
    }
}

fn render_attributes(out: &mut String, attributes: &[Attribute]) {
    for (title, pick) in [
        ("Required", &(|p: Presence| p == Presence::Required) as &dyn Fn(Presence) -> bool),
        ("Optional", &|p| matches!(p, Presence::Optional | Presence::OptionalComputed)),
        ("Read-Only", &|p| p == Presence::Computed),
    ] {
        let attrs: Vec<_> = attributes.iter().filter(|a| pick(a.presence)).collect();
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

fn type_name(t: &Type) -> String {
    use Type as T;
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

/// Every page under `docs/`, rendered from the schemas and from `examples/` and
/// `docs/templates/` under `repo`: (path relative to `docs/`, text).
pub fn render(repo: &Path) -> Vec<(PathBuf, String)> {
    let p = Provider::new();
    let mut files = Vec::new();

    let mut index = String::from("# Grafana provider (for Amazon Managed Grafana)\n\n");
    let _ = writeln!(index, "{}\n", provider::schema().description);
    index.push_str(&std::fs::read_to_string(repo.join("docs/templates/index.md")).expect("docs/templates/index.md"));
    index.push('\n');
    if let Some(e) = example(repo, "provider/provider.tf") {
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
        if let Some(e) = example(repo, &format!("resources/{name}/resource.tf")) {
            doc.push_str(&hcl_block("Example", &e, "terraform"));
        }
        // Files the example reads (an exported dashboard), shown so the example can be followed.
        for (file, text) in example_files(repo, &format!("resources/{name}")) {
            let _ = write!(
                doc,
                "The example reads `{file}` \
                    ([examples/resources/{name}/{file}](../../examples/resources/{name}/{file})):\
                    \n\n```json\n{}\n```\n\n",
                text.trim_end()
            );
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
        if let Some(e) = example(repo, &format!("resources/{name}/import.sh")) {
            doc.push_str(&hcl_block("Import", &e, "shell"));
        }
        if let Some(e) = example(repo, &format!("resources/{name}/import-block.tf")) {
            doc.push_str(&hcl_block("Import with a block", &e, "terraform"));
        }
        files.push((PathBuf::from(format!("resources/{short}.md")), doc));
    }
    for d in p.data_sources() {
        files.push(page(repo, "Data Source", "data-sources", "data-source.tf", d.type_name(), &d.schema()));
    }
    for e in p.ephemeral_resources() {
        let (kind, dir) = ("Ephemeral Resource", "ephemeral-resources");
        files.push(page(repo, kind, dir, "ephemeral-resource.tf", e.type_name(), &e.schema()));
    }
    for (r, l) in p.resources().iter().filter_map(|r| Some((r, r.lister()?))) {
        let (kind, dir) = ("List Resource", "list-resources");
        let (path, doc) = page(repo, kind, dir, "list-resource.tfquery.hcl", r.type_name(), &l.schema());
        let doc = doc.replacen("## Schema\n\n", LIST_SCHEMA, 1);
        files.push((path, doc));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_documented_with_their_nesting_bounds_and_nested_schema() {
        let s = Schema::new("", vec![Attribute::string("name").required().describe("The name.")]).with_blocks(vec![
            Block::list("rule", vec![Attribute::string("title").required().describe("The title.")])
                .min_items(1)
                .describe("A rule.")
                .blocks(vec![Block::single("window", vec![Attribute::number("from").optional().describe("From.")])]),
        ]);
        let mut out = String::new();
        render_schema(&mut out, &s);
        for line in [
            "- `name` (String) The name.",
            "- `rule` (Block List, Min: 1) A rule. See `rule` below.",
            "### Nested schema for `rule`",
            "- `title` (String) The title.",
            "- `window` (Block, at most one)  See `rule.window` below.",
            "### Nested schema for `rule.window`",
            "- `from` (Number) From.",
        ] {
            assert!(out.lines().any(|l| l == line), "{line:?} missing from:\n{out}");
        }
    }
}
