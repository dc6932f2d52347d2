//! `architecture_invariants`: the invariants ARCHITECTURE.md states, checked on the sources (as
//! rust-analyzer's `tidy` does), so the document cannot drift from the code unnoticed. Each rule
//! is a pure function of the files' text; `a_broken_invariant_is_caught` breaks each on purpose.

use std::path::{Path, PathBuf};

/// The workspace's Rust sources and ARCHITECTURE.md, by path relative to the repository.
struct Tree {
    files: Vec<(String, String)>,
    architecture: String,
}

impl Tree {
    fn load(repo: &Path) -> Tree {
        let mut files = Vec::new();
        for dir in ["src", "tests", "amg-local/src", "amg-local/tests", "operator2tf/src", "xtask/src"] {
            collect(repo, &repo.join(dir), &mut files);
        }
        files.sort();
        let architecture = std::fs::read_to_string(repo.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
        Tree { files, architecture }
    }

    fn rust(&self, under: &str) -> impl Iterator<Item = &(String, String)> {
        self.files.iter().filter(move |(p, _)| p.starts_with(under))
    }
}

fn collect(repo: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p: PathBuf = e.path();
        if p.is_dir() {
            collect(repo, &p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p.strip_prefix(repo).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

/// The code of a file that is not its unit tests (which, by the house layout, come last, in
/// `#[cfg(test)] mod tests { … }`; a `#[cfg(test)] mod name;` declaration above is not them).
fn non_test(text: &str) -> &str {
    let at = text.match_indices("#[cfg(test)]").map(|(i, _)| i).find(|&i| {
        let next = text[i..].lines().nth(1).unwrap_or_default();
        next.trim_start().starts_with("mod ") && next.trim_end().ends_with('{')
    });
    at.map_or(text, |i| &text[..i])
}

/// The code of a file that is test code: a whole test file, or a source file's unit tests.
fn test_code<'a>(path: &str, text: &'a str) -> &'a str {
    let whole =
        path.starts_with("tests/") || path.starts_with("amg-local/tests/") || path == "amg-local/src/harness.rs";
    if whole { text } else { &text[non_test(text).len()..] }
}

/// Lines of `code` containing `needle`, as `path:line: text`.
fn hits(path: &str, code: &str, needle: impl Fn(&str) -> bool) -> Vec<String> {
    code.lines()
        .enumerate()
        .filter(|(_, l)| needle(l))
        .map(|(i, l)| format!("{path}:{}: {}", i + 1, l.trim()))
        .collect()
}

fn violations(tree: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    let mut rule = |name: &str, found: Vec<String>| out.extend(found.into_iter().map(|f| format!("{name}: {f}")));

    // Only `src/amg/` names AWS SDK types.
    let aws = |l: &str| {
        ["aws_sdk_", "aws_config", "aws_smithy", "aws_types", "aws_credential_types"].iter().any(|n| l.contains(n))
    };
    for (p, t) in tree.rust("src/").filter(|(p, _)| !p.starts_with("src/amg/")) {
        rule("only src/amg/ names AWS SDK types", hits(p, t, aws));
    }

    // Only the protocol boundaries name generated protocol types.
    let proto = |l: &str| l.contains("pb::") || l.contains("goplugin::");
    for (p, t) in tree.rust("src/").filter(|(p, _)| !p.starts_with("src/tfplugin/") && !p.starts_with("src/plugin/")) {
        rule("only src/tfplugin/ and src/plugin/ name protocol types", hits(p, t, proto));
    }

    // Resources and data sources go through their models, never by attribute name.
    let by_name = |l: &str| {
        l.contains(".set(\"")
            || ["state", "planned", "prior", "config", "proposed", "stored"]
                .iter()
                .any(|v| l.contains(&format!("{v}.get(\"")))
    };
    for (p, t) in tree.rust("src/resources/").chain(tree.rust("src/data_sources/")) {
        rule("resources read and write attributes through their models", hits(p, non_test(t), by_name));
    }

    // Every RPC handler runs under `guarded`.
    if let Some((p, t)) = tree.files.iter().find(|(p, _)| p == "src/tfplugin/mod.rs") {
        let service = t.find("impl pb::provider_server::Provider for Service").map_or("", |i| non_test(&t[i..]));
        for handler in service.split("    async fn ").skip(1) {
            if !handler.contains("guarded::<") {
                let name = handler.split('(').next().unwrap_or_default();
                rule("every RPC handler runs under guarded", vec![format!("{p}: {name}")]);
            }
        }
    }

    // Nothing but the plugin's handshake writes to stdout.
    let stdout = |l: &str| {
        l.contains("stdout()") || l.trim_start().starts_with("println!") || l.trim_start().starts_with("print!")
    };
    for (p, t) in tree.rust("src/").filter(|(p, _)| !p.starts_with("src/plugin/")) {
        rule("only the handshake writes to stdout", hits(p, non_test(t), stdout));
    }

    // Tests wait for events with deadlines; a sleep says what it waits for (`// wait: <reason>`).
    for (p, t) in tree.files.iter().filter(|(p, _)| p != "tests/it/tidy.rs") {
        let code = test_code(p, t);
        let lines: Vec<&str> = code.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let marked = l.contains("// wait: ") || (i > 0 && lines[i - 1].trim_start().starts_with("// wait: "));
            if l.contains("sleep(") && !marked && !l.trim_start().starts_with("//") {
                rule("no fixed sleep in tests", vec![format!("{p}: {}", l.trim())]);
            }
        }
    }

    // Rooms stay readable: no file over 500 lines of non-test code, no function over 80 lines.
    for (p, t) in
        tree.files.iter().filter(|(p, _)| !tree.test_only(p) && !p.starts_with("tests/") && !p.contains("/tests/"))
    {
        let code = non_test(t);
        let lines = code.lines().count();
        if lines > MAX_FILE_LINES {
            rule("no file over 500 lines of non-test code", vec![format!("{p}: {lines} lines")]);
        }
        // rustfmt leaves a statement it cannot fit in `max_width` as it is, silently: a long
        // message string is wrapped with `\` continuations, or named in a function of its own.
        // The provider's crate only (the emulator's and xtask's fixtures and tables are wide).
        let wide = |l: &&str| p.starts_with("src/") && l.chars().count() > MAX_WIDTH;
        for (i, l) in code.lines().enumerate().filter(|(_, l)| wide(l)) {
            rule("no line over rustfmt's 120 columns", vec![format!("{p}:{}: {} columns", i + 1, l.chars().count())]);
        }
        for (name, length) in long_functions(code) {
            rule("no function over 80 lines", vec![format!("{p}: {name} has {length} lines")]);
        }
    }

    // No import circle between the modules of a crate whose layers ARCHITECTURE.md describes.
    for root in ["xtask/src/", "amg-local/src/"] {
        if let Some(circle) = import_circle(tree, root) {
            rule("no import circle", vec![circle]);
        }
    }

    // ARCHITECTURE.md names what exists: constants, items and paths in backticks.
    let others = tree.files.iter().filter(|(p, _)| p != "tests/it/tidy.rs");
    let sources: String = others.map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n");
    for token in tree.architecture.split('`').skip(1).step_by(2) {
        if let Some(problem) = stale(token, &sources) {
            rule("ARCHITECTURE.md names what exists", vec![format!("`{token}`: {problem}")]);
        }
    }
    // … and constants rather than numbers for the limits it states.
    for line in tree.architecture.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for w in words.windows(2) {
            let unit = w[1].trim_end_matches([',', '.', ';', ':', ')']);
            let limit = ["attempts", "retries", "pages", "items", "bytes", "seconds", "s", "ms"].contains(&unit);
            if limit && w[0].chars().all(|c| c.is_ascii_digit()) && !w[0].is_empty() {
                rule("ARCHITECTURE.md names constants, not numbers", vec![format!("{} {}", w[0], w[1])]);
            }
        }
    }
    out
}

const MAX_FILE_LINES: usize = 500;
/// rustfmt.toml's `max_width`.
const MAX_WIDTH: usize = 120;
const MAX_FUNCTION_LINES: usize = 80;

impl Tree {
    /// A file that is a test module of its own (`#[cfg(test)] mod <name>;` in its parent).
    fn test_only(&self, path: &str) -> bool {
        let Some(stem) = path.rsplit('/').next().and_then(|f| f.strip_suffix(".rs")) else { return false };
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let declared = format!("#[cfg(test)]\nmod {stem};");
        self.files.iter().any(|(p, t)| p.starts_with(dir) && t.contains(&declared))
    }
}

/// Functions longer than [`MAX_FUNCTION_LINES`]: from a line declaring `fn name(` to the
/// closing brace at the same indentation (rustfmt's layout).
fn long_functions(code: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let trimmed = l.trim_start();
        let indent = l.len() - trimmed.len();
        let decl = [
            "fn ",
            "pub fn ",
            "async fn ",
            "pub async fn ",
            "pub(super) fn ",
            "pub(super) async fn ",
            "pub(crate) fn ",
        ]
        .iter()
        .find_map(|k| trimmed.strip_prefix(k));
        let Some(rest) = decl else { continue };
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        // A declaration without a body (a trait's) ends its signature with `;`.
        let signature_end = lines[i..].iter().find(|x| x.trim_end().ends_with('{') || x.trim_end().ends_with(';'));
        if signature_end.is_none_or(|x| x.trim_end().ends_with(';')) {
            continue;
        }
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i + 1..].iter().position(|x| *x == close)
            && end + 1 > MAX_FUNCTION_LINES
        {
            out.push((name, end + 1));
        }
    }
    out
}

/// A circle among the top-level modules of the crate under `root` (`crate::a` used in b's files
/// and `crate::b` in a's), as `a -> b -> a`.
fn import_circle(tree: &Tree, root: &str) -> Option<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let module = |p: &str| p.strip_prefix(root).map(|r| r.split(['/', '.']).next().unwrap_or_default().to_string());
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let modules: BTreeSet<String> = tree.rust(root).filter_map(|(p, _)| module(p)).collect();
    for (p, t) in tree.rust(root) {
        let Some(from) = module(p) else { continue };
        for to in modules.iter().filter(|m| **m != from && !["main", "lib"].contains(&m.as_str())) {
            let used = non_test(t).contains(&format!("crate::{to}::"))
                || non_test(t).contains(&format!("crate::{{{to}"))
                || non_test(t).contains(&format!("crate::{to};"));
            if used {
                uses.entry(from.clone()).or_default().insert(to.clone());
            }
        }
    }
    // A depth-first walk from each module, looking for the way back to it.
    fn back(uses: &BTreeMap<String, BTreeSet<String>>, start: &str, at: &str, path: &mut Vec<String>) -> bool {
        for next in uses.get(at).into_iter().flatten() {
            if next == start {
                path.push(next.clone());
                return true;
            }
            if !path.contains(next) {
                path.push(next.clone());
                if back(uses, start, next, path) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    modules.iter().find_map(|m| {
        let mut path = vec![m.clone()];
        back(&uses, m, m, &mut path).then(|| format!("{root}: {}", path.join(" -> ")))
    })
}

/// Why a backticked token of ARCHITECTURE.md names nothing, if it does not: a constant or
/// environment variable (`SHUTDOWN_GRACE`, `MAX_*`), an item (`framework::IMPORTED`,
/// `Client::send`) or a path (`src/amg/mod.rs`).
fn stale(token: &str, sources: &str) -> Option<String> {
    let is_path = ["src/", "tests/", "amg-local/", "xtask/", "examples/", "docs/"].iter().any(|p| token.starts_with(p));
    if is_path && !token.contains(' ') && !token.contains('<') {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let path = token.trim_end_matches('/');
        return (!repo.join(path).exists()).then(|| "no such file or directory".to_string());
    }
    let screaming =
        |s: &str| s.len() > 2 && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let last = token.rsplit("::").next().unwrap_or(token);
    if let Some(prefix) = last.strip_suffix('*').filter(|p| p.ends_with('_') && screaming(p.trim_end_matches('_'))) {
        return (!sources.contains(prefix)).then(|| "no constant has this prefix".to_string());
    }
    if screaming(last) && last.contains('_') {
        return (!sources.contains(last)).then(|| "not in the sources".to_string());
    }
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if token.contains("::") && token.split("::").all(ident) {
        let defined = ["fn ", "const ", "static ", "struct ", "enum ", "trait ", "mod ", "type ", "macro_rules! "]
            .iter()
            .any(|k| sources.contains(&format!("{k}{last}")));
        let variant = sources.contains(&format!("    {last},"))
            || sources.contains(&format!("    {last} {{"))
            || sources.contains(&format!("    {last}("));
        return (!defined && !variant).then(|| format!("no item `{last}` is defined"));
    }
    None
}

#[test]
fn architecture_invariants() {
    let tree = Tree::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(tree.files.len() > 50, "the sources were not found: {} files", tree.files.len());
    let v = violations(&tree);
    assert!(v.is_empty(), "ARCHITECTURE.md's invariants do not hold:\n{}", v.join("\n"));
}

#[test]
fn a_broken_invariant_is_caught() {
    let tree = Tree::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    let long = format!("fn long() {{\n{}}}\n", "    let _x = 1;\n".repeat(81));
    let big = "const X: u8 = 0;\n".repeat(501);
    let wide = format!("const M: &str = \"{}\";\n", "x".repeat(120));
    let breakages: &[(&str, &str, &str)] = &[
        ("src/resources/folder/mod.rs", "use aws_sdk_grafana::Client;\n", "only src/amg/ names AWS SDK types"),
        ("src/framework/mod.rs", "fn f(_: crate::tfplugin::pb::Schema) {}\n", "name protocol types"),
        (
            "src/resources/folder/mod.rs",
            "fn f(s: &mut Value) { s.set(\"uid\", Value::Null) }\n",
            "through their models",
        ),
        (
            "src/resources/folder/mod.rs",
            "fn f(prior: &Value) -> &Value { prior.get(\"uid\") }\n",
            "through their models",
        ),
        ("src/diag.rs", "fn f() {\n    println!(\"hello\");\n}\n", "writes to stdout"),
        ("tests/it/folder.rs", "fn f() { std::thread::sleep(std::time::Duration::from_secs(1)); }\n", "no fixed sleep"),
        ("src/diag.rs", &long, "no function over 80 lines"),
        ("src/diag.rs", &big, "no file over 500 lines"),
        ("src/diag.rs", &wide, "no line over rustfmt's 120 columns"),
        ("xtask/src/tools.rs", "pub fn f() { crate::bench::request; }\n", "no import circle"),
    ];
    for (path, code, rule) in breakages {
        let mut broken = Tree { files: tree.files.clone(), architecture: tree.architecture.clone() };
        let file = broken.files.iter_mut().find(|(p, _)| p == path).unwrap_or_else(|| panic!("{path} is gone"));
        // Before the unit tests, where the code the rules read is.
        file.1.insert_str(non_test(&file.1).len(), code);
        let v = violations(&broken);
        assert!(v.iter().any(|x| x.contains(rule)), "{rule:?} was not caught for {path}: {v:?}");
    }
    // A handler outside `guarded`.
    let mut broken = Tree { files: tree.files.clone(), architecture: tree.architecture.clone() };
    let file = broken.files.iter_mut().find(|(p, _)| p == "src/tfplugin/mod.rs").unwrap();
    file.1 = file.1.replacen("guarded::<pb::read_resource::Response, _>", "run::<pb::read_resource::Response, _>", 1);
    let v = violations(&broken);
    assert!(v.iter().any(|x| x.contains("guarded: src/tfplugin/mod.rs: read_resource")), "{v:?}");
    // A stale claim: a constant that does not exist, a number where a constant belongs, a path gone.
    for (claim, rule) in [
        ("`MAX_ATTEMPTS_PER_CALL`", "names what exists"),
        ("`framework::no_such_function`", "names what exists"),
        ("`src/gone.rs`", "names what exists"),
        ("retried at most 4 attempts", "not numbers"),
    ] {
        let broken = Tree { files: tree.files.clone(), architecture: format!("{}\n{claim}\n", tree.architecture) };
        assert!(violations(&broken).iter().any(|x| x.contains(rule)), "{claim} was not caught");
    }
}
