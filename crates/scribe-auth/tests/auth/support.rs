//! A simulator, a transport and client credentials wired the way the façade does.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scribe_auth::{ClientCredentials, ManualClock, SecretString};
use scribe_sim::{FaultRule, RequestRecord, Route, Server};
use scribe_transport::{HttpClient, Request, RetryPolicy, TransportConfig};

pub async fn sim_with(lifetime: Duration, faults: Vec<FaultRule>) -> Server {
    let mut builder = Server::builder()
        .token_lifetime(lifetime)
        .long_poll_hold(Duration::from_millis(100));
    for rule in faults {
        builder = builder.fault(rule);
    }
    builder.start().await.expect("the simulator starts")
}

pub async fn sim() -> Server {
    sim_with(Duration::from_secs(3600), vec![]).await
}

pub fn transport() -> HttpClient {
    HttpClient::new(
        TransportConfig::default().retry(
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(50)),
        ),
    )
    .expect("transport builds")
}

/// Client credentials on a manual clock, and the authenticated transport.
pub struct Wired {
    pub provider: ClientCredentials,
    pub clock: Arc<ManualClock>,
    pub api: HttpClient,
}

/// Client credentials for `server`'s client id with `secret`, through `http`.
pub fn credentials(http: &HttpClient, server: &Server, secret: &str) -> ClientCredentials {
    ClientCredentials::new(
        http,
        server.auth_base_url(),
        server.client_id(),
        SecretString::from(secret.to_owned()),
    )
    .expect("provider builds")
}

pub fn wire(server: &Server, secret: &str) -> Wired {
    let http = transport();
    let clock = Arc::new(ManualClock::new());
    // Patience short enough that a test of an outage ends in seconds.
    let provider = credentials(&http, server, secret)
        .with_clock(clock.clone())
        .with_patience(std::time::Duration::from_secs(3));
    let api = http.with_authenticator(Arc::new(provider.clone()));
    Wired {
        provider,
        clock,
        api,
    }
}

pub fn templates(server: &Server) -> Request {
    Request::get(format!("{}/v1/templates", server.base_url())).path_template("/v1/templates")
}

pub fn count(server: &Server, route: Route) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.route == route)
        .count()
}

pub fn logged(server: &Server, route: Route) -> Vec<RequestRecord> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.route == route)
        .collect()
}

/// Everything `tracing` wrote while a guard from [`capture_logs`] lived.
#[derive(Clone, Default)]
pub struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl LogBuffer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures every log line and span field at TRACE level from the SDK and
/// its HTTP/TLS dependencies (the simulator's own logs are left out: it is
/// the server side). Holds for the current thread: use a current-thread runtime.
pub fn capture_logs() -> (LogBuffer, tracing::subscriber::DefaultGuard) {
    let buffer = LogBuffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,scribe_sim=off,axum=off,tower=off,tower_http=off",
        ))
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (buffer, guard)
}
