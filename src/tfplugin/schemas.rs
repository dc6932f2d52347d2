//! GetProviderSchema and GetResourceIdentitySchemas: every type's schemas, encoded, and the
//! server capabilities this provider advertises.

use super::{convert, pb};
use crate::provider::{self, Provider};

pub(super) fn provider_schema(p: &Provider) -> pb::get_provider_schema::Response {
    pb::get_provider_schema::Response {
        provider: Some(convert::schema(&provider::schema())),
        resource_schemas: p
            .resources()
            .iter()
            .map(|r| (r.type_name().to_string(), convert::schema(&r.schema())))
            .collect(),
        data_source_schemas: p
            .data_sources()
            .iter()
            .map(|d| (d.type_name().to_string(), convert::schema(&d.schema())))
            .collect(),
        ephemeral_resource_schemas: p
            .ephemeral_resources()
            .iter()
            .map(|e| (e.type_name().to_string(), convert::schema(&e.schema())))
            .collect(),
        // Terraform ≥ 1.13 (`terraform query`); a client that never lists ignores them.
        list_resource_schemas: p
            .resources()
            .iter()
            .filter_map(|r| Some((r.type_name().to_string(), convert::schema(&r.lister()?.schema()))))
            .collect(),
        diagnostics: Vec::new(),
        provider_meta: None,
        server_capabilities: Some(pb::ServerCapabilities {
            plan_destroy: false,
            get_provider_schema_optional: true,
            move_resource_state: true,
            generate_resource_config: true,
        }),
    }
}

pub(super) fn identity_schemas(p: &Provider) -> pb::get_resource_identity_schemas::Response {
    let identity_schemas = p
        .resources()
        .iter()
        .filter_map(|r| Some((r.type_name().to_string(), convert::identity_schema(&r.identity_schema()?))))
        .collect();
    pb::get_resource_identity_schemas::Response { identity_schemas, diagnostics: Vec::new() }
}
