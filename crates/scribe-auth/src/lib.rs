//! scribe-auth
