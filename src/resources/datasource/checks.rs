//! The checks of a data source's JSON settings at plan, which name AMG mistakes.

use super::DataSourceModel;
use super::save::headers_in_json;
use crate::datasource_json as dsj;
use crate::diag::{Diagnostic, Diagnostics};

/// `json_data_encoded` and the secure settings at plan: valid JSON, no custom header in them
/// (they have attributes of their own), and the AMG mistakes `datasource_json` knows. A secret
/// is never quoted.
pub(super) fn check_json_settings(c: &DataSourceModel, diags: &mut Diagnostics) {
    if let Some(text) = c.json_data_encoded.as_str() {
        match dsj::parse_object(text) {
            Err(e) => diags.push(
                Diagnostic::error(
                    "Invalid json_data_encoded",
                    format!("`json_data_encoded`: {e}. Build it with jsonencode({{ … }})."),
                )
                .at_attr("json_data_encoded"),
            ),
            Ok(m) => {
                let headers = dsj::header_keys_in(&m);
                if !headers.is_empty() {
                    diags.push(headers_in_json("json_data_encoded", &headers));
                }
                if let Some(kind) = c.kind.as_str() {
                    for f in dsj::check_json_data(kind, &m) {
                        diags.push(Diagnostic::warning(f.summary, f.detail).at_attr("json_data_encoded"));
                    }
                }
            }
        }
    }
    for attr in ["secure_json_data_encoded", "secure_json_data_encoded_wo"] {
        let v = if attr.ends_with("_wo") { &c.secure_json_data_encoded_wo } else { &c.secure_json_data_encoded };
        if let Some(text) = v.as_str() {
            match dsj::parse_secrets(text) {
                // The detail never quotes the value: it is a secret.
                Err(e) => diags.push(
                    Diagnostic::error(
                        format!("Invalid {attr}"),
                        format!(
                            "`{attr}`: {}. Build it with jsonencode({{ key = \"value\" }}).",
                            e.split(": ").next().unwrap_or("not a JSON object of strings")
                        ),
                    )
                    .at_attr(attr),
                ),
                Ok(m) => {
                    let keys: Vec<String> = m.keys().filter(|k| k.starts_with("httpHeader")).cloned().collect();
                    if !keys.is_empty() {
                        diags.push(headers_in_json(attr, &keys));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::AttrPath;

    fn checked(c: DataSourceModel) -> Diagnostics {
        let mut d = Diagnostics::default();
        check_json_settings(&c, &mut d);
        d
    }

    #[test]
    fn settings_that_are_not_a_json_object_are_refused_at_their_attribute() {
        let d = checked(DataSourceModel { json_data_encoded: "{not json".to_string().into(), ..Default::default() });
        assert!(d.0.len() == 1 && d.0[0].path == Some(AttrPath::attr("json_data_encoded")), "{:?}", d.0);
        assert!(d.0[0].detail.contains("jsonencode"), "{:?}", d.0);
    }

    #[test]
    fn secrets_that_are_not_a_json_object_of_strings_are_refused_without_quoting_them() {
        for attr in ["secure_json_data_encoded", "secure_json_data_encoded_wo"] {
            let text = r#"{"password": ["hunter2-secret"]}"#.to_string();
            let c = if attr.ends_with("_wo") {
                DataSourceModel { secure_json_data_encoded_wo: text.into(), ..Default::default() }
            } else {
                DataSourceModel { secure_json_data_encoded: text.into(), ..Default::default() }
            };
            let d = checked(c);
            assert!(d.0.len() == 1 && d.0[0].path == Some(AttrPath::attr(attr)), "{attr}: {:?}", d.0);
            assert!(!d.0[0].detail.contains("hunter2") && !d.0[0].summary.contains("hunter2"), "{:?}", d.0);
        }
    }

    #[test]
    fn custom_headers_in_the_json_settings_are_sent_to_http_headers() {
        let d = checked(DataSourceModel {
            json_data_encoded: r#"{"httpHeaderName1":"X-Org"}"#.to_string().into(),
            secure_json_data_encoded: r#"{"httpHeaderValue1":"v"}"#.to_string().into(),
            ..Default::default()
        });
        assert_eq!(d.0.len(), 2, "{:?}", d.0);
        assert!(d.0.iter().all(|x| x.summary == "Custom headers belong in http_headers"), "{:?}", d.0);
        let paths: Vec<_> = d.0.iter().map(|x| x.path.clone()).collect();
        assert_eq!(
            paths,
            [Some(AttrPath::attr("json_data_encoded")), Some(AttrPath::attr("secure_json_data_encoded"))]
        );
    }
}
