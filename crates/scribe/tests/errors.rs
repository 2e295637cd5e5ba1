//! One test per error kind: each failure is provoked for real (over
//! loopback against the local server where it crosses the wire) and must
//! come back as its own kind. And the one retry layer: `RetryPolicy::none()`
//! makes exactly one request per chunk.

use std::time::Duration;

use scribe::transport::RetryPolicy;
use scribe::{AudioChunk, ErrorKind, ScribeClient};
use scribe_sim::{FaultKind, FaultRule, Route};

use crate::support::*;

/// A client that never retries, so each fault shows as it was injected.
fn no_retry(server: &scribe_sim::Server) -> ScribeClient {
    builder_for(server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// A quick local server and a session created on it.
async fn fresh_session() -> (scribe_sim::Server, scribe::Session) {
    let server = start(quick_server()).await;
    let session = new_session(&client_for(&server)).await;
    (server, session)
}

/// A client with an API key (no login) for `base`, never retrying.
fn api_key_client(base: impl AsRef<str>) -> ScribeClient {
    let base = base.as_ref();
    ScribeClient::builder()
        .env_vars(scribe::config::EnvVars::none())
        .working_dir(std::env::temp_dir())
        .base_url(base)
        .auth_base_url(base)
        .api_key("key")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn expect_kind<T>(result: Result<T, scribe::Error>, kind: ErrorKind) -> scribe::Error {
    match result {
        Ok(_) => panic!("expected a {kind:?} error, the call succeeded"),
        Err(e) => {
            assert_eq!(e.kind(), kind, "{e}");
            assert!(!e.to_string().is_empty());
            e
        }
    }
}

#[tokio::test]
async fn auth_refused_credentials() {
    let server = start(quick_server()).await;
    let client = builder_for(&server)
        .client_credentials(server.client_id(), "not-the-secret")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let e = expect_kind(client.create_session().await, ErrorKind::Auth);
    assert!(e.is_auth());
    assert!(!e.to_string().contains("not-the-secret"), "{e}");
}

#[tokio::test]
async fn not_found_unknown_session() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let e = expect_kind(
        client.session("no-such-session-0000").get().await,
        ErrorKind::NotFound,
    );
    assert!(e.is_not_found());
    assert_eq!(e.status(), Some(404));
}

#[tokio::test]
async fn expired_session() {
    let (server, session) = fresh_session().await;
    assert!(server.expire_session(session.id()));
    let e = expect_kind(session.wait().await, ErrorKind::Expired);
    assert!(e.is_expired());
}

#[tokio::test]
async fn conflict_upload_after_end() {
    let (_server, session) = fresh_session().await;
    let wav = wav_file(&consultation_pcm().0, 16_000);
    session
        .upload_chunks(futures_util::stream::iter([AudioChunk::wav(wav.clone())]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let late = session
        .upload_chunks(futures_util::stream::iter([AudioChunk::wav(wav)]))
        .start_index(1)
        .end_session(false)
        .await;
    let e = expect_kind(late, ErrorKind::Conflict);
    assert_eq!(e.status(), Some(409));
}

#[tokio::test]
async fn invalid_audio_refused_by_the_server() {
    let (_server, session) = fresh_session().await;
    let garbage = AudioChunk::wav(b"this is not a wav file at all".to_vec());
    let e = expect_kind(
        session
            .upload_chunks(futures_util::stream::iter([garbage]))
            .await,
        ErrorKind::InvalidAudio,
    );
    assert!(e.is_audio());
}

#[tokio::test]
async fn validation_before_sending() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let before = server.requests().len();
    let e = expect_kind(
        client
            .create_session()
            .templates(["a_template", "b_template", "c_template"])
            .await,
        ErrorKind::Validation,
    );
    assert_eq!(e.status(), None, "refused locally: {e}");
    assert_eq!(server.requests().len(), before, "nothing was sent");
}

#[tokio::test]
async fn rate_limited() {
    let server = start(quick_server().fault(FaultRule::on(
        Route::Templates,
        FaultKind::RateLimited {
            retry_after: Duration::from_secs(7),
        },
    )))
    .await;
    let e = expect_kind(no_retry(&server).templates().await, ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert!(e.is_retryable());
}

#[tokio::test]
async fn server_failure() {
    let server =
        start(quick_server().fault(FaultRule::on(Route::Templates, FaultKind::InternalError)))
            .await;
    let e = expect_kind(no_retry(&server).templates().await, ErrorKind::Server);
    assert!(e.is_server() && e.is_retryable());
}

#[tokio::test]
async fn timeout_of_a_slow_answer() {
    let server = start(quick_server().fault(FaultRule::on(
        Route::Templates,
        FaultKind::Slow(Duration::from_secs(3)),
    )))
    .await;
    let client = builder_for(&server)
        .retry_policy(RetryPolicy::none())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let e = expect_kind(client.templates().await, ErrorKind::Timeout);
    assert!(e.is_timeout());
}

#[tokio::test]
async fn connection_refused() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let client = api_key_client(format!("http://127.0.0.1:{port}"));
    expect_kind(client.discovery().await, ErrorKind::Connection);
}

#[tokio::test]
async fn tls_handshake_with_a_plain_http_server() {
    let server = start(quick_server()).await;
    let https = server.base_url().replacen("http://", "https://", 1);
    let client = api_key_client(&https);
    expect_kind(client.discovery().await, ErrorKind::Tls);
}

#[tokio::test]
async fn protocol_an_unreadable_success() {
    // A loopback server that answers every request 200 with a body that is
    // not JSON, as a captive portal or a wrong base URL does.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let body = "<html>welcome</html>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    let client = api_key_client(format!("http://{addr}"));
    let e = expect_kind(client.templates().await, ErrorKind::Protocol);
    assert_eq!(e.status(), Some(200), "{e}");
}

#[tokio::test]
async fn closed_by_the_server_mid_stream() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = client
        .create_session()
        .streaming()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut live = session
        .open_stream()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (pcm, _) = consultation_pcm();
    live.send_audio(&pcm[..16_000])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The session expires while streaming: the server closes the stream
    // (at once, or at the next frame); the client reports it as closed by
    // the server, whichever call notices first.
    assert!(server.expire_session(session.id()));
    let result = match live.send_audio(&pcm[..1_600]).await {
        Err(e) => Err(e),
        Ok(()) => loop {
            match live.next_message().await {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("the server closed the stream cleanly"),
                Err(e) => break Err::<(), _>(e),
            }
        },
    };
    expect_kind(result, ErrorKind::Closed);
}

#[tokio::test]
async fn config_a_bad_url() {
    let e = expect_kind(
        ScribeClient::builder()
            .env_vars(scribe::config::EnvVars::none())
            .working_dir(std::env::temp_dir())
            .base_url("ftp://files.example/")
            .api_key("key")
            .build(),
        ErrorKind::Config,
    );
    assert!(e.is_config());
}

#[tokio::test]
async fn audio_a_file_that_is_not_audio() {
    let (_server, session) = fresh_session().await;
    let e = expect_kind(
        session
            .upload_file(b"plain text, not a recording".to_vec())
            .await,
        ErrorKind::Audio,
    );
    assert!(e.is_audio());
}

#[tokio::test]
async fn io_a_file_that_cannot_be_read() {
    let (_server, session) = fresh_session().await;
    let missing = std::env::temp_dir().join("scribe-no-such-recording.wav");
    expect_kind(session.upload_file(missing).await, ErrorKind::Io);
}

#[tokio::test]
async fn cancelled_by_the_callers_signal() {
    let (_server, session) = fresh_session().await;
    let e = expect_kind(
        session
            .upload_file(sample("consultation.wav"))
            .cancel_on(std::future::ready(()))
            .await,
        ErrorKind::Cancelled,
    );
    assert!(e.is_cancelled() && !e.is_retryable());
    let e = expect_kind(
        session
            .wait()
            .cancel_on(tokio::time::sleep(Duration::from_millis(50)))
            .await,
        ErrorKind::Cancelled,
    );
    assert!(e.message().contains("waiting"), "{e}");
}

#[tokio::test]
async fn other_blocking_client_inside_a_runtime() {
    let server = start(quick_server()).await;
    let base = server.base_url().to_owned();
    let auth = server.auth_base_url().to_owned();
    let (id, secret) = (
        server.client_id().to_owned(),
        server.client_secret().to_owned(),
    );
    let client = std::thread::spawn(move || {
        scribe::blocking::ScribeClient::builder()
            .env_vars(scribe::config::EnvVars::none())
            .working_dir(std::env::temp_dir())
            .base_url(base)
            .auth_base_url(auth)
            .client_credentials(id, secret)
            .build()
    })
    .join()
    .unwrap_or_else(|_| panic!("build panicked"))
    .unwrap_or_else(|e| panic!("{e}"));
    let e = expect_kind(client.templates(), ErrorKind::Other);
    assert!(e.to_string().contains("async"), "{e}");
}

#[tokio::test]
async fn retry_policy_none_sends_each_chunk_once() {
    // Every chunk upload fails; without retries each is tried exactly once.
    let server =
        start(quick_server().fault(FaultRule::on(Route::UploadAudio, FaultKind::InternalError)))
            .await;
    let client = no_retry(&server);
    let session = client
        .create_session()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let e = expect_kind(
        session
            .upload_file(sample("consultation.wav"))
            .concurrency(1)
            .await,
        ErrorKind::Server,
    );
    assert_eq!(e.attempts(), 1, "{e}");
    let counts = upload_counts(&server, session.id());
    assert_eq!(counts.values().sum::<usize>(), 1, "{counts:?}");

    // With a policy of three attempts (counted, not until a deadline), the
    // first chunk is tried three times.
    let server =
        start(quick_server().fault(FaultRule::on(Route::UploadAudio, FaultKind::InternalError)))
            .await;
    let client = builder_for(&server)
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(5))
                .until_deadline(false),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let session = client
        .create_session()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let e = expect_kind(
        session
            .upload_file(sample("consultation.wav"))
            .concurrency(1)
            .await,
        ErrorKind::Server,
    );
    assert_eq!(e.attempts(), 3, "{e}");
    let counts = upload_counts(&server, session.id());
    assert_eq!(counts.get("chunk_0.wav"), Some(&3), "{counts:?}");
    assert_eq!(counts.len(), 1, "{counts:?}");
}
