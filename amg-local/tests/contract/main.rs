//! amg-local's contract, checked with clients and specs nobody here wrote: the AWS SDK
//! (`aws-sdk-grafana`) for the control plane, Grafana's OpenAPI spec for response shapes, and
//! the wire contracts of `amg-local/reference/grafana-api.md` (table-driven, both version profiles).

mod access;
mod alerting;
mod control_plane;
mod fidelity;
mod grafana_api;
mod health;
mod openapi;
mod provisioned;
mod robustness;
mod rule_groups;
mod support;
