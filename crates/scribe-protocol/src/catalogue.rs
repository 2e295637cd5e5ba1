//! The catalogue: models, upload and session options, languages and limits.

use std::ops::RangeInclusive;

use crate::open_enum::open_enum;

open_enum! {
    /// The model that processes a session.
    pub enum Model {
        /// Lower latency; the default.
        Lite => "lite",
        /// Most accurate.
        Pro => "pro",
    }
}

// The enum comes from `open_enum!`, whose derive list is shared by all open enums.
#[allow(clippy::derivable_impls)]
impl Default for Model {
    fn default() -> Self {
        Model::Lite
    }
}

open_enum! {
    /// How audio reaches the server.
    pub enum UploadType {
        /// Speech-bounded chunks uploaded one by one (what Eka's client does).
        Chunked => "chunked",
        /// One file.
        Single => "single",
        /// Live PCM over a WebSocket.
        Stream => "stream",
    }
}

open_enum! {
    /// The channel audio travels over.
    pub enum CommunicationProtocol {
        /// Plain HTTP uploads.
        Http => "http",
        /// A WebSocket stream.
        Websocket => "websocket",
        /// RPC.
        Rpc => "rpc",
    }
}

open_enum! {
    /// What kind of recording a session holds.
    pub enum SessionMode {
        /// One clinician dictating; the default.
        Dictation => "dictation",
        /// A clinician and a patient talking.
        Consultation => "consultation",
    }
}

// The enum comes from `open_enum!`, whose derive list is shared by all open enums.
#[allow(clippy::derivable_impls)]
impl Default for SessionMode {
    fn default() -> Self {
        SessionMode::Dictation
    }
}

/// Language codes (ISO 639-1) the service supports.
pub const LANGUAGES: &[&str] = &["en", "hi", "gu", "kn", "ml", "ta", "te", "bn", "mr", "pa"];

/// Most templates one session may request.
pub const MAX_TEMPLATES: usize = 2;

/// Allowed length, in characters, of a client-chosen session id.
pub const SESSION_ID_LENGTH: RangeInclusive<usize> = 16..=64;

/// Whether `c` may appear in a client-chosen session id: an ASCII letter or
/// digit, `-` or `_`.
///
/// Eka's service takes "any 16 to 64 characters", but the id travels as a
/// URL path segment on every later call, where gateways treat `/`, `%` and
/// spaces differently. The spec's ids (`ses_` and letters and digits) and the
/// reference server's (with `-` and `_`) all fit this set, so an id made of
/// it works on every server.
///
/// ```
/// use scribe_protocol::catalogue::is_session_id_char;
///
/// assert!("visit-2026_11-25".chars().all(is_session_id_char));
/// assert!(!is_session_id_char('/'));
/// ```
pub fn is_session_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Largest `additional_data`, serialised, in bytes.
pub const MAX_ADDITIONAL_DATA_BYTES: usize = 4096;

/// Longest chunk the spec allows, in seconds.
pub const SPEC_MAX_CHUNK_SECONDS: u32 = 20;

/// Longest chunk Eka's backend accepts, in seconds.
pub const EKA_MAX_CHUNK_SECONDS: u32 = 24;

/// Chunk length Eka's backend prefers, in seconds.
pub const EKA_PREFERRED_CHUNK_SECONDS: u32 = 10;

/// Eka template: structured clinical notes.
pub const CLINICAL_NOTES_TEMPLATE: &str = "clinical_notes_template";
/// Eka template: notes shaped for Eka's EMR.
pub const EKA_EMR_TEMPLATE: &str = "eka_emr_template";
/// Eka template: the transcript.
pub const TRANSCRIPT_TEMPLATE: &str = "transcript_template";

/// Template ids Eka's service knows.
pub const EKA_TEMPLATES: &[&str] = &[
    CLINICAL_NOTES_TEMPLATE,
    EKA_EMR_TEMPLATE,
    TRANSCRIPT_TEMPLATE,
];

/// Template ids the spec names.
pub const SPEC_TEMPLATES: &[&str] = &[
    "transcript",
    "soap",
    "medications",
    "discharge_summary",
    "referral_letter",
    "hpi",
    "vitals",
];

/// Whether `code` is one of [`LANGUAGES`].
pub fn is_supported_language(code: &str) -> bool {
    LANGUAGES.contains(&code)
}
