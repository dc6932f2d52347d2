//! Declarative schemas: what a provider, resource or data source accepts and stores.
//!
//! Descriptions are Markdown and are the documentation: `terraform providers schema -json`
//! shows them, and `docs/` is rendered from them. Plan behaviour that belongs to one attribute
//! (requires replace, keep the prior value while unknown, a default) is declared here too, so
//! the resource files stay declarative. This module does not know protobuf; `tfplugin` converts.

use std::collections::BTreeMap;

use crate::value::{Type, Value};

/// A resource, data source or provider schema: attributes, and nested blocks
/// (`rule { data { relative_time_range {} } }`) as the official provider's configurations write them.
#[derive(Clone, Debug)]
pub struct Schema {
    pub version: i64,
    pub description: &'static str,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
}

impl Schema {
    pub fn new(description: &'static str, attributes: Vec<Attribute>) -> Schema {
        Schema { version: 0, description, attributes, blocks: Vec::new() }
    }

    /// The nested blocks of this schema.
    pub fn with_blocks(mut self, blocks: Vec<Block>) -> Schema {
        self.blocks = blocks;
        self
    }

    /// The object type of a whole value of this schema.
    pub fn ty(&self) -> Type {
        object_type(&self.attributes, &self.blocks)
    }
}

/// The object of a schema or block body: its attributes and blocks, each by name.
fn object_type(attributes: &[Attribute], blocks: &[Block]) -> Type {
    let attrs = attributes.iter().map(|a| (a.name.to_string(), a.ty()));
    Type::Object(attrs.chain(blocks.iter().map(|b| (b.name.to_string(), b.ty()))).collect())
}

/// How a block repeats (protocol 6 `NestedBlock.nesting`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockNesting {
    /// At most one (`email {}`): an object, null when the configuration has none.
    Single,
    /// Any number, in order (`rule {}`): a list, empty when there is none.
    List,
    /// Any number, order meaningless (`matcher {}`): a set; reordering plans no change.
    Set,
}

/// A nested block: a body of attributes and blocks of its own.
#[derive(Clone, Debug)]
pub struct Block {
    pub name: &'static str,
    pub description: &'static str,
    pub nesting: BlockNesting,
    /// Checked by Terraform against the configuration (0: no bound).
    pub min_items: i64,
    pub max_items: i64,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
    pub deprecation: Option<&'static str>,
}

#[allow(
    dead_code,
    reason = "single blocks and block bounds are served to Terraform and tested; contact points are the first to use \
        them"
)]
impl Block {
    fn new(name: &'static str, nesting: BlockNesting, attributes: Vec<Attribute>) -> Block {
        let (min_items, max_items) = (0, 0);
        Block {
            name,
            description: "",
            nesting,
            min_items,
            max_items,
            attributes,
            blocks: Vec::new(),
            deprecation: None,
        }
    }
    pub fn single(name: &'static str, attributes: Vec<Attribute>) -> Block {
        Block::new(name, BlockNesting::Single, attributes)
    }
    pub fn list(name: &'static str, attributes: Vec<Attribute>) -> Block {
        Block::new(name, BlockNesting::List, attributes)
    }
    pub fn set(name: &'static str, attributes: Vec<Attribute>) -> Block {
        Block::new(name, BlockNesting::Set, attributes)
    }
    /// Blocks nested in this one.
    pub fn blocks(mut self, blocks: Vec<Block>) -> Block {
        self.blocks = blocks;
        self
    }
    pub fn min_items(mut self, n: i64) -> Block {
        self.min_items = n;
        self
    }
    pub fn max_items(mut self, n: i64) -> Block {
        self.max_items = n;
        self
    }
    pub fn describe(mut self, markdown: &'static str) -> Block {
        self.description = markdown;
        self
    }
    #[allow(dead_code, reason = "a schema capability the protocol layer carries; no block is deprecated yet")]
    pub fn deprecated(mut self, message: &'static str) -> Block {
        self.deprecation = Some(message);
        self
    }

    /// The type of the block's value: one object, or a list or set of them.
    pub fn ty(&self) -> Type {
        let obj = object_type(&self.attributes, &self.blocks);
        match self.nesting {
            BlockNesting::Single => obj,
            BlockNesting::List => Type::list(obj),
            BlockNesting::Set => Type::set(obj),
        }
    }
}

/// How an attribute's value comes to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// The configuration must set it.
    Required,
    /// The configuration may set it; otherwise it is null (or its default).
    Optional,
    /// The provider sets it; the configuration cannot.
    Computed,
    /// The configuration may set it; otherwise the provider does.
    OptionalComputed,
}

/// Nested attributes (protocol 6 `nested_type`).
#[derive(Clone, Debug)]
pub struct Nested {
    pub nesting: Nesting,
    pub attributes: Vec<Attribute>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code, reason = "protocol 6 nesting modes, converted by tfplugin; no resource nests yet")]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: &'static str,
    pub ty: Type,
    pub nested: Option<Nested>,
    pub description: &'static str,
    pub presence: Presence,
    pub sensitive: bool,
    /// Sent by Terraform during plan and apply, never stored in state (Terraform ≥ 1.11, OpenTofu ≥ 1.11).
    pub write_only: bool,
    pub deprecation: Option<&'static str>,
    /// A change of this attribute destroys and re-creates the resource.
    pub requires_replace: bool,
    /// While computed and not configured, keep the prior state's value instead of planning unknown.
    pub use_state_for_unknown: bool,
    /// The value planned when the configuration leaves the attribute null (attribute must be optional + computed).
    pub default: Option<Value>,
}

impl Attribute {
    fn new(name: &'static str, ty: Type) -> Attribute {
        Attribute {
            name,
            ty,
            nested: None,
            description: "",
            presence: Presence::Optional,
            sensitive: false,
            write_only: false,
            deprecation: None,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
        }
    }
    pub fn string(name: &'static str) -> Attribute {
        Attribute::new(name, Type::String)
    }
    pub fn number(name: &'static str) -> Attribute {
        Attribute::new(name, Type::Number)
    }
    pub fn bool(name: &'static str) -> Attribute {
        Attribute::new(name, Type::Bool)
    }
    pub fn of(name: &'static str, ty: Type) -> Attribute {
        Attribute::new(name, ty)
    }
    #[allow(dead_code, reason = "a schema capability the protocol layer carries and tests; no attribute uses it yet")]
    pub fn nested(name: &'static str, nesting: Nesting, attributes: Vec<Attribute>) -> Attribute {
        let mut a = Attribute::new(name, Type::Bool);
        a.nested = Some(Nested { nesting, attributes });
        a.ty = a.ty();
        a
    }

    pub fn required(mut self) -> Self {
        self.presence = Presence::Required;
        self
    }
    pub fn optional(mut self) -> Self {
        self.presence = Presence::Optional;
        self
    }
    pub fn computed(mut self) -> Self {
        self.presence = Presence::Computed;
        self
    }
    pub fn optional_computed(mut self) -> Self {
        self.presence = Presence::OptionalComputed;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    #[allow(dead_code, reason = "a schema capability the protocol layer carries and tests; no attribute uses it yet")]
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    #[allow(dead_code, reason = "a schema capability the protocol layer carries and tests; no attribute uses it yet")]
    pub fn deprecated(mut self, message: &'static str) -> Self {
        self.deprecation = Some(message);
        self
    }
    pub fn describe(mut self, markdown: &'static str) -> Self {
        self.description = markdown;
        self
    }
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }
    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }
    /// Optional + computed with a default planned when the configuration leaves it null.
    pub fn default(mut self, v: Value) -> Self {
        self.presence = Presence::OptionalComputed;
        self.default = Some(v);
        self
    }

    pub fn is_computed(&self) -> bool {
        matches!(self.presence, Presence::Computed | Presence::OptionalComputed)
    }

    /// The type of the attribute's value (derived from the nested attributes, if any).
    pub fn ty(&self) -> Type {
        match &self.nested {
            None => self.ty.clone(),
            Some(n) => {
                let obj =
                    Type::Object(n.attributes.iter().map(|a| (a.name.to_string(), a.ty())).collect::<BTreeMap<_, _>>());
                match n.nesting {
                    Nesting::Single => obj,
                    Nesting::List => Type::list(obj),
                    Nesting::Set => Type::set(obj),
                    Nesting::Map => Type::map(obj),
                }
            }
        }
    }
}

/// What identifies a managed resource independently of its state (protocol 6.9, Terraform ≥ 1.12).
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
    pub required_for_import: bool,
}

impl IdentitySchema {
    pub fn ty(&self) -> Type {
        Type::Object(self.attributes.iter().map(|a| (a.name.to_string(), a.ty.clone())).collect())
    }
}
