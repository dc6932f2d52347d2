//! The plan pipeline every resource shares, over attributes and nested blocks alike: defaults,
//! write-only values nulled, the resource's semantic equality, computed attributes unknown
//! where a change may alter them, replacement paths, then the resource's own `modify_plan`.

use super::{PlanCtx, Resource};
use crate::diag::{AttrPath, Diagnostics};
use crate::schema::{Attribute, Block, BlockNesting, Presence, Schema};
use crate::value::Value;

/// The planned state and the attributes whose change forces replacement.
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

/// Plans a change (not a destroy: [`super::lifecycle::plan`] handles a null proposed state).
pub async fn plan(res: &dyn Resource, ctx: &PlanCtx<'_>, proposed: Value, diags: &mut Diagnostics) -> Planned {
    let schema = res.schema();
    let body = Body::of(&schema);
    let mut planned = proposed;
    body.defaults(ctx.config, &mut planned);
    let creating = ctx.prior.is_null();
    if !creating {
        res.normalize_planned(ctx.prior, &mut planned);
    }
    body.computed(ctx.config, ctx.prior, &mut planned);
    let mut requires_replace = Vec::new();
    if !creating {
        for a in schema.attributes.iter().filter(|a| a.requires_replace) {
            if planned.get(a.name) != ctx.prior.get(a.name) {
                requires_replace.push(AttrPath::attr(a.name));
            }
        }
    }
    requires_replace.extend(res.modify_plan(ctx, &mut planned, diags).await);
    Planned { state: planned, requires_replace }
}

/// Validates a configuration: the resource's own checks, and write-only values refused when
/// the client cannot keep them out of state (in nested blocks too, each with its path).
pub fn validate_resource(res: &dyn Resource, config: &Value, write_only_allowed: bool, diags: &mut Diagnostics) {
    if let Some(d) = res.refusal() {
        diags.push(d);
        return;
    }
    if !write_only_allowed {
        Body::of(&res.schema()).refuse_write_only(config, &AttrPath::default(), diags);
    }
    res.validate(config, diags);
}

/// A schema's or block's body: what the pipeline walks, level by level.
struct Body<'a> {
    attributes: &'a [Attribute],
    blocks: &'a [Block],
}

impl<'a> Body<'a> {
    fn of(schema: &'a Schema) -> Body<'a> {
        Body { attributes: &schema.attributes, blocks: &schema.blocks }
    }
    fn of_block(block: &'a Block) -> Body<'a> {
        Body { attributes: &block.attributes, blocks: &block.blocks }
    }

    /// Defaults where the configuration leaves an attribute null; write-only values nulled.
    fn defaults(&self, config: &Value, planned: &mut Value) {
        for a in self.attributes {
            if let (Some(d), true) = (&a.default, config.get(a.name).is_null()) {
                planned.set(a.name, d.clone());
            }
            if a.write_only {
                planned.set(a.name, Value::Null);
            }
        }
        self.each_block(config, &Value::Null, planned, |body, config, _, planned| body.defaults(config, planned));
    }

    /// Computed attributes the configuration leaves null: unknown where the object (or the
    /// block) changes, unless `use_state_for_unknown` keeps the prior value; unchanged objects
    /// and blocks keep theirs.
    fn computed(&self, config: &Value, prior: &Value, planned: &mut Value) {
        let creating = prior.is_null();
        if !creating && planned == prior {
            return;
        }
        for a in self.attributes.iter().filter(|a| a.is_computed() && a.default.is_none()) {
            if !config.get(a.name).is_null() {
                continue;
            }
            let keep = a.use_state_for_unknown && !creating && !prior.get(a.name).is_null();
            planned.set(a.name, if keep { prior.get(a.name).clone() } else { Value::unknown() });
        }
        self.each_block(config, prior, planned, |body, config, prior, planned| body.computed(config, prior, planned));
    }

    /// Calls `f` with every block element of `planned`, its configuration and its prior
    /// element: by position in lists; in sets, which have no positions, the prior element
    /// with the same configured attributes, and the element itself as its configuration.
    fn each_block(
        &self,
        config: &Value,
        prior: &Value,
        planned: &mut Value,
        f: impl Fn(&Body, &Value, &Value, &mut Value),
    ) {
        let Value::Object(fields) = planned else { return };
        for b in self.blocks {
            let body = Body::of_block(b);
            let (config, prior) = (config.get(b.name), prior.get(b.name));
            match (b.nesting, fields.get_mut(b.name)) {
                (BlockNesting::Single, Some(v @ Value::Object(_))) => f(&body, config, prior, v),
                (BlockNesting::List, Some(Value::List(xs))) => {
                    for (i, x) in xs.iter_mut().enumerate() {
                        f(&body, element(config, i), element(prior, i), x);
                    }
                }
                (BlockNesting::Set, Some(Value::Set(xs))) => {
                    for x in xs.iter_mut() {
                        let own = x.clone();
                        let prior_x =
                            prior.as_list().unwrap_or_default().iter().find(|p| body.same_configured(&own, p));
                        f(&body, &own, prior_x.unwrap_or(&Value::Null), x);
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether two elements of a set of blocks agree on everything the provider does not compute.
    fn same_configured(&self, a: &Value, b: &Value) -> bool {
        let computed: Vec<&str> =
            self.attributes.iter().filter(|a| a.presence == Presence::Computed).map(|a| a.name).collect();
        let mask = |v: &Value| {
            let mut v = v.clone();
            computed.iter().for_each(|n| v.set(n, Value::Null));
            v
        };
        mask(a) == mask(b)
    }

    /// Write-only values in a configuration whose client cannot keep them out of state.
    fn refuse_write_only(&self, config: &Value, at: &AttrPath, diags: &mut Diagnostics) {
        for a in self.attributes.iter().filter(|a| a.write_only && !config.get(a.name).is_null()) {
            let path = at.then(a.name);
            // `x_wo` has a sibling `x` that works everywhere, kept in state.
            let alternative = a
                .name
                .strip_suffix("_wo")
                .filter(|alt| self.attributes.iter().any(|b| b.name == *alt))
                .map(|alt| format!(" and set `{alt}` instead (sensitive, but kept in state)"))
                .unwrap_or_default();
            diags.push(crate::diag::write_only_unsupported(&path, &alternative).at(path));
        }
        for b in self.blocks {
            let body = Body::of_block(b);
            let value = config.get(b.name);
            match b.nesting {
                BlockNesting::Single => body.refuse_write_only(value, &at.then(b.name), diags),
                BlockNesting::List | BlockNesting::Set => {
                    for (i, x) in value.as_list().unwrap_or_default().iter().enumerate() {
                        // A set element has no index Terraform can point at: the block's path.
                        let path =
                            if b.nesting == BlockNesting::List { at.then(b.name).index(i) } else { at.then(b.name) };
                        body.refuse_write_only(x, &path, diags);
                    }
                }
            }
        }
    }
}

/// Element `i` of a list value; null past its end or for anything else.
fn element(list: &Value, i: usize) -> &Value {
    static NULL: Value = Value::Null;
    list.as_list().and_then(|xs| xs.get(i)).unwrap_or(&NULL)
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::framework::{Ctx, ReadOutcome};
    use crate::schema::{Attribute, Block};

    /// A resource with one attribute of each plan behaviour.
    struct Probe;

    #[async_trait]
    impl Resource for Probe {
        fn type_name(&self) -> &'static str {
            "probe"
        }
        fn model_attributes(&self) -> Vec<(&'static str, crate::value::Type)> {
            Vec::new()
        }
        fn schema(&self) -> Schema {
            Schema::new(
                "probe",
                vec![
                    Attribute::string("name").required(),
                    Attribute::string("uid").optional_computed().requires_replace().use_state_for_unknown(),
                    Attribute::string("url").computed(),
                    Attribute::bool("flag").default(Value::Bool(false)),
                    Attribute::string("secret").optional().sensitive().write_only(),
                ],
            )
            .with_blocks(vec![
                Block::list(
                    "rule",
                    vec![
                        Attribute::string("title").required(),
                        Attribute::string("id").computed(),
                        Attribute::string("for").default(Value::string("5m")),
                        Attribute::string("token_wo").optional().write_only(),
                    ],
                )
                .blocks(vec![Block::single("window", vec![Attribute::number("from").optional()])]),
                Block::set("matcher", vec![Attribute::string("label").required(), Attribute::string("uid").computed()]),
            ])
        }
        async fn create(&self, _: &Ctx<'_>, _: &Value, _: &mut Diagnostics) -> Option<Value> {
            None
        }
        async fn read(&self, _: &Ctx<'_>, _: &Value, _: &mut Diagnostics) -> ReadOutcome {
            ReadOutcome::Failed
        }
        async fn update(&self, _: &Ctx<'_>, _: &Value, _: &Value, _: &mut Diagnostics) -> Option<Value> {
            None
        }
        async fn delete(&self, _: &Ctx<'_>, _: &Value, _: &mut Diagnostics) {}
        fn import_id(&self, _: &str, _: &mut Diagnostics) -> Option<Value> {
            None
        }
    }

    fn obj(name: &str, uid: Value, url: Value, flag: Value, secret: Value) -> Value {
        Value::object([("name", Value::string(name)), ("uid", uid), ("url", url), ("flag", flag), ("secret", secret)])
    }

    fn run_plan(prior: &Value, config: &Value, proposed: Value) -> Planned {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let ctx = PlanCtx { prior, config, client: None };
        rt.block_on(plan(&Probe, &ctx, proposed, &mut Diagnostics::default()))
    }

    #[test]
    fn create_marks_computed_unknown_applies_defaults_and_nulls_write_only() {
        let config = obj("a", Value::Null, Value::Null, Value::Null, Value::string("s3cret"));
        let p = run_plan(&Value::Null, &config, config.clone());
        assert_eq!(p.state.get("uid"), &Value::unknown());
        assert_eq!(p.state.get("url"), &Value::unknown());
        assert_eq!(p.state.get("flag"), &Value::Bool(false));
        assert_eq!(p.state.get("secret"), &Value::Null, "a write-only value must never be planned into state");
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn no_change_keeps_prior_state_exactly() {
        let prior = obj("a", Value::string("u1"), Value::string("http://x/u1"), Value::Bool(false), Value::Null);
        let config = obj("a", Value::Null, Value::Null, Value::Null, Value::Null);
        let p = run_plan(&prior, &config, prior.clone());
        assert_eq!(p.state, prior);
    }

    #[test]
    fn update_keeps_uid_from_state_but_recomputes_url() {
        let prior = obj("a", Value::string("u1"), Value::string("http://x/u1/a"), Value::Bool(false), Value::Null);
        let config = obj("b", Value::Null, Value::Null, Value::Null, Value::Null);
        let proposed = obj("b", Value::string("u1"), Value::string("http://x/u1/a"), Value::Bool(false), Value::Null);
        let p = run_plan(&prior, &config, proposed);
        assert_eq!(p.state.get("uid"), &Value::string("u1"));
        assert_eq!(p.state.get("url"), &Value::unknown());
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn a_configured_uid_change_requires_replacement() {
        let prior = obj("a", Value::string("u1"), Value::string("http://x"), Value::Bool(false), Value::Null);
        let config = obj("a", Value::string("u2"), Value::Null, Value::Null, Value::Null);
        let proposed = obj("a", Value::string("u2"), Value::string("http://x"), Value::Bool(false), Value::Null);
        let p = run_plan(&prior, &config, proposed);
        assert_eq!(p.requires_replace, vec![AttrPath::attr("uid")]);
    }

    fn rule(title: &str, id: Value, r#for: Value, token: Value) -> Value {
        Value::object([
            ("title", Value::string(title)),
            ("id", id),
            ("for", r#for),
            ("token_wo", token),
            ("window", Value::Null),
        ])
    }
    fn matcher(label: &str, uid: Value) -> Value {
        Value::object([("label", Value::string(label)), ("uid", uid)])
    }
    fn with_blocks(mut v: Value, rules: Vec<Value>, matchers: Vec<Value>) -> Value {
        v.set("rule", Value::List(rules));
        v.set("matcher", Value::Set(matchers));
        v
    }

    #[test]
    fn blocks_get_defaults_write_only_nulled_and_computed_unknown_on_create() {
        let base = obj("a", Value::Null, Value::Null, Value::Null, Value::Null);
        let config = with_blocks(
            base,
            vec![rule("r", Value::Null, Value::Null, Value::string("s3cret"))],
            vec![matcher("team", Value::Null)],
        );
        let p = run_plan(&Value::Null, &config, config.clone());
        let planned_rule = &p.state.get("rule").as_list().unwrap()[0];
        assert_eq!(planned_rule.get("for"), &Value::string("5m"), "a default inside a block");
        assert_eq!(planned_rule.get("token_wo"), &Value::Null, "a write-only value inside a block is never planned");
        assert_eq!(planned_rule.get("id"), &Value::unknown(), "a computed attribute inside a new block");
        assert_eq!(p.state.get("matcher").as_list().unwrap()[0].get("uid"), &Value::unknown());
    }

    #[test]
    fn a_set_of_blocks_in_another_order_plans_no_change_and_keeps_computed_values() {
        let m = |l: &str, u: &str| matcher(l, Value::string(u));
        let r = rule("r", Value::string("id1"), Value::string("5m"), Value::Null);
        let prior = with_blocks(
            obj("a", Value::string("u1"), Value::string("http://x"), Value::Bool(false), Value::Null),
            vec![r.clone()],
            vec![m("a", "1"), m("b", "2")],
        );
        let config = with_blocks(
            obj("a", Value::Null, Value::Null, Value::Null, Value::Null),
            vec![rule("r", Value::Null, Value::Null, Value::Null)],
            vec![matcher("b", Value::Null), matcher("a", Value::Null)],
        );
        // Terraform proposes the configuration's order, with the prior's computed values.
        let proposed = with_blocks(prior.clone(), vec![r.clone()], vec![m("b", "2"), m("a", "1")]);
        let p = run_plan(&prior, &config, proposed);
        assert_eq!(p.state, prior, "reordering a set of blocks is no change");

        // A new matcher: its computed uid is unknown, the others keep theirs, and so does the
        // unchanged list block.
        let mut config = config;
        config.set("matcher", Value::Set(vec![matcher("a", Value::Null), matcher("c", Value::Null)]));
        let proposed = with_blocks(prior.clone(), vec![r.clone()], vec![m("a", "1"), matcher("c", Value::Null)]);
        let p = run_plan(&prior, &config, proposed);
        let planned = p.state.get("matcher").as_list().unwrap();
        assert!(planned.contains(&m("a", "1")), "{planned:?}");
        assert!(planned.contains(&matcher("c", Value::unknown())), "{planned:?}");
        assert_eq!(p.state.get("rule"), &Value::List(vec![r]));
    }

    #[test]
    fn write_only_values_in_blocks_are_refused_with_their_path() {
        let config = with_blocks(
            obj("a", Value::Null, Value::Null, Value::Null, Value::Null),
            vec![
                rule("r", Value::Null, Value::Null, Value::Null),
                rule("s", Value::Null, Value::Null, Value::string("s3cret")),
            ],
            Vec::new(),
        );
        let mut d = Diagnostics::default();
        validate_resource(&Probe, &config, false, &mut d);
        assert_eq!(d.0.len(), 1, "{:?}", d.0);
        assert_eq!(d.0[0].path.as_ref().map(ToString::to_string).as_deref(), Some("rule[1].token_wo"));
        assert!(d.0[0].detail.contains("`rule[1].token_wo` is write-only"), "{}", d.0[0].detail);
        assert!(!d.0[0].detail.contains("s3cret"));
    }

    #[test]
    fn write_only_values_are_refused_for_clients_without_the_capability() {
        let config = obj("a", Value::Null, Value::Null, Value::Null, Value::string("s3cret"));
        let mut d = Diagnostics::default();
        validate_resource(&Probe, &config, false, &mut d);
        assert!(d.has_errors());
        assert_eq!(d.0[0].path, Some(AttrPath::attr("secret")));
        assert!(!d.0[0].detail.contains("s3cret"), "the secret leaked into the diagnostic");
        let mut d = Diagnostics::default();
        validate_resource(&Probe, &config, true, &mut d);
        assert!(!d.has_errors());
    }

    #[test]
    fn state_of_the_current_version_upgrades_from_json() {
        let mut d = Diagnostics::default();
        let v = Probe.upgrade_state(0, br#"{"name":"a","uid":"u","flag":true}"#, &mut d).unwrap();
        assert_eq!(v.get("uid"), &Value::string("u"));
        assert_eq!(v.get("url"), &Value::Null);
        assert!(Probe.upgrade_state(7, b"{}", &mut d).is_none());
        assert!(d.0[0].summary.contains("Unsupported state version"));
    }
}
