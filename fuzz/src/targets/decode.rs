//! The whole decode path on small inputs (`scribe_audio::inspect`): format
//! sniffing, the priming scan, symphonia's demuxers and decoders, no ONNX
//! Runtime.

use crate::Target;

pub(super) const TARGET: Target = Target {
    name: "decode",
    about: "scribe_audio::inspect on small files of every container (no ONNX Runtime)",
    run,
    max_len: 4096,
    timeout_ms: 2000,
    extra_seeds: &[],
    dictionary: &[
        b"RIFF",
        b"WAVE",
        b"fmt ",
        b"data",
        b"fLaC",
        b"OggS",
        b"OpusHead",
        b"\x01vorbis",
        b"\x1a\x45\xdf\xa3",
        b"ftyp",
        b"moov",
        b"mdat",
        b"ID3",
        b"\xff\xfb",
        b"\xff\xf1",
    ],
    // scribe-audio turns a decoder's panic into a corrupt-input error on
    // purpose; one raised in this workspace's own code is still a crash.
    tolerates_caught_foreign_panics: true,
};

fn run(data: &[u8]) {
    if let Ok(info) = scribe_audio::inspect(data) {
        assert!(info.sample_rate > 0 && info.channels > 0, "{info:?}");
        assert!(info.duration_seconds.is_finite() && info.duration_seconds >= 0.0);
    }
}
