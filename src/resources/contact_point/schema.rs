//! The receiver blocks' schema, made from the notifier table: a block per type, an attribute
//! per field, `responders` and `tls_config` as nested blocks.

use super::notifiers::{self, DISABLE_RESOLVE_MESSAGE, Field, Kind, Notifier, RESPONDER, SETTINGS, TLS, UID};
use crate::schema::{Attribute, Block};
use crate::value::{Type, Value};

/// One receiver block type's schema, from the table.
pub fn receiver_block(n: &Notifier) -> Block {
    let mut attrs = vec![
        Attribute::string(UID).computed().use_state_for_unknown().describe("The UID of the integration."),
        Attribute::bool(DISABLE_RESOLVE_MESSAGE)
            .default(Value::Bool(false))
            .describe("Whether to disable sending resolve messages."),
        Attribute::of(SETTINGS, Type::map(Type::String))
            .default(Value::Map(Default::default()))
            .sensitive()
            .describe("Additional custom properties to attach to the notifier."),
    ];
    let mut blocks = Vec::new();
    for f in n.fields {
        match f.kind {
            Kind::Responders => blocks.push(Block::list(f.name, nested_attrs(RESPONDER, true)).describe(f.desc)),
            Kind::Tls => {
                let mut tls = nested_attrs(TLS, false);
                tls.insert(
                    0,
                    Attribute::bool("insecure_skip_verify")
                        .default(Value::Bool(false))
                        .describe("Whether to skip verification of the server's certificate chain and host name."),
                );
                blocks.push(Block::set(f.name, tls).describe(f.desc));
            }
            _ => attrs.push(attribute(f)),
        }
    }
    Block::set(n.block, attrs).blocks(blocks).describe(n.desc)
}

fn attribute(f: &Field) -> Attribute {
    let a = match f.kind {
        Kind::Bool => Attribute::bool(f.name),
        Kind::Int | Kind::IntText => Attribute::number(f.name),
        Kind::Addresses => Attribute::of(f.name, Type::list(Type::String)),
        Kind::Map => Attribute::of(f.name, Type::map(Type::String)),
        _ => Attribute::string(f.name),
    };
    let a = match f.default {
        notifiers::Default::None if f.required => a.required(),
        notifiers::Default::None => a.optional(),
        notifiers::Default::Str(s) => a.default(Value::string(s)),
        notifiers::Default::Bool(b) => a.default(Value::Bool(b)),
        notifiers::Default::Int(i) => a.default(Value::int(i)),
    };
    let a = if f.secret { a.sensitive() } else { a };
    a.describe(f.desc)
}

fn nested_attrs(fields: &[(&'static str, &str, bool, &'static str)], first_required: bool) -> Vec<Attribute> {
    fields
        .iter()
        .enumerate()
        .map(|(i, (name, _, secret, desc))| {
            let a = Attribute::string(name);
            let a = if first_required && i == 0 { a.required() } else { a.optional() };
            let a = if *secret { a.sensitive() } else { a };
            a.describe(desc)
        })
        .collect()
}
