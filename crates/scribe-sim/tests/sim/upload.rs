use hyper::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::{Sim, mp3_silence, quick, wav};

#[tokio::test]
async fn bad_names_types_and_audio_are_refused() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    let good = wav(0.5, 16_000);
    for name in [
        "chunk_01.wav",
        "chunk.wav",
        "1_chunk.wav",
        "chunk_1.flac",
        "_1.wav",
    ] {
        let r = sim.upload(&id, name, "audio/wav", good.clone()).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "invalid_request"),
            "{name}"
        );
    }
    for content_type in ["", "audio/mp3", "application/octet-stream", "audio/webm"] {
        let r = sim
            .upload(&id, "chunk_0.wav", content_type, good.clone())
            .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "invalid_audio_format"),
            "{content_type:?}"
        );
    }
    let mut truncated = good.clone();
    truncated.truncate(30);
    for (what, bytes) in [
        ("empty", Vec::new()),
        ("garbage", b"this is not audio at all".repeat(20)),
        ("truncated", truncated),
    ] {
        let r = sim.upload(&id, "chunk_0.wav", "audio/wav", bytes).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "invalid_audio_format"),
            "{what}"
        );
    }
    let r = sim
        .upload(&id, "chunk_0.mp3", "audio/mp3", good.clone())
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_audio_format"),
        "WAV bytes named .mp3"
    );
    assert!(
        sim.server.files(&id).unwrap().is_empty(),
        "nothing refused was stored"
    );
    assert_eq!(sim.server.session_status(&id).as_deref(), Some("created"));
    let r = sim
        .upload("no-such-session-000000", "chunk_0.wav", "audio/wav", good)
        .await;
    assert_eq!((r.status, r.code().as_str()), (404, "session_not_found"));
}

#[tokio::test]
async fn oversized_uploads_are_chunk_too_large() {
    let sim = Sim::with(quick().max_upload_bytes(10_000)).await;
    let id = sim.session("transcript_template").await;
    let r = sim
        .upload(&id, "chunk_0.wav", "audio/wav", wav(1.0, 16_000))
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "chunk_too_large"));
    let r = sim
        .upload(&id, "chunk_0.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn re_uploading_a_name_keeps_one_file_with_the_bytes_sent() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    let bytes = wav(0.75, 16_000);
    for _ in 0..3 {
        let r = sim
            .upload(&id, "chunk_0.wav", "audio/wav", bytes.clone())
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.json()["audio_files_received"], 1);
    }
    let files = sim.server.files(&id).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].bytes.as_ref(), bytes.as_slice());
    assert_eq!(files[0].sha256, hex::encode(Sha256::digest(&bytes)));
    assert_eq!(files[0].uploads, 3);
    assert!((files[0].duration_seconds - 0.75).abs() < 1e-6);

    // The same over HTTP inspection.
    let base = sim.server.auth_base_url();
    let listed = sim
        .http
        .send(
            Method::GET,
            &format!("{base}/_sim/sessions/{id}/files"),
            &[],
            "",
        )
        .await
        .json();
    assert_eq!(listed["files"][0]["sha256"], files[0].sha256);
    assert_eq!(listed["files"][0]["size"], bytes.len());
    let raw = sim
        .http
        .send(
            Method::GET,
            &format!("{base}/_sim/sessions/{id}/files/chunk_0.wav"),
            &[],
            "",
        )
        .await;
    assert_eq!(raw.body.as_ref(), bytes.as_slice());

    sim.end(&id, 1).await;
    let done = sim.wait_final(&id).await.json();
    assert_eq!(done["status"], "completed", "one distinct file, one sent");
}

#[tokio::test]
async fn upload_patch_and_end_after_end_are_session_ended() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    assert_eq!(
        sim.upload(&id, "chunk_0.wav", "audio/wav", wav(0.3, 16_000))
            .await
            .status,
        200
    );
    assert_eq!(sim.server.session_status(&id).as_deref(), Some("recording"));
    assert_eq!(sim.end(&id, 1).await.status, 202);
    let r = sim
        .upload(&id, "chunk_1.wav", "audio/wav", wav(0.3, 16_000))
        .await;
    assert_eq!((r.status, r.code().as_str()), (409, "session_ended"));
    let r = sim
        .call(
            Method::PATCH,
            &format!("/v1/sessions/{id}"),
            Some(json!({ "user_status": "done" })),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (409, "session_ended"));
    let r = sim.end(&id, 1).await;
    assert_eq!((r.status, r.code().as_str()), (409, "session_ended"));
}

#[tokio::test]
async fn other_formats_are_decoded_and_a_session_keeps_one_format() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    let r = sim
        .upload(&id, "chunk_0.mp3", "audio/mp3", mp3_silence(40))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert!(
        (r.json()["duration_seconds"].as_f64().unwrap() - 40.0 * 1152.0 / 44_100.0).abs() < 1e-6
    );
    let r = sim
        .upload(&id, "chunk_1.mp3", "audio/mpeg", mp3_silence(10))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_audio_format"),
        "Content-Type must be the protocol's"
    );
    let r = sim
        .upload(&id, "chunk_1.wav", "audio/wav", wav(0.5, 16_000))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_audio_format"),
        "mixed formats"
    );
    let r = sim
        .upload(&id, "chunk_1.wav", "audio/wav", mp3_silence(10))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_audio_format"),
        "MP3 bytes named .wav"
    );
    let files = sim.server.files(&id).unwrap();
    assert_eq!(
        (files.len(), files[0].codec.as_str(), files[0].sample_rate),
        (1, "mp3", 44_100)
    );
}
