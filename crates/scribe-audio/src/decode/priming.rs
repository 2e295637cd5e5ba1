//! Encoder priming and padding that symphonia 0.6 reads but does not apply.
//!
//! * MP4: the first edit of the sound track's edit list (`elst`) starts the
//!   presentation `media_time` ticks into the media; AAC encoders put their
//!   priming (usually 1024 frames) there. symphonia's isomp4 reader ignores
//!   edit lists, so those frames come out of the decoder.
//! * Matroska/WebM: the last block of an Opus track carries
//!   `DiscardPadding` (nanoseconds of padding to drop from its end); the mkv
//!   reader parses and drops it. (The Opus pre-skip is applied by the libopus
//!   adapter from the `OpusHead` in the codec private data.)
//!
//! Both are read here straight from the container bytes, before the probe,
//! and only from a seekable source. Anything unreadable yields no trim:
//! this never fails a decode and never adds samples.

use std::io::{Read, SeekFrom};

use symphonia::core::io::MediaSource;

/// Largest `moov` box read into memory for the edit list.
const MAX_MOOV_BYTES: u64 = 64 << 20;

/// Bytes at the end of a Matroska file searched for the last block group.
const MKV_TAIL_BYTES: u64 = 256 << 10;

/// Matroska element ids used here.
const EBML_BLOCK_GROUP: u32 = 0xA0;
const EBML_BLOCK: u32 = 0xA1;
const EBML_DISCARD_PADDING: u32 = 0x75A2;
/// Every child a BlockGroup may hold (Matroska spec): Block, BlockVirtual,
/// BlockAdditions, BlockDuration, ReferencePriority, ReferenceBlock,
/// ReferenceVirtual, CodecState, DiscardPadding, Slices, void, CRC-32.
const BLOCK_GROUP_CHILDREN: [u32; 12] = [
    EBML_BLOCK,
    0xA2,
    0x75A1,
    0x9B,
    0xFA,
    0xFB,
    0xFD,
    0xA4,
    EBML_DISCARD_PADDING,
    0x8E,
    0xEC,
    0xBF,
];

/// More children than this and an element is not a BlockGroup (real ones
/// hold a handful). The cap keeps the tail scan linear: every 0xA0 byte is
/// a candidate group, and without it crafted tails make each candidate walk
/// to the end of the tail.
const MAX_GROUP_CHILDREN: usize = 32;

/// What the container declares about frames to drop.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ContainerTrim {
    /// MP4: the first sound track's first non-empty edit: media time to skip
    /// and the media timescale it is counted in.
    pub(crate) mp4_skip: Option<(u64, u32)>,
    /// Matroska: the last padded block found per track: track number,
    /// padding in nanoseconds, and the block's frame data (to recognise it).
    pub(crate) mkv_padding: Vec<MkvPadding>,
}

/// A Matroska block with `DiscardPadding`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MkvPadding {
    /// Matroska track number (symphonia's track id).
    pub(crate) track: u64,
    /// Padding at the end of the block, in nanoseconds.
    pub(crate) nanos: u64,
    /// The block's frame data.
    pub(crate) payload: Vec<u8>,
}

impl ContainerTrim {
    /// Frames to drop at the start of an MP4 track decoded at `rate`.
    pub(crate) fn mp4_skip_frames(&self, rate: u32) -> u64 {
        match self.mp4_skip {
            Some((ticks, timescale)) if timescale > 0 => {
                let frames = u128::from(ticks) * u128::from(rate) / u128::from(timescale);
                // A damaged edit list must not eat the recording: priming is
                // at most a few thousand frames; allow up to one second.
                u64::try_from(frames)
                    .unwrap_or(u64::MAX)
                    .min(u64::from(rate))
            }
            _ => 0,
        }
    }

    /// The padded last block of Matroska track `track` and the frames to drop
    /// from its end at `rate`.
    pub(crate) fn mkv_end_padding(&self, track: u32, rate: u32) -> Option<(u64, &[u8])> {
        let pad = self
            .mkv_padding
            .iter()
            .rev()
            .find(|p| p.track == u64::from(track))?;
        let frames = (u128::from(pad.nanos) * u128::from(rate) + 500_000_000) / 1_000_000_000;
        let frames = u64::try_from(frames).ok()?.min(u64::from(rate));
        (frames > 0).then_some((frames, pad.payload.as_slice()))
    }
}

/// Reads the trims `container` (from [`super::sniff_container`]) declares,
/// leaving `source` at the position it had.
pub(crate) fn scan(source: &mut dyn MediaSource, container: Option<&str>) -> ContainerTrim {
    if !source.is_seekable() {
        return ContainerTrim::default();
    }
    let Ok(start) = source.stream_position() else {
        return ContainerTrim::default();
    };
    let trim = match container {
        Some("mp4") => ContainerTrim {
            mp4_skip: read_moov(source, start).and_then(|moov| mp4_first_edit(&moov)),
            ..ContainerTrim::default()
        },
        Some("webm") => ContainerTrim {
            mkv_padding: read_tail(source, start)
                .map(|tail| mkv_padded_blocks(&tail))
                .unwrap_or_default(),
            ..ContainerTrim::default()
        },
        _ => ContainerTrim::default(),
    };
    if source.seek(SeekFrom::Start(start)).is_err() {
        // The probe will then fail with an ordinary read error.
        return ContainerTrim::default();
    }
    trim
}

fn read_moov(source: &mut dyn MediaSource, start: u64) -> Option<Vec<u8>> {
    let mut pos = start;
    loop {
        source.seek(SeekFrom::Start(pos)).ok()?;
        let mut header = [0u8; 8];
        source.read_exact(&mut header).ok()?;
        let size32 = u32::from_be_bytes([header[0], header[1], header[2], header[3]]);
        let (size, header_len) = match size32 {
            1 => {
                let mut large = [0u8; 8];
                source.read_exact(&mut large).ok()?;
                (u64::from_be_bytes(large), 16)
            }
            0 => return None,
            n => (u64::from(n), 8),
        };
        if size < header_len {
            return None;
        }
        if &header[4..8] == b"moov" {
            let body = size - header_len;
            if body > MAX_MOOV_BYTES {
                return None;
            }
            // Read what is there rather than allocating the declared size
            // up front: a damaged size must not cost 64 MiB of memory.
            let mut moov = Vec::new();
            source.take(body).read_to_end(&mut moov).ok()?;
            return (moov.len() as u64 == body).then_some(moov);
        }
        pos = pos.checked_add(size)?;
    }
}

/// The boxes directly inside `data`: (type, body).
fn boxes(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
        let kind = rest.get(4..8)?;
        let (size, header) = match size {
            1 => (
                usize::try_from(u64::from_be_bytes(rest.get(8..16)?.try_into().ok()?)).ok()?,
                16,
            ),
            0 => (rest.len(), 8),
            n => (usize::try_from(n).ok()?, 8),
        };
        let body = rest.get(header..size)?;
        rest = &rest[size..];
        Some((kind, body))
    })
}

fn child<'a>(data: &'a [u8], kind: &[u8]) -> Option<&'a [u8]> {
    boxes(data).find(|(k, _)| *k == kind).map(|(_, body)| body)
}

fn be_u32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn be_u64(data: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_be_bytes(data.get(at..at + 8)?.try_into().ok()?))
}

/// The first sound track's first non-empty edit: (media time, media
/// timescale).
pub(crate) fn mp4_first_edit(moov: &[u8]) -> Option<(u64, u32)> {
    boxes(moov)
        .filter(|(kind, _)| *kind == b"trak")
        .find_map(|(_, trak)| {
            let mdia = child(trak, b"mdia")?;
            let hdlr = child(mdia, b"hdlr")?;
            if hdlr.get(8..12)? != b"soun" {
                return None;
            }
            let mdhd = child(mdia, b"mdhd")?;
            let timescale = match mdhd.first()? {
                0 => be_u32(mdhd, 12)?,
                1 => be_u32(mdhd, 20)?,
                _ => return None,
            };
            let elst = child(child(trak, b"edts")?, b"elst")?;
            let version = *elst.first()?;
            let entry_len = if version == 1 { 20 } else { 12 };
            // The declared count cannot exceed the entries present.
            let count = (be_u32(elst, 4)? as usize).min(elst.len() / entry_len);
            (0..count).find_map(|i| {
                let at = 8 + i * entry_len;
                // -1 marks an empty edit (a gap before the media starts),
                // which would add silence: never applied.
                let media_time = if version == 1 {
                    i64::try_from(be_u64(elst, at + 8)?).ok()
                } else {
                    Some(i64::from(be_u32(elst, at + 4)? as i32))
                };
                media_time
                    .and_then(|t| u64::try_from(t).ok())
                    .map(|t| (t, timescale))
            })
        })
        .filter(|(ticks, _)| *ticks > 0)
}

fn read_tail(source: &mut dyn MediaSource, start: u64) -> Option<Vec<u8>> {
    let end = source.seek(SeekFrom::End(0)).ok()?;
    let from = end.saturating_sub(MKV_TAIL_BYTES).max(start);
    source.seek(SeekFrom::Start(from)).ok()?;
    let mut tail = Vec::new();
    source.take(end - from).read_to_end(&mut tail).ok()?;
    Some(tail)
}

/// An EBML variable-length integer at the start of `data`: (value without
/// the length marker, value with it, length). All-ones sizes (unknown) are
/// returned as is; callers treat them as out of range.
fn vint(data: &[u8]) -> Option<(u64, u64, usize)> {
    let first = *data.first()?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let bytes = data.get(..len)?;
    let raw = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let value = raw & (u64::MAX >> (64 - 7 * len));
    Some((value, raw, len))
}

/// Every well-formed BlockGroup with `DiscardPadding` in `tail`, in file
/// order. A group is accepted only if its children exactly fill it and are
/// all BlockGroup children (at most [`MAX_GROUP_CHILDREN`]), so bytes
/// inside frame data are not mistaken for one.
pub(crate) fn mkv_padded_blocks(tail: &[u8]) -> Vec<MkvPadding> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < tail.len() {
        if u32::from(tail[i]) == EBML_BLOCK_GROUP
            && let Some((pad, len)) = block_group(&tail[i..])
        {
            found.extend(pad);
            i += len;
        } else {
            i += 1;
        }
    }
    found
}

/// A BlockGroup at the start of `data`: its padded block (if padded) and its
/// total length.
fn block_group(data: &[u8]) -> Option<(Option<MkvPadding>, usize)> {
    let (size, _, size_len) = vint(data.get(1..)?)?;
    let body_start = 1 + size_len;
    let body = data.get(body_start..body_start.checked_add(usize::try_from(size).ok()?)?)?;
    let mut block = None;
    let mut nanos = None;
    let mut rest = body;
    let mut children = 0;
    while !rest.is_empty() {
        children += 1;
        if children > MAX_GROUP_CHILDREN {
            return None;
        }
        let (_, id, id_len) = vint(rest)?;
        let id = u32::try_from(id).ok()?;
        if !BLOCK_GROUP_CHILDREN.contains(&id) {
            return None;
        }
        let (len, _, len_len) = vint(rest.get(id_len..)?)?;
        let start = id_len + len_len;
        let value = rest.get(start..start.checked_add(usize::try_from(len).ok()?)?)?;
        match id {
            EBML_BLOCK => block = Some(value),
            EBML_DISCARD_PADDING if (1..=8).contains(&value.len()) => {
                // Signed big-endian integer.
                let shift = 64 - 8 * value.len() as u32;
                let raw = value.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
                nanos = Some(((raw << shift) as i64) >> shift);
            }
            _ => {}
        }
        rest = &rest[start + value.len()..];
    }
    let block = block?;
    let padding = match nanos {
        Some(n) if n > 0 => {
            let (track, _, track_len) = vint(block)?;
            let flags = *block.get(track_len + 2)?;
            // Laced blocks hold several frames; only unlaced ones are trimmed.
            let payload = block.get(track_len + 3..)?;
            (flags & 0x06 == 0).then(|| MkvPadding {
                track,
                nanos: n.unsigned_abs(),
                payload: payload.to_vec(),
            })
        }
        _ => None,
    };
    Some((padding, body_start + body.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vint_reads_lengths_and_markers() {
        assert_eq!(vint(&[0x81]), Some((1, 0x81, 1)));
        assert_eq!(vint(&[0x40, 0x02]), Some((2, 0x4002, 2)));
        assert_eq!(vint(&[0x75, 0xA2]), Some((0x35A2, 0x75A2, 2)));
        assert_eq!(vint(&[0x00]), None);
        assert_eq!(vint(&[]), None);
    }

    #[test]
    fn block_group_with_padding_is_found_among_noise() {
        // BlockGroup { Block(track 1, ts 0, flags 0x80? no: 0, data 1 2 3),
        // DiscardPadding(681 frames at 48 kHz = 14_187_500 ns) }
        let nanos: i64 = 14_187_500;
        let pad = nanos.to_be_bytes();
        let mut group = vec![0xA1, 0x87, 0x81, 0x00, 0x00, 0x00, 1, 2, 3];
        group.extend_from_slice(&[0x75, 0xA2, 0x84]);
        group.extend_from_slice(&pad[4..]);
        let mut data = vec![0xA0, 0xA0, 0x75, 0x12];
        data.push(0xA0);
        data.push(0x80 | group.len() as u8);
        data.extend_from_slice(&group);
        data.extend_from_slice(&[0xA0, 0xFF]);
        let found = mkv_padded_blocks(&data);
        assert_eq!(
            found,
            vec![MkvPadding {
                track: 1,
                nanos: 14_187_500,
                payload: vec![1, 2, 3]
            }]
        );
        let trim = ContainerTrim {
            mkv_padding: found,
            ..ContainerTrim::default()
        };
        assert_eq!(
            trim.mkv_end_padding(1, 48_000),
            Some((681, &[1u8, 2, 3][..]))
        );
        assert_eq!(trim.mkv_end_padding(2, 48_000), None);
    }

    /// A tail of Void elements, each holding what looks like the start of
    /// a BlockGroup whose body is every Void after it.
    fn nested_voids(bytes: usize) -> Vec<u8> {
        let units = bytes / 11;
        let mut tail = Vec::with_capacity(units * 11);
        for k in 0..units {
            let rest = ((units - k - 1) * 11) as u64;
            tail.extend_from_slice(&[0xEC, 0x89, 0xA0, 0x01]);
            tail.extend_from_slice(&rest.to_be_bytes()[1..]);
        }
        tail
    }

    #[test]
    fn a_crafted_tail_is_scanned_in_linear_time() {
        // Found while writing the priming fuzz target (its watchdog tripped
        // on this tail): every candidate group walked every Void after it,
        // quadratic in the 256 KiB tail, over a second per scan; children
        // are now capped per group.
        let tail = nested_voids(MKV_TAIL_BYTES as usize);
        let started = std::time::Instant::now();
        assert!(mkv_padded_blocks(&tail).is_empty());
        let elapsed = started.elapsed();
        assert!(elapsed < std::time::Duration::from_secs(1), "{elapsed:?}");
    }

    #[test]
    fn edit_list_start_is_read_and_empty_edits_skipped() {
        fn bx(kind: &[u8], body: &[u8]) -> Vec<u8> {
            let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
            out.extend_from_slice(kind);
            out.extend_from_slice(body);
            out
        }
        let mut hdlr = vec![0; 8];
        hdlr.extend_from_slice(b"soun");
        hdlr.extend_from_slice(&[0; 13]);
        let mut mdhd = vec![0; 12];
        mdhd.extend_from_slice(&44_100u32.to_be_bytes());
        mdhd.extend_from_slice(&[0; 8]);
        let mut elst = vec![0, 0, 0, 0, 0, 0, 0, 2];
        elst.extend_from_slice(&[0, 0, 0, 10, 0xFF, 0xFF, 0xFF, 0xFF, 0, 1, 0, 0]);
        elst.extend_from_slice(&[0, 0, 0, 10, 0, 0, 0x08, 0x40, 0, 1, 0, 0]);
        let mdia = [bx(b"mdhd", &mdhd), bx(b"hdlr", &hdlr)].concat();
        let trak = [bx(b"edts", &bx(b"elst", &elst)), bx(b"mdia", &mdia)].concat();
        let moov = bx(b"trak", &trak);
        assert_eq!(mp4_first_edit(&moov), Some((2112, 44_100)));
        let trim = ContainerTrim {
            mp4_skip: Some((2112, 44_100)),
            ..ContainerTrim::default()
        };
        assert_eq!(trim.mp4_skip_frames(44_100), 2112);
        assert_eq!(trim.mp4_skip_frames(22_050), 1056);
    }

    #[test]
    fn a_moov_larger_than_its_file_is_no_trim() {
        // Found by `cargo xtask fuzz`: a `moov` declaring 64 MiB in a file
        // of a few hundred bytes was allocated in full before reading.
        let mut file = 24u32.to_be_bytes().to_vec();
        file.extend_from_slice(b"ftypM4A \0\0\x02\0isomiso2");
        file.extend_from_slice(&(60u32 << 20).to_be_bytes());
        file.extend_from_slice(b"moov");
        file.extend_from_slice(&[0; 64]);
        let mut source = std::io::Cursor::new(file);
        assert_eq!(scan(&mut source, Some("mp4")), ContainerTrim::default());
        assert_eq!(source.position(), 0);
    }

    /// Decodes a file under `examples/audio/` to mono f32.
    fn decode_mono(name: &str) -> Vec<f32> {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/audio")
            .join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut decoder = super::super::PacketDecoder::open(
            Box::new(std::io::Cursor::new(bytes.clone())),
            &bytes[..16],
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut mono = Vec::new();
        while let Some(block) = decoder
            .next_block()
            .unwrap_or_else(|e| panic!("{name}: {e}"))
        {
            mono.extend_from_slice(block.samples);
        }
        mono
    }

    /// The lag (in frames, within ±`max_lag`) at which `b` best matches `a`.
    fn best_lag(a: &[f32], b: &[f32], max_lag: i64) -> i64 {
        let window = 48_000..144_000;
        (-max_lag..=max_lag)
            .max_by(|x, y| {
                let score = |lag: i64| -> f64 {
                    window
                        .clone()
                        .map(|i| {
                            let j = (i as i64 + lag) as usize;
                            f64::from(a[i]) * f64::from(b[j])
                        })
                        .sum()
                };
                score(*x).total_cmp(&score(*y))
            })
            .unwrap_or(0)
    }

    #[test]
    fn trimmed_aac_and_opus_line_up_with_the_source() {
        let source = decode_mono("consultation-48k-stereo.wav");
        // AAC with its 1024 priming frames dropped: sample for sample.
        let aac = decode_mono("consultation.m4a");
        assert_eq!(best_lag(&source, &aac, 1100), 0);
        // Opus after its pre-skip leads the source by a few frames (ffmpeg's
        // decoder: 3, libopus: 2): the codec's own phase, not a container
        // matter, so WebM must match Ogg Opus exactly.
        let webm = best_lag(&source, &decode_mono("consultation.webm"), 1100);
        let ogg = best_lag(&source, &decode_mono("consultation-opus.ogg"), 1100);
        assert_eq!(webm, ogg);
        assert!(webm.abs() <= 3, "webm lag {webm}");
    }

    #[test]
    fn files_are_trimmed_like_bytes() {
        // `AudioInput::Path` hands the decoder a `File`, not a cursor.
        for (name, frames) in [
            ("consultation.m4a", 237_568),
            ("consultation.webm", 237_087),
        ] {
            let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../examples/audio")
                .join(name);
            let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let prefix = std::fs::read(&path).unwrap_or_default();
            let mut decoder = super::super::PacketDecoder::open(Box::new(file), &prefix[..16])
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            while decoder
                .next_block()
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .is_some()
            {}
            assert_eq!(decoder.decoded_frames(), frames, "{name}");
        }
    }
}
