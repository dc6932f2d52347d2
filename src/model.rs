//! Typed resource models: each resource and data source declares its attributes once, as a
//! struct with [`model!`], and decodes a configuration, plan or state into it once per call
//! and encodes it back once. A misspelt attribute is then a compile error, not a null that
//! surfaces as Terraform's "inconsistent result" error.
//!
//! The struct and the schema cannot drift apart unnoticed: [`Model::attributes`] lists the
//! struct's names and types, and a unit test (`resources::tests`, `data_sources::tests`) checks
//! them against every type's schema.

use std::collections::BTreeMap;

use crate::value::{Number, Type, Unknown, Value};

/// One attribute's value: null, not known until apply, or known.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Attr<T> {
    #[default]
    Null,
    /// Kept with its refinements, so a value passed through is sent back byte for byte.
    Unknown(Unknown),
    /// Known, but holding values not known until apply (a map with an unknown element, at
    /// plan time): passed through as it came, and read as unknown.
    Partial(Value),
    Known(T),
}

impl<T> Attr<T> {
    pub fn unknown() -> Attr<T> {
        Attr::Unknown(Unknown::default())
    }
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }
    /// Not known until apply, wholly or in part.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown(_) | Attr::Partial(_))
    }
    /// `Some` as known, `None` as null.
    pub fn from_option(v: Option<T>) -> Attr<T> {
        v.map_or(Attr::Null, Attr::Known)
    }
}

impl Attr<String> {
    /// The string, if known.
    pub fn as_str(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl Attr<bool> {
    /// The flag, false unless known to be true.
    pub fn is_true(&self) -> bool {
        self.known() == Some(&true)
    }
}

impl<T> From<T> for Attr<T> {
    fn from(v: T) -> Attr<T> {
        Attr::Known(v)
    }
}

impl From<&str> for Attr<String> {
    fn from(v: &str) -> Attr<String> {
        Attr::Known(v.to_string())
    }
}

/// A Rust type an attribute holds, with its Terraform type and its wire conversions.
pub trait AttrType: Sized {
    fn ty() -> Type;
    /// `None` when the value is not of this type (it cannot be, once decoded against the schema).
    fn from_value(v: &Value) -> Option<Self>;
    fn to_value(&self) -> Value;
}

impl AttrType for String {
    fn ty() -> Type {
        Type::String
    }
    fn from_value(v: &Value) -> Option<String> {
        v.as_str().map(str::to_string)
    }
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl AttrType for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn from_value(v: &Value) -> Option<bool> {
        v.as_bool()
    }
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl AttrType for i64 {
    fn ty() -> Type {
        Type::Number
    }
    fn from_value(v: &Value) -> Option<i64> {
        v.as_i64()
    }
    fn to_value(&self) -> Value {
        Value::Number(Number::Int(*self))
    }
}

impl AttrType for Number {
    fn ty() -> Type {
        Type::Number
    }
    fn from_value(v: &Value) -> Option<Number> {
        match v {
            Value::Number(n) => Some(n.clone()),
            _ => None,
        }
    }
    fn to_value(&self) -> Value {
        Value::Number(self.clone())
    }
}

impl AttrType for std::collections::BTreeSet<String> {
    fn ty() -> Type {
        Type::set(Type::String)
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Set(xs) => xs.iter().map(|x| x.as_str().map(str::to_string)).collect(),
            _ => None,
        }
    }
    fn to_value(&self) -> Value {
        Value::Set(self.iter().map(|s| Value::String(s.clone())).collect())
    }
}

impl AttrType for BTreeMap<String, String> {
    fn ty() -> Type {
        Type::map(Type::String)
    }
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Map(m) => m.iter().map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect(),
            _ => None,
        }
    }
    fn to_value(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
    }
}

impl AttrType for Vec<String> {
    fn ty() -> Type {
        Type::list(Type::String)
    }
    fn from_value(v: &Value) -> Option<Vec<String>> {
        v.as_list()?.iter().map(|x| x.as_str().map(str::to_string)).collect()
    }
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(|s| Value::String(s.clone())).collect())
    }
}

/// A list of objects, each a [`Model`]: a list block (`rule { … } rule { … }`), or a computed
/// list of objects (search hits, say).
impl<M: Model> AttrType for Vec<M> {
    fn ty() -> Type {
        Type::list(object_of::<M>())
    }
    fn from_value(v: &Value) -> Option<Vec<M>> {
        match v {
            Value::List(xs) => Some(xs.iter().map(M::decode).collect()),
            _ => None,
        }
    }
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(M::encode).collect())
    }
}

/// A set of objects, each a [`Model`]: a set block (`matcher { … }`), whose order means nothing.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SetOf<M>(pub Vec<M>);

impl<M: Model> AttrType for SetOf<M> {
    fn ty() -> Type {
        Type::set(object_of::<M>())
    }
    fn from_value(v: &Value) -> Option<SetOf<M>> {
        match v {
            Value::Set(xs) => Some(SetOf(xs.iter().map(M::decode).collect())),
            _ => None,
        }
    }
    fn to_value(&self) -> Value {
        Value::Set(self.0.iter().map(M::encode).collect())
    }
}

/// One object, a [`Model`]: a single block (`email { … }`), null when the configuration has none.
impl<M: Model> AttrType for M {
    fn ty() -> Type {
        object_of::<M>()
    }
    fn from_value(v: &Value) -> Option<M> {
        matches!(v, Value::Object(_)).then(|| M::decode(v))
    }
    fn to_value(&self) -> Value {
        self.encode()
    }
}

fn object_of<M: Model>() -> Type {
    Type::Object(M::attributes().into_iter().map(|(k, t)| (k.to_string(), t)).collect())
}

impl<T: AttrType> Attr<T> {
    pub fn decode(v: &Value) -> Attr<T> {
        match v {
            Value::Null => Attr::Null,
            Value::Unknown(u) => Attr::Unknown(u.clone()),
            v => match T::from_value(v) {
                Some(x) => Attr::Known(x),
                None if !v.is_wholly_known() => Attr::Partial(v.clone()),
                None => Attr::Null,
            },
        }
    }
    pub fn encode(&self) -> Value {
        match self {
            Attr::Null => Value::Null,
            Attr::Unknown(u) => Value::Unknown(u.clone()),
            Attr::Partial(v) => v.clone(),
            Attr::Known(v) => v.to_value(),
        }
    }
}

/// A whole value seen through a model's attribute names, borrowed: `Model::view(&v).uid()` reads
/// one attribute without decoding (copying) the others, which a dashboard's text makes costly.
pub struct View<'a, M> {
    pub(crate) value: &'a Value,
    _model: std::marker::PhantomData<M>,
}

/// A whole value edited through a model's attribute names: `Model::edit(&mut v).uid(x)`.
pub struct Edit<'a, M> {
    pub(crate) value: &'a mut Value,
    _model: std::marker::PhantomData<M>,
}

/// A struct of attributes, declared with [`model!`].
pub trait Model: Sized {
    /// `v`'s attributes by this model's names, borrowed.
    fn view(v: &Value) -> View<'_, Self> {
        View { value: v, _model: std::marker::PhantomData }
    }
    /// `v`'s attributes by this model's names, to set in place.
    fn edit(v: &mut Value) -> Edit<'_, Self> {
        Edit { value: v, _model: std::marker::PhantomData }
    }
    /// Every attribute's name and type, in declaration order.
    fn attributes() -> Vec<(&'static str, Type)>;
    /// From a whole object value (configuration, plan or state).
    fn decode(v: &Value) -> Self;
    /// Back to a whole object value.
    fn encode(&self) -> Value;
}

/// Declares a model struct: each field an [`Attr`] named as the attribute (or as the string
/// after `=`, for an attribute whose name is a Rust keyword: `kind = "type": String`), and its
/// [`Model`] implementation.
#[macro_export]
macro_rules! model {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $( $field:ident $(= $attr:literal)? : $ty:ty ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Default)]
        $vis struct $name {
            $( pub $field: $crate::model::Attr<$ty>, )*
        }

        /// Secret attributes ([`$crate::model::is_secret`]) show as `***`.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut s = f.debug_struct(stringify!($name));
                $(
                    let name = $crate::attr_name!($field $($attr)?);
                    if $crate::model::is_secret(name) && matches!(self.$field, $crate::model::Attr::Known(_)) {
                        s.field(name, &"***");
                    } else {
                        s.field(name, &self.$field);
                    }
                )*
                s.finish()
            }
        }

        /// Each attribute of a whole value, borrowed (no copy of the model): for hot paths.
        #[allow(dead_code, reason = "one accessor per attribute; hot paths use a few")]
        impl<'a> $crate::model::View<'a, $name> {
            $(
                pub fn $field(&self) -> &'a $crate::value::Value {
                    self.value.get($crate::attr_name!($field $($attr)?))
                }
            )*
        }

        /// Each attribute of a whole value, set in place (no copy of the rest of the model).
        #[allow(dead_code, reason = "one setter per attribute; hot paths use a few")]
        impl<'a> $crate::model::Edit<'a, $name> {
            $(
                pub fn $field(&mut self, v: $crate::value::Value) {
                    self.value.set($crate::attr_name!($field $($attr)?), v)
                }
            )*
        }

        impl $crate::model::Model for $name {
            fn attributes() -> Vec<(&'static str, $crate::value::Type)> {
                vec![$( ($crate::attr_name!($field $($attr)?), <$ty as $crate::model::AttrType>::ty()) ),*]
            }
            fn decode(v: &$crate::value::Value) -> Self {
                $name { $( $field: $crate::model::Attr::decode(v.get($crate::attr_name!($field $($attr)?))), )* }
            }
            fn encode(&self) -> $crate::value::Value {
                $crate::value::Value::object([$( ($crate::attr_name!($field $($attr)?), self.$field.encode()) ),*])
            }
        }
    };
}

/// Whether an attribute holds a secret, by the names the schemas give them (write-only
/// `_wo` attributes, `secure_json_data…`, tokens, passwords, keys, header values): a model's
/// `Debug` never shows those values.
pub fn is_secret(name: &str) -> bool {
    name.ends_with("_wo")
        || name.starts_with("secure_json_data")
        || name.contains("password")
        || name.contains("token")
        || matches!(name, "auth" | "tls_key" | "http_headers")
}

/// An attribute's name in [`model!`]: the field's, or the one given.
#[macro_export]
#[doc(hidden)]
macro_rules! attr_name {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident $attr:literal) => {
        $attr
    };
}

/// Checks a model against a schema: the same attribute and block names with the same types
/// (a list block is a `Vec` of its model, a set block a [`SetOf`] it, a single block the model).
/// The unit tests of `resources` and `data_sources` run it for every type.
pub fn check_against_schema(
    type_name: &str,
    model: Vec<(&'static str, Type)>,
    schema: &crate::schema::Schema,
) -> Result<(), String> {
    let from_model: BTreeMap<&str, Type> = model.into_iter().collect();
    let attributes = schema.attributes.iter().map(|a| (a.name, a.ty()));
    let from_schema: BTreeMap<&str, Type> = attributes.chain(schema.blocks.iter().map(|b| (b.name, b.ty()))).collect();
    if from_model == from_schema {
        Ok(())
    } else {
        Err(format!("{type_name}: the model has {from_model:?}, the schema {from_schema:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    model! {
        struct Probe {
            name: String,
            flag: bool,
            count: i64,
            labels: BTreeMap<String, String>,
        }
    }

    model! {
        struct Window {
            from: i64,
        }
    }
    model! {
        struct Rule {
            title: String,
            window: Window,
        }
    }
    model! {
        struct Matcher {
            label: String,
        }
    }
    model! {
        struct WithBlocks {
            name: String,
            rule: Vec<Rule>,
            matcher: SetOf<Matcher>,
        }
    }

    #[test]
    fn blocks_decode_into_typed_models_and_match_their_schema() {
        use crate::schema::{Attribute, Block, Schema};
        let schema = Schema::new("", vec![Attribute::string("name").required()]).with_blocks(vec![
            Block::list("rule", vec![Attribute::string("title").required()])
                .blocks(vec![Block::single("window", vec![Attribute::number("from").optional()])]),
            Block::set("matcher", vec![Attribute::string("label").required()]),
        ]);
        check_against_schema("probe", WithBlocks::attributes(), &schema).unwrap();
        let v = Value::object([
            ("name", Value::string("n")),
            (
                "rule",
                Value::List(vec![
                    Value::object([
                        ("title", Value::string("a")),
                        ("window", Value::object([("from", Value::int(60))])),
                    ]),
                    Value::object([("title", Value::string("b")), ("window", Value::Null)]),
                ]),
            ),
            ("matcher", Value::Set(vec![Value::object([("label", Value::string("team"))])])),
        ]);
        let m = WithBlocks::decode(&v);
        let rules = m.rule.known().unwrap();
        assert_eq!(rules[0].window.known().and_then(|w| w.from.known()), Some(&60));
        assert!(rules[1].window.is_null(), "an absent single block is null");
        assert_eq!(m.matcher.known().unwrap().0[0].label.as_str(), Some("team"));
        assert_eq!(m.encode(), v);

        // A block the model lacks, or of another nesting, is caught by the same check.
        let mut other = schema.clone();
        other.blocks[1] = Block::list("matcher", vec![Attribute::string("label").required()]);
        assert!(check_against_schema("probe", WithBlocks::attributes(), &other).is_err());
        other.blocks.pop();
        assert!(check_against_schema("probe", WithBlocks::attributes(), &other).is_err());
    }

    #[test]
    fn decode_and_encode_round_trip_null_unknown_and_known() {
        let refined = Unknown { code: 12, data: vec![0x81, 0x01, 0xc3] };
        let v = Value::object([
            ("name", Value::string("a")),
            ("flag", Value::Unknown(refined.clone())),
            ("count", Value::int(3)),
            ("labels", Value::Null),
        ]);
        let m = Probe::decode(&v);
        assert_eq!(m.name.as_str(), Some("a"));
        assert_eq!(m.flag, Attr::Unknown(refined));
        assert_eq!(m.count.known(), Some(&3));
        assert!(m.labels.is_null());
        assert_eq!(m.encode(), v, "refinements and nulls are sent back as they came");
        assert_eq!(
            Probe::attributes(),
            vec![
                ("name", Type::String),
                ("flag", Type::Bool),
                ("count", Type::Number),
                ("labels", Type::map(Type::String))
            ]
        );
    }
}
