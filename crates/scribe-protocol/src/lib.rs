//! scribe-protocol
