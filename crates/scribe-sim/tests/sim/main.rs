//! Integration tests: the simulator over real loopback HTTP and WebSocket,
//! driven with a plain HTTP client.

mod support;

mod agreement;
mod auth;
#[cfg(feature = "cli")]
mod binary;
mod concurrency;
mod create;
mod dialects;
mod discovery;
mod faults;
mod inspect;
mod lifecycle;
mod smoke;
mod stream;
mod upload;
mod webhooks;
