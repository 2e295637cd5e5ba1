//! Transport behaviour over real loopback connections to `scribe-sim`.

mod errors;
mod faults;
mod localhost;
mod support;
mod tls;
mod websocket;
