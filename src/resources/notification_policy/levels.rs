//! One model per depth of `policy` blocks: Terraform schemas cannot recurse, so the schema
//! has four levels, and a macro writes a model for each, converting to and from the
//! depth-independent [`Node`].

use super::tree::{MatcherModel, Node};
use crate::model::{Attr, SetOf};

/// One model per depth of `policy` blocks (Terraform schemas cannot recurse), each converting
/// to and from the depth-independent [`Node`].
pub trait Level: Sized {
    fn node(&self) -> Node;
    fn of(n: &Node) -> Self;
}

macro_rules! level {
    ($name:ident $(, $child:ident)?) => {
        crate::model! {
            /// A `policy` block at one depth.
            pub struct $name {
                contact_point: String,
                group_by: Vec<String>,
                matcher: SetOf<MatcherModel>,
                mute_timings: Vec<String>,
                active_timings: Vec<String>,
                continue_ = "continue": bool,
                group_wait: String,
                group_interval: String,
                repeat_interval: String,
                $( policy: Vec<$child>, )?
            }
        }

        impl Level for $name {
            fn node(&self) -> Node {
                let policy: Vec<Node> = None $( .or(Some(children::<$child>(&self.policy))) )? .unwrap_or_default();
                Node {
                    contact_point: self.contact_point.clone(),
                    group_by: self.group_by.clone(),
                    matcher: self.matcher.clone(),
                    mute_timings: self.mute_timings.clone(),
                    active_timings: self.active_timings.clone(),
                    continue_: self.continue_.clone(),
                    group_wait: self.group_wait.clone(),
                    group_interval: self.group_interval.clone(),
                    repeat_interval: self.repeat_interval.clone(),
                    policy,
                }
            }
            fn of(n: &Node) -> Self {
                $name {
                    contact_point: n.contact_point.clone(),
                    group_by: n.group_by.clone(),
                    matcher: n.matcher.clone(),
                    mute_timings: n.mute_timings.clone(),
                    active_timings: n.active_timings.clone(),
                    continue_: n.continue_.clone(),
                    group_wait: n.group_wait.clone(),
                    group_interval: n.group_interval.clone(),
                    repeat_interval: n.repeat_interval.clone(),
                    $( policy: Attr::from(n.policy.iter().map($child::of).collect::<Vec<_>>()), )?
                }
            }
        }
    };
}

level!(Level1);
level!(Level2, Level1);
level!(Level3, Level2);
level!(Level4, Level3);

pub fn children<L: Level>(policy: &Attr<Vec<L>>) -> Vec<Node> {
    policy.known().map(|ps| ps.iter().map(Level::node).collect()).unwrap_or_default()
}
