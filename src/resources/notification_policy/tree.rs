//! The policy tree below the root, one depth-independent form ([`Node`]) for the four levels of
//! `policy` blocks the schema has: Grafana's JSON from it, it from Grafana's JSON in the prior
//! state's words where they mean the same, and the checks Grafana would make, at their paths.

use serde_json::{Value as Json, json};

use crate::diag::{AttrPath, Diagnostic, Diagnostics};
use crate::model::{Attr, SetOf};
use crate::resources::alerting::{duration_ms, same_duration};

crate::model! {
    /// One `matcher` block: `label`, `match` (`=`, `!=`, `=~`, `!~`) and `value`.
    pub struct MatcherModel {
        label: String,
        match_ = "match": String,
        value: String,
    }
}

/// A `policy` block at any depth.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Node {
    pub contact_point: Attr<String>,
    pub group_by: Attr<Vec<String>>,
    pub matcher: Attr<SetOf<MatcherModel>>,
    pub mute_timings: Attr<Vec<String>>,
    pub active_timings: Attr<Vec<String>>,
    pub continue_: Attr<bool>,
    pub group_wait: Attr<String>,
    pub group_interval: Attr<String>,
    pub repeat_interval: Attr<String>,
    /// The `policy` blocks under it (none at the deepest level).
    pub policy: Vec<Node>,
}

/// The three timing attributes, as (attribute, Grafana's field).
pub const DURATIONS: [&str; 3] = ["group_wait", "group_interval", "repeat_interval"];

/// Grafana's JSON of a `policy` block and everything under it (empty values left out).
pub fn route_of(n: &Node) -> Json {
    let mut r = serde_json::Map::new();
    let mut put = |k: &str, v: Json| {
        r.insert(k.to_string(), v);
    };
    if let Some(c) = n.contact_point.as_str().filter(|c| !c.is_empty()) {
        put("receiver", json!(c));
    }
    for (k, list) in [
        ("group_by", &n.group_by),
        ("mute_time_intervals", &n.mute_timings),
        ("active_time_intervals", &n.active_timings),
    ] {
        if let Some(xs) = list.known().filter(|xs| !xs.is_empty()) {
            put(k, json!(xs));
        }
    }
    if let Some(ms) = n.matcher.known().filter(|ms| !ms.0.is_empty()) {
        let text = |a: &Attr<String>| a.as_str().unwrap_or_default().to_string();
        put(
            "object_matchers",
            json!(ms.0.iter().map(|m| [text(&m.label), text(&m.match_), text(&m.value)]).collect::<Vec<_>>()),
        );
    }
    if n.continue_.is_true() {
        put("continue", json!(true));
    }
    for (k, d) in DURATIONS.iter().zip(n.durations()) {
        if let Some(d) = d.as_str().filter(|d| !d.is_empty()) {
            put(k, json!(d));
        }
    }
    if !n.policy.is_empty() {
        put("routes", Json::Array(n.policy.iter().map(route_of).collect()));
    }
    Json::Object(r)
}

impl Node {
    pub fn durations(&self) -> [&Attr<String>; 3] {
        [&self.group_wait, &self.group_interval, &self.repeat_interval]
    }

    fn durations_mut(&mut self) -> [&mut Attr<String>; 3] {
        [&mut self.group_wait, &mut self.group_interval, &mut self.repeat_interval]
    }
}

/// A `policy` block from Grafana's route, `depth` levels deep at most, in `prior`'s words
/// wherever Grafana's mean the same. The number of routes deeper than `depth` is added to `cut`.
pub fn node_of(route: &Json, prior: Option<&Node>, depth: usize, cut: &mut usize) -> Node {
    let strings = |k: &str| {
        route.get(k).and_then(Json::as_array).map(|xs| xs.iter().filter_map(Json::as_str).map(str::to_string).collect())
    };
    let text = |k: &str| route.get(k).and_then(Json::as_str).map(str::to_string);
    let matchers = route.get("object_matchers").and_then(Json::as_array).map(|ms| {
        let part = |m: &Json, i: usize| Attr::from(m.get(i).and_then(Json::as_str).unwrap_or_default().to_string());
        SetOf(ms.iter().map(|m| MatcherModel { label: part(m, 0), match_: part(m, 1), value: part(m, 2) }).collect())
    });
    let routes: &[Json] = route.get("routes").and_then(Json::as_array).map(Vec::as_slice).unwrap_or_default();
    let policy = if depth > 1 {
        let before = prior.map(|p| p.policy.as_slice()).unwrap_or_default();
        routes.iter().enumerate().map(|(i, r)| node_of(r, before.get(i), depth - 1, cut)).collect()
    } else {
        *cut += routes.iter().map(count).sum::<usize>();
        Vec::new()
    };
    let mut n = Node {
        contact_point: Attr::from_option(text("receiver")),
        group_by: Attr::from_option(strings("group_by")),
        // A block: an empty set when there is none, never null.
        matcher: Attr::from(matchers.unwrap_or_default()),
        mute_timings: Attr::from_option(strings("mute_time_intervals")),
        active_timings: Attr::from_option(strings("active_time_intervals")),
        continue_: Attr::from_option(route.get("continue").and_then(Json::as_bool)),
        group_wait: Attr::from_option(text("group_wait")),
        group_interval: Attr::from_option(text("group_interval")),
        repeat_interval: Attr::from_option(text("repeat_interval")),
        policy,
    };
    if let Some(p) = prior {
        keep_words(p, &mut n, false);
    }
    n
}

/// A policy from the official provider's state: its `""`, `[]` and `false` (what SDKv2 stores
/// for unset) as unset, here and below.
pub fn unset_blanks(n: &mut Node) {
    for list in [&mut n.group_by, &mut n.mute_timings, &mut n.active_timings] {
        if list.known().is_some_and(Vec::is_empty) {
            *list = Attr::Null;
        }
    }
    for text in [&mut n.contact_point, &mut n.group_wait, &mut n.group_interval, &mut n.repeat_interval] {
        if text.as_str() == Some("") {
            *text = Attr::Null;
        }
    }
    if n.continue_.known() == Some(&false) {
        n.continue_ = Attr::Null;
    }
    n.policy.iter_mut().for_each(unset_blanks);
}

/// Routes in a subtree, itself included.
fn count(route: &Json) -> usize {
    1 + route.get("routes").and_then(Json::as_array).map_or(0, |rs| rs.iter().map(count).sum())
}

/// Where `now` (from Grafana, or planned) means what `was` means, `was`'s words: unset and
/// empty lists alike, unset `continue` and `false`, `300s` and `5m`, matchers in any order. A
/// plan (`planning`) keeps the configuration's nulls: Terraform takes the prior value in place
/// of a configured one only.
pub fn keep_words(was: &Node, now: &mut Node, planning: bool) {
    let may = |null: bool| !planning || !null;
    for (a, b) in [
        (&was.group_by, &mut now.group_by),
        (&was.mute_timings, &mut now.mute_timings),
        (&was.active_timings, &mut now.active_timings),
    ] {
        let same = a.known().map_or(&[][..], Vec::as_slice) == b.known().map_or(&[][..], Vec::as_slice);
        if same && !b.is_unknown() && may(b.is_null()) {
            *b = a.clone();
        }
    }
    let same = was.continue_.is_true() == now.continue_.is_true();
    if same && !now.continue_.is_unknown() && may(now.continue_.is_null()) {
        now.continue_ = was.continue_.clone();
    }
    if same_matchers(&was.matcher, &now.matcher) && may(now.matcher.is_null()) {
        now.matcher = was.matcher.clone();
    }
    if (was.contact_point.as_str(), now.contact_point.as_str()) == (Some(""), None) && may(now.contact_point.is_null())
    {
        now.contact_point = was.contact_point.clone();
    }
    for (a, b) in was.durations().into_iter().zip(now.durations_mut()) {
        if same_duration(a, b) && may(b.is_null()) {
            *b = a.clone();
        }
    }
    for (a, b) in was.policy.iter().zip(now.policy.iter_mut()) {
        keep_words(a, b, planning);
    }
}

fn same_matchers(a: &Attr<SetOf<MatcherModel>>, b: &Attr<SetOf<MatcherModel>>) -> bool {
    if b.is_unknown() {
        return false;
    }
    let key = |m: &Attr<SetOf<MatcherModel>>| {
        let mut v: Vec<[String; 3]> = m
            .known()
            .map(|s| s.0.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|m| [&m.label, &m.match_, &m.value].map(|x| x.as_str().unwrap_or_default().to_string()))
            .collect();
        v.sort();
        v
    };
    key(a) == key(b)
}

/// The paths of the `active_timings` set below `root` (`policy[0].policy[1].active_timings`).
pub fn paths_with_active_timings(n: &Node, at: &AttrPath, out: &mut Vec<AttrPath>) {
    for (i, child) in n.policy.iter().enumerate() {
        let here = at.then("policy").index(i);
        if child.active_timings.known().is_some_and(|xs| !xs.is_empty()) {
            out.push(here.then("active_timings"));
        }
        paths_with_active_timings(child, &here, out);
    }
}

/// Checks a `policy` block and those under it as Grafana would, each mistake at its path.
pub fn check_node(n: &Node, at: &AttrPath, diags: &mut Diagnostics) {
    check_group_by(&n.group_by, &at.then("group_by"), diags);
    check_durations(n.durations(), at, diags);
    for m in n.matcher.known().map(|s| s.0.as_slice()).unwrap_or_default() {
        if let Some(op) = m.match_.as_str().filter(|op| !["=", "!=", "=~", "!~"].contains(op)) {
            let d = Diagnostic::error(
                "Unknown matcher operator",
                format!("`match` is {op:?}: use `=`, `!=`, `=~` (regular expression) or `!~`."),
            );
            diags.push(d.at(at.then("matcher")));
        }
    }
    for (i, child) in n.policy.iter().enumerate() {
        check_node(child, &at.then("policy").index(i), diags);
    }
}

/// `group_by`: `...` (all labels) alone, no label twice, no empty label.
pub fn check_group_by(group_by: &Attr<Vec<String>>, at: &AttrPath, diags: &mut Diagnostics) {
    let Some(labels) = group_by.known() else { return };
    let why = if labels.iter().any(|l| l == "...") && labels.len() > 1 {
        Some("`...` groups by every label, so it cannot be listed with other labels: use `[\"...\"]` alone.".into())
    } else if labels.iter().any(String::is_empty) {
        Some("A label to group by cannot be empty.".to_string())
    } else {
        labels
            .iter()
            .enumerate()
            .find(|(i, l)| labels[..*i].contains(l))
            .map(|(_, l)| format!("{l:?} is listed twice: list each label once."))
    };
    if let Some(why) = why {
        diags.push(Diagnostic::error("Invalid `group_by`", why).at(at.clone()));
    }
}

/// The three timings: Prometheus durations; the two intervals not zero.
pub fn check_durations(durations: [&Attr<String>; 3], at: &AttrPath, diags: &mut Diagnostics) {
    for (name, d) in DURATIONS.iter().zip(durations) {
        let Some(text) = d.as_str().filter(|t| !t.is_empty()) else { continue };
        let why = match duration_ms(text) {
            Err(why) => why,
            Ok(0) if *name != "group_wait" => format!("`{name}` cannot be zero."),
            Ok(_) => continue,
        };
        diags.push(Diagnostic::error("Invalid duration", why).at(at.then(name)));
    }
}
