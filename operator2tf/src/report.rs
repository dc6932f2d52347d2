//! `CONVERSION.md`: each manifest and the address it became (imported, and how its uid was
//! found, or created), what was not converted and what to do, what failed, the variables to set.

use std::fmt::Write as _;

use crate::convert::Converted;
use crate::write::Options;

pub fn report(out: &Converted, opts: &Options<'_>) -> String {
    let mut s = String::from("# Conversion from grafana-operator\n\n");
    let _ = writeln!(
        s,
        "Manifests read from: {}.",
        opts.inputs.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
    );
    match opts.live {
        Some(w) => {
            let _ = writeln!(s, "Uids checked and looked up in {w}.");
        }
        None => s.push_str(
            "Offline: uids from the manifests are imported as they are; objects whose uid only the workspace knows \
             are created (run again with `--grafana-url`/`--grafana-auth` or `--workspace-id` to find them).\n",
        ),
    }
    let imported = out.resources.iter().filter(|r| r.import.is_some()).count();
    let _ = writeln!(
        s,
        "\n{} resources: {imported} to import, {} to create; {} not converted; {} failed.\n",
        out.resources.len(),
        out.resources.len() - imported,
        out.notes.len(),
        out.failures.len()
    );
    s.push_str("## Converted\n\n| Manifest | Address | Import id | How |\n|---|---|---|---|\n");
    for r in &out.resources {
        let id = r.import.as_deref().map(|i| format!("`{i}`")).unwrap_or_else(|| "(created)".into());
        let _ = writeln!(s, "| {} | `{}` | {id} | {} |", cell(&r.source.to_string()), r.address(), cell(&r.how));
    }
    if !out.notes.is_empty() {
        s.push_str("\n## Not converted\n\n| Manifest | What | What to do |\n|---|---|---|\n");
        for n in &out.notes {
            let _ = writeln!(s, "| {} | {} | {} |", cell(&n.source.to_string()), cell(&n.what), cell(&n.todo));
        }
    }
    if !out.failures.is_empty() {
        s.push_str("\n## Failed\n\n| Manifest | Error |\n|---|---|\n");
        for f in &out.failures {
            let _ = writeln!(s, "| {} | {} |", cell(&f.source.to_string()), cell(&f.message));
        }
    }
    if !out.ignored.is_empty() {
        s.push_str("\n## Other kinds, read past\n\n");
        for (k, n) in &out.ignored {
            let _ = writeln!(s, "- {k}: {n}");
        }
    }
    let vars = variables(out);
    if !vars.is_empty() {
        s.push_str("\n## Variables to set\n\n");
        s.push_str(
            "Declared in `variables.tf`; sensitive ones have no value in any file. Give them with `TF_VAR_<name>` ",
        );
        s.push_str("or a `.tfvars` file kept out of Git.\n\n");
        for v in vars {
            let _ = writeln!(s, "- {v}");
        }
    }
    s
}

fn variables(out: &Converted) -> Vec<String> {
    let used = out.used_variables();
    let mut v: Vec<String> = out
        .vars
        .unresolved
        .iter()
        .filter(|(n, _)| used.contains(*n) && !out.secrets.contains_key(&crate::flux::tf_name(n)))
        .map(|(n, d)| match d {
            Some(d) => format!("`{}`: Flux `${{{n}}}` (default `{d}`)", crate::flux::tf_name(n)),
            None => format!("`{}`: Flux `${{{n}}}`", crate::flux::tf_name(n)),
        })
        .collect();
    v.extend(out.secrets.iter().map(|(n, about)| format!("`{n}` (sensitive): {about}")));
    v
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
