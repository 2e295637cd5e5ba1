//! Chunk file names: `ChunkName::parse` and its printed form.

use scribe_protocol::chunk::{AudioExtension, ChunkName};

use crate::{Target, fold};

pub(super) const TARGET: Target = Target {
    name: "chunk_name",
    about: "ChunkName::parse / Display round trip, ChunkName::new, AudioExtension parsing",
    run,
    max_len: 512,
    timeout_ms: 500,
    extra_seeds: &[],
    dictionary: &[
        b"_",
        b".",
        b".wav",
        b".webm",
        b".ogg",
        b".mp3",
        b".m4a",
        b".mp4",
        b".WAV",
        b"chunk_",
        b"4294967295",
        b"4294967296",
        b"00",
        b"-",
        b"audio/",
        b";codecs=opus",
        b"\xc3\xa9",
    ],
    tolerates_caught_foreign_panics: false,
};

fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(name) = ChunkName::parse(&text) {
        let printed = name.to_string();
        // Names are canonical: the printed form is the text that was parsed.
        assert_eq!(printed, text, "a parsed name prints differently");
        let again = ChunkName::parse(&printed).expect("a printed name parses");
        assert_eq!(again, name);
        assert_eq!(printed.parse::<ChunkName>().as_ref(), Ok(&name));
        let next = name.with_index(name.index().wrapping_add(1));
        assert_eq!(ChunkName::parse(&next.to_string()), Ok(next));
    }
    // Any base `new` accepts gives a name that parses back to itself.
    let index = fold(data) as u32;
    for extension in AudioExtension::ALL {
        if let Ok(name) = ChunkName::new(text.as_ref(), index, extension) {
            assert_eq!(ChunkName::parse(&name.to_string()), Ok(name.clone()));
            assert_eq!(name.base(), text);
        }
    }
    if let Some(extension) = AudioExtension::from_content_type(&text) {
        // `audio/mp4` is the Content-Type of both `.m4a` and `.mp4`.
        let expected = match extension {
            AudioExtension::M4a => AudioExtension::Mp4,
            other => other,
        };
        assert_eq!(
            AudioExtension::from_content_type(extension.content_type()),
            Some(expected)
        );
    }
    let _ = text.parse::<AudioExtension>();
}
