//! The file pipeline: every format from a path and from bytes, raw inputs,
//! silence, bad input, and the exact and parallel modes.

use scribe_audio::{
    AssetConfig, AudioError, AudioInput, ChunkConfig, PipelineConfig, VadConfig, VadMode,
    chunk_audio, speech_timestamps,
};

use crate::support::{
    SPEECH_FILES, data, data_path, exact, quiet_noise, speech_pcm_8k_stereo, wav_samples,
};

/// Chunks an input, checking every chunk's shape; returns total speech
/// seconds and the chunk count.
fn chunk_and_check(input: AudioInput, config: &PipelineConfig) -> (f64, usize) {
    let stream = chunk_audio(input, config).expect("pipeline starts");
    let (chunks, summary) = stream.collect_all().expect("pipeline finishes");
    let mut speech = 0.0;
    for (i, chunk) in chunks.iter().enumerate() {
        assert_eq!(chunk.index as usize, i);
        assert_eq!(chunk.name.to_string(), format!("chunk_{i}.wav"));
        let samples = wav_samples(&chunk.wav);
        assert_eq!(samples.len() as f64 / 16_000.0, chunk.duration_seconds);
        assert!(chunk.duration_seconds <= config.chunk.max_seconds);
        let covered: u64 = chunk.speech.iter().map(|r| r.end - r.start).sum();
        assert_eq!(covered as usize, samples.len());
        speech += chunk.duration_seconds;
    }
    assert_eq!(summary.chunks as usize, chunks.len());
    assert!((summary.speech_seconds - speech).abs() < 1e-6);
    (speech, chunks.len())
}

#[test]
fn every_format_from_path_and_bytes_gives_the_same_speech() {
    let config = PipelineConfig::default();
    let mut results = Vec::new();
    for (name, _, _) in SPEECH_FILES {
        let (from_path, n) = chunk_and_check(AudioInput::Path(data_path(name)), &config);
        let (from_bytes, m) = chunk_and_check(AudioInput::Bytes(data(name)), &config);
        assert_eq!(from_path, from_bytes, "{name}: path and bytes differ");
        assert_eq!(n, m);
        // Two utterances of about 2 s each in 5.7 s.
        assert!(
            (3.0..5.0).contains(&from_path),
            "{name}: {from_path} s of speech"
        );
        results.push((name, from_path));
    }
    // Lossy codecs move boundaries by a window or two at most.
    let (_, first) = results[0];
    for (name, speech) in &results {
        assert!((speech - first).abs() < 0.3, "{name}: {speech} vs {first}");
    }
}

#[test]
fn raw_pcm_and_f32_inputs_at_other_rates() {
    let config = PipelineConfig::default().with_vad(exact());
    let pcm = speech_pcm_8k_stereo();
    let (from_pcm, _) = chunk_and_check(
        AudioInput::PcmI16Le {
            bytes: pcm.clone(),
            sample_rate: 8000,
            channels: 2,
        },
        &config,
    );
    let floats: Vec<f32> = pcm
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect();
    let (from_f32, _) = chunk_and_check(
        AudioInput::F32 {
            samples: floats,
            sample_rate: 8000,
            channels: 2,
        },
        &config,
    );
    let (from_wav, _) =
        chunk_and_check(AudioInput::Bytes(data("speech_u8_8k_stereo.wav")), &config);
    assert!((3.0..5.0).contains(&from_pcm), "{from_pcm}");
    assert_eq!(from_pcm, from_f32);
    assert_eq!(from_pcm, from_wav);
}

#[test]
fn silence_only_gives_zero_chunks_and_says_so() {
    let config = PipelineConfig::default();
    let input = AudioInput::F32 {
        samples: quiet_noise(20),
        sample_rate: 16_000,
        channels: 1,
    };
    let (chunks, summary) = chunk_audio(input, &config)
        .expect("starts")
        .collect_all()
        .expect("finishes");
    assert!(chunks.is_empty());
    assert!(summary.no_speech());
    assert_eq!(summary.chunks, 0);
    assert!((summary.source_seconds - 20.0).abs() < 1e-9);
}

#[test]
fn bad_inputs_are_typed_errors() {
    let config = PipelineConfig::default();
    let err = |input| chunk_audio(input, &config).expect_err("must fail");
    assert!(matches!(
        err(AudioInput::Bytes(Vec::new())),
        AudioError::Empty
    ));
    assert!(matches!(
        err(AudioInput::Bytes(b"not audio at all".to_vec())),
        AudioError::UnrecognizedFormat
    ));
    assert!(matches!(
        err(AudioInput::Path(data_path("no_such_file.wav"))),
        AudioError::Io { .. }
    ));
    assert!(matches!(
        err(AudioInput::Bytes(data("video_only.mkv"))),
        AudioError::NoAudioTrack
    ));
    assert!(matches!(
        err(AudioInput::Bytes(data("tone.ac3.mka"))),
        AudioError::UnsupportedCodec { .. }
    ));
    assert!(matches!(
        err(AudioInput::PcmI16Le {
            bytes: vec![0; 101],
            sample_rate: 16_000,
            channels: 1
        }),
        AudioError::PartialFrame { .. }
    ));
    assert!(matches!(
        err(AudioInput::F32 {
            samples: vec![0.0; 100],
            sample_rate: 0,
            channels: 1
        }),
        AudioError::InvalidSampleRate { rate: 0 }
    ));
    let bad_config =
        PipelineConfig::default().with_chunk(ChunkConfig::default().with_max_seconds(-1.0));
    assert!(matches!(
        chunk_audio(AudioInput::Bytes(data("speech.mp3")), &bad_config),
        Err(AudioError::InvalidConfig(_))
    ));
}

#[test]
fn a_truncated_file_delivers_its_chunks_then_the_error() {
    let bytes = data("speech.flac");
    let cut = bytes[..bytes.len() * 3 / 4].to_vec();
    let items: Vec<_> = chunk_audio(AudioInput::Bytes(cut), &PipelineConfig::default())
        .expect("header is fine")
        .collect();
    let last = items.last().expect("at least the error");
    assert!(
        matches!(
            last,
            Err(AudioError::Truncated { .. } | AudioError::Corrupt { .. })
        ),
        "{last:?}"
    );
    assert!(items[..items.len() - 1].iter().all(Result::is_ok));
    assert!(items.len() >= 2, "the first utterance still comes out");
}

#[test]
fn long_speech_is_cut_within_the_maximum() {
    // The committed speech repeated without pauses between repeats is
    // longer than a 2 s maximum per utterance.
    let config = PipelineConfig::default().with_chunk(
        ChunkConfig::default()
            .with_max_seconds(1.5)
            .with_target_seconds(1.0),
    );
    let (speech, chunks) = chunk_and_check(AudioInput::Bytes(data("speech.flac")), &config);
    assert!(speech > 3.0);
    assert!(chunks >= 3);
}

#[test]
fn parallel_sections_match_the_exact_mode_on_short_audio() {
    let exact_segments = speech_timestamps(
        AudioInput::Bytes(data("speech.mp3")),
        &exact(),
        &AssetConfig::default(),
    )
    .expect("exact");
    // Tiny blocks and warm-ups so that this 5.7 s file is cut into many
    // sections; boundaries may then move by a couple of windows.
    let parallel = VadConfig::default().with_mode(VadMode::Sections {
        sections: 4,
        warmup_windows: 16,
        block_windows: 64,
    });
    let parallel_segments = speech_timestamps(
        AudioInput::Bytes(data("speech.mp3")),
        &parallel,
        &AssetConfig::default(),
    )
    .expect("parallel");
    assert_eq!(exact_segments.len(), 2, "{exact_segments:?}");
    assert_eq!(parallel_segments.len(), exact_segments.len());
    for (a, b) in exact_segments.iter().zip(&parallel_segments) {
        assert!(
            a.start.abs_diff(b.start) <= 1024 && a.end.abs_diff(b.end) <= 1024,
            "{a:?} {b:?}"
        );
    }
}

#[test]
fn the_window_export_alone_gives_the_same_segments_as_the_sequence_export() {
    // With only silero_vad.onnx (no sequence export beside it) the model is
    // run one window per call; the result must not change.
    let found = AssetConfig::new()
        .resolve()
        .expect("run `cargo xtask assets` first");
    assert!(
        found.vad_sequence_model.is_some(),
        "xtask assets unpacks the sequence export"
    );
    let dir = std::env::temp_dir().join(format!("scribe-audio-window-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let model = dir.join("silero_vad.onnx");
    std::fs::copy(&found.vad_model, &model).expect("copy model");
    let window_only = AssetConfig::new()
        .with_ort_dylib(&found.ort_dylib)
        .with_vad_model(&model);
    assert_eq!(
        window_only.resolve().expect("resolves").vad_sequence_model,
        None
    );

    let input = || AudioInput::Bytes(data("speech.webm"));
    let with_sequence =
        speech_timestamps(input(), &exact(), &AssetConfig::default()).expect("sequence");
    let with_windows = speech_timestamps(input(), &exact(), &window_only).expect("windows");
    assert_eq!(with_sequence.len(), 2);
    assert_eq!(with_windows, with_sequence);
}

#[test]
fn one_pass_gives_the_chunks_and_the_segments_of_speech_timestamps() {
    let config = PipelineConfig::default().with_chunk(
        ChunkConfig::default()
            .with_max_seconds(1.5)
            .with_target_seconds(1.0),
    );
    let input = || AudioInput::Bytes(data("speech.m4a"));
    let alone = speech_timestamps(input(), &config.vad, &config.assets).expect("timestamps");
    assert_eq!(alone.len(), 2, "{alone:?}");

    // Without keep_segments nothing is kept.
    let mut plain = chunk_audio(input(), &config).expect("starts");
    assert!(plain.by_ref().all(|c| c.is_ok()));
    assert!(plain.segments().is_empty());

    let mut stream = chunk_audio(input(), &config)
        .expect("starts")
        .keep_segments();
    let chunks = stream
        .by_ref()
        .collect::<Result<Vec<_>, _>>()
        .expect("chunks");
    assert_eq!(stream.segments(), alone.as_slice());
    let summary = stream.summary().expect("ended");
    assert_eq!(summary.segments, alone.len() as u64);
    // The chunks cover exactly the segments' audio, split at the maximum.
    assert!(chunks.len() >= 3, "{} chunks", chunks.len());
    let covered: u64 = chunks.iter().flat_map(|c| &c.speech).map(|r| r.len()).sum();
    let segmented: u64 = alone.iter().map(|r| r.len()).sum();
    assert_eq!(covered, segmented);
    for range in chunks.iter().flat_map(|c| &c.speech) {
        assert!(
            alone
                .iter()
                .any(|s| s.start <= range.start && range.end <= s.end),
            "{range:?} outside every segment"
        );
    }
}

#[test]
fn dropping_a_stream_after_its_first_chunk_stops_every_worker() {
    // The speech repeated for about 3 minutes: far more audio than the
    // workers buffer, so they are mid-work when the stream is dropped.
    let pcm = speech_pcm_8k_stereo();
    let long: Vec<u8> = std::iter::repeat_n(pcm.as_slice(), 30)
        .flatten()
        .copied()
        .collect();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let config = PipelineConfig::default().with_chunk(
            ChunkConfig::default()
                .with_max_seconds(2.0)
                .with_target_seconds(1.0),
        );
        let mut stream = chunk_audio(
            AudioInput::PcmI16Le {
                bytes: long,
                sample_rate: 8000,
                channels: 2,
            },
            &config,
        )
        .expect("starts");
        let first = stream.next().expect("a chunk").expect("no error");
        drop(stream);
        let _ = done_tx.send(first.index);
    });
    let first = done_rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the drop returns (workers stopped)");
    assert_eq!(first, 0);
}
