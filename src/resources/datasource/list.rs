//! `list "grafana_datasource"` and `list "grafana_data_source"` (`terraform query`): the
//! workspace's data sources, without the provisioned (read-only) ones, which Grafana refuses
//! to change.

use async_trait::async_trait;

use super::DataSourceModel;
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{ListMemo, Listed, Lister, Page};
use crate::grafana::Client;
use crate::model::{Attr, Model};
use crate::resources::listing::whole;
use crate::schema::{Attribute, Schema};
use crate::value::Value;

pub struct DataSourceList;

crate::model! {
    /// The list block's filters.
    struct DataSourceFilter {
        kind = "type": String,
    }
}

#[async_trait]
impl Lister for DataSourceList {
    fn schema(&self) -> Schema {
        Schema::new(
            "The workspace's data sources, named by name and type (`AMP prod (prometheus)`). Provisioned data sources \
                (read-only in Grafana, such as those AMG's own data source setup made) are left out: Grafana refuses \
                every change to them.",
            vec![
                Attribute::string("type")
                    .optional()
                    .describe("Only the data sources of this plugin type, e.g. `prometheus`, `cloudwatch`."),
            ],
        )
    }

    /// Grafana lists data sources in one answer (`GET /api/datasources`): page 1 is all of them.
    async fn page(
        &self,
        client: &Client,
        config: &Value,
        _memo: &ListMemo,
        page: usize,
        _size: usize,
        diags: &mut Diagnostics,
    ) -> Option<Page> {
        let kind = DataSourceFilter::decode(config).kind.as_str().map(str::to_string);
        whole(
            page,
            || client.list_datasources(),
            "the data sources (GET /api/datasources)",
            diags,
            |d| {
                let wanted = !d.read_only && kind.as_ref().is_none_or(|k| *k == d.kind);
                wanted.then(|| Listed { display_name: format!("{} ({})", d.name, d.kind), id: d.uid })
            },
        )
        .await
    }
}

/// A generated configuration: no secret (Grafana never returns one), no organisation (AMG has
/// one); a warning names the secrets Grafana holds, which the configuration leaves alone until
/// it sets one.
pub(super) fn generated(config: DataSourceModel, state: &DataSourceModel, diags: &mut Diagnostics) -> Value {
    let keys = state.secure_json_fields.known().cloned().unwrap_or_default();
    let headers = state.http_header_names.known().cloned().unwrap_or_default();
    let secrets: Vec<&String> = keys.iter().filter(|k| !k.starts_with("httpHeaderValue")).collect();
    let mut held: Vec<String> = secrets.iter().map(|k| format!("secret `{k}`")).collect();
    held.extend(headers.iter().map(|h| format!("header `{h}`")));
    if !held.is_empty() {
        diags.push(Diagnostic::warning(
            format!("Data source {:?} holds secrets the configuration cannot carry", state.name.as_str().unwrap_or("")),
            format!(
                "Grafana never returns secret values, so the generated configuration has none of the {} Grafana holds. \
                    Applied as generated, it leaves them as they are: a data source whose configuration sets none of \
                    `secure_json_data_encoded_wo`, `secure_json_data_encoded`, `http_headers_wo` and `http_headers` \
                    keeps Grafana's secrets. To manage them with Terraform, set them all in \
                    `secure_json_data_encoded_wo` (headers in `http_headers_wo`): from then on a secret the \
                    configuration leaves out is removed.",
                held.join(", ")
            ),
        ));
    }
    DataSourceModel { org_id: Attr::Null, ..config }.encode()
}
