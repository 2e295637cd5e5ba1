//! The request log: every request the server saw, with its route, answer,
//! timing and how many times the same method and path came before, so tests
//! can check retries and the spacing `Retry-After` asked for.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;

use crate::route::Route;
use crate::state::{AppState, lock};

/// One request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RequestRecord {
    /// Position in the log, from 0.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Request path (the query is left out).
    pub path: String,
    /// Which protocol route the path is.
    pub route: Route,
    /// The session the path names, if any.
    pub session_id: Option<String>,
    /// Status answered; `None` while in flight or when the connection was
    /// reset instead of answered.
    pub status: Option<u16>,
    /// Injected fault, if any (`503`, `reset-before-body`, `slow:200ms`, ...).
    pub fault: Option<String>,
    /// 1 for the first request with this method and path, 2 for the next
    /// (a retry or a re-upload), and so on.
    pub attempt: u32,
    /// When the request arrived, measured from server start.
    #[serde(rename = "at_ms", serialize_with = "millis")]
    pub at: Duration,
    /// When the request arrived, in milliseconds since the Unix epoch.
    pub unix_ms: u64,
    /// Time to the answer (`None` while in flight or when reset).
    #[serde(rename = "elapsed_ms", serialize_with = "opt_millis")]
    pub elapsed: Option<Duration>,
    /// `Retry-After` sent with the answer, in seconds.
    pub retry_after_seconds: Option<u64>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

fn opt_millis<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => millis(d, s),
        None => s.serialize_none(),
    }
}

/// Most records kept; older ones are dropped first.
const CAPACITY: usize = 100_000;

#[derive(Default)]
struct Inner {
    first_seq: u64,
    records: VecDeque<RequestRecord>,
    attempts: HashMap<(String, String), u32>,
}

/// The log itself.
#[derive(Default)]
pub(crate) struct RequestLog {
    inner: Mutex<Inner>,
}

/// The log position of the request in flight, for the fault injector.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogSlot(pub(crate) u64);

impl RequestLog {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn begin(&self, record: RequestRecord) -> u64 {
        let mut inner = lock(&self.inner);
        let key = (record.method.clone(), record.path.clone());
        let attempt = inner.attempts.entry(key).or_insert(0);
        *attempt += 1;
        let attempt = *attempt;
        let seq = inner.first_seq + inner.records.len() as u64;
        inner.records.push_back(RequestRecord {
            seq,
            attempt,
            ..record
        });
        if inner.records.len() > CAPACITY {
            inner.records.pop_front();
            inner.first_seq += 1;
        }
        seq
    }

    fn with<F: FnOnce(&mut RequestRecord)>(&self, seq: u64, f: F) {
        let mut inner = lock(&self.inner);
        let Some(pos) = seq.checked_sub(inner.first_seq) else {
            return;
        };
        if let Some(record) = usize::try_from(pos)
            .ok()
            .and_then(|p| inner.records.get_mut(p))
        {
            f(record);
        }
    }

    pub(crate) fn mark_fault(&self, seq: u64, label: String) {
        self.with(seq, |r| r.fault = Some(label));
    }

    pub(crate) fn snapshot(&self) -> Vec<RequestRecord> {
        lock(&self.inner).records.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        let mut inner = lock(&self.inner);
        inner.first_seq += inner.records.len() as u64;
        inner.records.clear();
        inner.attempts.clear();
    }
}

/// The session id a protocol path names, if any.
pub(crate) fn session_id_in(path: &str, base_path: &str) -> Option<String> {
    let rest = path.strip_prefix(base_path)?;
    let tail = rest
        .strip_prefix(crate::paths::SESSIONS)?
        .strip_prefix('/')?;
    let id = tail.split('/').next()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// Outermost middleware: classify, log, and time every request.
pub(crate) async fn record(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let path_for_log = path.clone();
    let method = request.method().clone();
    let route = Route::classify(request.method(), &path, &state.config.base_path);
    let started = Instant::now();
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let seq = state.log.begin(RequestRecord {
        seq: 0,
        method: request.method().as_str().to_owned(),
        session_id: session_id_in(&path, &state.config.base_path),
        path,
        route,
        status: None,
        fault: None,
        attempt: 0,
        at: started.duration_since(state.started),
        unix_ms,
        elapsed: None,
        retry_after_seconds: None,
    });
    request.extensions_mut().insert(route);
    request.extensions_mut().insert(LogSlot(seq));
    let response = next.run(request).await;
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let status = response.status().as_u16();
    // Method, path, status and timing only: never bodies or headers.
    tracing::info!(
        target: "scribe_sim::requests",
        method = %method,
        path = %path_for_log,
        status,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    state.log.with(seq, |r| {
        r.status = Some(status);
        r.elapsed = Some(started.elapsed());
        r.retry_after_seconds = retry_after;
    });
    response
}
