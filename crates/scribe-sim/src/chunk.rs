//! Chunk uploads: the naming rule and Content-Types come from
//! `scribe_protocol::chunk`; this adds the server's checks on top.

use scribe_protocol::chunk::AudioExtension;

/// Whether a Content-Type header value fits the extension: the same media
/// type as the protocol's Content-Type for it, and no codec other than the
/// one it names.
pub(crate) fn content_type_fits(extension: AudioExtension, header: &str) -> bool {
    let expected = extension.content_type();
    let essence = |v: &str| {
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    };
    if essence(header) != essence(expected) {
        return false;
    }
    let codecs = header
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("codecs"))
        .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
    match codecs {
        None => true,
        Some(c) => expected.contains(&format!("codecs={c}")),
    }
}

/// Containers `scribe_audio::inspect` may report for an extension (its
/// names follow the decoder's: `wave`, `matroska`, `isomp4`, ...).
pub(crate) fn containers(extension: AudioExtension) -> &'static [&'static str] {
    match extension {
        AudioExtension::Wav => &["wav", "wave"],
        AudioExtension::Webm => &["mkv", "matroska", "webm"],
        AudioExtension::Ogg => &["ogg"],
        AudioExtension::Mp3 => &["mp3"],
        AudioExtension::M4a | AudioExtension::Mp4 => &["isomp4", "mp4", "m4a"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_match_extensions() {
        assert!(content_type_fits(AudioExtension::Wav, "audio/wav"));
        assert!(content_type_fits(
            AudioExtension::Webm,
            "audio/webm;codecs=opus"
        ));
        assert!(content_type_fits(AudioExtension::Webm, "audio/webm"));
        assert!(!content_type_fits(
            AudioExtension::Webm,
            "audio/webm;codecs=vorbis"
        ));
        assert!(!content_type_fits(AudioExtension::Wav, "audio/mp3"));
        assert!(content_type_fits(AudioExtension::M4a, "audio/mp4"));
    }
}
