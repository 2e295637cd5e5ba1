//! Integration tests for `scribe-protocol`, compiled into one binary.

mod chunk_names;
mod errors;
mod fixtures;
mod sessions;
mod timestamps;
mod validation;
mod webhooks;
