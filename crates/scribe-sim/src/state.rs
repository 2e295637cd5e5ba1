//! The server's shared state and the session transitions that touch more
//! than one part of it (timers, webhooks, long-poll wake-ups).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime};

use scribe_protocol::discovery::DiscoveryDocument;
use tokio_util::sync::CancellationToken;

use crate::auth::TokenStore;
use crate::catalogue;
use crate::config::Config;
use crate::faults::FaultInjector;
use crate::request_log::RequestLog;
use crate::results;
use crate::session::{SessionEntry, Status};
use crate::webhooks::{Event, Registry};

/// Cheap handle to the shared state, given to every handler.
#[derive(Clone)]
pub(crate) struct AppState(pub(crate) Arc<Shared>);

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Everything the running server knows.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) local_addr: SocketAddr,
    pub(crate) base_url: String,
    pub(crate) auth_base_url: String,
    pub(crate) ws_base_url: String,
    pub(crate) started: Instant,
    pub(crate) sessions: Mutex<HashMap<String, Arc<SessionEntry>>>,
    /// Stream id -> session id.
    pub(crate) streams: Mutex<HashMap<String, String>>,
    pub(crate) tokens: TokenStore,
    pub(crate) webhooks: Registry,
    pub(crate) log: RequestLog,
    pub(crate) faults: Arc<FaultInjector>,
    pub(crate) shutdown: CancellationToken,
    /// The runtime the server runs on; background work is spawned here so
    /// that controls called from outside any runtime (blocking tests) work.
    pub(crate) runtime: tokio::runtime::Handle,
    /// The discovery document as scribe-protocol reads it, made on first use.
    discovery: OnceLock<DiscoveryDocument>,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn new(
        config: Config,
        local_addr: SocketAddr,
        shutdown: CancellationToken,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        // URLs name a loopback address even when listening on every interface.
        let host = if local_addr.ip().is_unspecified() {
            SocketAddr::from(([127, 0, 0, 1], local_addr.port()))
        } else {
            local_addr
        };
        let base_url = format!("http://{host}{}", config.base_path);
        let ws_base_url = format!("ws://{host}{}", config.base_path);
        let faults = FaultInjector::new(&config.faults);
        Shared {
            base_url,
            ws_base_url,
            auth_base_url: format!("http://{host}"),
            local_addr,
            started: Instant::now(),
            sessions: Mutex::new(HashMap::new()),
            streams: Mutex::new(HashMap::new()),
            tokens: TokenStore::new(),
            webhooks: Registry::new(config.webhook_retry),
            log: RequestLog::new(),
            faults,
            shutdown,
            runtime,
            config,
            discovery: OnceLock::new(),
        }
    }

    /// What this server offers (models, languages, upload types), read the
    /// way a client reads it: requests are validated against it, as a
    /// client does before sending them.
    pub(crate) fn discovery(&self) -> &DiscoveryDocument {
        self.discovery.get_or_init(|| {
            serde_json::from_value(catalogue::discovery(self))
                .expect("the simulator's discovery document reads as scribe-protocol's")
        })
    }

    pub(crate) fn session(&self, id: &str) -> Option<Arc<SessionEntry>> {
        lock(&self.sessions).get(id).cloned()
    }
}

impl AppState {
    /// Start the expiry timer of a new session.
    pub(crate) fn schedule_expiry(&self, entry: Arc<SessionEntry>) {
        let state = self.clone();
        let wait = entry
            .lock()
            .expires_at
            .duration_since(SystemTime::now())
            .unwrap_or_default();
        self.runtime.spawn(async move {
            tokio::select! {
                () = state.shutdown.cancelled() => {}
                () = tokio::time::sleep(wait) => {
                    // Only a session still taking audio expires on its own.
                    state.expire(&entry, false);
                }
            }
        });
    }

    /// Mark a session expired. Unless `force`, only a session not yet ended
    /// expires. Returns whether it changed.
    pub(crate) fn expire(&self, entry: &SessionEntry, force: bool) -> bool {
        let (business, id) = {
            let mut s = entry.lock();
            if s.status == Status::Expired || !(force || s.status.is_open()) {
                return false;
            }
            s.status = Status::Expired;
            s.expired_at = Some(SystemTime::now());
            s.generation += 1;
            (s.business_id.clone(), s.id.clone())
        };
        entry.notify();
        self.webhooks.emit(self, &business, Event::Expired, &id);
        true
    }

    /// After `end` or a template re-run: wait the processing delay, then
    /// produce results (unless something newer happened meanwhile).
    pub(crate) fn schedule_processing(&self, entry: Arc<SessionEntry>, generation: u64) {
        let state = self.clone();
        let delay = self.config.processing_delay;
        self.runtime.spawn(async move {
            tokio::select! {
                () = state.shutdown.cancelled() => {}
                () = tokio::time::sleep(delay) => { state.finish_processing(&entry, Some(generation)); }
            }
        });
    }

    /// Produce results now. With a generation, only if it is still current.
    pub(crate) fn finish_processing(&self, entry: &SessionEntry, generation: Option<u64>) -> bool {
        let (business, id, event) = {
            let mut s = entry.lock();
            if s.status != Status::Processing || generation.is_some_and(|g| g != s.generation) {
                return false;
            }
            let outcome = results::process(&s, self.config.max_chunk_seconds);
            s.status = outcome.status;
            s.completed_at = Some(SystemTime::now());
            let event = match outcome.status {
                Status::Completed => Event::Completed,
                Status::Partial => Event::Partial,
                _ => Event::Failed,
            };
            s.outcome = Some(outcome);
            (s.business_id.clone(), s.id.clone(), event)
        };
        entry.notify();
        self.webhooks.emit(self, &business, event, &id);
        true
    }
}
