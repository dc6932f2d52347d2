//! A mute timing's delete takes it out of the notification policy tree first: Grafana refuses
//! to delete a mute timing a policy names (409), and the official provider does the same.

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::grafana::Client;

/// Takes the mute timing out of every notification policy that names it, keeping the tree's
/// provenance, with a warning saying so. False (and an error) when that fails.
pub async fn take_out_of_policies(client: &Client, name: &str, diags: &mut Diagnostics) -> bool {
    let mut tree = match client.get_policy_tree().await {
        Ok(t) => t,
        Err(e) => {
            diags.push(api_error(format!("Could not read the notification policies naming mute timing {name:?}"), &e));
            return false;
        }
    };
    let taken = strip_time_interval(&mut tree, name);
    if taken == 0 {
        return true;
    }
    let provenance = tree.as_object_mut().and_then(|o| o.remove("provenance"));
    let none = provenance.as_ref().and_then(serde_json::Value::as_str).is_none_or(str::is_empty);
    if let Err(e) = client.put_policy_tree(&tree, none).await {
        diags.push(api_error(format!("Could not take mute timing {name:?} out of the notification policies"), &e));
        return false;
    }
    diags.push(Diagnostic::warning(
        "Mute timing taken out of notification policies",
        format!(
            "Mute timing {name:?} was named by {taken} notification {}; it was taken out of {} before the delete. A \
                `grafana_notification_policy` that names it will show the change at its next plan.",
            if taken == 1 { "policy" } else { "policies" },
            if taken == 1 { "it" } else { "them" },
        ),
    ));
    true
}

/// Removes `name` from the mute and active time intervals of `route` and every route under
/// it; how many routes named it.
pub fn strip_time_interval(route: &mut serde_json::Value, name: &str) -> usize {
    let mut taken = 0;
    let mut named = false;
    for field in ["mute_time_intervals", "active_time_intervals"] {
        if let Some(xs) = route.get_mut(field).and_then(serde_json::Value::as_array_mut) {
            let before = xs.len();
            xs.retain(|x| x != name);
            named |= xs.len() != before;
        }
    }
    taken += usize::from(named);
    if let Some(routes) = route.get_mut("routes").and_then(serde_json::Value::as_array_mut) {
        taken += routes.iter_mut().map(|r| strip_time_interval(r, name)).sum::<usize>();
    }
    taken
}
