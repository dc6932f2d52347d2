//! The official provider's 22 receiver block types, as data: each block's attributes, the
//! Grafana setting each is sent as, and how its value is written there. The schema and both
//! directions of the mapping are made from this one table, so a name cannot be spelt two ways.
//! Read from the official provider's `resource_alerting_contact_point_notifiers.go`; the setting
//! keys are Grafana's (`grafana/alerting` `receivers/*/config.go`).

/// The attributes every receiver block has.
pub const UID: &str = "uid";
pub const DISABLE_RESOLVE_MESSAGE: &str = "disable_resolve_message";
pub const SETTINGS: &str = "settings";

/// How a value is written in Grafana's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Str,
    Bool,
    /// A JSON number.
    Int,
    /// An integer Grafana keeps as text (Pushover's priorities and times).
    IntText,
    /// Email addresses: a list here, one `;`-separated string in Grafana.
    Addresses,
    /// A map of strings (PagerDuty's `details`).
    Map,
    /// OpsGenie's `responders` list blocks.
    Responders,
    /// MQTT's `tls_config` set block, Grafana's `tlsConfig` object.
    Tls,
}

/// A default the official schema gives an optional attribute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    None,
    Str(&'static str),
    Bool(bool),
    Int(i64),
}

/// One attribute (or nested block) of a receiver block.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    /// The Grafana setting.
    pub key: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Sensitive in the schema, and a secret Grafana never answers back.
    pub secret: bool,
    pub default: Default,
    pub desc: &'static str,
}

/// One receiver block type.
#[derive(Debug)]
pub struct Notifier {
    pub block: &'static str,
    /// Grafana's integration type.
    pub kind: &'static str,
    pub desc: &'static str,
    pub fields: &'static [Field],
}

const fn f(name: &'static str, key: &'static str, kind: Kind, desc: &'static str) -> Field {
    Field { name, key, kind, required: false, secret: false, default: Default::None, desc }
}

const fn req(field: Field) -> Field {
    Field { required: true, ..field }
}

const fn secret(field: Field) -> Field {
    Field { secret: true, ..field }
}

const fn def(field: Field, default: Default) -> Field {
    Field { default, ..field }
}

use Kind::{Addresses, Bool, Int, IntText, Map, Responders, Str, Tls};

const BASIC_AUTH_USER: &str =
    "The username to use in basic auth headers attached to the request. If omitted, basic auth will not be used.";
const BASIC_AUTH_PASSWORD: &str =
    "The password to use in basic auth headers attached to the request. If omitted, basic auth will not be used.";
const AUTH_SCHEME: &str = "Allows a custom authorization scheme: attaches an auth header with this name. Do not use \
    with basic auth.";
const AUTH_CREDENTIALS: &str = "Allows a custom authorization scheme: attaches an auth header with this value. Do not \
    use with basic auth.";
const MAX_ALERTS: &str = "The maximum number of alerts to send in a single request; 0, the default, is no limit.";

/// Grafana On-Call's receiver is a webhook's.
const WEBHOOK_FIELDS: &[Field] = &[
    req(f("url", "url", Str, "The URL to send webhook requests to.")),
    f("http_method", "httpMethod", Str, "The HTTP method to use in the request. Defaults to `POST`."),
    f("basic_auth_user", "username", Str, BASIC_AUTH_USER),
    secret(f("basic_auth_password", "password", Str, BASIC_AUTH_PASSWORD)),
    f("authorization_scheme", "authorization_scheme", Str, AUTH_SCHEME),
    secret(f("authorization_credentials", "authorization_credentials", Str, AUTH_CREDENTIALS)),
    f("max_alerts", "maxAlerts", Int, MAX_ALERTS),
    f("message", "message", Str, "Custom message. You can use template variables."),
    f("title", "title", Str, "Templated title of the message."),
];

pub static NOTIFIERS: &[Notifier] = &[
    Notifier {
        block: "alertmanager",
        kind: "prometheus-alertmanager",
        desc: "A contact point that sends notifications to other Alertmanager instances.",
        fields: &[
            req(f("url", "url", Str, "The URL of the Alertmanager instance.")),
            f("basic_auth_user", "basicAuthUser", Str, "The username component of the basic auth credentials to use."),
            secret(f(
                "basic_auth_password",
                "basicAuthPassword",
                Str,
                "The password component of the basic auth credentials to use.",
            )),
        ],
    },
    Notifier {
        block: "dingding",
        kind: "dingding",
        desc: "A contact point that sends notifications to DingDing.",
        fields: &[
            req(f("url", "url", Str, "The DingDing webhook URL.")),
            f("message_type", "msgType", Str, "The format of message to send: `link` or `actionCard`."),
            f("message", "message", Str, "The templated content of the message."),
            f("title", "title", Str, "The templated title of the message."),
        ],
    },
    Notifier {
        block: "discord",
        kind: "discord",
        desc: "A contact point that sends notifications as Discord messages.",
        fields: &[
            req(secret(f("url", "url", Str, "The Discord webhook URL."))),
            f("title", "title", Str, "The templated content of the title."),
            def(f("message", "message", Str, "The templated content of the message."), Default::Str("")),
            def(f("avatar_url", "avatar_url", Str, "The URL of a custom avatar image to use."), Default::Str("")),
            def(
                f(
                    "use_discord_username",
                    "use_discord_username",
                    Bool,
                    "Whether to use the bot account's plain username instead of \"Grafana\".",
                ),
                Default::Bool(false),
            ),
        ],
    },
    Notifier {
        block: "email",
        kind: "email",
        desc: "A contact point that sends notifications to an email address.",
        fields: &[
            req(f("addresses", "addresses", Addresses, "The addresses to send emails to.")),
            def(
                f(
                    "single_email",
                    "singleEmail",
                    Bool,
                    "Whether to send a single email CC'ing all addresses, rather than one email to each address.",
                ),
                Default::Bool(false),
            ),
            def(f("message", "message", Str, "The templated content of the email."), Default::Str("")),
            def(f("subject", "subject", Str, "The templated subject line of the email."), Default::Str("")),
        ],
    },
    Notifier {
        block: "googlechat",
        kind: "googlechat",
        desc: "A contact point that sends notifications to Google Chat.",
        fields: &[
            req(secret(f("url", "url", Str, "The Google Chat webhook URL."))),
            f("title", "title", Str, "The templated content of the title."),
            f("message", "message", Str, "The templated content of the message."),
        ],
    },
    Notifier {
        block: "kafka",
        kind: "kafka",
        desc: "A contact point that publishes notifications to Apache Kafka topics.",
        fields: &[
            req(secret(f(
                "rest_proxy_url",
                "kafkaRestProxy",
                Str,
                "The URL of the Kafka REST proxy to send requests to.",
            ))),
            req(f("topic", "kafkaTopic", Str, "The name of the Kafka topic to publish to.")),
            f("description", "description", Str, "The templated description of the Kafka message."),
            f("details", "details", Str, "The templated details to include with the message."),
            f("username", "username", Str, "The user name to use when making a call to the Kafka REST Proxy."),
            secret(f("password", "password", Str, "The password to use when making a call to the Kafka REST Proxy.")),
            def(
                f(
                    "api_version",
                    "apiVersion",
                    Str,
                    "The API version of the Kafka REST Server: `v2` (default) or `v3`.",
                ),
                Default::Str("v2"),
            ),
            f("cluster_id", "kafkaClusterId", Str, "The id of the cluster, with `api_version` `v3`."),
        ],
    },
    Notifier {
        block: "line",
        kind: "LINE",
        desc: "A contact point that sends notifications to LINE.me.",
        fields: &[
            req(secret(f("token", "token", Str, "The bearer token used to authorize the client."))),
            f("title", "title", Str, "The templated title of the message."),
            f("description", "description", Str, "The templated description of the message."),
        ],
    },
    Notifier {
        block: "mqtt",
        kind: "mqtt",
        desc: "A contact point that sends notifications to an MQTT broker.",
        fields: &[
            req(f("broker_url", "brokerUrl", Str, "The URL of the MQTT broker.")),
            req(f("topic", "topic", Str, "The topic to publish messages to.")),
            f("client_id", "clientId", Str, "The client ID to use when connecting to the broker."),
            f("message_format", "messageFormat", Str, "The format of the message to send: `json` or `text`."),
            f("username", "username", Str, "The username to use when connecting to the broker."),
            secret(f("password", "password", Str, "The password to use when connecting to the broker.")),
            def(f("qos", "qos", Int, "The quality of service of the messages: 0, 1 or 2."), Default::Int(0)),
            def(f("retain", "retain", Bool, "Whether to retain messages on the broker."), Default::Bool(false)),
            f("tls_config", "tlsConfig", Tls, "TLS configuration for the connection."),
        ],
    },
    Notifier {
        block: "oncall",
        kind: "oncall",
        desc: "A contact point that sends notifications to Grafana On-Call.",
        fields: WEBHOOK_FIELDS,
    },
    Notifier {
        block: "opsgenie",
        kind: "opsgenie",
        desc: "A contact point that sends notifications to OpsGenie.",
        fields: &[
            f("url", "apiUrl", Str, "Allows customization of the OpsGenie API URL."),
            req(secret(f("api_key", "apiKey", Str, "The OpsGenie API key to use."))),
            f("message", "message", Str, "The templated content of the message."),
            f("description", "description", Str, "A templated high-level description to use for the alert."),
            f("auto_close", "autoClose", Bool, "Whether to auto-close alerts in OpsGenie when they resolve."),
            f(
                "override_priority",
                "overridePriority",
                Bool,
                "Whether to allow the alert priority to be set by the `og_priority` annotation.",
            ),
            f("send_tags_as", "sendTagsAs", Str, "Send annotations as `tags`, `details` or `both`."),
            f(
                "responders",
                "responders",
                Responders,
                "Teams, users, escalations and schedules that the alert will be routed to (Grafana 10.3 and later).",
            ),
        ],
    },
    Notifier {
        block: "pagerduty",
        kind: "pagerduty",
        desc: "A contact point that sends notifications to PagerDuty.",
        fields: &[
            req(secret(f("integration_key", "integrationKey", Str, "The PagerDuty API key."))),
            f("severity", "severity", Str, "The PagerDuty event severity level. Default is `critical`."),
            f("class", "class", Str, "The class or type of event, for example `ping failure`."),
            f("component", "component", Str, "The component being affected by the event."),
            f("group", "group", Str, "The group to which the provided component belongs to."),
            f("summary", "summary", Str, "The templated summary message of the event."),
            f("source", "source", Str, "The unique location of the affected system."),
            f("client", "client", Str, "The name of the monitoring client that is triggering this event."),
            f("client_url", "client_url", Str, "The URL of the monitoring client that is triggering this event."),
            f("details", "details", Map, "Arbitrary key/value pairs that provide further detail about the incident."),
            f("url", "url", Str, "The URL to send API requests to."),
        ],
    },
    Notifier {
        block: "pushover",
        kind: "pushover",
        desc: "A contact point that sends notifications to Pushover.",
        fields: &[
            req(secret(f("user_key", "userKey", Str, "The Pushover user key."))),
            req(secret(f("api_token", "apiToken", Str, "The Pushover API token."))),
            f("priority", "priority", IntText, "The priority level of the event."),
            f("ok_priority", "okPriority", IntText, "The priority level of the resolved event."),
            f("retry", "retry", IntText, "How often, in seconds, Pushover sends the same notification again."),
            f("expire", "expire", IntText, "For how many seconds Pushover retries the notification."),
            f("device", "device", Str, "Comma-separated list of devices to which the event is associated."),
            f("sound", "sound", Str, "The sound associated with the notification."),
            f("ok_sound", "okSound", Str, "The sound associated with the resolved notification."),
            f("title", "title", Str, "The templated title of the message."),
            f("message", "message", Str, "The templated notification message content."),
            f("upload_image", "uploadImage", Bool, "Whether to send images in the notification (default true)."),
        ],
    },
    Notifier {
        block: "sensugo",
        kind: "sensugo",
        desc: "A contact point that sends notifications to SensuGo.",
        fields: &[
            req(f("url", "url", Str, "The SensuGo URL to send requests to.")),
            req(secret(f("api_key", "apikey", Str, "The SensuGo API key."))),
            f("entity", "entity", Str, "The entity being monitored."),
            f("check", "check", Str, "The SensuGo check to which the event should be routed."),
            f("namespace", "namespace", Str, "The namespace in which the check resides."),
            f("handler", "handler", Str, "A custom handler to execute in addition to the check."),
            f("message", "message", Str, "Templated message content describing the alert."),
        ],
    },
    Notifier {
        block: "slack",
        kind: "slack",
        desc: "A contact point that sends notifications to Slack.",
        fields: &[
            f("endpoint_url", "endpointUrl", Str, "Overrides the Slack API endpoint URL to send requests to."),
            secret(f("url", "url", Str, "A Slack webhook URL, for sending messages through the webhook method.")),
            secret(f("token", "token", Str, "A Slack API token, for sending messages directly.")),
            f("recipient", "recipient", Str, "Channel, private group, or IM channel to send messages to."),
            f("text", "text", Str, "Templated content of the message."),
            f("title", "title", Str, "Templated title of the message."),
            f("username", "username", Str, "Username for the bot to use."),
            f("icon_emoji", "icon_emoji", Str, "The name of a Slack workspace emoji to use as the bot icon."),
            f("icon_url", "icon_url", Str, "A URL of an image to use as the bot icon."),
            f("mention_channel", "mentionChannel", Str, "`here` for an @here ping, `channel` for @channel, or empty."),
            f("mention_users", "mentionUsers", Str, "Comma-separated list of users to mention in the message."),
            f("mention_groups", "mentionGroups", Str, "Comma-separated list of groups to mention in the message."),
        ],
    },
    Notifier {
        block: "sns",
        kind: "sns",
        desc: "A contact point that sends notifications to Amazon SNS. On AMG, a topic with no keys is published to \
            with the workspace's IAM role.",
        fields: &[
            req(f("topic", "topic", Str, "The ARN of the Amazon SNS topic to send notifications to.")),
            def(
                f(
                    "auth_provider",
                    "authProvider",
                    Str,
                    "`default` (the workspace's IAM role on AMG), `arn` or `keys`.",
                ),
                Default::Str("default"),
            ),
            secret(f("access_key", "accessKey", Str, "AWS access key ID used to authenticate with Amazon SNS.")),
            secret(f("secret_key", "secretKey", Str, "AWS secret access key used to authenticate with Amazon SNS.")),
            f("assume_role_arn", "assumeRoleARN", Str, "The ARN of the role to assume to send to Amazon SNS."),
            def(
                f("message_format", "messageFormat", Str, "`text`, `body` or `json` (Grafana before 10.4 only)."),
                Default::Str("text"),
            ),
            f("body", "body", Str, "The templated message."),
            f("subject", "subject", Str, "The templated subject."),
            f("external_id", "externalId", Str, "The external ID to use when assuming the role."),
        ],
    },
    Notifier {
        block: "teams",
        kind: "teams",
        desc: "A contact point that sends notifications to Microsoft Teams.",
        fields: &[
            req(secret(f("url", "url", Str, "A Teams webhook URL."))),
            f("message", "message", Str, "The templated message content to send."),
            f("title", "title", Str, "The templated title of the message."),
            f("section_title", "sectiontitle", Str, "The templated subtitle for each message section."),
        ],
    },
    Notifier {
        block: "telegram",
        kind: "telegram",
        desc: "A contact point that sends notifications to Telegram.",
        fields: &[
            req(secret(f("token", "bottoken", Str, "The Telegram bot token."))),
            req(f("chat_id", "chatid", Str, "The chat ID to send messages to.")),
            f("message", "message", Str, "The templated content of the message."),
            f("message_thread_id", "message_thread_id", Str, "The ID of the message thread to send the message to."),
            f("parse_mode", "parse_mode", Str, "`None`, `Markdown`, `MarkdownV2` or `HTML` (the default)."),
            f("disable_web_page_preview", "disable_web_page_preview", Bool, "Disables link previews in the message."),
            f("protect_content", "protect_content", Bool, "Protects the message from forwarding and saving."),
            f("disable_notifications", "disable_notifications", Bool, "Users receive a notification with no sound."),
        ],
    },
    Notifier {
        block: "threema",
        kind: "threema",
        desc: "A contact point that sends notifications to Threema.",
        fields: &[
            req(f("gateway_id", "gateway_id", Str, "The Threema gateway ID.")),
            req(f("recipient_id", "recipient_id", Str, "The ID of the recipient of the message.")),
            req(secret(f("api_secret", "api_secret", Str, "The Threema API key."))),
            f("title", "title", Str, "The templated title of the message."),
            f("description", "description", Str, "The templated description of the message."),
        ],
    },
    Notifier {
        block: "victorops",
        kind: "victorops",
        desc: "A contact point that sends notifications to VictorOps (now Splunk On-Call).",
        fields: &[
            req(f("url", "url", Str, "The VictorOps webhook URL.")),
            f("message_type", "messageType", Str, "The VictorOps alert state, typically `CRITICAL` or `RECOVERY`."),
            f("title", "title", Str, "Templated title to display."),
            f("description", "description", Str, "Templated description of the message."),
        ],
    },
    Notifier {
        block: "webex",
        kind: "webex",
        desc: "A contact point that sends notifications to Cisco Webex.",
        fields: &[
            secret(f("token", "bot_token", Str, "The bearer token used to authorize the client.")),
            f("api_url", "api_url", Str, "The URL to send webhook requests to."),
            f("message", "message", Str, "The templated title of the message to send."),
            f("room_id", "room_id", Str, "ID of the Webex Teams room where to send the messages."),
        ],
    },
    Notifier {
        block: "webhook",
        kind: "webhook",
        desc: "A contact point that sends notifications to an arbitrary webhook, in the Prometheus webhook format.",
        fields: WEBHOOK_FIELDS,
    },
    Notifier {
        block: "wecom",
        kind: "wecom",
        desc: "A contact point that sends notifications to WeCom.",
        fields: &[
            secret(f("url", "url", Str, "The WeCom webhook URL. Required if using GroupRobot.")),
            secret(f("secret", "secret", Str, "The secret key required to obtain an access token when using APIAPP.")),
            f("corp_id", "corp_id", Str, "Corp ID used to get a token when using APIAPP."),
            f("agent_id", "agent_id", Str, "Agent ID added to the request payload when using APIAPP."),
            f("message", "message", Str, "The templated content of the message to send."),
            f("title", "title", Str, "The templated title of the message to send."),
            f("msg_type", "msgtype", Str, "The type of the message: `markdown` or `text` (the default)."),
            f(
                "to_user",
                "touser",
                Str,
                "The ids of the users to receive the message, separated by `|`. Default: @all.",
            ),
        ],
    },
];

/// The notifier for a Grafana integration type.
pub fn by_kind(kind: &str) -> Option<&'static Notifier> {
    NOTIFIERS.iter().find(|n| n.kind.eq_ignore_ascii_case(kind))
}

/// The nested block attributes of `responders` and `tls_config`: (name, Grafana key, sensitive, description).
pub const RESPONDER: &[(&str, &str, bool, &str)] = &[
    ("type", "type", false, "Type of the responder: team, teams, user, escalation, schedule or a template."),
    ("name", "name", false, "Name of the responder. Must be specified if username and id are empty."),
    ("username", "username", false, "User name of the responder. Must be specified if name and id are empty."),
    ("id", "id", false, "ID of the responder. Must be specified if name and username are empty."),
];

pub const TLS: &[(&str, &str, bool, &str)] = &[
    ("ca_certificate", "caCertificate", true, "The CA certificate to use when verifying the server's certificate."),
    ("client_certificate", "clientCertificate", true, "The client certificate to use when connecting to the server."),
    ("client_key", "clientKey", true, "The client key to use when connecting to the server."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_twenty_two_block_types_each_once() {
        let mut blocks: Vec<&str> = NOTIFIERS.iter().map(|n| n.block).collect();
        assert_eq!(blocks.len(), 22);
        blocks.sort();
        blocks.dedup();
        assert_eq!(blocks.len(), 22, "a block type twice");
        for n in NOTIFIERS {
            let mut names: Vec<&str> = n.fields.iter().map(|f| f.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n.fields.len(), "{}: an attribute twice", n.block);
        }
    }
}
