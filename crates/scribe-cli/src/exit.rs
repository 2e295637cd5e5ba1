//! Exit codes: a script can tell what kind of failure stopped the command.

use std::process::ExitCode;

/// The exit statuses of `scribe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// A failure that fits no other class.
    Failure = 1,
    /// The command line or an argument value was wrong.
    Usage = 2,
    /// The configuration (environment, config file) was wrong.
    Config = 3,
    /// Credentials were missing or refused.
    Auth = 4,
    /// The audio could not be read, decoded or analysed, or was refused.
    Audio = 5,
    /// The server or the network failed.
    Server = 6,
    /// The session did not complete (failed, partial, expired, timed out).
    Incomplete = 7,
}

impl Exit {
    /// The class of an SDK error.
    pub fn of(error: &scribe::Error) -> Self {
        use scribe::ErrorKind as K;
        if error.is_cancelled() {
            return Exit::Failure;
        }
        match error.kind() {
            K::Config => Exit::Config,
            K::Auth => Exit::Auth,
            K::Audio | K::InvalidAudio => Exit::Audio,
            K::Validation => Exit::Usage,
            K::Expired | K::Timeout => Exit::Incomplete,
            K::NotFound | K::Conflict => Exit::Failure,
            K::Server | K::RateLimited | K::Connection | K::Tls | K::Protocol | K::Closed => {
                Exit::Server
            }
            _ => Exit::Failure,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_distinct_classes() {
        let e = |k| scribe::Error::new(k, "x");
        assert_eq!(Exit::of(&e(scribe::ErrorKind::Auth)), Exit::Auth);
        assert_eq!(Exit::of(&e(scribe::ErrorKind::Audio)), Exit::Audio);
        assert_eq!(Exit::of(&e(scribe::ErrorKind::Server)), Exit::Server);
        assert_eq!(Exit::of(&e(scribe::ErrorKind::Config)), Exit::Config);
        assert_eq!(Exit::of(&e(scribe::ErrorKind::Validation)), Exit::Usage);
    }
}
