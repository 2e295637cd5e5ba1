//! scribe
