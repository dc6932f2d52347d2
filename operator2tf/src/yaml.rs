//! YAML read as Kubernetes reads it: `kubectl` and the API server turn YAML into JSON with
//! go-yaml v2, whose plain scalars follow YAML 1.1 (`yes`, `on` and `y` are `true`; `0x1f` is
//! a number), while a quoted scalar is always a string. `yaml-rust2` parses; this module only
//! resolves each scalar by its style, as go-yaml does, into `serde_json` values.

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One document of a YAML stream and its position (1-based).
#[derive(Debug)]
pub struct Document {
    pub index: usize,
    pub value: Value,
}

/// A stream that stopped being YAML: the documents before the fault, and the fault.
#[derive(Debug)]
pub struct Broken {
    pub document: usize,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Every document of `text`; a syntax error ends the stream (the documents before it are kept).
pub fn documents(text: &str) -> (Vec<Document>, Option<Broken>) {
    let mut builder = Builder::default();
    let result = Parser::new_from_str(text).load(&mut builder, true);
    let broken = result.err().map(|e| Broken {
        document: builder.docs.len() + 1,
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    });
    // A stream of comments only, or a trailing `---`, holds null documents: not manifests.
    let docs = builder.docs.into_iter().filter(|d| !d.value.is_null()).collect();
    (docs, broken)
}

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<String>, usize),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Value>,
    docs: Vec<Document>,
    count: usize,
}

impl Builder {
    fn push(&mut self, value: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            Some(Frame::Seq(items, _)) => items.push(value),
            Some(Frame::Map(map, key, _)) => match key.take() {
                None => *key = Some(key_text(&value)),
                // `<<: *defaults`: the anchored mapping's keys, unless set here.
                Some(k) if k == "<<" => {
                    for v in if let Value::Array(a) = value { a } else { vec![value] } {
                        if let Value::Object(m) = v {
                            for (k, v) in m {
                                map.entry(k).or_insert(v);
                            }
                        }
                    }
                }
                Some(k) => {
                    map.insert(k, value);
                }
            },
            None => {
                self.count += 1;
                self.docs.push(Document { index: self.count, value });
            }
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        match ev {
            Event::Scalar(text, style, anchor, tag) => self.push(scalar(text, style, tag.as_ref()), anchor),
            Event::Alias(id) => {
                let v = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                self.push(v, 0);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq(Vec::new(), anchor)),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map(Map::new(), None, anchor)),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Seq(items, anchor)) => self.push(Value::Array(items), anchor),
                Some(Frame::Map(map, _, anchor)) => self.push(Value::Object(map), anchor),
                None => {}
            },
            _ => {}
        }
    }
}

/// A mapping key as JSON has it: go-yaml's value printed (`true`, `1`), a string as it is.
fn key_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

fn scalar(text: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(t) = tag {
        match t.suffix.as_str() {
            "str" | "binary" => return Value::String(text),
            "bool" | "int" | "float" | "null" => return plain(text),
            _ => {}
        }
    }
    match style {
        TScalarStyle::Plain => plain(text),
        _ => Value::String(text),
    }
}

/// go-yaml v2's resolution of a plain scalar (YAML 1.1's booleans and numbers).
fn plain(text: String) -> Value {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN"
        | ".NAN" => return Value::String(text),
        _ => {}
    }
    if let Some(n) = integer(&text) {
        return Value::Number(n.into());
    }
    let numeric = text.chars().all(|c| c.is_ascii_digit() || "+-.eE_".contains(c))
        && text.chars().any(|c| c.is_ascii_digit())
        && text.chars().next().is_some_and(|c| c.is_ascii_digit() || "+-.".contains(c));
    if numeric
        && let Ok(f) = text.replace('_', "").parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text)
}

fn integer(text: &str) -> Option<i64> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let body = body.replace('_', "");
    if body.is_empty() {
        return None;
    }
    let n = if let Some(h) = body.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(b) = body.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else if body.bytes().all(|b| b.is_ascii_digit()) {
        body.parse().ok()?
    } else {
        return None;
    };
    Some(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn plain_scalars_are_read_as_kubernetes_reads_them_and_quoted_ones_stay_strings() {
        let (docs, broken) = documents(
            "a: yes\nb: \"yes\"\nc: on\nd: 0x1f\ne: 010\nf: 1.5\n\"g\": true,\nh: true,\ni: ~\nj: '1'\ny: 1\n",
        );
        assert!(broken.is_none(), "{broken:?}");
        assert_eq!(
            docs[0].value,
            json!({"a": true, "b": "yes", "c": true, "d": 31, "e": 8, "f": 1.5, "g": "true,", "h": "true,",
                "i": null, "j": "1", "true": 1})
        );
    }

    #[test]
    fn a_stream_keeps_its_documents_in_order_and_stops_at_a_syntax_error() {
        let (docs, broken) = documents("---\nkind: A\n---\n# nothing\n---\nkind: B\n---\nkind: [C\n");
        assert_eq!(docs.iter().map(|d| d.value["kind"].clone()).collect::<Vec<_>>(), vec![json!("A"), json!("B")]);
        assert_eq!(docs.iter().map(|d| d.index).collect::<Vec<_>>(), vec![1, 3]);
        let broken = broken.expect("a syntax error");
        assert_eq!(broken.document, 4, "{broken:?}");
    }

    #[test]
    fn anchors_aliases_and_merge_keys_are_followed() {
        let (docs, _) = documents("base: &b {x: 1, z: 2}\nother:\n  <<: *b\n  z: 3\ncopy: *b\n");
        assert_eq!(
            docs[0].value,
            json!({"base": {"x": 1, "z": 2}, "other": {"z": 3, "x": 1}, "copy": {"x": 1, "z": 2}})
        );
    }
}
