//! What the alerting provisioning areas share (Grafana's `api_provisioning.go` and
//! `provisioning/validation`): the provenance header, the rule for changing provenance, the
//! fingerprint 12.x answers as `version`, and errutil error bodies.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::envelope::gerr;

/// The header that makes a provisioning write leave the object editable in Grafana's UI.
pub(super) const DISABLE_PROVENANCE: &str = "x-disable-provenance";

/// `api`, or `""` when the request carries `X-Disable-Provenance` (Grafana's `determineProvenance`).
pub(super) fn provenance_from(headers: &HeaderMap) -> &'static str {
    if headers.contains_key(DISABLE_PROVENANCE) { "" } else { "api" }
}

/// FNV-1 64 of `content`, 16 hex digits (Grafana's `calculateTemplateFingerprint`; for other
/// objects 12.x hashes their fields the same way: here their stored JSON).
pub(super) fn fingerprint(content: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in content.bytes() {
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        h ^= u64::from(b);
    }
    format!("{h:016x}")
}

/// Grafana 12's `ValidateProvenanceRelaxed`: from none, anything; otherwise only the same.
pub(super) fn provenance_may_change(from: &str, to: &str) -> Result<(), Response> {
    if from.is_empty() || from == to {
        return Ok(());
    }
    let label = |p: &str| if p.is_empty() { "none".to_string() } else { p.to_string() };
    Err(errutil(
        StatusCode::FORBIDDEN,
        "alerting.notifications.invalidProvenance",
        &format!(
            "Resource with provenance status '{}' cannot be managed via API that handles resources with provenance \
                status '{}'. You must use appropriate API to manage this resource",
            label(from),
            label(to)
        ),
    ))
}

/// An errutil error body: `{"message", "messageId", "statusCode"}`.
pub(super) fn errutil(status: StatusCode, id: &str, message: &str) -> Response {
    gerr(status, json!({"message": message, "messageId": id, "statusCode": status.as_u16()}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_fnv1_64() {
        // FNV-1 64 of "" is the offset basis; of "a", a known value.
        assert_eq!(fingerprint(""), "cbf29ce484222325");
        assert_eq!(fingerprint("a"), "af63bd4c8601b7be");
    }
}
