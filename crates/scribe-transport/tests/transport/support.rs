//! Shared pieces: a simulator, a client, an API-key authenticator, audio.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use scribe_sim::{FaultRule, RequestRecord, Route, Server};
use scribe_transport::http::HeaderName;
use scribe_transport::{
    API_KEY_HEADER, AuthHeaders, Authenticator, BoxFuture, Error, HttpClient, Request, RetryPolicy,
    TransportConfig,
};

/// A simulator with short long-polls and the given fault rules.
pub async fn sim(faults: Vec<FaultRule>) -> Server {
    let mut builder = Server::builder()
        .long_poll_hold(Duration::from_millis(200))
        .processing_delay(Duration::from_millis(50));
    for rule in faults {
        builder = builder.fault(rule);
    }
    builder.start().await.expect("the simulator starts")
}

/// Fast retries so tests spend their time on the wire, not in backoff.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(100))
}

/// A client authenticated with the simulator's API key.
pub fn client(server: &Server, config: TransportConfig) -> HttpClient {
    let http = HttpClient::new(config).expect("client builds");
    http.with_authenticator(Arc::new(KeyAuth::new(server.api_key())))
}

pub fn default_client(server: &Server) -> HttpClient {
    client(
        server,
        TransportConfig::default()
            .retry(fast_retries())
            .request_timeout(Duration::from_secs(5)),
    )
}

/// Sends `X-API-Key`; after a 401 it switches to `good` (when it held a bad key).
pub struct KeyAuth {
    keys: std::sync::Mutex<(String, u64)>,
    good: String,
    pub refreshes: AtomicU64,
}

impl KeyAuth {
    pub fn new(key: &str) -> Self {
        KeyAuth::starting_with(key, key)
    }

    pub fn starting_with(first: &str, good: &str) -> Self {
        KeyAuth {
            keys: std::sync::Mutex::new((first.to_owned(), 1)),
            good: good.to_owned(),
            refreshes: AtomicU64::new(0),
        }
    }
}

impl Authenticator for KeyAuth {
    fn authorize(&self) -> BoxFuture<'_, Result<AuthHeaders, Error>> {
        Box::pin(async move {
            let (key, generation) = self.keys.lock().unwrap().clone();
            let mut headers = AuthHeaders::new(generation);
            headers.insert(HeaderName::from_static(API_KEY_HEADER), &key)?;
            Ok(headers)
        })
    }

    fn refresh_after_rejection<'a>(
        &'a self,
        rejected: &'a AuthHeaders,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(async move {
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            let mut keys = self.keys.lock().unwrap();
            if keys.1 != rejected.generation() {
                return Ok(true);
            }
            if keys.0 == self.good {
                return Ok(false);
            }
            *keys = (self.good.clone(), keys.1 + 1);
            Ok(true)
        })
    }
}

/// `{base}/v1/templates`, the cheapest authenticated GET.
pub fn templates(server: &Server) -> Request {
    Request::get(format!("{}/v1/templates", server.base_url())).path_template("/v1/templates")
}

/// Requests the simulator logged for `route`.
pub fn logged(server: &Server, route: Route) -> Vec<RequestRecord> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.route == route)
        .collect()
}

/// Creates a chunked session and returns its id.
pub async fn create_session(http: &HttpClient, server: &Server, stream: bool) -> serde_json::Value {
    let body = if stream {
        serde_json::json!({
            "templates": ["clinical_notes_template"],
            "upload_type": "stream",
            "communication_protocol": "websocket",
        })
    } else {
        serde_json::json!({ "templates": ["clinical_notes_template"] })
    };
    let request = Request::post(format!("{}/v1/sessions", server.base_url()))
        .path_template("/v1/sessions")
        .json(&body)
        .unwrap();
    http.send(request)
        .await
        .expect("session created")
        .json()
        .expect("create answer is JSON")
}

/// `seconds` of a 440 Hz tone as 16 kHz mono 16-bit WAV.
pub fn wav_tone(seconds: f64) -> Vec<u8> {
    scribe_sim::wav::tone_file(seconds, 16_000)
}

/// Raw 16-bit LE PCM of a 440 Hz tone, `samples` long at 16 kHz.
pub fn pcm_tone(samples: usize) -> Vec<u8> {
    scribe_sim::wav::tone(samples as f64 / 16_000.0, 16_000)
        .iter()
        .flat_map(|s| s.to_le_bytes())
        .collect()
}
