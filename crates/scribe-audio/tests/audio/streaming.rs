//! Live audio: fed in pieces, the results equal the whole-file results.

use scribe_audio::{
    AssetConfig, AudioInput, ChunkConfig, PcmFormat, PipelineConfig, StreamingChunker,
    StreamingVad, chunk_audio, speech_timestamps,
};

use crate::support::{exact, speech_pcm_8k_stereo};

/// Split points that cut mid-sample and mid-frame.
fn pieces(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut step = 1;
    while at < bytes.len() {
        let end = (at + step).min(bytes.len());
        out.push(&bytes[at..end]);
        at = end;
        step = (step * 7 + 3) % 9001 + 1;
    }
    out
}

#[test]
fn streaming_vad_equals_batch_on_the_same_audio() {
    let pcm = speech_pcm_8k_stereo();
    let format = PcmFormat {
        sample_rate: 8000,
        channels: 2,
    };
    let batch = speech_timestamps(
        AudioInput::PcmI16Le {
            bytes: pcm.clone(),
            sample_rate: 8000,
            channels: 2,
        },
        &exact(),
        &AssetConfig::default(),
    )
    .expect("batch");
    assert!(!batch.is_empty());

    let mut vad = StreamingVad::new(format, &exact(), &AssetConfig::default()).expect("vad");
    let mut live = Vec::new();
    let mut first_final_at = None;
    let mut fed = 0;
    for piece in pieces(&pcm) {
        fed += piece.len();
        let found = vad.push_i16le(piece).expect("push");
        if !found.is_empty() && first_final_at.is_none() {
            first_final_at = Some(fed);
        }
        live.extend(found);
    }
    live.extend(vad.finish().expect("finish"));
    assert_eq!(live, batch);
    // The first utterance is final long before the audio ends.
    assert!(first_final_at.expect("a segment during the stream") < pcm.len() * 3 / 4);
}

#[test]
fn streaming_chunker_equals_the_file_pipeline() {
    let pcm = speech_pcm_8k_stereo();
    let chunking = ChunkConfig::default()
        .with_target_seconds(1.0)
        .with_max_seconds(2.0);
    let config = PipelineConfig::default()
        .with_vad(exact())
        .with_chunk(chunking.clone());
    let (batch, batch_summary) = chunk_audio(
        AudioInput::PcmI16Le {
            bytes: pcm.clone(),
            sample_rate: 8000,
            channels: 2,
        },
        &config,
    )
    .expect("batch")
    .collect_all()
    .expect("batch chunks");
    assert!(batch.len() >= 2);

    let mut chunker = StreamingChunker::new(
        PcmFormat {
            sample_rate: 8000,
            channels: 2,
        },
        &exact(),
        &chunking,
        &AssetConfig::default(),
    )
    .expect("chunker");
    let mut live = Vec::new();
    for piece in pieces(&pcm) {
        live.extend(chunker.push_i16le(piece).expect("push"));
    }
    let (rest, summary) = chunker.finish().expect("finish");
    live.extend(rest);
    assert_eq!(live, batch);
    assert_eq!(summary, batch_summary);
}
