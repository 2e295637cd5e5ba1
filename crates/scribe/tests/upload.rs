//! Uploads: files in every format (path and bytes), PCM, encoded chunks,
//! several recordings in one session, resume after a kill, cancellation.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use futures_util::stream;
use scribe::audio::AudioInput;
use scribe::{AudioChunk, AudioExtension, ErrorKind, ProgressEvent};

use crate::support::*;

#[tokio::test]
async fn every_format_by_path_and_by_bytes_round_trips() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    for file in samples() {
        let expected = local_chunks(AudioInput::Path(file.clone()));
        assert!(!expected.is_empty(), "{} has speech", file.display());

        let session = new_session(&client).await;
        let summary = session
            .upload_file(&file)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(summary.chunks_uploaded as usize, expected.len());
        assert_eq!(summary.ended_with, Some(expected.len() as u32));
        assert!(
            summary.audio_seconds > 4.0 && summary.speech_seconds > 1.0,
            "{summary:?}"
        );
        assert!(summary.first_chunk_after.is_some());
        assert_stored(&server, session.id(), &expected, 0);
        let result = results(&session).await;
        assert!(
            result.is_complete(),
            "{}: {:?}",
            file.display(),
            result.status()
        );

        let bytes = std::fs::read(&file).unwrap_or_else(|e| panic!("{e}"));
        let session = new_session(&client).await;
        session
            .upload_file(bytes)
            .await
            .unwrap_or_else(|e| panic!("{} as bytes: {e}", file.display()));
        assert_stored(&server, session.id(), &expected, 0);
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
    let session = new_session(&client).await;
    let summary = session
        .upload_pcm(&pcm, rate)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.chunks(), expected.len() as u32);
    assert_stored(&server, session.id(), &expected, 0);
    let result = results(&session).await;
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
    let session = new_session(&client).await;
    let chunks = stream::iter(
        expected
            .iter()
            .map(|c| AudioChunk::wav(c.wav.clone()))
            .collect::<Vec<_>>(),
    );
    let summary = session
        .upload_chunks(chunks)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert_stored(&server, session.id(), &expected, 0);

    // One chunk at a time, by number.
    let session = new_session(&client).await;
    for chunk in expected.iter().rev() {
        let one = session
            .upload_chunks(stream::iter([AudioChunk::new(
                chunk.wav.clone(),
                AudioExtension::Wav,
            )]))
            .start_index(chunk.index)
            .end_session(false)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (one.first_index, one.next_index, one.ended_with),
            (chunk.index, chunk.index + 1, None)
        );
    }
    session
        .end(expected.len() as u32)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_stored(&server, session.id(), &expected, 0);
    // Ending twice is not an error.
    session
        .end(expected.len() as u32)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let result = results(&session).await;
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

    let session = new_session(&client).await;
    let a = session
        .upload_file(&first)
        .end_session(false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.ended_with, None);
    let b = session
        .upload_file(&second)
        .start_index(a.next_index)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let total = (expected_first.len() + expected_second.len()) as u32;
    assert_eq!(b.ended_with, Some(total));
    assert_stored(&server, session.id(), &expected_second, a.next_index);
    let result = results(&session).await;
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

    let session = new_session(&client).await;
    // Kill the upload after two chunks are stored.
    let (kill, killed) = tokio::sync::oneshot::channel::<()>();
    let kill = Mutex::new(Some(kill));
    let uploaded = AtomicU32::new(0);
    let err = session
        .upload_file(wav.clone())
        .concurrency(1)
        .cancel_on(async move {
            let _ = killed.await;
        })
        .on_progress(move |event| {
            if let ProgressEvent::ChunkUploaded { .. } = event {
                if uploaded.fetch_add(1, Ordering::SeqCst) + 1 == 2 {
                    if let Some(kill) = kill.lock().ok().and_then(|mut k| k.take()) {
                        let _ = kill.send(());
                    }
                }
            }
        })
        .await
        .err()
        .unwrap_or_else(|| panic!("the upload should have been cancelled"));
    assert!(err.is_cancelled(), "{err}");
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    let stored_before = server.files(session.id()).unwrap_or_default().len();
    assert_eq!(stored_before, 2);

    let summary = session
        .upload_file(wav)
        .resume()
        .await
        .unwrap_or_else(|e| panic!("resume: {e}"));
    assert_eq!(summary.chunks_skipped as usize, stored_before);
    assert_eq!(
        summary.chunks_uploaded as usize,
        expected.len() - stored_before
    );
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert_stored(&server, session.id(), &expected, 0);
    for (name, count) in upload_counts(&server, session.id()) {
        assert_eq!(count, 1, "{name} was sent {count} times");
    }
    let result = results(&session).await;
    assert!(result.is_complete(), "{:?}", result.status());
}

#[tokio::test]
async fn dropping_or_cancelling_an_upload_leaves_nothing_running() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let (pcm, rate) = long_recording(10);
    let wav = wav_file(&pcm, rate);

    // Dropped future: stop after the first chunk is stored.
    let session = new_session(&client).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let upload = session
        .upload_file(wav.clone())
        .concurrency(1)
        .on_progress(move |event| {
            let _ = tx.send(event.clone());
        })
        .into_future();
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
    let (before, after, stored) = settle(session.id().to_owned()).await;
    assert_eq!(
        before, after,
        "requests kept coming after the upload was dropped"
    );
    assert!(stored >= 1);
    assert_eq!(
        server.session_status(session.id()).as_deref(),
        Some("recording"),
        "not ended"
    );

    // Cancelled by a signal that fired before anything is sent.
    let session = new_session(&client).await;
    let err = session
        .upload_file(wav)
        .cancel_on(std::future::ready(()))
        .await
        .err()
        .unwrap_or_else(|| panic!("cancelled upload succeeded"));
    assert!(err.is_cancelled(), "{err}");
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    let (before, after, stored) = settle(session.id().to_owned()).await;
    assert_eq!(before, after);
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn bad_audio_is_an_audio_error_and_nothing_is_sent() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    let err = session
        .upload_file(b"RIFF\x10\x00\x00\x00WAVEjunkjunk".to_vec())
        .await
        .err()
        .unwrap_or_else(|| panic!("corrupt audio accepted"));
    assert!(err.is_audio(), "{err}");
    // A file that cannot be read is a local I/O error, not the server's.
    let err = session
        .upload_file("/no/such/file.wav")
        .await
        .err()
        .unwrap_or_else(|| panic!("missing file accepted"));
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert!(!err.is_server() && err.status().is_none(), "{err}");
    let silence = vec![0i16; 16_000 * 3];
    let err = session
        .upload_pcm(&silence, 16_000)
        .await
        .err()
        .unwrap_or_else(|| panic!("silence accepted"));
    assert!(
        err.is_audio() && err.to_string().contains("no speech"),
        "{err}"
    );
    assert!(server.files(session.id()).unwrap_or_default().is_empty());
}
