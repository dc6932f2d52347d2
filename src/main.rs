//! The `terraform-provider-grafana` binary: Terraform or OpenTofu starts it and talks to it over gRPC.
//!
//! Everything happens in [`terraform_provider_grafana::main`]; this file only maps the
//! outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    terraform_provider_grafana::main()
}
