//! Simulated results: deterministic, derived only from the audio received.
//!
//! The simulator does not transcribe speech. Its "transcript" is one line per
//! processed chunk giving the file name, where the chunk sits on the session's
//! timeline and its decoded length; template `data` repeats those facts in
//! the shape each template has, with `"simulated": true` wherever an object
//! allows it. So a test can check that every chunk arrived, in order, with the
//! length it had when it was sent.

use scribe_protocol::error::ErrorCode;
use serde_json::{Value, json};

use crate::session::{Session, Status, StoredFile};

/// A non-fatal problem found while processing (makes the session `partial`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProcessingError {
    pub(crate) kind: &'static str,
    pub(crate) message: String,
    pub(crate) file: Option<String>,
}

/// One template's result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TemplateOutcome {
    pub(crate) id: String,
    pub(crate) status: &'static str,
    pub(crate) data: Option<Value>,
    pub(crate) error: Option<(&'static str, String)>,
}

/// A finished processing run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    pub(crate) status: Status,
    pub(crate) transcript: String,
    pub(crate) templates: Vec<TemplateOutcome>,
    pub(crate) processing_errors: Vec<ProcessingError>,
    pub(crate) audio_files_processed: usize,
    pub(crate) language_detected: String,
    pub(crate) model_used: String,
    pub(crate) error: Option<(&'static str, String)>,
}

/// A chunk that went into the results, placed on the session timeline.
struct Segment<'a> {
    file: &'a StoredFile,
    start: f64,
    end: f64,
}

impl Segment<'_> {
    fn line(&self) -> String {
        format!(
            "[simulated] {} {:.2}-{:.2} s: {:.2} s of audio, {} Hz, {} ch",
            self.file.name,
            self.start,
            self.end,
            self.file.duration_seconds,
            self.file.sample_rate,
            self.file.channels
        )
    }

    fn json(&self) -> Value {
        json!({
            "file": self.file.name,
            "index": self.file.index,
            "start_seconds": round_ms(self.start),
            "end_seconds": round_ms(self.end),
            "duration_seconds": round_ms(self.file.duration_seconds),
            "sample_rate": self.file.sample_rate,
            "channels": self.file.channels,
            "sha256": self.file.sha256,
            "text": self.line(),
        })
    }
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// Run "processing" over what the session received.
pub(crate) fn process(session: &Session, max_chunk_seconds: f64) -> Outcome {
    let mut errors = Vec::new();
    let mut segments = Vec::new();
    let mut at = 0.0;
    let ordered = session.ordered_files();
    for file in &ordered {
        if file.duration_seconds > max_chunk_seconds {
            errors.push(ProcessingError {
                kind: "chunk_too_long",
                message: format!(
                    "{} lasts {:.2} s, over the {max_chunk_seconds} s chunk maximum; it was skipped",
                    file.name, file.duration_seconds
                ),
                file: Some(file.name.clone()),
            });
            continue;
        }
        segments.push(Segment {
            file,
            start: at,
            end: at + file.duration_seconds,
        });
        at += file.duration_seconds;
    }
    let streamed = session.request.upload_type == "stream";
    if let Some(sent) = session.audio_files_sent {
        let received = ordered.len() as u64;
        // A stream session commits with 0: the server made the files itself.
        let matches = sent == received || (streamed && sent == 0);
        if !matches {
            errors.push(ProcessingError {
                kind: "audio_files_mismatch",
                message: format!("end said {sent} audio file(s) were sent but {received} arrived"),
                file: None,
            });
        }
    }
    let transcript = segments
        .iter()
        .map(Segment::line)
        .collect::<Vec<_>>()
        .join("\n");
    let language = session
        .request
        .language_hint
        .first()
        .cloned()
        .unwrap_or_else(|| "en".to_owned());
    let facts = Facts {
        segments: &segments,
        transcript: &transcript,
        total_seconds: at,
        mode: &session.request.session_mode,
    };
    let (status, error, templates) = if segments.is_empty() {
        let why = if ordered.is_empty() {
            "no audio was received".to_owned()
        } else {
            "no received chunk could be processed".to_owned()
        };
        let templates = session
            .request
            .templates
            .iter()
            .map(|id| TemplateOutcome {
                id: id.clone(),
                status: "failed",
                data: None,
                error: Some(("insufficient_audio", why.clone())),
            })
            .collect();
        (
            Status::Failed,
            Some((ErrorCode::AudioTooShort.as_str(), why)),
            templates,
        )
    } else {
        let templates = session
            .request
            .templates
            .iter()
            .map(|id| TemplateOutcome {
                id: id.clone(),
                status: "success",
                data: Some(template_data(id, &facts)),
                error: None,
            })
            .collect();
        let status = if errors.is_empty() {
            Status::Completed
        } else {
            Status::Partial
        };
        (status, None, templates)
    };
    Outcome {
        status,
        audio_files_processed: segments.len(),
        transcript,
        templates,
        processing_errors: errors,
        language_detected: language,
        model_used: session.request.model.clone(),
        error,
    }
}

/// What every template's data is built from.
struct Facts<'a> {
    segments: &'a [Segment<'a>],
    transcript: &'a str,
    total_seconds: f64,
    mode: &'a str,
}

impl Facts<'_> {
    fn summary(&self) -> String {
        format!(
            "Simulated {} note: {} chunk(s), {:.2} s of audio received. \
             scribe-sim does not transcribe speech.",
            self.mode,
            self.segments.len(),
            self.total_seconds
        )
    }

    fn files(&self) -> Vec<&str> {
        self.segments.iter().map(|s| s.file.name.as_str()).collect()
    }
}

/// `data` in the shape the template id has on real servers.
fn template_data(id: &str, facts: &Facts<'_>) -> Value {
    let summary = facts.summary();
    let segments: Vec<Value> = facts.segments.iter().map(Segment::json).collect();
    match id {
        "transcript_template" | "transcript" => json!({
            "simulated": true,
            "transcript": facts.transcript,
            "segments": segments,
            "duration_seconds": round_ms(facts.total_seconds),
        }),
        "clinical_notes_template" => json!({
            "simulated": true,
            "chief_complaint": summary,
            "history_of_present_illness": facts.transcript,
            "examination": format!("{:.2} s of audio examined", facts.total_seconds),
            "assessment": "simulated: no clinical content is derived from audio",
            "plan": "simulated: none",
            "source_files": facts.files(),
        }),
        "eka_emr_template" => json!({
            "simulated": true,
            "symptoms": facts.segments.iter().map(|s| json!({
                "name": format!("simulated finding from {}", s.file.name),
                "duration_seconds": round_ms(s.file.duration_seconds),
            })).collect::<Vec<_>>(),
            "diagnosis": [{ "name": "simulated diagnosis", "source": "scribe-sim" }],
            "medications": [],
            "vitals": {},
            "advice": [summary],
            "source_files": facts.files(),
        }),
        "soap" => json!({
            "simulated": true,
            "subjective": summary,
            "objective": format!("{:.2} s of audio in {} chunk(s)", facts.total_seconds, facts.segments.len()),
            "assessment": "simulated: no clinical content is derived from audio",
            "plan": "simulated: none",
        }),
        "medications" => Value::Array(
            facts
                .segments
                .iter()
                .map(|s| {
                    json!({
                        "simulated": true,
                        "name": format!("simulated medication from {}", s.file.name),
                        "dosage": format!("{:.2} s", s.file.duration_seconds),
                        "frequency": "simulated",
                    })
                })
                .collect(),
        ),
        "vitals" => json!({
            "simulated": true,
            "note": summary,
            "measurements": [],
        }),
        _ => json!({
            "simulated": true,
            "summary": summary,
            "source_files": facts.files(),
        }),
    }
}
