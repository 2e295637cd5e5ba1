//! The blocking client, from plain threads.

use scribe::SessionOptions;
use scribe::audio::AudioInput;

use crate::support::*;

#[test]
fn blocking_round_trip_with_the_same_names() {
    let server = quick_server()
        .start_blocking()
        .unwrap_or_else(|e| panic!("server: {e}"));
    let client = builder_for(&server)
        .build_blocking()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let file = sample("consultation.mp3");
    let expected = local_chunks(AudioInput::Path(file.clone()));
    let s = client
        .create_session(SessionOptions::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = client
        .upload_audio_file(&s.session_id, &file)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.chunks_uploaded as usize, expected.len());
    assert_stored(&server, &s.session_id, &expected, 0);
    let result = client
        .wait_for_results(&s.session_id)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(result.is_complete());
    let got = client
        .sessions()
        .get(&s.session_id)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.status(), result.status());
    let statuses: Vec<_> = client.watch(&s.session_id).collect();
    assert_eq!(statuses.len(), 1, "a finished session gives one update");

    let mut live = client
        .open_stream(scribe::StreamOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let (pcm, _) = consultation_pcm();
    live.send_audio(&pcm).unwrap_or_else(|e| panic!("{e}"));
    let id = live.session_id().to_owned();
    live.stop().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        client
            .wait_for_results(&id)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_complete()
    );
    drop(client);
}

#[tokio::test]
async fn inside_an_async_runtime_it_refuses_instead_of_panicking() {
    let server = start(quick_server()).await;
    let builder = builder_for(&server);
    // Building spawns its runtime on a plain thread; calling it here must not panic.
    let client = std::thread::spawn(move || builder.build_blocking())
        .join()
        .unwrap_or_else(|_| panic!("build panicked"))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = client
        .templates()
        .err()
        .unwrap_or_else(|| panic!("blocking call inside a runtime succeeded"));
    assert!(err.to_string().contains("async"), "{err}");
    // Dropping it here must not panic either.
    drop(client);
}
