//! scribe-transport
