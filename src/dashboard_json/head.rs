//! A model's head: what validation and planning need (`title`, `uid`, `__inputs`), read
//! without building the rest of a model that may be megabytes long.

use serde_json::Value as Json;

use super::{Invalid, check_fields, not_an_object, not_json};

/// What validation and planning need of a model: its `title`, `uid` and `__inputs`, read
/// without building the rest (every byte is still checked to be JSON).
#[derive(Debug, Default)]
pub struct Head {
    title: Option<Json>,
    uid: Option<Json>,
    inputs: Option<Json>,
    object: bool,
}

impl Head {
    /// The uid the model sets (null, missing and "" mean none).
    pub fn uid(&self) -> Option<&str> {
        self.uid.as_ref().and_then(Json::as_str).filter(|u| !u.is_empty())
    }

    /// The model's `__inputs`.
    pub fn inputs(&self) -> Option<&Json> {
        self.inputs.as_ref()
    }
}

/// [`parse`]'s checks, without building the model: for validation and plans, which need only
/// the uid and the declared inputs.
pub fn check(text: &str) -> Result<Head, Invalid> {
    let head: Head = serde_json::from_str(text).map_err(not_json)?;
    if !head.object {
        return Err(not_an_object());
    }
    check_fields(head.title.as_ref(), head.uid.as_ref())?;
    Ok(head)
}

impl<'de> serde::Deserialize<'de> for Head {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Head, D::Error> {
        use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};

        /// A top-level key, matched without allocating.
        enum Key {
            Title,
            Uid,
            Inputs,
            Other,
        }
        impl<'de> serde::Deserialize<'de> for Key {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
                struct K;
                impl Visitor<'_> for K {
                    type Value = Key;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a key")
                    }
                    fn visit_str<E>(self, k: &str) -> Result<Key, E> {
                        Ok(match k {
                            "title" => Key::Title,
                            "uid" => Key::Uid,
                            "__inputs" => Key::Inputs,
                            _ => Key::Other,
                        })
                    }
                }
                d.deserialize_str(K)
            }
        }

        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Head;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            // A repeated key counts as its last occurrence, as when the whole model is parsed.
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Head, A::Error> {
                let mut h = Head { object: true, ..Head::default() };
                while let Some(k) = a.next_key::<Key>()? {
                    match k {
                        Key::Title => h.title = Some(a.next_value()?),
                        Key::Uid => h.uid = Some(a.next_value()?),
                        Key::Inputs => h.inputs = Some(a.next_value()?),
                        Key::Other => {
                            a.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(h)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Head, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Head::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Head, E> {
                Ok(Head::default())
            }
            fn visit_unit<E>(self) -> Result<Head, E> {
                Ok(Head::default())
            }
        }
        d.deserialize_any(V)
    }
}
