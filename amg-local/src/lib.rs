//! The one harness every tool of this workspace starts `amg-local` with: the provider's
//! integration suite, `amg-local`'s own contract suite and `cargo xtask`. The emulator itself
//! is the binary (`src/main.rs`); this library holds nothing of it.

pub mod harness;
