//! What Grafana refuses by its own rules, checked here at plan so that nothing is half made:
//! lengths and the form of a uid.

/// Grafana's length limits, in bytes as Go's `len` counts: a data source's name and url
/// (`datasource.nameInvalid`/`urlInvalid`, `pkg/api/datasources.go` `validateURL`/`maxDatasourceNameLen`),
/// a dashboard's title (12.x, `title-too-long`) and a save's version message.
pub const MAX_DATASOURCE_NAME: usize = 190;
pub const MAX_DATASOURCE_URL: usize = 255;
pub const MAX_DASHBOARD_TITLE: usize = 5000;
pub const MAX_VERSION_MESSAGE: usize = 500;

/// Checks a Grafana uid: letters, digits, `-` and `_`, 1 to 40 characters.
pub fn check_uid(uid: &str) -> Result<(), String> {
    if uid.is_empty() {
        return Err("must not be empty".into());
    }
    if uid.len() > 40 {
        return Err(format!("is {} characters long; Grafana allows at most 40", uid.len()));
    }
    if let Some(c) = uid.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
        return Err(format!("contains {c:?}; only letters, digits, '-' and '_' are allowed"));
    }
    Ok(())
}
