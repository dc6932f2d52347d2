//! What the alerting types keyed by name share: import ids `name` and `orgID:name`, the
//! identity `{name}`, the `disable_provenance` attribute and how Grafana's `provenance` reads
//! back into it, the diagnostics for a name already taken or a provenance Grafana keeps, and
//! Prometheus durations (`300s` is `5m`).

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Attr, Model};
use crate::schema::{Attribute, IdentitySchema};
use crate::value::Value;

crate::model! {
    /// The identity of an alerting object keyed by name.
    pub struct NameIdentity {
        name: String,
    }
}

/// `{name}`: the identity of an alerting object keyed by name.
pub fn name_identity_schema(description: &'static str) -> IdentitySchema {
    crate::resources::text_identity_schema("name", description)
}

/// The name an import id `<name>` or `<orgID>:<name>` names (a prefix that is not a number is
/// part of the name); only organisation 1 exists on AMG.
pub fn name_of_import_id<'a>(id: &'a str, kind: &str, diags: &mut Diagnostics) -> Option<&'a str> {
    match id.split_once(':') {
        Some(("0" | "1", name)) => Some(name),
        Some((org, _)) if !org.is_empty() && org.bytes().all(|b| b.is_ascii_digit()) => {
            diags.push(Diagnostic::error(
                "Invalid import id",
                format!(
                    "Import a {kind} by its name (`<name>` or `1:<name>`): organisation {org:?} is not supported; AMG \
                        workspaces have organisation 1 only."
                ),
            ));
            None
        }
        _ => Some(id),
    }
}

/// The name in an identity object `{name}`.
pub fn name_of_identity(identity: &Value) -> String {
    NameIdentity::decode(identity).name.as_str().unwrap_or_default().to_string()
}

/// `disable_provenance`, as every alerting type has it.
pub fn disable_provenance_attribute() -> Attribute {
    Attribute::bool("disable_provenance").default(Value::Bool(false)).requires_replace().describe(
        "Leave the object editable in Grafana's UI (the `X-Disable-Provenance` header). Grafana 12 refuses to change \
            an object's provenance in place, so changing this replaces the object. Defaults to `false`.",
    )
}

/// `disable_provenance` read back from Grafana's `provenance` (none: editable), or the prior
/// value where Grafana does not say.
pub fn provenance_read_back(provenance: Option<&str>, prior: &Attr<bool>) -> Attr<bool> {
    match provenance {
        Some(p) => Attr::from(p.is_empty()),
        None => Attr::from(prior.is_true()),
    }
}

/// A create refused because Grafana holds an object of that name: how to adopt it instead.
pub fn already_exists(kind: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("The {kind} already exists"),
        format!(
            "Grafana already holds a {kind} named {name:?}. To manage it with Terraform, import it: `terraform import \
                <address> {name:?}` (or an `import` block with `id = \"{name}\"`); otherwise choose another `name`."
        ),
    )
    .at_attr("name")
}

/// Grafana refused a write because the object has another provenance.
pub fn provenance_refused(kind: &str, name: &str, message: &str) -> Diagnostic {
    Diagnostic::error(
        format!("The {kind}'s provenance cannot change"),
        format!(
            "Grafana holds {kind} {name:?} with another provenance than this write asks for (Grafana: {message}). Set \
                `disable_provenance` to match how it was made, or delete it in Grafana and apply again."
        ),
    )
    .at_attr("disable_provenance")
}

/// Whether two timings mean the same: both unset (or `""`), or the same duration.
pub fn same_duration(a: &Attr<String>, b: &Attr<String>) -> bool {
    match (a.as_str().filter(|s| !s.is_empty()), b.as_str().filter(|s| !s.is_empty())) {
        (None, None) => !b.is_unknown(),
        (Some(x), Some(y)) => x == y || matches!((duration_ms(x), duration_ms(y)), (Ok(m), Ok(n)) if m == n),
        _ => false,
    }
}

/// A Prometheus duration (`45s`, `6m`, `1h30m`, `1d`, `1w`) in milliseconds.
pub fn duration_ms(text: &str) -> Result<u64, String> {
    const UNITS: [(&str, u64); 7] = [
        ("y", 31_536_000_000),
        ("w", 604_800_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ];
    let bad = || {
        format!(
            "{text:?} is not a duration: write a number and a unit (`ms`, `s`, `m`, `h`, `d`, `w`, `y`), e.g. \
                `\"45s\"`, `\"6m\"` or `\"1h30m\"`."
        )
    };
    if text == "0" {
        return Ok(0);
    }
    let (mut rest, mut total, mut next) = (text, 0u64, 0);
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let at = UNITS[next..].iter().position(|(u, _)| rest.starts_with(u) && !(*u == "m" && rest.starts_with("ms")));
        let Some(at) = at else { return Err(bad()) };
        let (unit, scale) = UNITS[next + at];
        total = n.checked_mul(scale).and_then(|x| total.checked_add(x)).ok_or_else(bad)?;
        rest = &rest[unit.len()..];
        next += at + 1;
    }
    Ok(total)
}
