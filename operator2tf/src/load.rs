//! Reading the manifests: files and directories (a directory with a `kustomization.yaml` is what
//! its `resources` list, its `configMapGenerator` makes and its `namespace` sets; one without is
//! every YAML file under it), each multi-document file split into documents that remember where
//! they came from.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::yaml;

/// Where a manifest came from: a file and its document (1-based).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    pub file: String,
    pub document: usize,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (document {})", self.file, self.document)
    }
}

/// One Kubernetes object, with the namespace a kustomization gave it.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub source: Source,
    pub value: Value,
}

/// What could not be read: the file (and document) and why.
#[derive(Debug)]
pub struct Failure {
    pub source: Source,
    pub message: String,
}

#[derive(Default)]
pub struct Loaded {
    pub manifests: Vec<Manifest>,
    pub failures: Vec<Failure>,
    /// Things read past on purpose (remote kustomization resources, generators' `envs`).
    pub skipped: Vec<(Source, String)>,
}

/// Reads every path, in order; a path read twice (two kustomizations naming one file) once.
pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut out = Loaded::default();
    let mut seen = BTreeSet::new();
    for p in paths {
        read_path(p, None, &mut seen, &mut out);
    }
    out
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn read_path(path: &Path, namespace: Option<&str>, seen: &mut BTreeSet<PathBuf>, out: &mut Loaded) {
    let at = |m: String| Failure { source: Source { file: display(path), document: 0 }, message: m };
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    if !seen.insert(canonical) {
        return;
    }
    if path.is_dir() {
        match kustomization_in(path) {
            Some(k) => read_kustomization(&k, namespace, seen, out),
            None => match yaml_files_under(path) {
                Ok(files) => files.iter().for_each(|f| read_path(f, namespace, seen, out)),
                Err(e) => out.failures.push(at(format!("cannot list the directory: {e}"))),
            },
        }
        return;
    }
    let is_kustomization = path.file_name().and_then(|n| n.to_str()).is_some_and(is_kustomization_name);
    if is_kustomization {
        read_kustomization(path, namespace, seen, out);
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(text) => read_text(&display(path), &text, namespace, out),
        Err(e) => out.failures.push(at(format!("cannot read the file: {e}"))),
    }
}

fn is_kustomization_name(n: &str) -> bool {
    matches!(n, "kustomization.yaml" | "kustomization.yml" | "Kustomization")
}

fn kustomization_in(dir: &Path) -> Option<PathBuf> {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"].iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

fn yaml_files_under(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files.extend(yaml_files_under(&p)?);
        } else if p.extension().and_then(|e| e.to_str()).is_some_and(|e| e == "yaml" || e == "yml") {
            files.push(p);
        }
    }
    Ok(files)
}

/// Splits a file into documents; a syntax error fails the rest of the file, not the documents
/// before it.
pub fn read_text(file: &str, text: &str, namespace: Option<&str>, out: &mut Loaded) {
    let (docs, broken) = yaml::documents(text);
    for d in docs {
        let source = Source { file: file.to_string(), document: d.index };
        if !d.value.is_object() {
            out.failures.push(Failure { source, message: "not a Kubernetes object (a YAML mapping)".into() });
            continue;
        }
        let mut value = d.value;
        if let Some(ns) = namespace {
            value["metadata"]["namespace"] = json!(ns);
        }
        out.manifests.push(Manifest { source, value });
    }
    if let Some(b) = broken {
        out.failures.push(Failure {
            source: Source { file: file.to_string(), document: b.document },
            message: format!("not YAML: {} (line {}, column {})", b.message, b.line, b.column),
        });
    }
}

fn read_kustomization(path: &Path, namespace: Option<&str>, seen: &mut BTreeSet<PathBuf>, out: &mut Loaded) {
    let source = Source { file: display(path), document: 1 };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return out.failures.push(Failure { source, message: format!("cannot read the file: {e}") }),
    };
    let (docs, broken) = yaml::documents(&text);
    if let Some(b) = broken {
        out.failures
            .push(Failure { source: source.clone(), message: format!("not YAML: {} (line {})", b.message, b.line) });
    }
    let Some(k) = docs.into_iter().next().map(|d| d.value) else { return };
    let dir = path.parent().unwrap_or(Path::new("."));
    // An outer kustomization's namespace wins over an inner one's, as kustomize applies it last.
    let ns = namespace.map(str::to_string).or_else(|| k["namespace"].as_str().map(str::to_string));
    let list = |key: &str| k[key].as_array().cloned().unwrap_or_default();
    for r in list("resources").into_iter().chain(list("bases")) {
        let Some(r) = r.as_str() else { continue };
        if r.contains("://") || r.starts_with("github.com/") {
            out.skipped.push((source.clone(), format!("remote resource `{r}` not followed: download it and pass it")));
            continue;
        }
        read_path(&dir.join(r), ns.as_deref(), seen, out);
    }
    for g in list("configMapGenerator") {
        generated_config_map(&g, dir, ns.as_deref(), &source, out);
    }
}

/// A `configMapGenerator` entry as the ConfigMap kustomize makes (its hash suffix aside:
/// references by name are rewritten to it, so the name is what manifests use).
fn generated_config_map(g: &Value, dir: &Path, namespace: Option<&str>, source: &Source, out: &mut Loaded) {
    let Some(name) = g["name"].as_str() else { return };
    let mut data = serde_json::Map::new();
    for f in g["files"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        let (key, file) = f.split_once('=').unwrap_or_else(|| {
            let key = Path::new(f).file_name().and_then(|n| n.to_str()).unwrap_or(f);
            (key, f)
        });
        match std::fs::read_to_string(dir.join(file)) {
            Ok(t) => {
                data.insert(key.to_string(), json!(t));
            }
            Err(e) => out.failures.push(Failure {
                source: source.clone(),
                message: format!("configMapGenerator `{name}`: cannot read `{file}`: {e}"),
            }),
        }
    }
    for l in g["literals"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if let Some((k, v)) = l.split_once('=') {
            data.insert(k.to_string(), json!(v));
        }
    }
    if g["envs"].is_array() || g["env"].is_string() {
        out.skipped.push((source.clone(), format!("configMapGenerator `{name}`: `envs` files are not read")));
    }
    let mut value = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data});
    if let Some(ns) = namespace {
        value["metadata"]["namespace"] = json!(ns);
    }
    out.manifests.push(Manifest { source: source.clone(), value });
}
