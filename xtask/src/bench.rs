//! `cargo xtask bench`: numbers, not pass/fail.
pub fn run() -> Result<(), String> {
    Err("bench: not yet written".into())
}
