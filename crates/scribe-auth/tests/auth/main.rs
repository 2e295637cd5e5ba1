//! Credential lifecycles over real loopback connections to `scribe-sim`.

mod failures;
mod lifecycle;
mod providers;
mod secrets;
mod support;
