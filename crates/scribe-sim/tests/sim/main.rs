//! Integration tests: the simulator over real loopback HTTP and WebSocket,
//! driven with a plain HTTP client.

mod support;

mod auth;
mod create;
mod discovery;
mod lifecycle;
mod smoke;
mod upload;
