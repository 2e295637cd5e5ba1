//! Paths the simulator serves, relative to the host root (auth, root
//! discovery) or to the protocol base path (everything else).

/// Eka client-credentials login, at the auth host root.
pub(crate) const LOGIN: &str = "/connect-auth/v1/account/login";
/// Eka token refresh, at the auth host root.
pub(crate) const REFRESH: &str = "/connect-auth/v1/account/refresh-token";
/// Discovery under the protocol base URL (Eka).
pub(crate) const DISCOVERY: &str = "/v1/.well-known/medscribealliance";
/// Discovery at the host root (spec and reference server).
pub(crate) const DISCOVERY_ROOT: &str = "/.well-known/medscribealliance";
/// Session collection.
pub(crate) const SESSIONS: &str = "/v1/sessions";
/// Template list.
pub(crate) const TEMPLATES: &str = "/v1/templates";
/// Webhook registrations.
pub(crate) const WEBHOOKS: &str = "/v1/webhooks";
/// WebSocket stream, followed by `/{stream_id}/audio`.
pub(crate) const STREAM_SESSIONS: &str = "/v1/stream/sessions";
