//! The discovery document: what a server speaks and supports.
//!
//! Served without authentication at `GET {base_url}/v1/.well-known/medscribealliance`
//! (Eka) or `GET /.well-known/medscribealliance` at the host root (spec). A
//! client caches it and checks requests against it before sending them
//! ([`CreateSessionRequest::validate`](crate::session::CreateSessionRequest::validate)).
//! Every part is optional when reading: a sparse document still parses.

use serde::{Deserialize, Serialize};

use crate::Extra;
use crate::catalogue::{Model, UploadType};
use crate::chunk::AudioExtension;
use crate::tolerant::keep_nulls;

/// The discovery document.
///
/// ```
/// use scribe_protocol::catalogue::Model;
/// use scribe_protocol::discovery::DiscoveryDocument;
///
/// let doc: DiscoveryDocument = serde_json::from_str(r#"{
///   "protocol": "medscribealliance", "protocol_version": "0.1",
///   "models": [{"id": "lite", "display_name": "Lite", "languages": ["en", "hi"]}],
///   "languages": {"supported": ["en", "hi"], "auto_detection": true}
/// }"#)?;
/// assert!(doc.model_supports_language(&Model::Lite, "hi"));
/// assert!(!doc.model_supports_language(&Model::Lite, "ta"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "DiscoveryDocument")
)]
pub struct DiscoveryDocument {
    /// Always `medscribealliance`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The protocol version the server speaks by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// Every protocol version the server speaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_versions: Option<Vec<String>>,
    /// Who runs the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceInfo>,
    /// Where the endpoints are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Endpoints>,
    /// How to authenticate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<AuthenticationConfig>,
    /// What the server can do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
    /// The models on offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<ModelConfig>>,
    /// Languages across all models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<LanguageConfig>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(DiscoveryDocument {
    protocol,
    protocol_version,
    supported_versions,
    service,
    endpoints,
    authentication,
    capabilities,
    models,
    languages,
});

impl DiscoveryDocument {
    /// The configuration of `model`, if the server offers it.
    pub fn model(&self, model: &Model) -> Option<&ModelConfig> {
        self.models
            .as_deref()?
            .iter()
            .find(|config| &config.id == model)
    }

    /// Ids of the models on offer.
    pub fn model_ids(&self) -> Vec<&Model> {
        self.models
            .iter()
            .flatten()
            .map(|config| &config.id)
            .collect()
    }

    /// Languages supported across the service, when the document lists them.
    pub fn supported_languages(&self) -> Option<&[String]> {
        self.languages.as_ref()?.supported.as_deref()
    }

    /// Whether `model` is offered and lists `language` (a model without a
    /// language list is taken to support every service language).
    pub fn model_supports_language(&self, model: &Model, language: &str) -> bool {
        match self.model(model) {
            Some(config) => match config.languages.as_deref() {
                Some(languages) => languages.iter().any(|known| known == language),
                None => self
                    .supported_languages()
                    .is_none_or(|languages| languages.iter().any(|known| known == language)),
            },
            None => false,
        }
    }

    /// Longest chunk the server accepts, in seconds, when declared.
    pub fn max_chunk_duration_seconds(&self) -> Option<u32> {
        self.capabilities.as_ref()?.max_chunk_duration_seconds
    }

    /// Whether the server declares `extension`'s format among its
    /// `audio_formats` (`None` when it declares no formats).
    pub fn accepts_audio(&self, extension: AudioExtension) -> Option<bool> {
        let formats = self.capabilities.as_ref()?.audio_formats.as_ref()?;
        Some(
            formats
                .iter()
                .any(|format| AudioExtension::from_content_type(format) == Some(extension)),
        )
    }

    /// The webhook registration URL, when the server offers webhooks.
    pub fn webhooks_url(&self) -> Option<&str> {
        self.endpoints.as_ref()?.webhooks_url.as_deref()
    }
}

/// Who runs the service.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "ServiceInfo")
)]
pub struct ServiceInfo {
    /// Human-readable service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Documentation link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    /// Support contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email: Option<String>,
    /// Security contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_contact: Option<String>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(ServiceInfo {
    name,
    documentation_url,
    support_email,
    security_contact,
});

/// Where the endpoints are.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "Endpoints")
)]
pub struct Endpoints {
    /// Base URL for protocol requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Webhook registration URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks_url: Option<String>,
    /// Template list URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates_url: Option<String>,
    /// OIDC authorization endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// OIDC token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(Endpoints {
    base_url,
    webhooks_url,
    templates_url,
    authorization_endpoint,
    token_endpoint,
});

/// How to authenticate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "AuthenticationConfig")
)]
pub struct AuthenticationConfig {
    /// `api_key`, `oidc`, or others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_methods: Option<Vec<String>>,
    /// OIDC settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcConfig>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(AuthenticationConfig {
    supported_methods,
    oidc
});

/// OIDC settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "OidcConfig")
)]
pub struct OidcConfig {
    /// Issuer URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// Authorization endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// Token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// OAuth scopes on offer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(OidcConfig {
    issuer,
    authorization_endpoint,
    token_endpoint,
    scopes_supported,
});

/// What the server can do.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "Capabilities")
)]
pub struct Capabilities {
    /// Accepted audio MIME types, e.g. `audio/wav`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_formats: Option<Vec<String>>,
    /// Longest accepted chunk, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chunk_duration_seconds: Option<u32>,
    /// Accepted upload types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_methods: Option<Vec<UploadType>>,
    /// Whether webhooks are delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_delivery: Option<bool>,
    /// Whether results are delivered to client SDKs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_sdk_delivery: Option<bool>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(Capabilities {
    audio_formats,
    max_chunk_duration_seconds,
    upload_methods,
    webhook_delivery,
    client_sdk_delivery,
});

/// One model on offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "ModelConfig")
)]
pub struct ModelConfig {
    /// Model id used in requests.
    pub id: Model,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Language codes the model handles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    /// Longest session, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration_seconds: Option<u64>,
    /// `fast`, `standard` or `thorough`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_speed: Option<String>,
    /// Feature flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<ModelFeatures>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(ModelConfig {
    display_name,
    languages,
    max_session_duration_seconds,
    response_speed,
    features,
});

/// A model's feature flags.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "ModelFeatures")
)]
pub struct ModelFeatures {
    /// Live transcription while recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realtime_transcription: Option<bool>,
    /// Speaker identification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_diarization: Option<bool>,
    /// Custom template creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_templates: Option<bool>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(ModelFeatures {
    realtime_transcription,
    speaker_diarization,
    custom_templates,
});

/// Languages across the service.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "LanguageConfig")
)]
pub struct LanguageConfig {
    /// Supported language codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported: Option<Vec<String>>,
    /// Whether the language can be detected automatically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_detection: Option<bool>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(LanguageConfig {
    supported,
    auto_detection
});
