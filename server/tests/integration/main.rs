//! Every server integration suite, in one test binary: one link instead of a dozen keeps
//! the build fast and its disk footprint small. Each module is one suite; `support` spawns
//! the real app on port 0 with a fresh database per test.

#[macro_use]
mod support;

mod anomalies;
mod anomalies_sim;
mod api;
mod authz;
mod cluster;
mod collected;
mod crash;
mod demo;
mod identity;
mod monitoring;
mod process;
mod secrets;
mod sources;
mod store;
mod stream;
mod tenancy;
mod wall;
