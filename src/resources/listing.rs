//! What the listed types share (`terraform query`): folder paths for display names, a page
//! from one answer of Grafana's, the lister of types listed in one request.

use std::collections::BTreeMap;

use crate::diag::{Diagnostics, api_error};
use crate::framework::list::MAX_PAGE;
use crate::framework::{ListMemo, Listed, Lister, Page};
use crate::grafana::{Client, Error, Search};
use crate::schema::Schema;
use crate::value::Value;

/// The most folder pages a listing reads for its display names (a million folders).
const MAX_FOLDER_PAGES: usize = 1000;

/// Every folder's path of titles, `Team A/Service X` (nested folders; on Grafana 10 every
/// folder is at the top): one search request per 1,000 folders.
pub async fn folder_paths(client: &Client, diags: &mut Diagnostics) -> Option<BTreeMap<String, String>> {
    let mut folders: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let search = Search { kind: "dash-folder", ..Default::default() };
    for page in 1..=MAX_FOLDER_PAGES {
        let hits = match client.search_page(&search, page, MAX_PAGE).await {
            Ok(h) => h,
            Err(e) => {
                diags.push(api_error("Could not list the folders (GET /api/search)", &e));
                return None;
            }
        };
        let n = hits.len();
        folders.extend(hits.into_iter().map(|h| (h.uid, (h.title, h.folder_uid.filter(|p| !p.is_empty())))));
        if n < MAX_PAGE {
            break;
        }
    }
    let path = |uid: &str| {
        let mut titles = Vec::new();
        let mut at = Some(uid.to_string());
        // Grafana nests folders at most 8 deep; the bound also ends a cycle.
        while let Some((title, parent)) = at.as_deref().and_then(|u| folders.get(u)).filter(|_| titles.len() < 16) {
            titles.push(title.as_str());
            at = parent.clone();
        }
        titles.reverse();
        titles.join("/")
    };
    Some(folders.keys().map(|uid| (uid.clone(), path(uid))).collect())
}

/// A page from one answer: each item `listed` keeps, and whether a page follows (an answer
/// shorter than the page size is the last).
pub fn page_of<T>(
    answer: Result<Vec<T>, Error>,
    size: usize,
    what: &str,
    diags: &mut Diagnostics,
    listed: impl Fn(T) -> Option<Listed>,
) -> Option<Page> {
    match answer {
        Ok(items) => {
            let last = items.len() < size;
            Some(Page { items: items.into_iter().filter_map(listed).collect(), last })
        }
        Err(e) => {
            diags.push(api_error(format!("Could not list {what}"), &e));
            None
        }
    }
}

/// A listing Grafana answers whole (no paging): page 1 is all of it, and the last; no request
/// for another page.
pub async fn whole<T, F>(
    page: usize,
    fetch: impl FnOnce() -> F,
    what: &str,
    diags: &mut Diagnostics,
    listed: impl Fn(T) -> Option<Listed>,
) -> Option<Page>
where
    F: std::future::Future<Output = Result<Vec<T>, Error>>,
{
    if page > 1 {
        return Some(Page { items: Vec::new(), last: true });
    }
    // No answer is shorter than usize::MAX: page_of marks it the last.
    page_of(fetch().await, usize::MAX, what, diags, listed)
}

/// `title (Team A/Service X)`, or `title (General)` outside any folder.
pub fn display_in(title: &str, folder_uid: Option<&str>, paths: &BTreeMap<String, String>) -> String {
    let folder = folder_uid.filter(|f| !f.is_empty()).map(|f| paths.get(f).map_or(f, String::as_str));
    format!("{title} ({})", folder.unwrap_or("General"))
}

/// What one request lists: each object's import id and display name.
pub type Items<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<Listed>, Error>> + Send + 'a>>;

/// `list "<type>"` for a type whose objects come in one request (template groups, mute
/// timings, teams, the one policy tree): no filters, one page.
pub struct OneRequest {
    /// The list resource's description.
    pub description: &'static str,
    /// What is listed and how, for an error: "the mute timings (GET …)".
    pub what: &'static str,
    pub items: for<'a> fn(&'a Client) -> Items<'a>,
}

#[async_trait::async_trait]
impl Lister for OneRequest {
    fn schema(&self) -> Schema {
        Schema::new(self.description, Vec::new())
    }

    async fn page(
        &self,
        client: &Client,
        _config: &Value,
        _memo: &ListMemo,
        page: usize,
        _size: usize,
        diags: &mut Diagnostics,
    ) -> Option<Page> {
        whole(page, || (self.items)(client), self.what, diags, Some).await
    }
}

/// A listed object named by its name: the name is its import id too.
pub fn by_name(name: String) -> Listed {
    Listed { id: name.clone(), display_name: name }
}

/// The listing of the permission lists of what another type's lister lists: its filters, ids
/// (a permission list is imported by its object's uid) and pages, each named "Permissions of
/// <name>".
pub struct PermissionsOf {
    pub of: &'static dyn Lister,
    pub description: &'static str,
}

#[async_trait::async_trait]
impl Lister for PermissionsOf {
    fn schema(&self) -> Schema {
        let mut schema = self.of.schema();
        schema.description = self.description;
        schema
    }

    async fn memo(&self, client: &Client, config: &Value, diags: &mut Diagnostics) -> Option<ListMemo> {
        self.of.memo(client, config, diags).await
    }

    async fn page(
        &self,
        client: &Client,
        config: &Value,
        memo: &ListMemo,
        page: usize,
        size: usize,
        diags: &mut Diagnostics,
    ) -> Option<Page> {
        let mut answer = self.of.page(client, config, memo, page, size, diags).await?;
        for item in &mut answer.items {
            item.display_name = format!("Permissions of {}", item.display_name);
        }
        Some(answer)
    }
}
