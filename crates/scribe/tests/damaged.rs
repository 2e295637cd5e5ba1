//! Damaged recordings over the wire: a long WAV cut short is uploaded up to
//! the cut and the session ended with that count (or, in strict mode, left
//! open with an error naming it); a cut MP3 is flagged by its declared
//! length; a header alone has no audio frames.

use std::sync::{Arc, Mutex};

use scribe::audio::{AudioDamage, AudioInput, Chunk, DamageKind, PipelineConfig, chunk_audio};
use scribe::{ErrorKind, ProgressEvent};
use scribe_sim::{Route, Server};

use crate::support::*;

/// Bytes of the canonical WAV header `encode_wav` writes.
const WAV_HEADER: usize = 44;

/// The sample recording repeated with pauses to about 2.5 minutes, as a
/// WAV file, cut at 90% of its audio (inside a sample); and the seconds of
/// audio before the cut and in the whole.
fn cut_long_wav() -> (Vec<u8>, f64, f64) {
    let (samples, rate) = long_recording(25);
    let whole = wav_file(&samples, rate);
    let data = whole.len() - WAV_HEADER;
    let cut = WAV_HEADER + data * 9 / 10 + 1;
    let cut_seconds = ((cut - WAV_HEADER) / 2) as f64 / f64::from(rate);
    let whole_seconds = samples.len() as f64 / f64::from(rate);
    assert!(whole_seconds > 120.0, "{whole_seconds} s");
    (whole[..cut].to_vec(), cut_seconds, whole_seconds)
}

/// What the SDK's own pipeline makes of damaged `bytes`: the chunks up to
/// the damage, and where it says the audio stops.
fn chunks_before_damage(bytes: &[u8]) -> (Vec<Chunk>, AudioDamage) {
    let mut stream = chunk_audio(
        AudioInput::Bytes(bytes.to_vec()),
        &PipelineConfig::default(),
    )
    .unwrap_or_else(|e| panic!("the header is fine: {e}"));
    let mut chunks = Vec::new();
    let mut failed = false;
    for item in &mut stream {
        match item {
            Ok(chunk) => chunks.push(chunk),
            Err(_) => failed = true,
        }
    }
    assert!(failed, "the damage ends the stream with an error");
    let damage = stream
        .damage()
        .cloned()
        .unwrap_or_else(|| panic!("the pipeline reports the damage"));
    (chunks, damage)
}

/// Every progress event of an upload, kept for the test to read.
fn recorder() -> (
    Arc<Mutex<Vec<ProgressEvent>>>,
    impl Fn(&ProgressEvent) + Send + Sync + 'static,
) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    (events, move |event: &ProgressEvent| {
        sink.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(event.clone())
    })
}

fn damage_events(events: &Mutex<Vec<ProgressEvent>>) -> Vec<AudioDamage> {
    events
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .filter_map(|event| match event {
            ProgressEvent::AudioDamaged { damage } => Some(damage.clone()),
            _ => None,
        })
        .collect()
}

/// What the server says `end` was given for the session, and its status.
fn ended_with(server: &Server, session_id: &str) -> (Option<u64>, String) {
    let session = server
        .sessions()
        .into_iter()
        .find(|s| s.session_id == session_id)
        .unwrap_or_else(|| panic!("session {session_id} unknown to the server"));
    (session.audio_files_sent, session.status)
}

fn end_requests(server: &Server, session_id: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.route == Route::EndSession && r.session_id.as_deref() == Some(session_id))
        .count()
}

#[tokio::test]
async fn a_cut_long_wav_uploads_the_audio_before_the_cut_and_ends_the_session() {
    let (cut, cut_seconds, whole_seconds) = cut_long_wav();
    let (expected, local_damage) = chunks_before_damage(&cut);
    assert!(expected.len() >= 5, "{} chunks", expected.len());

    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    let (events, on_progress) = recorder();
    let summary = session
        .upload_file(cut.clone())
        .on_progress(on_progress)
        .await
        .unwrap_or_else(|e| panic!("a damaged recording is uploaded up to the damage: {e}"));

    let damage = summary
        .damage
        .clone()
        .expect("the summary reports the damage");
    assert_eq!(damage.kind, DamageKind::Truncated);
    assert!(
        (damage.at_seconds - cut_seconds).abs() < 1.0,
        "stops at {} s, cut at {cut_seconds} s",
        damage.at_seconds
    );
    let declared = damage
        .declared_seconds
        .expect("the WAV header declares its length");
    assert!((declared - whole_seconds).abs() < 1e-6, "{declared}");
    assert!(damage.lost_seconds().is_some_and(|lost| lost > 10.0));
    assert!(!damage.detail.is_empty());
    assert_eq!(damage, local_damage);
    assert_eq!(summary.audio_seconds, damage.at_seconds);

    // Every chunk of the audio before the cut, byte for byte, then `end`
    // with exactly that count.
    assert_stored(&server, session.id(), &expected, 0);
    let count = u32::try_from(expected.len()).expect("count");
    assert_eq!(summary.chunks_uploaded, count);
    assert_eq!(summary.ended_with, Some(count));
    let (sent, status) = ended_with(&server, session.id());
    assert_eq!(sent, Some(u64::from(count)));
    assert_ne!(status, "recording");
    assert_eq!(damage_events(&events), vec![damage]);
    let result = results(&session).await;
    assert!(result.is_complete(), "{:?}", result.status());
}

#[tokio::test]
async fn strict_mode_stores_the_audio_before_the_cut_and_leaves_the_session_open() {
    let (cut, _, _) = cut_long_wav();
    let (expected, local_damage) = chunks_before_damage(&cut);

    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    let (events, on_progress) = recorder();
    let err = session
        .upload_file(cut)
        .strict_audio(true)
        .on_progress(on_progress)
        .await
        .err()
        .unwrap_or_else(|| panic!("strict mode accepted a damaged recording"));

    assert_eq!(err.kind(), ErrorKind::Audio, "{err}");
    let text = err.to_string();
    assert!(text.contains(session.id()), "names the session: {text}");
    assert!(text.contains("left open (not ended)"), "{text}");
    assert!(
        text.contains(&format!("with {} chunks", expected.len())),
        "says how many chunks were stored: {text}"
    );
    assert!(text.contains("the audio stops at"), "says where: {text}");
    assert!(
        text.contains(&format!("audio_files_sent = {}", expected.len())),
        "{text}"
    );
    // The chunks before the damage are all stored; the session is not ended.
    assert_stored(&server, session.id(), &expected, 0);
    assert_eq!(end_requests(&server, session.id()), 0);
    let (sent, status) = ended_with(&server, session.id());
    assert_eq!(sent, None);
    assert_eq!(status, "recording");
    assert_eq!(damage_events(&events), vec![local_damage]);
}

#[tokio::test]
async fn a_cut_mp3_is_uploaded_with_a_damage_warning() {
    let mp3 = std::fs::read(sample("consultation.mp3")).expect("consultation.mp3");
    let cut = mp3[..mp3.len() / 2].to_vec();
    let (expected, _) = chunks_before_damage(&cut);
    assert!(!expected.is_empty(), "speech before the cut");

    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    let (events, on_progress) = recorder();
    let summary = session
        .upload_file(cut)
        .on_progress(on_progress)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let damage = summary.damage.clone().expect("the cut is reported");
    assert_eq!(damage.kind, DamageKind::Truncated);
    let declared = damage.declared_seconds.expect("the Info frame declares it");
    assert!((declared - 4.94).abs() < 0.01, "{declared}");
    assert!(damage.at_seconds < 2.6, "{}", damage.at_seconds);
    assert_eq!(damage_events(&events).len(), 1);
    assert_stored(&server, session.id(), &expected, 0);
    assert_eq!(summary.ended_with, Some(summary.next_index));
}

#[tokio::test]
async fn a_header_only_wav_has_no_audio_frames() {
    let wav = std::fs::read(sample("consultation.wav")).expect("consultation.wav");
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    // A header only, its sizes saying empty (a recorder stopped before any
    // sound) or whole (a copy cut after the header): no audio frames.
    let mut empty = wav[..WAV_HEADER].to_vec();
    empty[4..8].copy_from_slice(&36u32.to_le_bytes());
    empty[40..44].copy_from_slice(&0u32.to_le_bytes());
    for header in [empty, wav[..WAV_HEADER].to_vec()] {
        for strict in [false, true] {
            let err = session
                .upload_file(header.clone())
                .strict_audio(strict)
                .await
                .err()
                .unwrap_or_else(|| panic!("a header alone was accepted"));
            assert_eq!(err.kind(), ErrorKind::Audio, "{err}");
            let text = err.to_string();
            assert!(text.contains("no audio frames"), "{text}");
            assert!(!text.contains("0 bytes"), "{text}");
        }
    }
    assert!(server.files(session.id()).unwrap_or_default().is_empty());
    assert_eq!(end_requests(&server, session.id()), 0);
}

#[test]
fn the_blocking_client_takes_the_same_option() {
    let (cut, cut_seconds, _) = cut_long_wav();
    let server = quick_server()
        .start_blocking()
        .unwrap_or_else(|e| panic!("server: {e}"));
    let client = blocking_builder_for(&server)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let strict = client
        .create_session()
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = strict
        .upload_file(cut.clone())
        .strict_audio(true)
        .send()
        .err()
        .unwrap_or_else(|| panic!("strict mode accepted a damaged recording"));
    assert!(err.to_string().contains(strict.id()), "{err}");
    assert_eq!(end_requests(&server, strict.id()), 0);

    let lenient = client
        .create_session()
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = lenient
        .upload_file(cut)
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    let damage = summary.damage.expect("damage reported");
    assert!((damage.at_seconds - cut_seconds).abs() < 1.0);
    assert_eq!(summary.ended_with, Some(summary.next_index));
    assert_eq!(end_requests(&server, lenient.id()), 1);
}
