//! Uploads: files in every format (path and bytes), PCM, encoded chunks,
//! several recordings in one session, resume after a kill, cancellation.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::stream;
use scribe::audio::AudioInput;
use scribe::{AudioChunk, CancellationToken, ProgressEvent, UploadOptions};

use crate::support::*;

#[tokio::test]
async fn every_format_by_path_and_by_bytes_round_trips() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    for file in samples() {
        let expected = local_chunks(AudioInput::Path(file.clone()));
        assert!(!expected.is_empty(), "{} has speech", file.display());

        let s = new_session(&client).await;
        let summary = client
            .upload_audio_file(&s.session_id, &file)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(summary.chunks_uploaded as usize, expected.len());
        assert_eq!(summary.ended_with, Some(expected.len() as u32));
        assert!(
            summary.audio_seconds > 4.0 && summary.speech_seconds > 1.0,
            "{summary:?}"
        );
        assert!(summary.first_chunk_after.is_some());
        assert_stored(&server, &s.session_id, &expected, 0);
        let result = results(&client, &s.session_id).await;
        assert!(
            result.is_complete(),
            "{}: {:?}",
            file.display(),
            result.status()
        );

        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
        let s = new_session(&client).await;
        client
            .upload_audio_file(&s.session_id, bytes)
            .await
            .unwrap_or_else(|e| panic!("{} as bytes: {e}", file.display()));
        assert_stored(&server, &s.session_id, &expected, 0);
    }
}

#[tokio::test]
async fn pcm_is_chunked_like_a_file() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let (pcm, rate) = consultation_pcm();
    let expected = local_chunks(AudioInput::PcmI16Le {
        bytes: pcm.iter().flat_map(|s| s.to_le_bytes()).collect(),
        sample_rate: rate,
        channels: 1,
    });
    let s = new_session(&client).await;
    let summary = client
        .upload_pcm(&s.session_id, &pcm, rate)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.chunks(), expected.len() as u32);
    assert_stored(&server, &s.session_id, &expected, 0);
    let result = results(&client, &s.session_id).await;
    assert!(result.is_complete());
}

#[tokio::test]
async fn encoded_chunks_are_numbered_in_order_and_ended() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let (pcm, rate) = long_recording(4);
    let expected = local_chunks(AudioInput::Bytes(wav_file(&pcm, rate)));
    assert!(
        expected.len() >= 2,
        "the long recording makes several chunks"
    );
    let s = new_session(&client).await;
    let chunks = stream::iter(
        expected
            .iter()
            .map(|c| AudioChunk::wav(c.wav.clone()))
            .collect::<Vec<_>>(),
    );
    let summary = client
        .upload_chunks(&s.session_id, chunks)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert_stored(&server, &s.session_id, &expected, 0);

    // One chunk at a time, by number.
    let s = new_session(&client).await;
    for chunk in expected.iter().rev() {
        client
            .upload_chunk(
                &s.session_id,
                chunk.index,
                chunk.wav.clone(),
                scribe::AudioExtension::Wav,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    client
        .end_session(&s.session_id, expected.len() as u32)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_stored(&server, &s.session_id, &expected, 0);
    // Ending twice is not an error.
    client
        .end_session(&s.session_id, expected.len() as u32)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let result = results(&client, &s.session_id).await;
    assert!(result.is_complete(), "{:?}", result.status());
}

#[tokio::test]
async fn several_recordings_share_one_session() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let first = sample("consultation.mp3");
    let second = sample("consultation.webm");
    let expected_first = local_chunks(AudioInput::Path(first.clone()));
    let expected_second = local_chunks(AudioInput::Path(second.clone()));

    let s = new_session(&client).await;
    let a = client
        .upload_audio_file_with(
            &s.session_id,
            &first,
            UploadOptions::new().end_session(false),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.ended_with, None);
    let b = client
        .upload_audio_file_with(
            &s.session_id,
            &second,
            UploadOptions::new().start_index(a.next_index),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let total = (expected_first.len() + expected_second.len()) as u32;
    assert_eq!(b.ended_with, Some(total));
    assert_stored(&server, &s.session_id, &expected_second, a.next_index);
    let result = results(&client, &s.session_id).await;
    assert!(
        result.is_complete(),
        "count matched, so not partial: {:?}",
        result.status()
    );
    assert_eq!(result.audio_files().len() as u32, total);
}

#[tokio::test]
async fn resume_after_a_kill_uploads_only_what_is_missing() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let (pcm, rate) = long_recording(10);
    let wav = wav_file(&pcm, rate);
    let expected = local_chunks(AudioInput::Bytes(wav.clone()));
    assert!(expected.len() >= 4, "{} chunks", expected.len());

    let s = new_session(&client).await;
    // Kill the upload after two chunks are stored.
    let kill = CancellationToken::new();
    let uploaded = Arc::new(AtomicU32::new(0));
    let (k, n) = (kill.clone(), Arc::clone(&uploaded));
    let options = UploadOptions::new()
        .concurrency(1)
        .cancel_token(kill)
        .on_progress(move |event| {
            if let ProgressEvent::ChunkUploaded { .. } = event {
                if n.fetch_add(1, Ordering::SeqCst) + 1 == 2 {
                    k.cancel();
                }
            }
        });
    let err = client
        .upload_audio_file_with(&s.session_id, wav.clone(), options)
        .await
        .err()
        .unwrap_or_else(|| panic!("the upload should have been cancelled"));
    assert!(err.is_cancelled(), "{err}");
    let stored_before = server.files(&s.session_id).unwrap_or_default().len();
    assert_eq!(stored_before, 2);

    let summary = client
        .resume_upload(&s.session_id, wav)
        .await
        .unwrap_or_else(|e| panic!("resume: {e}"));
    assert_eq!(summary.chunks_skipped as usize, stored_before);
    assert_eq!(
        summary.chunks_uploaded as usize,
        expected.len() - stored_before
    );
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert_stored(&server, &s.session_id, &expected, 0);
    for (name, count) in upload_counts(&server, &s.session_id) {
        assert_eq!(count, 1, "{name} was sent {count} times");
    }
    let result = results(&client, &s.session_id).await;
    assert!(result.is_complete(), "{:?}", result.status());
}

#[tokio::test]
async fn dropping_or_cancelling_an_upload_leaves_nothing_running() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let (pcm, rate) = long_recording(10);
    let wav = wav_file(&pcm, rate);

    // Dropped future: stop after the first chunk is stored.
    let s = new_session(&client).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let upload = client.upload_audio_file_with(
        &s.session_id,
        wav.clone(),
        UploadOptions::new()
            .concurrency(1)
            .progress(scribe::Progress::channel(tx)),
    );
    tokio::select! {
        _ = upload => panic!("the upload finished before it was dropped"),
        () = async { while let Some(e) = rx.recv().await { if matches!(e, ProgressEvent::ChunkUploaded { .. }) { break; } } } => {}
    }
    let settle = |id: String| {
        let server = &server;
        async move {
            // A request already on the wire when the upload stopped may
            // still arrive; after that, nothing more may.
            tokio::time::sleep(Duration::from_millis(200)).await;
            let before = server.requests().len();
            tokio::time::sleep(Duration::from_millis(600)).await;
            let after = server.requests().len();
            (before, after, server.files(&id).unwrap_or_default().len())
        }
    };
    let (before, after, stored) = settle(s.session_id.clone()).await;
    assert_eq!(
        before, after,
        "requests kept coming after the upload was dropped"
    );
    assert!(stored >= 1);
    assert_eq!(
        server.session_status(&s.session_id).as_deref(),
        Some("recording"),
        "not ended"
    );

    // Cancelled by token before anything is sent.
    let s = new_session(&client).await;
    let token = CancellationToken::new();
    token.cancel();
    let err = client
        .upload_audio_file_with(&s.session_id, wav, UploadOptions::new().cancel_token(token))
        .await
        .err()
        .unwrap_or_else(|| panic!("cancelled upload succeeded"));
    assert!(err.is_cancelled());
    let (before, after, stored) = settle(s.session_id.clone()).await;
    assert_eq!(before, after);
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn bad_audio_is_an_audio_error_and_nothing_is_sent() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let s = new_session(&client).await;
    let err = client
        .upload_audio_file(&s.session_id, b"RIFF\x10\x00\x00\x00WAVEjunkjunk".to_vec())
        .await
        .err()
        .unwrap_or_else(|| panic!("corrupt audio accepted"));
    assert!(err.is_audio(), "{err}");
    let err = client
        .upload_audio_file(&s.session_id, "/no/such/file.wav")
        .await
        .err()
        .unwrap_or_else(|| panic!("missing file accepted"));
    assert!(err.is_audio(), "{err}");
    let silence = vec![0i16; 16_000 * 3];
    let err = client
        .upload_pcm(&s.session_id, &silence, 16_000)
        .await
        .err()
        .unwrap_or_else(|| panic!("silence accepted"));
    assert!(
        err.is_audio() && err.to_string().contains("no speech"),
        "{err}"
    );
    assert!(server.files(&s.session_id).unwrap_or_default().is_empty());
}
