//! Integration tests for scribe-audio, compiled into one test binary.
//!
//! Tests that run the model find ONNX Runtime and the Silero model the way
//! the SDK does (environment, then the cache filled by `cargo xtask
//! assets`); run `cargo xtask assets` once before `cargo test`.

mod assets;
mod damage;
mod inspect;
mod pipeline;
mod priming;
mod streaming;
mod support;
