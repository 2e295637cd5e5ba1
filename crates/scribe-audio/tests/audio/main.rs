//! Integration tests for scribe-audio, compiled into one test binary.

mod inspect;
mod support;
