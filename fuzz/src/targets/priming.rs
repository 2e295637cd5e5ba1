//! scribe-audio's container priming readers: the MP4 edit list and the
//! Matroska `DiscardPadding` of the last blocks.

use scribe_audio::__fuzz as audio;

use crate::{Target, fold};

pub(super) const TARGET: Target = Target {
    name: "priming",
    about: "MP4 edit-list (moov/trak/elst) and Matroska BlockGroup DiscardPadding readers",
    run,
    max_len: 8192,
    timeout_ms: 1000,
    extra_seeds: &[],
    dictionary: &[
        b"ftyp",
        b"moov",
        b"trak",
        b"mdia",
        b"hdlr",
        b"mdhd",
        b"edts",
        b"elst",
        b"soun",
        b"\x00\x00\x00\x01",
        b"\x00\x00\x00\x00",
        b"\xff\xff\xff\xff",
        b"\xa0",
        b"\xa1",
        b"\x75\xa2",
        b"\x1a\x45\xdf\xa3",
        b"\x01\x00\x00\x00\x00\x00\x00\x00",
        b"\x01\xff\xff\xff\xff\xff\xff\xff",
        b"\xec\x80",
        b"\x80",
    ],
    tolerates_caught_foreign_panics: false,
};

/// Sample rates the trims are computed at, the odd ones included.
const RATES: [u32; 5] = [1, 8_000, 44_100, 48_000, u32::MAX];

fn run(data: &[u8]) {
    let _ = audio::mp4_first_edit(data);
    for (_, nanos, payload) in audio::mkv_padded_blocks(data) {
        assert!(nanos > 0, "a block without padding was reported");
        assert!(payload.len() < data.len(), "a payload longer than its file");
    }
    let track = (fold(data) % 4) as u32;
    for container in ["mp4", "webm"] {
        for rate in RATES {
            let (start, end) = audio::priming_trim(data, container, rate, track);
            // A damaged file must never trim more than one second.
            assert!(
                start <= u64::from(rate),
                "{container}: start trim {start} at {rate} Hz"
            );
            if let Some(end) = end {
                assert!(
                    end > 0 && end <= u64::from(rate),
                    "{container}: end trim {end}"
                );
            }
        }
    }
}
