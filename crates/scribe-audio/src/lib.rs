//! scribe-audio
