//! Chunk file names (`{base}_{n}.{ext}`) and the Content-Type each extension
//! needs.

/// A parsed chunk file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub(crate) index: u32,
    pub(crate) extension: &'static str,
}

const EXTENSIONS: &[(&str, &str)] = &[
    ("wav", "audio/wav"),
    ("webm", "audio/webm;codecs=opus"),
    ("ogg", "audio/ogg;codecs=opus"),
    ("mp3", "audio/mp3"),
    ("m4a", "audio/mp4"),
    ("mp4", "audio/mp4"),
];

/// Parse `{base}_{n}.{ext}`: a non-empty base, a zero-based index without
/// zero padding, a known extension.
pub(crate) fn parse(name: &str) -> Result<Chunk, String> {
    let (stem, ext) = name
        .rsplit_once('.')
        .ok_or_else(|| "the name has no extension".to_owned())?;
    let extension = EXTENSIONS
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(e, _)| *e)
        .ok_or_else(|| format!("`.{ext}` is not a supported audio extension"))?;
    let (base, index) = stem
        .rsplit_once('_')
        .ok_or_else(|| "the name lacks the `_{n}` index".to_owned())?;
    if base.is_empty() {
        return Err("the name lacks a base before `_{n}`".to_owned());
    }
    if base
        .chars()
        .any(|c| c.is_whitespace() || c == '/' || c == '\\' || c.is_control())
    {
        return Err("the base holds whitespace, slashes or control characters".to_owned());
    }
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return Err("the index after the last `_` must be digits".to_owned());
    }
    if index.len() > 1 && index.starts_with('0') {
        return Err("the index must not be zero padded".to_owned());
    }
    let index = index
        .parse::<u32>()
        .map_err(|_| "the index is too large".to_owned())?;
    Ok(Chunk { index, extension })
}

/// The Content-Type an extension needs.
pub(crate) fn content_type(extension: &str) -> &'static str {
    EXTENSIONS
        .iter()
        .find(|(e, _)| *e == extension)
        .map_or("application/octet-stream", |(_, t)| t)
}

/// Whether a Content-Type header value fits the extension: same media type,
/// and, where the extension names a codec, no other codec.
pub(crate) fn content_type_fits(extension: &str, header: &str) -> bool {
    let expected = content_type(extension);
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
pub(crate) fn containers(extension: &str) -> &'static [&'static str] {
    match extension {
        "wav" => &["wav", "wave"],
        "webm" => &["mkv", "matroska", "webm"],
        "ogg" => &["ogg"],
        "mp3" => &["mp3"],
        _ => &["isomp4", "mp4", "m4a"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rule() {
        assert_eq!(parse("chunk_0.wav").map(|c| c.index), Ok(0));
        assert_eq!(parse("my_file_12.webm").map(|c| c.index), Ok(12));
        for bad in [
            "chunk_01.wav",
            "chunk.wav",
            "1_chunk.wav",
            "chunk_1.flac",
            "_1.wav",
            "chunk_-1.wav",
            "chunk_1",
            "chunk_99999999999.wav",
        ] {
            assert!(parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn content_types_match_extensions() {
        assert!(content_type_fits("wav", "audio/wav"));
        assert!(content_type_fits("webm", "audio/webm;codecs=opus"));
        assert!(content_type_fits("webm", "audio/webm"));
        assert!(!content_type_fits("webm", "audio/webm;codecs=vorbis"));
        assert!(!content_type_fits("wav", "audio/mp3"));
        assert!(content_type_fits("m4a", "audio/mp4"));
    }
}
