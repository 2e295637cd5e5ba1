//! Paths the simulator serves: the protocol's own (from `scribe_protocol::paths`)
//! plus the two whose location a server chooses (webhooks, the stream URL).

pub(crate) use scribe_protocol::paths::{
    DISCOVERY, DISCOVERY_ROOT, LOGIN, REFRESH, SESSIONS, TEMPLATES,
};

/// Webhook registrations (announced as the discovery `webhooks_url`).
pub(crate) const WEBHOOKS: &str = "/v1/webhooks";
/// WebSocket stream, followed by `/{stream_id}/audio` (the `upload_url` of a
/// `stream` session).
pub(crate) const STREAM_SESSIONS: &str = "/v1/stream/sessions";
