//! Webhooks: registration bodies, event payloads and delivery signatures.
//!
//! A webhook event says only *that* something happened to a session
//! (`{"event", "timestamp", "session_id"}`); the receiver fetches the session
//! to learn more. Deliveries made with a secret carry [`SIGNATURE_HEADER`],
//! checked with [`verify`].

mod signature;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use signature::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, SignatureError, sign, verify};

use crate::open_enum::open_enum;
use crate::tolerant::keep_nulls;
use crate::{Extra, Timestamp};

open_enum! {
    /// What happened to a session.
    pub enum WebhookEventType {
        /// A session was created.
        SessionStarted => "session.started",
        /// A session was ended and processing began.
        SessionEnded => "session.ended",
        /// Processing finished with full results.
        SessionCompleted => "session.completed",
        /// Processing finished with partial results.
        SessionPartial => "session.partial",
        /// Processing failed.
        SessionFailed => "session.failed",
        /// The session expired.
        SessionExpired => "session.expired",
    }
}

open_enum! {
    /// State of a webhook registration.
    pub enum WebhookStatus {
        /// Deliveries are being made.
        Active => "active",
        /// Deliveries are paused.
        Inactive => "inactive",
        /// Deliveries were stopped, e.g. after repeated failures.
        Disabled => "disabled",
    }
}

/// A webhook delivery's payload.
///
/// ```
/// use scribe_protocol::webhook::{WebhookEvent, WebhookEventType};
///
/// let event: WebhookEvent = serde_json::from_str(
///     r#"{"event":"session.completed","timestamp":"2025-01-19T10:35:00Z","session_id":"ses_abc123def456"}"#,
/// )?;
/// assert_eq!(event.event, WebhookEventType::SessionCompleted);
/// assert_eq!(event.dedup_key(), ("ses_abc123def456", "session.completed"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct WebhookEvent {
    /// What happened.
    pub event: WebhookEventType,
    /// When it happened.
    pub timestamp: Timestamp,
    /// The session it happened to.
    pub session_id: String,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Unknown fields show their names only: a server may add results to an event.
impl fmt::Debug for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEvent")
            .field("event", &self.event)
            .field("timestamp", &self.timestamp)
            .field("session_id", &self.session_id)
            .field("extra", &crate::redact::Keys(&self.extra))
            .finish()
    }
}

impl WebhookEvent {
    /// The key to deduplicate deliveries by: deliveries are retried, so the
    /// same session and event may arrive more than once.
    pub fn dedup_key(&self) -> (&str, &str) {
        (&self.session_id, self.event.as_str())
    }
}

/// `POST {webhooks_url}`: register a receiver.
///
/// `Debug` never prints the secret.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "WebhookRegistrationRequest")
)]
pub struct WebhookRegistrationRequest {
    /// The HTTPS URL deliveries are posted to.
    pub url: String,
    /// The events to deliver.
    pub events: Vec<WebhookEventType>,
    /// Shared secret for `X-MSA-Signature`; unsigned deliveries without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(WebhookRegistrationRequest { secret });

impl fmt::Debug for WebhookRegistrationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookRegistrationRequest")
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A registered webhook, as returned by `POST` (201) and listed by `GET`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "WebhookRegistration")
)]
pub struct WebhookRegistration {
    /// Identifier for `DELETE {webhooks_url}/{webhook_id}`.
    pub webhook_id: String,
    /// Where deliveries go.
    pub url: String,
    /// The events delivered.
    #[serde(default)]
    pub events: Vec<WebhookEventType>,
    /// Registration state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WebhookStatus>,
    /// When the webhook was registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(WebhookRegistration { status, created_at });

/// `GET {webhooks_url}`: the registered webhooks.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct WebhookRegistrationList {
    /// The registrations.
    #[serde(default)]
    pub webhooks: Vec<WebhookRegistration>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}
