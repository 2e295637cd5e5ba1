//! Reading a chunk's WAV file back (`Chunk::samples`), and the WAV writer
//! it pairs with.

use scribe_audio::{Chunk, encode_wav};
use scribe_protocol::chunk::{AudioExtension, ChunkName};

use crate::Target;

pub(super) const TARGET: Target = Target {
    name: "wav",
    about: "Chunk::samples (the chunk WAV reader) and encode_wav round trips",
    run,
    max_len: 4096,
    timeout_ms: 1000,
    extra_seeds: &[],
    dictionary: &[
        b"RIFF",
        b"WAVE",
        b"fmt ",
        b"data",
        b"LIST",
        b"fact",
        b"\x10\x00\x00\x00",
        b"\x01\x00",
        b"\xfe\xff",
        b"\x10\x00",
        b"\x80\x3e\x00\x00",
        b"\xff\xff\xff\xff",
    ],
    tolerates_caught_foreign_panics: false,
};

fn chunk(wav: Vec<u8>) -> Chunk {
    Chunk {
        index: 0,
        name: ChunkName::chunk(0, AudioExtension::Wav),
        wav,
        duration_seconds: 0.0,
        speech: Vec::new(),
    }
}

fn run(data: &[u8]) {
    // Whatever a reader makes of the bytes, writing those samples again
    // gives a file that reads back to the same samples.
    if let Ok(samples) = chunk(data.to_vec()).samples() {
        let again = encode_wav(&samples, 16_000).expect("encode read samples");
        assert_eq!(chunk(again).samples().expect("re-read"), samples);
    }
    // The bytes as samples, written at a rate taken from the input.
    let samples: Vec<i16> = data
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let rate = data
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .unwrap_or(16_000);
    match encode_wav(&samples, rate) {
        Ok(wav) => {
            assert_eq!(wav.len(), 44 + samples.len() * 2);
            assert_eq!(chunk(wav).samples().expect("a written WAV reads"), samples);
        }
        Err(_) => assert!(rate == 0 || rate > 768_000, "rate {rate} refused"),
    }
}
