//! Terraform values as the provider sees them, and their wire encodings.
//!
//! A [`Value`] is decoded from msgpack (what Terraform sends in every `DynamicValue`) or from JSON
//! (raw state in `UpgradeResourceState`) against a [`Type`], and encoded back to msgpack.
//! Unknown values keep their refinement bytes so they round-trip unchanged.
//! This module knows nothing of protobuf, gRPC or Grafana.

use std::collections::BTreeMap;

/// A Terraform type constraint, as written in schemas and in `type` JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// The JSON form Terraform uses for types in schemas: `"string"`, `["list","string"]`, `["object",{…}]`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<_, _> = attrs.iter().map(|(k, t)| (k.clone(), t.to_json())).collect();
                json!(["object", m])
            }
        }
    }
}

/// A Terraform number. Terraform numbers are arbitrary precision; those that fit neither `i64`
/// nor `f64` exactly travel as their decimal text.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
    Big(String),
}

impl Number {
    fn parse(s: &str) -> Number {
        if let Ok(i) = s.parse::<i64>() {
            return Number::Int(i);
        }
        match s.parse::<f64>() {
            Ok(f) if f.is_finite() && f.to_string() == s => Number::Float(f),
            _ => Number::Big(s.to_string()),
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            _ => None,
        }
    }
}

/// A value of some [`Type`], possibly null or not yet known. Equality is Terraform's: a set is
/// equal to the same elements in any order (a set of blocks read back in another order plans
/// no change).
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    /// Not known until apply. The bytes are the msgpack extension payload (refinements), kept as sent.
    Unknown(Unknown),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value as V;
        match (self, other) {
            (V::Null, V::Null) => true,
            (V::Unknown(a), V::Unknown(b)) => a == b,
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::Number(a), V::Number(b)) => a == b,
            (V::String(a), V::String(b)) => a == b,
            (V::List(a), V::List(b)) => a == b,
            (V::Map(a), V::Map(b)) | (V::Object(a), V::Object(b)) => a == b,
            (V::Set(a), V::Set(b)) => same_elements(a, b),
            _ => false,
        }
    }
}

/// Whether two sets hold the same elements, in any order (each element of one matched to its
/// own element of the other, so duplicates count).
fn same_elements(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut taken = vec![false; b.len()];
    a.iter().all(|x| match (0..b.len()).find(|&i| !taken[i] && b[i] == *x) {
        Some(i) => {
            taken[i] = true;
            true
        }
        None => false,
    })
}

/// The payload of an unknown value: msgpack extension code and data. Code 0 is a plain unknown;
/// code 12 carries refinements (not null, string prefix, number or length bounds).
#[derive(Clone, Debug, PartialEq)]
pub struct Unknown {
    pub code: i8,
    pub data: Vec<u8>,
}

impl Default for Unknown {
    fn default() -> Self {
        Unknown { code: 0, data: vec![0] }
    }
}

/// Why a wire value could not be decoded against its type.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    #[error("msgpack: {0}")]
    Msgpack(String),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{path}: expected {expected}, found {found}")]
    Mismatch { path: String, expected: String, found: String },
}

impl Value {
    pub fn unknown() -> Value {
        Value::Unknown(Unknown::default())
    }
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }
    pub fn object<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::List(xs) | Value::Set(xs) => xs.iter().all(Value::is_wholly_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The same value with every unknown replaced by null (for a partial state kept after a
    /// failed create, which Terraform requires to be wholly known).
    pub fn unknowns_to_null(&self) -> Value {
        match self {
            Value::Unknown(_) => Value::Null,
            Value::List(xs) => Value::List(xs.iter().map(Value::unknowns_to_null).collect()),
            Value::Set(xs) => Value::Set(xs.iter().map(Value::unknowns_to_null).collect()),
            Value::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), v.unknowns_to_null())).collect()),
            Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), v.unknowns_to_null())).collect()),
            other => other.clone(),
        }
    }

    /// The attribute `name` of an object; null for anything else or a missing attribute.
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    /// Sets attribute `name` of an object (no-op on anything else).
    pub fn set(&mut self, name: &str, v: Value) {
        if let Value::Object(m) = self {
            m.insert(name.to_string(), v);
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(xs) | Value::Set(xs) => Some(xs),
            _ => None,
        }
    }

    // ---- msgpack ----

    /// Decodes msgpack bytes against `ty`. Empty input is null.
    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        let mut rd = bytes;
        let raw = rmpv::decode::read_value(&mut rd).map_err(|e| ValueError::Msgpack(e.to_string()))?;
        from_rmpv(raw, ty, &mut String::new())
    }

    /// Encodes to msgpack as Terraform expects for `ty` (objects always carry every attribute).
    pub fn to_msgpack(&self, ty: &Type) -> Vec<u8> {
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &to_rmpv(self, ty)).expect("writing to a Vec cannot fail");
        out
    }

    // ---- JSON (raw state) ----

    /// Decodes JSON (as Terraform stores state) against `ty`.
    pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        let j: serde_json::Value = serde_json::from_slice(bytes)?;
        from_json_value(&j, ty, &mut String::new())
    }
}

fn mismatch(path: &str, expected: &Type, found: impl std::fmt::Debug) -> ValueError {
    // The kind of value only (`String`, `Array`, …), never the value: it may be a secret of a
    // sensitive attribute, which this decoder cannot tell from the type.
    let shown = format!("{found:?}");
    let kind = shown.split(['(', ' ', '{']).next().unwrap_or_default().trim_matches('"');
    let found = if kind.is_empty() { "another kind of value".to_string() } else { kind.chars().take(40).collect() };
    ValueError::Mismatch {
        path: if path.is_empty() { "value".into() } else { path.to_string() },
        expected: expected.to_json().to_string(),
        found,
    }
}

fn child(
    path: &mut String,
    step: &str,
    f: impl FnOnce(&mut String) -> Result<Value, ValueError>,
) -> Result<Value, ValueError> {
    let len = path.len();
    path.push_str(step);
    let r = f(path);
    path.truncate(len);
    r
}

fn from_rmpv(raw: rmpv::Value, ty: &Type, path: &mut String) -> Result<Value, ValueError> {
    use rmpv::Value as R;
    Ok(match (raw, ty) {
        (R::Nil, _) => Value::Null,
        (R::Ext(code, data), _) => Value::Unknown(Unknown { code, data }),
        (R::String(s), Type::String) => match s.into_str() {
            Some(s) => Value::String(s),
            None => return Err(mismatch(path, ty, "invalid utf-8")),
        },
        (R::Boolean(b), Type::Bool) => Value::Bool(b),
        (R::Integer(i), Type::Number) => Value::Number(match i.as_i64() {
            Some(i) => Number::Int(i),
            None => Number::Big(i.to_string()),
        }),
        (R::F64(f), Type::Number) => Value::Number(Number::Float(f)),
        (R::F32(f), Type::Number) => Value::Number(Number::Float(f as f64)),
        (R::String(s), Type::Number) => match s.as_str() {
            Some(s) => Value::Number(Number::parse(s)),
            None => return Err(mismatch(path, ty, "invalid utf-8")),
        },
        (R::Array(xs), Type::List(t) | Type::Set(t)) => {
            let mut out = Vec::with_capacity(xs.len());
            for (i, x) in xs.into_iter().enumerate() {
                out.push(child(path, &format!("[{i}]"), |p| from_rmpv(x, t, p))?);
            }
            if matches!(ty, Type::List(_)) { Value::List(out) } else { Value::Set(out) }
        }
        (R::Map(kvs), Type::Map(t)) => {
            let mut out = BTreeMap::new();
            for (k, v) in kvs {
                let k = k.as_str().ok_or_else(|| mismatch(path, ty, "non-string key"))?.to_string();
                let v = child(path, &format!("[{k:?}]"), |p| from_rmpv(v, t, p))?;
                out.insert(k, v);
            }
            Value::Map(out)
        }
        (R::Map(kvs), Type::Object(attrs)) => {
            let mut given: BTreeMap<String, rmpv::Value> = BTreeMap::new();
            for (k, v) in kvs {
                let k = k.as_str().ok_or_else(|| mismatch(path, ty, "non-string key"))?.to_string();
                given.insert(k, v);
            }
            let mut out = BTreeMap::new();
            for (name, t) in attrs {
                let v = match given.remove(name) {
                    Some(v) => child(path, &format!(".{name}"), |p| from_rmpv(v, t, p))?,
                    None => Value::Null,
                };
                out.insert(name.clone(), v);
            }
            Value::Object(out)
        }
        (other, _) => return Err(mismatch(path, ty, other)),
    })
}

fn to_rmpv(v: &Value, ty: &Type) -> rmpv::Value {
    use rmpv::Value as R;
    match (v, ty) {
        (Value::Null, _) => R::Nil,
        (Value::Unknown(u), _) => R::Ext(u.code, u.data.clone()),
        (Value::Bool(b), _) => R::Boolean(*b),
        (Value::Number(Number::Int(i)), _) => R::from(*i),
        (Value::Number(Number::Float(f)), _) => {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                R::from(*f as i64)
            } else {
                R::F64(*f)
            }
        }
        (Value::Number(Number::Big(s)), _) => R::from(s.as_str()),
        (Value::String(s), _) => R::from(s.as_str()),
        (Value::List(xs) | Value::Set(xs), Type::List(t) | Type::Set(t)) => {
            R::Array(xs.iter().map(|x| to_rmpv(x, t)).collect())
        }
        (Value::Map(m) | Value::Object(m), Type::Map(t)) => {
            R::Map(m.iter().map(|(k, x)| (R::from(k.as_str()), to_rmpv(x, t))).collect())
        }
        (Value::Object(m) | Value::Map(m), Type::Object(attrs)) => R::Map(
            attrs.iter().map(|(k, t)| (R::from(k.as_str()), m.get(k).map_or(R::Nil, |x| to_rmpv(x, t)))).collect(),
        ),
        // A value that does not fit its type is a bug in the provider; encode it as null so
        // Terraform reports an inconsistency instead of the provider crashing.
        _ => R::Nil,
    }
}

fn from_json_value(j: &serde_json::Value, ty: &Type, path: &mut String) -> Result<Value, ValueError> {
    use serde_json::Value as J;
    Ok(match (j, ty) {
        (J::Null, _) => Value::Null,
        (J::String(s), Type::String) => Value::String(s.clone()),
        (J::Bool(b), Type::Bool) => Value::Bool(*b),
        (J::Number(n), Type::Number) => Value::Number(match n.as_i64() {
            Some(i) => Number::Int(i),
            None => match n.as_f64() {
                Some(f) => Number::Float(f),
                None => Number::Big(n.to_string()),
            },
        }),
        (J::String(s), Type::Number) => Value::Number(Number::parse(s)),
        (J::Array(xs), Type::List(t) | Type::Set(t)) => {
            let mut out = Vec::with_capacity(xs.len());
            for (i, x) in xs.iter().enumerate() {
                out.push(child(path, &format!("[{i}]"), |p| from_json_value(x, t, p))?);
            }
            if matches!(ty, Type::List(_)) { Value::List(out) } else { Value::Set(out) }
        }
        (J::Object(m), Type::Map(t)) => {
            let mut out = BTreeMap::new();
            for (k, x) in m {
                out.insert(k.clone(), child(path, &format!("[{k:?}]"), |p| from_json_value(x, t, p))?);
            }
            Value::Map(out)
        }
        (J::Object(m), Type::Object(attrs)) => {
            let mut out = BTreeMap::new();
            for (name, t) in attrs {
                let v = match m.get(name) {
                    Some(x) => child(path, &format!(".{name}"), |p| from_json_value(x, t, p))?,
                    None => Value::Null,
                };
                out.insert(name.clone(), v);
            }
            Value::Object(out)
        }
        (other, _) => return Err(mismatch(path, ty, other)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sets_are_equal_in_any_order_and_lists_are_not() {
        let (a, b) = (Value::string("a"), Value::string("b"));
        assert_eq!(Value::Set(vec![a.clone(), b.clone()]), Value::Set(vec![b.clone(), a.clone()]));
        assert_ne!(Value::List(vec![a.clone(), b.clone()]), Value::List(vec![b.clone(), a.clone()]));
        // Duplicates count: each element is matched once.
        assert_ne!(Value::Set(vec![a.clone(), a.clone()]), Value::Set(vec![a.clone(), b.clone()]));
        // Inside objects too (a set of blocks read back reordered).
        let obj = |xs: Vec<Value>| Value::object([("rule", Value::Set(xs))]);
        assert_eq!(obj(vec![a.clone(), b.clone()]), obj(vec![b, a]));
    }

    fn obj_type() -> Type {
        Type::Object(BTreeMap::from([
            ("s".to_string(), Type::String),
            ("n".to_string(), Type::Number),
            ("b".to_string(), Type::Bool),
            ("l".to_string(), Type::list(Type::String)),
            ("m".to_string(), Type::map(Type::Number)),
        ]))
    }

    fn leaf(ty: Type) -> BoxedStrategy<Value> {
        let special = prop_oneof![Just(Value::Null), Just(Value::unknown())];
        let v = match ty {
            Type::String => any::<String>().prop_map(Value::String).boxed(),
            Type::Number => prop_oneof![
                any::<i64>().prop_map(Value::int),
                (-1e12f64..1e12)
                    .prop_filter("non-integral", |f| f.fract() != 0.0)
                    .prop_map(|f| Value::Number(Number::Float(f))),
            ]
            .boxed(),
            Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            _ => unreachable!(),
        };
        prop_oneof![1 => special, 4 => v].boxed()
    }

    fn object() -> impl Strategy<Value = Value> {
        (
            leaf(Type::String),
            leaf(Type::Number),
            leaf(Type::Bool),
            proptest::collection::vec(leaf(Type::String), 0..4),
            proptest::collection::btree_map("[a-z]{1,5}", leaf(Type::Number), 0..4),
        )
            .prop_map(|(s, n, b, l, m)| {
                Value::object([("s", s), ("n", n), ("b", b), ("l", Value::List(l)), ("m", Value::Map(m))])
            })
    }

    #[test]
    fn regression_a_mismatched_value_with_multibyte_text_panicked() {
        // Found by `fuzz_state_upgrade`: the error message cut the value's text at byte 60,
        // inside a multi-byte character, and the provider panicked on such a state.
        let text = format!("[\"{}\"]", "é".repeat(40));
        let e = Value::from_json(text.as_bytes(), &Type::String).unwrap_err();
        assert!(e.to_string().contains("Array"), "{e}");
    }

    #[test]
    fn regression_a_mismatched_value_was_quoted_in_the_error() {
        // A sensitive attribute's value must not reach an error: only its kind does.
        let e = Value::from_json(br#"{"s3cret": 1}"#, &Type::String).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert!(e.to_string().contains("Object"), "{e}");
    }

    proptest! {
        #[test]
        fn msgpack_round_trips(v in object()) {
            let ty = obj_type();
            let bytes = v.to_msgpack(&ty);
            prop_assert_eq!(Value::from_msgpack(&bytes, &ty).unwrap(), v);
        }
    }

    #[test]
    fn numbers_arrive_as_int_float_or_string() {
        let enc = |r: rmpv::Value| {
            let mut b = Vec::new();
            rmpv::encode::write_value(&mut b, &r).unwrap();
            Value::from_msgpack(&b, &Type::Number).unwrap()
        };
        assert_eq!(enc(rmpv::Value::from(42)), Value::int(42));
        assert_eq!(enc(rmpv::Value::F64(1.5)), Value::Number(Number::Float(1.5)));
        assert_eq!(enc(rmpv::Value::from("7")), Value::int(7));
        assert_eq!(enc(rmpv::Value::from("0.25")), Value::Number(Number::Float(0.25)));
        let big = "123456789012345678901234567890";
        assert_eq!(enc(rmpv::Value::from(big)), Value::Number(Number::Big(big.into())));
        // A big number goes back out as the same text.
        let out = Value::Number(Number::Big(big.into())).to_msgpack(&Type::Number);
        assert_eq!(Value::from_msgpack(&out, &Type::Number).unwrap(), Value::Number(Number::Big(big.into())));
    }

    #[test]
    fn refined_unknown_keeps_its_refinements() {
        // ext 12 with a map {1: true} (refined: definitely not null), as Terraform sends it.
        let bytes = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3];
        let v = Value::from_msgpack(&bytes, &Type::String).unwrap();
        assert_eq!(v, Value::Unknown(Unknown { code: 12, data: vec![0x81, 0x01, 0xc3] }));
        assert_eq!(v.to_msgpack(&Type::String), bytes);
        // A plain unknown is cty's fixext1 code 0.
        assert_eq!(Value::unknown().to_msgpack(&Type::String), [0xd4, 0x00, 0x00]);
    }

    #[test]
    fn json_raw_state_decodes_with_missing_attributes_as_null() {
        let v = Value::from_json(br#"{"s":"x","n":3,"extra":1}"#, &obj_type()).unwrap();
        assert_eq!(v.get("s"), &Value::string("x"));
        assert_eq!(v.get("n"), &Value::int(3));
        assert_eq!(v.get("l"), &Value::Null);
    }

    #[test]
    fn type_mismatch_names_the_path() {
        let err = Value::from_json(br#"{"l":["a", 1]}"#, &obj_type()).unwrap_err();
        assert!(err.to_string().starts_with(".l[1]: expected \"string\""), "{err}");
    }
}
