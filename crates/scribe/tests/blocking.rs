//! The blocking client, from plain threads.

use scribe::audio::AudioInput;

use crate::support::*;

#[test]
fn blocking_round_trip_with_the_same_names() {
    let server = quick_server()
        .start_blocking()
        .unwrap_or_else(|e| panic!("server: {e}"));
    let client = blocking_builder_for(&server)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
    let file = sample("consultation.mp3");
    let expected = local_chunks(AudioInput::Path(file.clone()));
    let session = client
        .create_session()
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = session
        .upload_file(&file)
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.chunks_uploaded as usize, expected.len());
    assert_stored(&server, session.id(), &expected, 0);
    let result = session.wait().send().unwrap_or_else(|e| panic!("{e}"));
    assert!(result.is_complete());
    let got = session.get().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.status(), result.status());
    let mut statuses = Vec::new();
    for update in session.watch() {
        statuses.push(update.unwrap_or_else(|e| panic!("{e}")));
    }
    assert_eq!(statuses.len(), 1, "a finished session gives one update");

    let streaming = client
        .create_session()
        .streaming()
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut live = streaming
        .open_stream()
        .send()
        .unwrap_or_else(|e| panic!("{e}"));
    let (pcm, _) = consultation_pcm();
    live.send_audio(&pcm).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(live.session().id(), streaming.id());
    live.stop().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        streaming
            .wait()
            .send()
            .unwrap_or_else(|e| panic!("{e}"))
            .is_complete()
    );
    drop(client);
}

#[tokio::test]
async fn inside_an_async_runtime_it_refuses_instead_of_panicking() {
    let server = start(quick_server()).await;
    let builder = blocking_builder_for(&server);
    // Building spawns its runtime on a plain thread; calling it here must not panic.
    let client = std::thread::spawn(move || builder.build())
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
