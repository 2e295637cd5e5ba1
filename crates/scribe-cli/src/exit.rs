//! Exit codes: a script can tell what kind of failure stopped the command.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | everything worked |
//! | 1 | a failure that fits no other class (an unknown session id, a local I/O error, cancelled) |
//! | 2 | usage: the command line was wrong (clap), or a value it gave was refused before anything was sent |
//! | 3 | configuration (environment, config file) |
//! | 4 | authentication: credentials missing or refused |
//! | 5 | audio: unreadable, undecodable, or refused by the server |
//! | 6 | server or network: no answer, a timed-out request, a server error, or a request the server refused (400/422) |
//! | 7 | the session did not complete: failed, partial, expired, or waiting for its results ran out |
//! | 8 | the session was already ended (the server refused with 409); nothing was changed |
//! | 9 | not confirmed: a confirmation was needed and not given (`--yes`, or no terminal to ask on) |
//!
//! Errors map to codes through one table, [`TABLE`].

use std::process::ExitCode;

use scribe::ErrorKind as K;

/// The exit statuses of `scribe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// A failure that fits no other class.
    Failure = 1,
    /// The command line was wrong, or a value it gave was refused before
    /// anything was sent.
    Usage = 2,
    /// The configuration (environment, config file) was wrong.
    Config = 3,
    /// Credentials were missing or refused.
    Auth = 4,
    /// The audio could not be read, decoded or analysed, or was refused.
    Audio = 5,
    /// The server or the network failed, or the server refused the request.
    Server = 6,
    /// The session did not complete (failed, partial, expired, or waiting
    /// for its results ran out).
    Incomplete = 7,
    /// The session was already ended (the server refused with 409, or
    /// `session end` found it ended); the refused request changed nothing.
    AlreadyEnded = 8,
    /// A confirmation was needed and not given; nothing was changed.
    NotConfirmed = 9,
}

/// Which errors of a kind a row of [`TABLE`] covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Every error of the kind.
    Always,
    /// Errors carrying the server's answer (an HTTP status).
    ServerAnswered,
    /// Errors of a request that was sent (at least one attempt), answered or not.
    RequestSent,
}

impl When {
    fn covers(self, error: &scribe::Error) -> bool {
        match self {
            When::Always => true,
            When::ServerAnswered => error.status().is_some(),
            When::RequestSent => error.attempts() > 0 || error.status().is_some(),
        }
    }
}

/// One row of [`TABLE`].
#[derive(Debug)]
pub struct Row {
    /// The SDK error kind.
    pub kind: K,
    /// Which errors of the kind.
    pub when: When,
    /// The exit status.
    pub exit: Exit,
    /// What happened, printed after the error when the kind alone does not say it.
    pub note: Option<&'static str>,
}

const fn row(kind: K, when: When, exit: Exit) -> Row {
    Row {
        kind,
        when,
        exit,
        note: None,
    }
}

/// Error kind to exit status; the first row matching an error applies, and
/// kinds with no row (new ones) exit [`Exit::Failure`].
pub const TABLE: &[Row] = &[
    row(K::Config, When::Always, Exit::Config),
    row(K::Auth, When::Always, Exit::Auth),
    row(K::Audio, When::Always, Exit::Audio),
    row(K::InvalidAudio, When::Always, Exit::Audio),
    // 400/422: the command line was fine, the server refused what was sent.
    Row {
        kind: K::Validation,
        when: When::ServerAnswered,
        exit: Exit::Server,
        note: Some(
            "the server refused the request (the command line itself was accepted); \
             its message above says what it objected to",
        ),
    },
    // Refused before sending (a template, model or language the server does
    // not offer): a value the command line gave.
    row(K::Validation, When::Always, Exit::Usage),
    // A login, create, upload or read that timed out: the server or the
    // network, whether or not a session exists yet.
    row(K::Timeout, When::RequestSent, Exit::Server),
    // No request failed: waiting for the session's results (or for a stream
    // to finish) ran out of time.
    row(K::Timeout, When::Always, Exit::Incomplete),
    row(K::Expired, When::Always, Exit::Incomplete),
    row(K::Conflict, When::Always, Exit::AlreadyEnded),
    row(K::Server, When::Always, Exit::Server),
    row(K::RateLimited, When::Always, Exit::Server),
    row(K::Connection, When::Always, Exit::Server),
    row(K::Tls, When::Always, Exit::Server),
    row(K::Protocol, When::Always, Exit::Server),
    row(K::Closed, When::Always, Exit::Server),
    row(K::NotFound, When::Always, Exit::Failure),
    row(K::Io, When::Always, Exit::Failure),
    row(K::Cancelled, When::Always, Exit::Failure),
    row(K::Other, When::Always, Exit::Failure),
];

fn row_of(error: &scribe::Error) -> Option<&'static Row> {
    TABLE
        .iter()
        .find(|row| row.kind == error.kind() && row.when.covers(error))
}

impl Exit {
    /// The class of an SDK error, from [`TABLE`].
    pub fn of(error: &scribe::Error) -> Self {
        row_of(error).map_or(Exit::Failure, |row| row.exit)
    }
}

/// What happened, when the error's own text leaves the class unclear.
pub fn note(error: &scribe::Error) -> Option<&'static str> {
    row_of(error).and_then(|row| row.note)
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use scribe::transport::{Error as TransportError, ErrorKind as T};

    use super::*;

    /// An error the SDK made locally (no request behind it).
    fn local(kind: K) -> scribe::Error {
        scribe::Error::new(kind, "x")
    }

    /// An error carrying the server's answer.
    fn answered(kind: T, status: u16) -> scribe::Error {
        scribe::Error::from(TransportError::new(kind, "x").with_status(status))
    }

    #[test]
    fn config() {
        assert_eq!(Exit::of(&local(K::Config)), Exit::Config);
    }

    #[test]
    fn auth() {
        assert_eq!(Exit::of(&local(K::Auth)), Exit::Auth);
        assert_eq!(Exit::of(&answered(T::Auth, 401)), Exit::Auth);
    }

    #[test]
    fn audio() {
        assert_eq!(Exit::of(&local(K::Audio)), Exit::Audio);
    }

    #[test]
    fn invalid_audio() {
        assert_eq!(Exit::of(&answered(T::InvalidAudio, 415)), Exit::Audio);
    }

    #[test]
    fn validation_by_the_server_is_a_server_refusal_not_usage() {
        for status in [400, 422] {
            let e = answered(T::Validation, status);
            assert_eq!(Exit::of(&e), Exit::Server, "{status}");
            assert!(note(&e).is_some_and(|n| n.contains("server refused")));
        }
    }

    #[test]
    fn validation_before_sending_is_usage() {
        let e = local(K::Validation);
        assert_eq!(Exit::of(&e), Exit::Usage);
        assert_eq!(note(&e), None);
    }

    /// A request that timed out, made for real: a loopback listener that
    /// accepts and never answers.
    #[tokio::test]
    async fn timeout_of_a_request_is_server_or_network() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("addr: {e}"));
        let silent = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let client = scribe::ScribeClient::builder()
            .env_vars(scribe::config::EnvVars::none())
            .base_url(format!("http://{addr}/voice"))
            .api_key("sk_test_unanswered")
            .request_timeout(Duration::from_millis(200))
            .retry_policy(scribe::transport::RetryPolicy::none())
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        let e = client
            .session("s")
            .get()
            .await
            .err()
            .unwrap_or_else(|| panic!("a silent server cannot answer"));
        silent.abort();
        assert_eq!(e.kind(), K::Timeout, "{e}");
        assert_eq!(Exit::of(&e), Exit::Server, "{e:?}");
    }

    #[test]
    fn timeout_waiting_for_results_is_incomplete() {
        assert_eq!(Exit::of(&local(K::Timeout)), Exit::Incomplete);
    }

    #[test]
    fn expired() {
        assert_eq!(Exit::of(&answered(T::Expired, 410)), Exit::Incomplete);
    }

    #[test]
    fn conflict_is_already_ended() {
        assert_eq!(Exit::of(&answered(T::Conflict, 409)), Exit::AlreadyEnded);
    }

    #[test]
    fn server() {
        assert_eq!(Exit::of(&answered(T::Server, 503)), Exit::Server);
    }

    #[test]
    fn rate_limited() {
        assert_eq!(Exit::of(&answered(T::RateLimited, 429)), Exit::Server);
    }

    #[test]
    fn connection() {
        assert_eq!(Exit::of(&local(K::Connection)), Exit::Server);
    }

    #[test]
    fn tls() {
        assert_eq!(Exit::of(&local(K::Tls)), Exit::Server);
    }

    #[test]
    fn protocol() {
        assert_eq!(Exit::of(&local(K::Protocol)), Exit::Server);
    }

    #[test]
    fn closed() {
        assert_eq!(Exit::of(&local(K::Closed)), Exit::Server);
    }

    #[test]
    fn not_found() {
        assert_eq!(Exit::of(&answered(T::NotFound, 404)), Exit::Failure);
    }

    #[test]
    fn io() {
        assert_eq!(Exit::of(&local(K::Io)), Exit::Failure);
    }

    #[test]
    fn cancelled() {
        assert_eq!(Exit::of(&local(K::Cancelled)), Exit::Failure);
    }

    #[test]
    fn other() {
        assert_eq!(Exit::of(&local(K::Other)), Exit::Failure);
    }

    #[test]
    fn codes_are_distinct_and_documented() {
        let all = [
            Exit::Ok,
            Exit::Failure,
            Exit::Usage,
            Exit::Config,
            Exit::Auth,
            Exit::Audio,
            Exit::Server,
            Exit::Incomplete,
            Exit::AlreadyEnded,
            Exit::NotConfirmed,
        ];
        for (n, exit) in all.iter().enumerate() {
            assert_eq!(*exit as usize, n);
        }
        // README's summary names every failure code with its meaning.
        let readme = include_str!("../../../README.md");
        let summary = readme
            .lines()
            .skip_while(|l| !l.starts_with("Exit codes"))
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        for (exit, words) in [
            (Exit::Failure, "1 other"),
            (Exit::Usage, "2 usage"),
            (Exit::Config, "3 configuration"),
            (Exit::Auth, "4 authentication"),
            (Exit::Audio, "5 audio"),
            (Exit::Server, "6 server or network"),
            (Exit::Incomplete, "7 session not completed"),
            (Exit::AlreadyEnded, "8 session already ended"),
            (Exit::NotConfirmed, "9 not confirmed"),
        ] {
            assert!(words.starts_with(&format!("{} ", exit as u8)));
            assert!(summary.contains(words), "README lacks `{words}`: {summary}");
        }
    }
}
