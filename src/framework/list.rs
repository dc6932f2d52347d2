//! List resources (`terraform query`, Terraform ≥ 1.13) and generated configuration
//! (`terraform query -generate-config-out`, GenerateResourceConfig, Terraform ≥ 1.14).
//!
//! A type lists itself one page at a time ([`Resource::list_page`]: one request per page) and
//! names each object by its import id; [`list`] pages, honours Terraform's limit, stops as soon
//! as Terraform stops reading, and when the whole object is asked for reads each one with the
//! type's own [`Resource::read`] from the state its import would start from, so a listed
//! object is exactly what `import` and the next refresh store. [`generate`] turns such an
//! object into the configuration a person would write.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use futures_util::StreamExt;

use super::{Ctx, ReadOutcome, Resource};
use crate::diag::{Diagnostic, Diagnostics};
use crate::grafana::Client;
use crate::schema::{Presence, Schema};
use crate::value::Value;

/// The largest page a listing asks Grafana for (Grafana's search allows 5,000).
pub const MAX_PAGE: usize = 1000;

/// How many objects a listing reads at once when Terraform asks for whole objects.
const READS_IN_FLIGHT: usize = 8;

/// One object a listing found: its import id and the name a person knows it by.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    pub id: String,
    pub display_name: String,
}

/// One page of a listing; `last` when no page follows it.
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Listed>,
    pub last: bool,
}

/// What a type's listing learns once per query and uses on every page.
#[derive(Debug, Default)]
pub struct ListMemo {
    /// Uids Grafana holds that cannot be managed (dashboards app plugins own).
    pub skip: BTreeSet<String>,
    /// A folder uid's path of titles, `Team A/Service X`.
    pub paths: BTreeMap<String, String>,
}

/// What `ListResource` asks for, decoded.
pub struct ListRequest {
    pub config: Value,
    pub include_object: bool,
    pub limit: usize,
}

/// One result, in the working form an import's read keeps (a dashboard's model, never its hash).
#[derive(Debug, Default)]
pub struct ListEvent {
    pub identity: Option<Value>,
    pub display_name: String,
    pub object: Option<Value>,
    pub diags: Diagnostics,
}

/// How a type lists itself: a filter schema, what it learns once per query, and pages.
#[async_trait]
pub trait Lister: Send + Sync {
    /// The filters of a `list "<type>"` block's `config`.
    fn schema(&self) -> Schema;
    /// What a listing learns once per query, before its first page (dashboards app plugins
    /// own, folder paths for display names).
    async fn memo(&self, _client: &Client, _config: &Value, _diags: &mut Diagnostics) -> Option<ListMemo> {
        Some(ListMemo::default())
    }
    /// Page `page` (from 1) of `size` objects the filters in `config` select, by import id and
    /// display name: one request to Grafana.
    async fn page(
        &self,
        client: &Client,
        config: &Value,
        memo: &ListMemo,
        page: usize,
        size: usize,
        diags: &mut Diagnostics,
    ) -> Option<Page>;
}

/// Where [`list`] sends its results: false when Terraform has stopped reading.
#[async_trait]
pub trait ListSink: Send {
    async fn send(&mut self, event: ListEvent) -> bool;
}

/// ListResource: every object of `res`'s type the configuration's filters select, up to the
/// limit; a failure ends the stream with an event carrying the error.
pub async fn list(res: &dyn Resource, client: &Client, req: ListRequest, sink: &mut dyn ListSink) {
    let mut diags = Diagnostics::default();
    let Some(lister) = res.lister() else {
        diags.push(Diagnostic::error("Not a list resource", format!("{} cannot be listed.", res.type_name())));
        sink.send(ListEvent { diags, ..Default::default() }).await;
        return;
    };
    let Some(memo) = lister.memo(client, &req.config, &mut diags).await else {
        sink.send(ListEvent { diags, ..Default::default() }).await;
        return;
    };
    let size = req.limit.clamp(1, MAX_PAGE);
    let mut sent = 0;
    for page in 1.. {
        let Some(p) = lister.page(client, &req.config, &memo, page, size, &mut diags).await else {
            sink.send(ListEvent { diags, ..Default::default() }).await;
            return;
        };
        let wanted: Vec<Listed> = p.items.into_iter().take(req.limit - sent).collect();
        let mut events = futures_util::stream::iter(wanted)
            .map(|item| event(res, client, item, req.include_object))
            .buffered(READS_IN_FLIGHT);
        while let Some(e) = events.next().await {
            let Some(e) = e else { continue };
            if !sink.send(e).await {
                return;
            }
            sent += 1;
        }
        if p.last || sent >= req.limit {
            return;
        }
    }
}

/// The result for one listed object; None when it vanished since the listing.
async fn event(res: &dyn Resource, client: &Client, item: Listed, include_object: bool) -> Option<ListEvent> {
    let mut diags = Diagnostics::default();
    let seed = res.import_id(&item.id, &mut diags);
    let mut e = ListEvent { display_name: item.display_name, ..Default::default() };
    if let (Some(seed), true) = (&seed, include_object) {
        let ctx = Ctx { client, config: &Value::Null };
        match res.read(&ctx, seed, &mut diags).await {
            // What generating its configuration would warn about (Terraform shows a list
            // result's diagnostics, not those of GenerateResourceConfig).
            ReadOutcome::Found(v) => {
                generate(res, &v, &mut diags);
                e.object = Some(v);
            }
            ReadOutcome::Gone => return None,
            ReadOutcome::Failed => {}
        }
    }
    e.identity = e.object.as_ref().or(seed.as_ref()).and_then(|s| res.identity_of(s));
    e.diags = diags;
    Some(e)
}

/// GenerateResourceConfig: the configuration a person would write for a state: what
/// Terraform computes, write-only and deprecated attributes and values equal to their
/// defaults left out, then the type's own touches ([`Resource::generated_config`]).
pub fn generate(res: &dyn Resource, state: &Value, diags: &mut Diagnostics) -> Value {
    if state.is_null() {
        diags.push(Diagnostic::error("No state to generate from", "Terraform sent no state for this resource."));
        return Value::Null;
    }
    let schema = res.schema();
    let mut config = state.clone();
    for a in &schema.attributes {
        let v = state.get(a.name);
        let keep = match a.presence {
            Presence::Computed => false,
            _ if a.write_only || a.deprecation.is_some() => false,
            Presence::Required => true,
            Presence::Optional | Presence::OptionalComputed => !v.is_null() && a.default.as_ref() != Some(v),
        };
        if !keep {
            config.set(a.name, Value::Null);
        }
    }
    res.generated_config(config, state, diags)
}
