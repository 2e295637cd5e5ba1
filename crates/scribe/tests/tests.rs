//! End-to-end tests of the façade against `scribe-sim` over real loopback
//! HTTP and WebSocket. The VAD needs the assets `cargo xtask assets` fetches.

mod blocking;
mod config;
mod damaged;
mod errors;
mod reliability;
mod resilience;
mod results;
mod stream;
mod support;
mod upload;
