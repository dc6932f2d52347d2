//! `grafana_mute_timing`: an alerting mute timing (recurring times when notifications are held
//! back), with the official provider's name, schema (the `intervals` and `times` blocks) and
//! import ids (`name`, `orgID:name`).
//!
//! Grafana stores intervals in Alertmanager's form (weekday names lower-cased, months as
//! numbers, `3:3` as `3`): the state keeps the configuration's text while Grafana's means the
//! same, so `months = ["december"]` plans no change against Grafana's `"12"`. Every value is
//! checked at plan as Grafana checks it, at its attribute. A delete first takes the timing out
//! of the notification policies that name it (Grafana refuses to delete it otherwise), and says so.

mod policies;
mod ranges;

use async_trait::async_trait;

use crate::diag::{AttrPath, Diagnostic, Diagnostics, api_error};
use crate::framework::outcome::{delete_outcome, read_outcome};
use crate::framework::{Ctx, Lister, ReadOutcome, Resource};
use crate::grafana::{Client, Error, MuteTiming, TimeInterval, TimeRange};
use crate::model::{Attr, Model};
use crate::resources::alerting::{
    NameIdentity, already_exists, disable_provenance_attribute, name_identity_schema, name_of_identity,
    name_of_import_id, provenance_read_back, provenance_refused,
};
use crate::resources::listing::{OneRequest, by_name};
use crate::resources::{check_org_id, id_attributes, official_id, org_id_of};
use crate::schema::{Attribute, Block, Schema};
use crate::value::{Type, Value};
use policies::take_out_of_policies;
use ranges::{Field, meaning, minutes, same_ranges};

pub struct MuteTimingResource;

crate::model! {
    /// `grafana_mute_timing`'s attributes and blocks, as the schema below declares them.
    pub struct MuteTimingModel {
        name: String,
        disable_provenance: bool,
        intervals: Vec<IntervalModel>,
        id: String,
        org_id: String,
    }
}

crate::model! {
    /// One `intervals` block.
    pub struct IntervalModel {
        times: Vec<TimesModel>,
        weekdays: Vec<String>,
        days_of_month: Vec<String>,
        months: Vec<String>,
        years: Vec<String>,
        location: String,
    }
}

crate::model! {
    /// One `times` block.
    pub struct TimesModel {
        start: String,
        end: String,
    }
}

#[async_trait]
impl Resource for MuteTimingResource {
    fn type_name(&self) -> &'static str {
        "grafana_mute_timing"
    }

    fn schema(&self) -> Schema {
        let list = |name, description| Attribute::of(name, Type::list(Type::String)).optional().describe(description);
        let times = Block::list(
            "times",
            vec![
                Attribute::string("start")
                    .required()
                    .describe("The time, `HH:MM` (two digits each), at which the range begins, inclusive."),
                Attribute::string("end")
                    .required()
                    .describe("The time, `HH:MM`, at which the range ends, exclusive; `24:00` is the end of the day."),
            ],
        )
        .describe("The time ranges of the day during which to mute; none: all day.");
        let intervals = Block::list(
            "intervals",
            vec![
                list("weekdays", "Inclusive ranges of weekdays, e.g. `\"monday\"` or `\"tuesday:thursday\"`."),
                list(
                    "days_of_month",
                    "Inclusive ranges of days of the month, 1 to 31, e.g. `\"1\"` or `\"14:16\"`; negative values \
                        count from the month's end, e.g. `\"-1\"`.",
                ),
                list(
                    "months",
                    "Inclusive ranges of months, by number or name, e.g. `\"1:3\"`, `\"december\"` or \
                        `\"may:august\"`. Grafana stores numbers; a name and its number plan no change.",
                ),
                list("years", "Inclusive ranges of years, e.g. `\"2030\"` or `\"2025:2026\"`."),
                Attribute::string("location").optional().describe(
                    "The time zone the interval is in, an IANA name such as `\"America/New_York\"`; UTC when unset.",
                ),
            ],
        )
        .blocks(vec![times])
        .describe("The time intervals at which to mute notifications; an empty block mutes all the time.");
        let mut attributes = vec![
            Attribute::string("name")
                .required()
                .requires_replace()
                .describe("The name of the mute timing. Changing it replaces the mute timing."),
            disable_provenance_attribute(),
        ];
        attributes.extend(id_attributes("mute timing"));
        let mut s = Schema::new(
            "An alerting mute timing: recurring times when notifications are not sent, named by notification \
                policies. Grafana 9.1 and later; AMG 10.4 and 12.4. Destroying one first removes it from the \
                notification policies that name it.",
            attributes,
        )
        .with_blocks(vec![intervals]);
        // 0 is the official provider's version.
        s.version = 1;
        s
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        MuteTimingModel::attributes()
    }

    fn identity_schema(&self) -> Option<crate::schema::IdentitySchema> {
        Some(name_identity_schema("The name of the mute timing."))
    }

    fn official_schema_version(&self) -> Option<i64> {
        Some(0)
    }

    /// The official provider (SDKv2) stores a list nobody set as `[]` and a location as `""`:
    /// here they are null, as a configuration that leaves them out plans them.
    fn written_elsewhere(&self, state: Value) -> Value {
        let mut s = MuteTimingModel::decode(&state);
        if let Attr::Known(intervals) = &mut s.intervals {
            for i in intervals {
                for field in Field::ALL {
                    let list = list_of_mut(i, field);
                    if list.known().is_some_and(Vec::is_empty) {
                        *list = Attr::Null;
                    }
                }
                if i.location.as_str() == Some("") {
                    i.location = Attr::Null;
                }
            }
        }
        s.encode()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = MuteTimingModel::decode(config);
        check_org_id(&c.org_id, diags);
        if c.name.as_str().is_some_and(|n| n.trim().is_empty()) {
            let d = Diagnostic::error("Mute timing name is blank", "Set `name` to a non-blank name.");
            diags.push(d.at_attr("name"));
        }
        for (i, interval) in c.intervals.known().into_iter().flatten().enumerate() {
            check_interval(interval, &AttrPath::attr("intervals").index(i), diags);
        }
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let (prior, mut plan) = (MuteTimingModel::decode(prior), MuteTimingModel::decode(planned));
        if let (Some(was), Attr::Known(now)) = (prior.intervals.known(), &mut plan.intervals) {
            for (old, new) in was.iter().zip(now.iter_mut()) {
                keep_same_meaning(old, new);
            }
        }
        *planned = plan.encode();
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx.client, &MuteTimingModel::decode(planned), true, diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = MuteTimingModel::decode(prior);
        let name = prior.name.as_str().unwrap_or_default();
        read_outcome(ctx.client.get_mute_timing(name).await, "mute timing", name, diags).map(|m| state(&prior, &m))
    }

    async fn update(&self, ctx: &Ctx<'_>, _prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        write(ctx.client, &MuteTimingModel::decode(planned), false, diags).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let state = MuteTimingModel::decode(state);
        let name = state.name.as_str().unwrap_or_default();
        if !take_out_of_policies(ctx.client, name, diags).await {
            return;
        }
        let deleted = ctx.client.delete_mute_timing(name, state.disable_provenance.is_true()).await;
        let deleted = match deleted {
            Err(Error::Api { status: 403, message, .. }) if message.contains("provenance") => {
                diags.push(provenance_refused("mute timing", name, &message));
                return;
            }
            other => other,
        };
        if let Some(d) = delete_outcome("mute timing", name, deleted, || ctx.client.get_mute_timing(name)).await {
            diags.push(d);
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let name = name_of_import_id(id, "mute timing", diags)?;
        Some(MuteTimingModel { name: name.into(), disable_provenance: false.into(), ..Default::default() }.encode())
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(&name_of_identity(identity), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(NameIdentity { name: MuteTimingModel::decode(state).name }.encode())
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&MUTE_TIMING_LIST)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        MuteTimingModel { org_id: Attr::Null, ..MuteTimingModel::decode(&config) }.encode()
    }
}

/// `list "grafana_mute_timing"`: every mute timing, in one request.
static MUTE_TIMING_LIST: OneRequest = OneRequest {
    description: "The workspace's mute timings, by name.",
    what: "the mute timings (GET /api/v1/provisioning/mute-timings)",
    items: |client| {
        Box::pin(async { Ok(client.list_mute_timings().await?.into_iter().map(|m| by_name(m.name)).collect()) })
    },
};

/// Checks one `intervals` block as Grafana would, each mistake at its attribute.
fn check_interval(interval: &IntervalModel, at: &AttrPath, diags: &mut Diagnostics) {
    for (j, t) in interval.times.known().into_iter().flatten().enumerate() {
        let at = at.then("times").index(j);
        let mut parsed = Vec::new();
        for (field, value) in [("start", &t.start), ("end", &t.end)] {
            if let Some(text) = value.as_str() {
                match minutes(text) {
                    Ok(m) => parsed.push(m),
                    Err(why) => diags.push(Diagnostic::error("Invalid time of day", why).at(at.then(field))),
                }
            }
        }
        if let [start, end] = parsed[..]
            && start >= end
        {
            let why = "The range must end after it starts. A range over midnight is two `times` blocks: \
                `start = \"22:00\", end = \"24:00\"` and `start = \"00:00\", end = \"06:00\"`.";
            diags.push(Diagnostic::error("Empty time range", why).at(at.then("end")));
        }
    }
    for field in Field::ALL {
        for (k, text) in list_of(interval, field).known().into_iter().flatten().enumerate() {
            if let Err(why) = meaning(field, text) {
                let d = Diagnostic::error(format!("Invalid value in `{}`", field.name()), why);
                diags.push(d.at(at.then(field.name()).index(k)));
            }
        }
    }
}

fn list_of(interval: &IntervalModel, field: Field) -> &Attr<Vec<String>> {
    match field {
        Field::Weekdays => &interval.weekdays,
        Field::DaysOfMonth => &interval.days_of_month,
        Field::Months => &interval.months,
        Field::Years => &interval.years,
    }
}

fn list_of_mut(interval: &mut IntervalModel, field: Field) -> &mut Attr<Vec<String>> {
    match field {
        Field::Weekdays => &mut interval.weekdays,
        Field::DaysOfMonth => &mut interval.days_of_month,
        Field::Months => &mut interval.months,
        Field::Years => &mut interval.years,
    }
}

/// Where `new` means what `old` means but in other words, `old`'s words (list by list).
fn keep_same_meaning(old: &IntervalModel, new: &mut IntervalModel) {
    for field in Field::ALL {
        let (was, now) = (list_of(old, field), list_of_mut(new, field));
        if let (Some(a), Some(b)) = (was.known(), now.known())
            && a != b
            && same_ranges(field, Some(a), Some(b))
        {
            *now = was.clone();
        }
    }
}

/// The planned intervals as Grafana's API takes them (empty lists and locations left out).
fn wire_intervals(planned: &MuteTimingModel) -> Vec<TimeInterval> {
    let list = |a: &Attr<Vec<String>>| a.known().filter(|xs| !xs.is_empty()).cloned();
    let intervals = planned.intervals.known().map(Vec::as_slice).unwrap_or_default();
    intervals
        .iter()
        .map(|i| TimeInterval {
            times: i.times.known().filter(|ts| !ts.is_empty()).map(|ts| {
                let text = |a: &Attr<String>| a.as_str().unwrap_or_default().to_string();
                ts.iter().map(|t| TimeRange { start_time: text(&t.start), end_time: text(&t.end) }).collect()
            }),
            weekdays: list(&i.weekdays),
            days_of_month: list(&i.days_of_month),
            months: list(&i.months),
            years: list(&i.years),
            location: i.location.as_str().filter(|l| !l.is_empty()).map(str::to_string),
        })
        .collect()
}

/// The state for a mute timing Grafana holds: the prior intervals' words wherever Grafana's
/// form means the same, Grafana's form elsewhere.
fn state(prior: &MuteTimingModel, m: &MuteTiming) -> Value {
    let before = prior.intervals.known().map(Vec::as_slice).unwrap_or_default();
    let held = m.time_intervals.as_deref().unwrap_or_default();
    let intervals: Vec<IntervalModel> =
        held.iter().enumerate().map(|(i, h)| interval_state(before.get(i), h)).collect();
    MuteTimingModel {
        name: m.name.clone().into(),
        disable_provenance: provenance_read_back(
            Some(m.provenance.as_deref().unwrap_or("")),
            &prior.disable_provenance,
        ),
        intervals: Attr::from(intervals),
        id: official_id(&prior.id, &m.name),
        org_id: org_id_of(&prior.org_id),
    }
    .encode()
}

/// One interval's state: Grafana's, in the prior block's words where they mean the same.
fn interval_state(prior: Option<&IntervalModel>, held: &TimeInterval) -> IntervalModel {
    let times: Vec<TimesModel> = held
        .times
        .iter()
        .flatten()
        .map(|t| TimesModel { start: t.start_time.clone().into(), end: t.end_time.clone().into() })
        .collect();
    let mut s = IntervalModel {
        times: Attr::from(times),
        weekdays: Attr::from_option(held.weekdays.clone()),
        days_of_month: Attr::from_option(held.days_of_month.clone()),
        months: Attr::from_option(held.months.clone()),
        years: Attr::from_option(held.years.clone()),
        location: Attr::from_option(held.location.clone()),
    };
    let Some(prior) = prior else { return s };
    for field in Field::ALL {
        let (was, now) = (list_of(prior, field), list_of_mut(&mut s, field));
        if same_ranges(field, was.known().map(Vec::as_slice), now.known().map(Vec::as_slice)) {
            *now = was.clone();
        }
    }
    // A location the configuration left empty is none in Grafana.
    if prior.location.as_str() == Some("") && s.location.is_null() {
        s.location = prior.location.clone();
    }
    s
}

/// Creates the planned mute timing, or replaces its intervals; a write whose answer was lost
/// is confirmed by reading back.
async fn write(client: &Client, planned: &MuteTimingModel, create: bool, diags: &mut Diagnostics) -> Option<Value> {
    let name = planned.name.as_str().unwrap_or_default();
    let sent = wire_intervals(planned);
    match client.write_mute_timing(create, name, &sent, planned.disable_provenance.is_true()).await {
        Ok(m) => Some(state(planned, &m)),
        Err(Error::Api { status: 400, message, .. }) if create && message.contains("already exists") => {
            diags.push(already_exists("mute timing", name));
            None
        }
        Err(e) => confirmed(client, planned, e, if create { "create" } else { "update" }, diags).await,
    }
}

/// After a write failed: when Grafana may have acted on it, reads back and takes what it holds
/// if that means what was planned; otherwise says why the write failed.
async fn confirmed(
    client: &Client,
    planned: &MuteTimingModel,
    e: Error,
    action: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let name = planned.name.as_str().unwrap_or_default();
    if e.may_have_acted()
        && let Ok(m) = client.get_mute_timing(name).await
    {
        let held = state(planned, &m);
        let found = MuteTimingModel::decode(&held);
        if (&found.intervals, &found.disable_provenance) == (&planned.intervals, &planned.disable_provenance) {
            tracing::info!(error = %e, "mute timing {action} confirmed after a lost answer");
            return Some(held);
        }
    }
    diags.push(refused(name, action, &e));
    None
}

/// Grafana refused the write: a 400 left after the plan's checks is the time zone.
fn refused(name: &str, action: &str, e: &Error) -> Diagnostic {
    match e {
        Error::Api { status: 400, message, .. } => Diagnostic::error(
            "Grafana refused the mute timing",
            format!(
                "Grafana could not read the intervals of mute timing {name:?} (Grafana: {message}). Every value but \
                    `location` was checked at plan: check that each `location` is an IANA time zone name such as \
                    \"Europe/Paris\"."
            ),
        )
        .at_attr("intervals"),
        Error::Api { status: 403, message, .. } if message.contains("provenance") => {
            provenance_refused("mute timing", name, message)
        }
        e => api_error(format!("Could not {action} mute timing {name:?}"), e),
    }
}

#[cfg(test)]
pub(crate) mod tests;
