//! `grafana_rule_group`'s schema: the official provider's attributes and blocks (`rule`, its
//! `data` with `relative_time_range`, `notification_settings` and `record`), with defaults
//! where the official provider has them.

use crate::resources::alerting::disable_provenance_attribute;
use crate::resources::id_attributes;
use crate::schema::{Attribute, Block, Schema};
use crate::value::{Type, Value};

pub fn schema() -> Schema {
    let mut attributes = vec![
        Attribute::string("name")
            .required()
            .requires_replace()
            .describe("The name of the rule group, unique in its folder. Changing it replaces the group."),
        Attribute::string("folder_uid")
            .required()
            .requires_replace()
            .describe("The uid of the folder the group is in. Changing it replaces the group."),
        Attribute::number("interval_seconds").required().describe(
            "How often, in seconds, every rule of the group is evaluated (in turn): a positive multiple of 10, \
                Grafana's scheduler tick.",
        ),
        disable_provenance_attribute(),
    ];
    attributes.extend(id_attributes("rule group"));
    let mut s = Schema::new(
        "An alerting rule group: rules of one folder evaluated together at one interval. Grafana 9.1 and later; AMG \
            10.4 and 12.4. A query's `model` is compared by meaning, with the defaults Grafana adds (`intervalMs` \
            1000, `maxDataPoints` 43200); durations such as `for` too (`\"120s\"` is `\"2m\"`). A destroy deletes the \
            group's rules. Grafana refuses to delete a folder that holds rules: name the folder as \
            `grafana_folder.<name>.uid` so Terraform destroys the group first.",
        attributes,
    )
    .with_blocks(vec![rule_block()]);
    // 0 is the official provider's version.
    s.version = 1;
    s
}

fn rule_block() -> Block {
    let map = |name, description| Attribute::of(name, Type::map(Type::String)).optional().describe(description);
    let attributes = vec![
        Attribute::string("uid").optional_computed().describe(
            "The uid of the rule; Grafana makes one when unset. A rule keeps its uid while its `name` stays, wherever \
                it moves in the list, and when it is renamed in place.",
        ),
        Attribute::string("name").required().describe("The name of the rule, unique in its folder."),
        Attribute::string("for").default(Value::string("0")).describe(
            "How long the condition must hold before the rule fires (pending until then), a duration such as `\"5m\"`; \
                defaults to `\"0\"`.",
        ),
        Attribute::string("no_data_state").default(Value::string("NoData")).describe(
            "The state when the queries return no data: `NoData` (the default), `Alerting`, `OK` or `KeepLast`.",
        ),
        Attribute::string("exec_err_state").default(Value::string("Alerting")).describe(
            "The state when the rule cannot be evaluated: `Alerting` (the default), `Error`, `OK` or `KeepLast`.",
        ),
        Attribute::string("condition")
            .required()
            .describe("The `ref_id` of the `data` block whose result is the rule's condition."),
        map("labels", "Labels of the rule's alerts, used by notification policies to route and group them."),
        map(
            "annotations",
            "Annotations of the rule's alerts (`summary`, `runbook_url`, …); `__dashboardUid__` and `__panelId__` link \
                a panel and are set together.",
        ),
        Attribute::bool("is_paused")
            .default(Value::Bool(false))
            .describe("Whether the rule is paused (not evaluated). Defaults to `false`."),
    ];
    Block::list("rule", attributes)
        .blocks(vec![data_block(), notification_settings_block(), record_block()])
        .min_items(1)
        .describe("The rules of the group, evaluated in this order.")
}

fn data_block() -> Block {
    let range = Block::list(
        "relative_time_range",
        vec![
            Attribute::number("from")
                .required()
                .describe("Seconds before the evaluation at which the query's range begins."),
            Attribute::number("to").required().describe("Seconds before the evaluation at which the range ends."),
        ],
    )
    .min_items(1)
    .max_items(1)
    .describe("The range of time the query covers, relative to the evaluation.");
    Block::list(
        "data",
        vec![
            Attribute::string("ref_id").required().describe("The name of this query or expression within the rule."),
            Attribute::string("datasource_uid")
                .required()
                .describe("The uid of the data source queried, or `\"__expr__\"` (also `\"-100\"`) for an expression."),
            Attribute::string("query_type")
                .default(Value::string(""))
                .describe("The query's type, where the data source has types; defaults to `\"\"`."),
            Attribute::string("model").required().describe(
                "The query as JSON (`jsonencode({...})`). Compared by meaning: key order, spacing and the defaults \
                    Grafana adds (`intervalMs` 1000, `maxDataPoints` 43200) plan no change.",
            ),
        ],
    )
    .blocks(vec![range])
    .min_items(1)
    .describe("The queries and expressions of the rule, in order.")
}

fn notification_settings_block() -> Block {
    let list = |name, description| Attribute::of(name, Type::list(Type::String)).optional().describe(description);
    Block::list(
        "notification_settings",
        vec![
            Attribute::string("contact_point")
                .required()
                .describe("The contact point the rule's notifications go to, past the notification policies."),
            list(
                "group_by",
                "The labels to group alerts by; `[\"...\"]` for every label. When set it must include `alertname` and \
                    `grafana_folder`.",
            ),
            list("mute_timings", "The mute timings during which the rule's notifications are held back."),
            Attribute::string("group_wait")
                .optional()
                .describe("How long to buffer a new group's alerts before the first notification, e.g. `\"30s\"`."),
            Attribute::string("group_interval")
                .optional()
                .describe("How long to wait before notifying about new alerts of a group, e.g. `\"5m\"`."),
            Attribute::string("repeat_interval")
                .optional()
                .describe("How long to wait before notifying again about alerts still firing, e.g. `\"4h\"`."),
        ],
    )
    .max_items(1)
    .describe("Sends the rule's notifications straight to a contact point (simplified routing, Grafana 10.4+).")
}

fn record_block() -> Block {
    Block::list(
        "record",
        vec![
            Attribute::string("metric").required().describe("The name of the metric the rule writes."),
            Attribute::string("from").required().describe("The `ref_id` of the `data` block the metric is taken from."),
        ],
    )
    .max_items(1)
    .describe("Makes the rule a recording rule (Grafana 11.2+; refused at plan on older Grafana).")
}
