//! scribe-sim
