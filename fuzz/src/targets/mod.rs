//! The targets, one module per parser family.

mod chunk_name;
mod config;
mod decode;
mod onnx;
mod priming;
mod protocol;
mod signature;
mod wav;

use crate::Target;

/// Every target, in the order `cargo xtask fuzz` runs them.
pub static TARGETS: &[Target] = &[
    onnx::TARGET,
    priming::TARGET,
    wav::TARGET,
    decode::TARGET,
    chunk_name::TARGET,
    protocol::TARGET,
    signature::TARGET,
    config::TARGET,
];
