use scribe_sim::Dialect;
use serde_json::{Value, json};

use crate::support::{Sim, quick, wav};

async fn finished(sim: &Sim, templates: Value, upload: (&str, &str)) -> Value {
    let r = sim
        .create(json!({ "templates": templates, "upload_type": "chunked", "communication_protocol": "http" }))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.json()["session_id"].as_str().unwrap().to_owned();
    sim.upload(
        &id,
        &format!("{}_0.wav", upload.0),
        upload.1,
        wav(1.25, 16_000),
    )
    .await;
    sim.upload(
        &id,
        &format!("{}_1.wav", upload.0),
        upload.1,
        wav(0.5, 8_000),
    )
    .await;
    sim.end(&id, 2).await;
    let r = sim.wait_final(&id).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.json()
}

#[tokio::test]
async fn eka_results_are_a_list_of_single_key_objects_with_epoch_times() {
    let sim = Sim::start().await;
    let body = finished(
        &sim,
        json!(["clinical_notes_template", "eka_emr_template"]),
        ("chunk", "audio/wav"),
    )
    .await;
    assert!(body["created_at"].is_u64() && body["completed_at"].is_u64());
    let list = body["templates"]
        .as_array()
        .expect("Eka: templates is a list");
    assert_eq!(list.len(), 2);
    for (item, id) in list
        .iter()
        .zip(["clinical_notes_template", "eka_emr_template"])
    {
        let obj = item.as_object().unwrap();
        assert_eq!(obj.len(), 1, "single-key object");
        let result = &obj[id];
        assert_eq!(result["status"], "success");
        assert!(result["error"].is_null());
        assert_eq!(result["data"]["simulated"], true);
    }
    let notes = &list[0]["clinical_notes_template"]["data"];
    for field in [
        "chief_complaint",
        "history_of_present_illness",
        "assessment",
        "plan",
    ] {
        assert!(notes[field].is_string(), "{field}");
    }
    assert_eq!(notes["source_files"], json!(["chunk_0.wav", "chunk_1.wav"]));
    let emr = &list[1]["eka_emr_template"]["data"];
    assert_eq!(
        emr["symptoms"].as_array().unwrap().len(),
        2,
        "one entry per chunk"
    );
    assert_eq!(emr["symptoms"][0]["duration_seconds"], 1.25);
    assert!(emr["medications"].is_array() && emr["vitals"].is_object());
    let transcript = body["transcript"].as_str().unwrap();
    assert_eq!(
        transcript,
        "[simulated] chunk_0.wav 0.00-1.25 s: 1.25 s of audio, 16000 Hz, 1 ch\n\
         [simulated] chunk_1.wav 1.25-1.75 s: 0.50 s of audio, 8000 Hz, 1 ch"
    );
}

#[tokio::test]
async fn spec_results_are_an_object_keyed_by_template_with_iso_times() {
    let sim = Sim::with(quick().dialect(Dialect::Spec)).await;
    let body = finished(&sim, json!(["soap", "medications"]), ("audio", "audio/wav")).await;
    let created = body["created_at"].as_str().expect("ISO string");
    assert!(created.ends_with('Z') && created.contains('T'), "{created}");
    let templates = body["templates"]
        .as_object()
        .expect("spec: templates is an object");
    assert_eq!(
        templates.keys().collect::<Vec<_>>(),
        ["soap", "medications"]
    );
    let soap = &templates["soap"];
    assert_eq!(soap["status"], "success");
    assert!(soap.get("error").is_none());
    for field in ["subjective", "objective", "assessment", "plan"] {
        assert!(soap["data"][field].is_string(), "{field}");
    }
    let meds = templates["medications"]["data"]
        .as_array()
        .expect("medications data is an array");
    assert_eq!(meds.len(), 2);
    assert!(
        meds.iter()
            .all(|m| m["name"].is_string() && m["simulated"] == true)
    );
    assert_eq!(body["additional_data"], json!({}));
}

#[tokio::test]
async fn transcript_templates_carry_a_segment_per_chunk() {
    for (dialect, id) in [
        (Dialect::Eka, "transcript_template"),
        (Dialect::Spec, "transcript"),
    ] {
        let sim = Sim::with(quick().dialect(dialect)).await;
        let body = finished(&sim, json!([id]), ("chunk", "audio/wav")).await;
        let data = match dialect {
            Dialect::Eka => body["templates"][0][id]["data"].clone(),
            _ => body["templates"][id]["data"].clone(),
        };
        let segments = data["segments"].as_array().unwrap();
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0]["file"], "chunk_0.wav");
        assert_eq!(segments[1]["start_seconds"], 1.25);
        assert_eq!(segments[1]["sample_rate"], 8000);
        assert_eq!(data["transcript"], body["transcript"]);
        assert_eq!(data["duration_seconds"], 1.75);
    }
}

#[tokio::test]
async fn results_are_deterministic_for_the_same_audio() {
    let a = Sim::start().await;
    let b = Sim::start().await;
    let strip = |mut v: Value| {
        for key in ["session_id", "created_at", "expires_at", "completed_at"] {
            v.as_object_mut().unwrap().remove(key);
        }
        v
    };
    let one = strip(finished(&a, json!(["transcript_template"]), ("chunk", "audio/wav")).await);
    let two = strip(finished(&b, json!(["transcript_template"]), ("chunk", "audio/wav")).await);
    assert_eq!(one, two);
}
