//! Every collector integration suite in one test binary (one link, small footprint): the
//! clients against the simulators over real HTTP, and the simulators against the vendor spec.

mod aa_auth;
mod aa_callback;
mod aa_sync;
mod uipath_openapi;
mod uipath_parse;
mod uipath_sim;
mod uipath_sim_control;
mod uipath_sync;
