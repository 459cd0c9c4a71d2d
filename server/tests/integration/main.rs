//! The vault's suites, in the one-binary layout the lead is moving every server suite to
//! (`server/tests/integration/`). At merge only `mod secrets;` is new here; `support`
//! then lives beside this file instead of being borrowed from `../support`.

#[macro_use]
#[path = "../support/mod.rs"]
mod support;

mod secrets;
