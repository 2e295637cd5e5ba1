//! What the simulator offers: the discovery document and the template list.

use serde_json::{Value, json};

use crate::config::Dialect;
use crate::state::Shared;

/// A template the simulator can fill.
pub(crate) struct TemplateInfo {
    pub(crate) id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
}

const EKA_TEMPLATES: &[TemplateInfo] = &[
    TemplateInfo {
        id: "clinical_notes_template",
        name: "Clinical notes",
        description: "Simulated clinical notes: complaint, history, examination, assessment, plan",
    },
    TemplateInfo {
        id: "eka_emr_template",
        name: "Eka EMR",
        description: "Simulated structured EMR entries: symptoms, diagnosis, medications, vitals, advice",
    },
    TemplateInfo {
        id: "transcript_template",
        name: "Transcript",
        description: "Simulated transcript: one line per received chunk with its decoded length",
    },
];

const SPEC_TEMPLATES: &[TemplateInfo] = &[
    TemplateInfo {
        id: "transcript",
        name: "Transcript",
        description: "Simulated transcript: one line per received chunk with its decoded length",
    },
    TemplateInfo {
        id: "soap",
        name: "SOAP note",
        description: "Simulated subjective, objective, assessment and plan",
    },
    TemplateInfo {
        id: "medications",
        name: "Medications",
        description: "Simulated medication list, one entry per received chunk",
    },
    TemplateInfo {
        id: "discharge_summary",
        name: "Discharge summary",
        description: "Simulated discharge summary",
    },
    TemplateInfo {
        id: "referral_letter",
        name: "Referral letter",
        description: "Simulated referral letter",
    },
    TemplateInfo {
        id: "hpi",
        name: "History of present illness",
        description: "Simulated history of present illness",
    },
    TemplateInfo {
        id: "vitals",
        name: "Vitals",
        description: "Simulated vitals",
    },
];

pub(crate) use scribe_protocol::catalogue::{LANGUAGES, MAX_TEMPLATES};

/// Models, default first.
pub(crate) const MODELS: &[&str] = &["lite", "pro"];

/// Audio MIME types accepted, one per chunk file extension.
pub(crate) const AUDIO_FORMATS: &[&str] = &[
    "audio/wav",
    "audio/webm;codecs=opus",
    "audio/ogg;codecs=opus",
    "audio/mp3",
    "audio/mp4",
];

pub(crate) fn templates(dialect: Dialect) -> &'static [TemplateInfo] {
    match dialect {
        Dialect::Eka => EKA_TEMPLATES,
        Dialect::Spec => SPEC_TEMPLATES,
    }
}

pub(crate) fn is_known_template(dialect: Dialect, id: &str) -> bool {
    templates(dialect).iter().any(|t| t.id == id)
}

pub(crate) fn upload_methods(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Eka => &["chunked", "stream"],
        Dialect::Spec => &["chunked", "single", "stream"],
    }
}

/// `GET /v1/templates`.
pub(crate) fn template_list(dialect: Dialect) -> Value {
    json!({
        "templates": templates(dialect).iter().map(|t| json!({
            "id": t.id,
            "name": t.name,
            "description": t.description,
        })).collect::<Vec<_>>()
    })
}

/// The chunk limit as discovery announces it: whole seconds (the document
/// field is an integer), rounded down so a client that obeys it stays under
/// the real limit.
pub(crate) fn seconds_json(seconds: f64) -> Value {
    json!(seconds.floor().clamp(0.0, f64::from(u32::MAX)) as u32)
}

/// The discovery document, served at both discovery paths.
pub(crate) fn discovery(shared: &Shared) -> Value {
    let config = &shared.config;
    let models: Vec<Value> = MODELS
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "display_name": if *id == "lite" { "Lite (simulated)" } else { "Pro (simulated)" },
                "languages": LANGUAGES,
                "max_session_duration_seconds": 3600,
                "response_speed": if *id == "lite" { "fast" } else { "standard" },
                "features": {
                    "realtime_transcription": false,
                    "speaker_diarization": false,
                    "custom_templates": false
                }
            })
        })
        .collect();
    json!({
        "protocol": "medscribealliance",
        "protocol_version": "0.1",
        "supported_versions": ["0.1"],
        "service": {
            "name": "scribe-sim",
            "description": "Local MedScribeAlliance simulator; results are simulated, no speech is transcribed",
            "dialect": config.dialect.as_str()
        },
        "endpoints": {
            "base_url": format!("{}/v1", shared.base_url),
            "webhooks_url": format!("{}{}", shared.base_url, crate::paths::WEBHOOKS),
            "token_endpoint": format!("{}{}", shared.auth_base_url, crate::paths::LOGIN),
            "refresh_endpoint": format!("{}{}", shared.auth_base_url, crate::paths::REFRESH)
        },
        "authentication": {
            "supported_methods": supported_auth(shared),
        },
        "capabilities": {
            "audio_formats": AUDIO_FORMATS,
            "max_chunk_duration_seconds": seconds_json(config.max_chunk_seconds),
            "upload_methods": upload_methods(config.dialect),
            "webhook_delivery": true,
            "client_sdk_delivery": true
        },
        "models": models,
        "languages": {
            "supported": LANGUAGES,
            "auto_detection": true
        }
    })
}

fn supported_auth(shared: &Shared) -> Vec<&'static str> {
    let mut methods = vec!["client_credentials", "bearer"];
    if shared.config.accept_api_key {
        methods.push("api_key");
    }
    if shared.config.accept_jwt_payload {
        methods.push("jwt_payload");
    }
    methods
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_lists_match_the_protocol_catalogue() {
        let ids = |d| templates(d).iter().map(|t| t.id).collect::<Vec<_>>();
        let mut eka = ids(Dialect::Eka);
        eka.sort_unstable();
        let mut expected = scribe_protocol::catalogue::EKA_TEMPLATES.to_vec();
        expected.sort_unstable();
        assert_eq!(eka, expected);
        assert_eq!(
            ids(Dialect::Spec),
            scribe_protocol::catalogue::SPEC_TEMPLATES.to_vec()
        );
        for format in AUDIO_FORMATS {
            assert!(scribe_protocol::chunk::AudioExtension::from_content_type(format).is_some());
        }
    }
}
