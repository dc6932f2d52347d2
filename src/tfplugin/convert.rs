//! `from_proto` / `to_proto`: the only conversions between generated protobuf types and the
//! provider's own [`Value`], [`Schema`] and [`Diagnostics`].

use super::pb;
use crate::diag::{AttrPath, Diagnostic, Diagnostics, Severity, Step};
use crate::schema::{Attribute, Block, BlockNesting, IdentitySchema, Nesting, Schema};
use crate::value::{Type, Value};

// ---- from_proto ----

/// Decodes a `DynamicValue` (msgpack, or JSON where Terraform sends JSON).
pub fn value(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str, diags: &mut Diagnostics) -> Value {
    let Some(dv) = dv else { return Value::Null };
    let r = if !dv.msgpack.is_empty() || dv.json.is_empty() {
        Value::from_msgpack(&dv.msgpack, ty)
    } else {
        Value::from_json(&dv.json, ty)
    };
    r.unwrap_or_else(|e| {
        diags.push(Diagnostic::error(
            format!("Could not decode the {what}"),
            format!("{e}. This is a bug in the provider or a Terraform version it does not support."),
        ));
        Value::Null
    })
}

pub fn identity(
    id: Option<&pb::ResourceIdentityData>,
    schema: Option<&IdentitySchema>,
    diags: &mut Diagnostics,
) -> Value {
    match (id.and_then(|i| i.identity_data.as_ref()), schema) {
        (Some(dv), Some(s)) => value(Some(dv), &s.ty(), "resource identity", diags),
        _ => Value::Null,
    }
}

pub fn write_only_allowed(c: Option<&pb::ClientCapabilities>) -> bool {
    c.is_some_and(|c| c.write_only_attributes_allowed)
}

// ---- to_proto ----

pub fn dynamic(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue { msgpack: v.to_msgpack(ty), json: Vec::new() })
}

pub fn identity_data(v: Option<Value>, schema: Option<&IdentitySchema>) -> Option<pb::ResourceIdentityData> {
    let (v, s) = (v?, schema?);
    Some(pb::ResourceIdentityData { identity_data: dynamic(&v, &s.ty()) })
}

pub fn diagnostics(d: Diagnostics) -> Vec<pb::Diagnostic> {
    d.0.into_iter().map(diagnostic).collect()
}

fn diagnostic(d: Diagnostic) -> pb::Diagnostic {
    use pb::diagnostic::Severity as S;
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => S::Error,
            Severity::Warning => S::Warning,
        } as i32,
        summary: d.summary,
        detail: d.detail,
        attribute: d.path.map(path),
    }
}

pub fn path(p: AttrPath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .into_iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    Step::Attr(a) => Selector::AttributeName(a),
                    Step::Key(k) => Selector::ElementKeyString(k),
                    Step::Index(i) => Selector::ElementKeyInt(i),
                }),
            })
            .collect(),
    }
}

pub fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(pb::schema::Block {
            version: s.version,
            attributes: s.attributes.iter().map(attribute).collect(),
            block_types: s.blocks.iter().map(nested_block).collect(),
            description: s.description.to_string(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
            deprecation_message: String::new(),
        }),
    }
}

fn nested_block(b: &Block) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as M;
    pb::schema::NestedBlock {
        type_name: b.name.to_string(),
        block: Some(pb::schema::Block {
            version: 0,
            attributes: b.attributes.iter().map(attribute).collect(),
            block_types: b.blocks.iter().map(nested_block).collect(),
            description: b.description.to_string(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: b.deprecation.is_some(),
            deprecation_message: b.deprecation.unwrap_or_default().to_string(),
        }),
        nesting: match b.nesting {
            BlockNesting::Single => M::Single,
            BlockNesting::List => M::List,
            BlockNesting::Set => M::Set,
        } as i32,
        min_items: b.min_items,
        max_items: b.max_items,
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    use crate::schema::Presence as P;
    let (required, optional, computed) = match a.presence {
        P::Required => (true, false, false),
        P::Optional => (false, true, false),
        P::Computed => (false, false, true),
        P::OptionalComputed => (false, true, true),
    };
    let nested_type = a.nested.as_ref().map(|n| {
        use pb::schema::object::NestingMode as M;
        pb::schema::Object {
            attributes: n.attributes.iter().map(attribute).collect(),
            nesting: match n.nesting {
                Nesting::Single => M::Single,
                Nesting::List => M::List,
                Nesting::Set => M::Set,
                Nesting::Map => M::Map,
            } as i32,
        }
    });
    pb::schema::Attribute {
        name: a.name.to_string(),
        r#type: if nested_type.is_some() { Vec::new() } else { type_json(&a.ty) },
        nested_type,
        description: a.description.to_string(),
        required,
        optional,
        computed,
        sensitive: a.sensitive,
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: a.deprecation.is_some(),
        write_only: a.write_only,
        deprecation_message: a.deprecation.unwrap_or_default().to_string(),
    }
}

pub fn identity_schema(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.to_string(),
                r#type: type_json(&a.ty),
                required_for_import: a.required_for_import,
                optional_for_import: !a.required_for_import,
                description: a.description.to_string(),
            })
            .collect(),
    }
}

fn type_json(t: &Type) -> Vec<u8> {
    t.to_json().to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_conversion_carries_every_attribute_property() {
        let s = Schema::new(
            "desc",
            vec![
                Attribute::string("secret").optional().sensitive().write_only().describe("A secret."),
                Attribute::string("old").optional().deprecated("Use `new`.").describe("Old."),
                Attribute::nested(
                    "rules",
                    Nesting::List,
                    vec![Attribute::string("name").required(), Attribute::number("weight").optional()],
                )
                .optional(),
            ],
        );
        let pb = schema(&s);
        let block = pb.block.unwrap();
        assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
        let by = |n: &str| block.attributes.iter().find(|a| a.name == n).unwrap().clone();
        let secret = by("secret");
        assert!(secret.write_only && secret.sensitive && secret.optional && !secret.required);
        assert_eq!(secret.r#type, br#""string""#);
        let old = by("old");
        assert!(old.deprecated);
        assert_eq!(old.deprecation_message, "Use `new`.");
        let rules = by("rules");
        assert!(rules.r#type.is_empty(), "a nested attribute has no plain type");
        let nested = rules.nested_type.unwrap();
        assert_eq!(nested.nesting, pb::schema::object::NestingMode::List as i32);
        assert_eq!(nested.attributes.len(), 2);
        assert!(nested.attributes.iter().any(|a| a.name == "name" && a.required));
        // The value type of a nested list attribute is a list of objects.
        assert_eq!(
            s.attributes[2].ty().to_json(),
            serde_json::json!(["list", ["object", {"name": "string", "weight": "number"}]])
        );
    }

    #[test]
    fn schema_conversion_carries_nested_blocks_with_their_nesting_and_bounds() {
        let s = Schema::new("desc", vec![Attribute::string("name").required()]).with_blocks(vec![
            Block::list("rule", vec![Attribute::string("title").required()])
                .min_items(1)
                .describe("A rule.")
                .blocks(vec![Block::single("window", vec![Attribute::number("from").optional()]).max_items(1)]),
            Block::set("matcher", vec![Attribute::string("label").required()]),
        ]);
        let block = schema(&s).block.unwrap();
        assert_eq!(block.attributes.len(), 1, "blocks are not attributes");
        let rule = &block.block_types[0];
        assert_eq!((rule.type_name.as_str(), rule.nesting, rule.min_items, rule.max_items), ("rule", 2, 1, 0));
        let inner = rule.block.as_ref().unwrap();
        assert_eq!(inner.description, "A rule.");
        assert_eq!(inner.attributes[0].name, "title");
        let window = &inner.block_types[0];
        assert_eq!((window.type_name.as_str(), window.nesting, window.max_items), ("window", 1, 1));
        let matcher = &block.block_types[1];
        assert_eq!(matcher.nesting, pb::schema::nested_block::NestingMode::Set as i32);
        // The value of the whole: blocks are a list, a set and an object beside the attributes.
        assert_eq!(
            s.ty().to_json(),
            serde_json::json!(["object", {
                "name": "string",
                "rule": ["list", ["object", {"title": "string", "window": ["object", {"from": "number"}]}]],
                "matcher": ["set", ["object", {"label": "string"}]],
            }])
        );
        // And a value of it goes over the wire and back as Terraform sends it.
        let v = Value::object([
            ("name", Value::string("n")),
            (
                "rule",
                Value::List(vec![Value::object([
                    ("title", Value::string("t")),
                    ("window", Value::object([("from", Value::int(600))])),
                ])]),
            ),
            ("matcher", Value::Set(vec![Value::object([("label", Value::string("team"))])])),
        ]);
        let wire = dynamic(&v, &s.ty()).unwrap();
        assert_eq!(value(Some(&wire), &s.ty(), "state", &mut Diagnostics::default()), v);
    }
}
