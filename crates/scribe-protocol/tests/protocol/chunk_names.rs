//! Chunk names: build then parse is the identity; rule breakers are rejected.

use proptest::prelude::*;
use scribe_protocol::chunk::{AudioExtension, ChunkName, ChunkNameError};

fn extension() -> impl Strategy<Value = AudioExtension> {
    proptest::sample::select(AudioExtension::ALL.to_vec())
}

proptest! {
    #[test]
    fn build_then_parse_is_identity(base in "[A-Za-z0-9._-]{1,40}", index: u32, ext in extension()) {
        let name = ChunkName::new(base.clone(), index, ext).unwrap();
        let text = name.to_string();
        prop_assert_eq!(&text, &format!("{base}_{index}.{}", ext.as_str()));
        let parsed = ChunkName::parse(&text).unwrap();
        prop_assert_eq!(&parsed, &name);
        prop_assert_eq!(parsed.base(), base.as_str());
        prop_assert_eq!(parsed.index(), index);
        prop_assert_eq!(parsed.extension(), ext);
    }

    #[test]
    fn zero_padded_indices_are_rejected(base in "[a-z]{1,10}", index in 0u32..100_000, zeros in 1usize..4, ext in extension()) {
        let text = format!("{base}_{}{index}.{ext}", "0".repeat(zeros));
        prop_assert!(
            matches!(ChunkName::parse(&text), Err(ChunkNameError::ZeroPaddedIndex { .. })),
            "{} was accepted", text
        );
    }

    #[test]
    fn names_without_a_numeric_suffix_are_rejected(base in "[A-Za-z.-]{1,20}", ext in extension()) {
        let text = format!("{base}.{ext}");
        prop_assert!(
            matches!(ChunkName::parse(&text), Err(ChunkNameError::MissingIndex { .. })),
            "{} was accepted", text
        );
    }

    #[test]
    fn empty_bases_are_rejected(index: u32, ext in extension()) {
        prop_assert_eq!(ChunkName::parse(&format!("_{index}.{ext}")), Err(ChunkNameError::EmptyBase));
        prop_assert_eq!(ChunkName::new("", index, ext), Err(ChunkNameError::EmptyBase));
    }

    #[test]
    fn unknown_extensions_are_rejected(base in "[a-z]{1,10}", index: u32, ext in "[A-Za-z0-9]{1,5}") {
        prop_assume!(AudioExtension::from_extension(&ext).is_none());
        let text = format!("{base}_{index}.{ext}");
        prop_assert!(
            matches!(ChunkName::parse(&text), Err(ChunkNameError::UnknownExtension { .. })),
            "{} was accepted", text
        );
    }
}

#[test]
fn documented_examples() {
    assert_eq!(
        ChunkName::chunk(0, AudioExtension::Wav).to_string(),
        "chunk_0.wav"
    );
    assert_eq!(ChunkName::parse("chunk_1.wav").unwrap().index(), 1);
    assert!(matches!(
        ChunkName::parse("chunk_01.wav"),
        Err(ChunkNameError::ZeroPaddedIndex { .. })
    ));
    assert!(matches!(
        ChunkName::parse("chunk.wav"),
        Err(ChunkNameError::MissingIndex { .. })
    ));
    assert!(matches!(
        ChunkName::parse("1_chunk.wav"),
        Err(ChunkNameError::MissingIndex { .. })
    ));
    assert!(matches!(
        ChunkName::parse("chunk_1"),
        Err(ChunkNameError::MissingExtension { .. })
    ));
    assert!(matches!(
        ChunkName::parse("chunk_1.WAV"),
        Err(ChunkNameError::UnknownExtension { .. })
    ));
    assert!(matches!(
        ChunkName::parse("chunk_-1.wav"),
        Err(ChunkNameError::MissingIndex { .. })
    ));
    assert!(matches!(
        ChunkName::parse("chunk_+1.wav"),
        Err(ChunkNameError::MissingIndex { .. })
    ));
    assert!(matches!(
        ChunkName::parse("chunk_4294967296.wav"),
        Err(ChunkNameError::IndexTooLarge { .. })
    ));
    assert!(matches!(
        ChunkName::new("a/b", 0, AudioExtension::Wav),
        Err(ChunkNameError::InvalidBaseCharacter { character: '/' })
    ));
    assert!(matches!(
        ChunkName::new("x".repeat(129), 0, AudioExtension::Wav),
        Err(ChunkNameError::BaseTooLong { .. })
    ));
    // Underscores in the base are fine: the index is the last `_` part.
    let name = ChunkName::parse("visit_7_chunk_12.ogg").unwrap();
    assert_eq!((name.base(), name.index()), ("visit_7_chunk", 12));
    let message = ChunkName::parse("chunk_01.wav").unwrap_err().to_string();
    assert!(
        message.contains("chunk_1.wav"),
        "the error shows the fix: {message}"
    );
}

#[test]
fn extensions_map_to_content_types_and_back() {
    let expected = [
        (AudioExtension::Wav, "audio/wav"),
        (AudioExtension::Webm, "audio/webm;codecs=opus"),
        (AudioExtension::Ogg, "audio/ogg;codecs=opus"),
        (AudioExtension::Mp3, "audio/mp3"),
        (AudioExtension::M4a, "audio/mp4"),
        (AudioExtension::Mp4, "audio/mp4"),
    ];
    for (ext, content_type) in expected {
        assert_eq!(ext.content_type(), content_type);
        assert_eq!(ext.as_str().parse::<AudioExtension>().unwrap(), ext);
    }
    for ext in [
        AudioExtension::Wav,
        AudioExtension::Webm,
        AudioExtension::Ogg,
        AudioExtension::Mp3,
        AudioExtension::Mp4,
    ] {
        assert_eq!(
            AudioExtension::from_content_type(ext.content_type()),
            Some(ext)
        );
    }
    assert_eq!(
        AudioExtension::from_content_type("audio/x-m4a"),
        Some(AudioExtension::M4a)
    );
    assert_eq!(
        AudioExtension::from_content_type("Audio/MPEG"),
        Some(AudioExtension::Mp3)
    );
    assert_eq!(
        AudioExtension::from_content_type("audio/x-wav"),
        Some(AudioExtension::Wav)
    );
    assert_eq!(AudioExtension::from_content_type("application/json"), None);
}
