//! Ephemeral resource types (Terraform 1.10 and later): values for one run, never in state
//! or plan. One file each.

use std::sync::Arc;

use crate::framework::EphemeralResource;

pub mod amg_token;

/// Every ephemeral resource type this provider serves.
pub fn all() -> Vec<Arc<dyn EphemeralResource>> {
    vec![Arc::new(amg_token::AmgToken)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_ephemeral_model_matches_its_schema() {
        for e in super::all() {
            crate::model::check_against_schema(e.type_name(), e.model_attributes(), &e.schema()).unwrap();
        }
    }
}
