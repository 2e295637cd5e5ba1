//! Container and codec decoding with symphonia, packet by packet.
//!
//! The container is detected from the content (symphonia's probe reads the
//! leading bytes; no file-name hint is given), so a misnamed file still
//! decodes. Opus comes from libopus through `symphonia-adapter-libopus`.
//!
//! Encoder priming and padding the container declares but symphonia 0.6
//! does not apply (the MP4 edit list, Matroska `DiscardPadding`) are dropped
//! here, so timestamps and lengths match the source; see [`priming`].
//!
//! Decoding never loops forever: the loop ends at the end of the stream, on
//! an unrecoverable error, or after too many undecodable packets in a row.

use std::io::ErrorKind;
use std::sync::OnceLock;

use symphonia::core::codecs::CodecParameters;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::codecs::registry::CodecRegistry;
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use symphonia::core::packet::Packet;

use crate::error::AudioError;

pub(crate) mod priming;
mod section_plan;

use section_plan::SectionCursor;
pub(crate) use section_plan::{SectionPlan, Sections};

/// More undecodable packets than this in a row means the stream is corrupt,
/// not merely a damaged frame the decoder can skip.
const MAX_CONSECUTIVE_ERRORS: u32 = 32;

/// Above this share of undecodable packets the file is called corrupt even
/// when some audio came out.
const MAX_ERROR_SHARE: f64 = 0.2;

/// Upper bound on accepted sample rates (the highest rate any supported
/// codec produces is 768 kHz).
pub(crate) const MAX_SAMPLE_RATE: u32 = 768_000;

/// Codec resets (chained streams) tolerated before giving up.
const MAX_RESETS: u32 = 16;

fn codecs() -> &'static CodecRegistry {
    static REGISTRY: OnceLock<CodecRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut registry);
        registry.register_audio_decoder::<symphonia_adapter_libopus::OpusDecoder>();
        registry
    })
}

/// The container a byte prefix announces, if any (used to tell "truncated" or
/// "corrupt" from "not audio at all" when the probe gives up).
pub(crate) fn sniff_container(prefix: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| prefix.starts_with(magic);
    if starts(b"RIFF") && prefix.get(8..12) == Some(b"WAVE") {
        Some("wav")
    } else if starts(b"fLaC") {
        Some("flac")
    } else if starts(b"OggS") {
        Some("ogg")
    } else if starts(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Some("webm")
    } else if prefix.get(4..8) == Some(b"ftyp") {
        Some("mp4")
    } else if starts(b"ID3") || (prefix.len() >= 2 && prefix[0] == 0xFF && prefix[1] & 0xE0 == 0xE0)
    {
        Some("mp3")
    } else {
        None
    }
}

/// Facts about the decoded stream.
#[derive(Debug, Clone)]
pub(crate) struct StreamFacts {
    pub(crate) sample_rate: u32,
    pub(crate) channels: u16,
    pub(crate) format: String,
    pub(crate) codec: String,
    /// Frames the container announces, when it does.
    pub(crate) declared_frames: Option<u64>,
    /// Packet timestamp units per second (the track's time base), when
    /// known.
    pub(crate) units_per_second: Option<f64>,
}

/// One decoded packet, mixed down to mono.
pub(crate) struct Block<'a> {
    pub(crate) samples: &'a [f32],
    pub(crate) rate: u32,
    /// The section it belongs to (always 0 unless decoding in sections).
    pub(crate) section: u64,
}

/// How many packets were decoded and how many failed, and the frames that
/// came out: what the end-of-stream checks judge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DecodeCounts {
    pub(crate) packets: u64,
    pub(crate) failed_packets: u64,
    pub(crate) frames: u64,
}

impl std::ops::AddAssign for DecodeCounts {
    fn add_assign(&mut self, other: Self) {
        self.packets += other.packets;
        self.failed_packets += other.failed_packets;
        self.frames += other.frames;
    }
}

/// Adds the mean of `buffer`'s channels to `out`; `scratch` holds the
/// interleaved samples of formats other than planar f32.
fn mix_down(
    buffer: &symphonia::core::audio::GenericAudioBufferRef<'_>,
    out: &mut Vec<f32>,
    scratch: &mut Vec<f32>,
) {
    use symphonia::core::audio::{Audio, GenericAudioBufferRef};
    if let GenericAudioBufferRef::F32(planar) = buffer {
        let start = out.len();
        let planes = planar.num_planes();
        match (planar.plane(0), planar.plane(1)) {
            (Some(only), None) => out.extend_from_slice(only),
            (Some(left), Some(right)) if planes == 2 => {
                out.extend(left.iter().zip(right).map(|(l, r)| (l + r) * 0.5));
            }
            (Some(first), Some(_)) => {
                out.extend_from_slice(first);
                for p in 1..planes {
                    if let Some(plane) = planar.plane(p) {
                        for (o, s) in out[start..].iter_mut().zip(plane) {
                            *o += s;
                        }
                    }
                }
                let scale = 1.0 / planes as f32;
                for o in &mut out[start..] {
                    *o *= scale;
                }
            }
            (None, _) => {}
        }
        return;
    }
    buffer.copy_to_vec_interleaved(scratch);
    let channels = buffer.spec().channels().count().max(1);
    crate::source::mix_interleaved(scratch, channels, out);
}

/// A symphonia format reader plus decoder for the first audio track,
/// producing mono f32 blocks.
pub(crate) struct PacketDecoder<'s> {
    format: Box<dyn FormatReader + 's>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    facts: StreamFacts,
    counts: DecodeCounts,
    consecutive_errors: u32,
    resets: u32,
    finished: bool,
    /// This decoder's share when several decode the stream side by side.
    sections: Option<Sections>,
    cursor: SectionCursor,
    mono: Vec<f32>,
    scratch: Vec<f32>,
    /// Frames still to drop from the start (MP4 edit-list priming).
    skip_frames: u64,
    /// Frames to drop from the end of the track's last packet, and that
    /// packet's data as the container holds it (Matroska `DiscardPadding`).
    end_padding: Option<(u64, Vec<u8>)>,
    /// A packet read ahead to learn whether the current one is the last.
    lookahead: Option<Result<Option<Packet>, SymphoniaError>>,
}

impl std::fmt::Debug for PacketDecoder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PacketDecoder")
            .field("facts", &self.facts)
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

fn map_open_error(err: SymphoniaError, container: Option<&'static str>) -> AudioError {
    match (err, container) {
        (SymphoniaError::IoError(e), Some(_)) if e.kind() == ErrorKind::UnexpectedEof => {
            AudioError::Truncated {
                detail: "the stream ends inside its header".into(),
            }
        }
        (SymphoniaError::IoError(e), None) if e.kind() == ErrorKind::UnexpectedEof => {
            AudioError::UnrecognizedFormat
        }
        (SymphoniaError::IoError(e), _) => AudioError::Corrupt {
            detail: format!("read error: {}", e.kind()),
        },
        (SymphoniaError::DecodeError(msg), Some(_)) => AudioError::Corrupt {
            detail: msg.to_string(),
        },
        // With a known container, the reader's "unsupported" means a part it
        // needs is absent (cut off) or unreadable, not an exotic codec: codec
        // support is checked separately once the track is known.
        (SymphoniaError::Unsupported(msg), Some(c)) => {
            if msg.contains("missing") {
                AudioError::Truncated {
                    detail: format!("{c}: {msg}"),
                }
            } else {
                AudioError::Corrupt {
                    detail: format!("{c}: {msg}"),
                }
            }
        }
        (SymphoniaError::LimitError(msg), _) => AudioError::Corrupt {
            detail: msg.to_string(),
        },
        (_, None) => AudioError::UnrecognizedFormat,
        (other, Some(_)) => AudioError::Corrupt {
            detail: other.to_string(),
        },
    }
}

impl<'s> PacketDecoder<'s> {
    /// Probes the source's content and prepares a decoder for its first
    /// audio track.
    pub(crate) fn open(
        mut source: Box<dyn MediaSource + 's>,
        prefix: &[u8],
    ) -> Result<Self, AudioError> {
        let container_hint = sniff_container(prefix);
        let trim = priming::scan(source.as_mut(), container_hint);
        let mss = MediaSourceStream::new(source, Default::default());
        let mut format = symphonia::default::get_probe()
            .probe(
                &Hint::new(),
                mss,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| map_open_error(e, container_hint))?;

        let format_name = format.format_info().short_name.to_string();
        let track = format
            .default_track(TrackType::Audio)
            .or_else(|| format.first_track(TrackType::Audio));
        let Some(track) = track else {
            return Err(AudioError::NoAudioTrack);
        };
        let Some(CodecParameters::Audio(params)) = track.codec_params.as_ref() else {
            return Err(AudioError::NoAudioTrack);
        };
        let params = params.clone();
        let track_id = track.id;
        let mut declared_frames = track.num_frames;
        let units_per_second = track
            .time_base
            .map(|tb| f64::from(tb.denom.get()) / f64::from(tb.numer.get()));

        if let Some(rate) = params.sample_rate
            && (rate == 0 || rate > MAX_SAMPLE_RATE)
        {
            return Err(AudioError::InvalidSampleRate { rate });
        }
        if let Some(channels) = params.channels.as_ref()
            && channels.count() == 0
        {
            return Err(AudioError::InvalidChannels { channels: 0 });
        }

        if format_name == "mp3"
            && let Some(rate) = params.sample_rate
            && let Some(tagged) = tagged_length_frames(format.as_mut(), rate)
        {
            // Without a Xing/Info or VBRI frame count symphonia estimates the
            // length from the file's size, which a cut file shrinks too; the
            // ID3 length is what the whole recording was.
            declared_frames = Some(declared_frames.map_or(tagged, |n| n.max(tagged)));
        }

        let decoder = codecs()
            .make_audio_decoder(&params, &AudioDecoderOptions::default())
            .map_err(|err| match err {
                SymphoniaError::Unsupported(_) => AudioError::UnsupportedCodec {
                    codec: codec_label(&params),
                },
                other => AudioError::Corrupt {
                    detail: other.to_string(),
                },
            })?;
        let codec = decoder.codec_info().short_name.to_string();
        let rate = params.sample_rate.unwrap_or(0);
        let skip_frames = trim.mp4_skip_frames(rate);
        let end_padding = trim
            .mkv_end_padding(track_id, rate)
            .map(|(frames, payload)| (frames, payload.to_vec()));

        Ok(Self {
            format,
            decoder,
            track_id,
            facts: StreamFacts {
                sample_rate: params.sample_rate.unwrap_or(0),
                channels: params
                    .channels
                    .as_ref()
                    .map(|c| u16::try_from(c.count()).unwrap_or(u16::MAX))
                    .unwrap_or(0),
                format: format_name,
                codec,
                declared_frames,
                units_per_second,
            },
            counts: DecodeCounts::default(),
            consecutive_errors: 0,
            resets: 0,
            finished: false,
            sections: None,
            cursor: SectionCursor::default(),
            mono: Vec::new(),
            scratch: Vec::new(),
            skip_frames,
            end_padding,
            lookahead: None,
        })
    }

    /// What is known about the stream so far (rate and channels are updated
    /// from the first decoded buffer).
    pub(crate) fn facts(&self) -> &StreamFacts {
        &self.facts
    }

    /// Frames decoded so far.
    pub(crate) fn decoded_frames(&self) -> u64 {
        self.counts.frames
    }

    /// Packets decoded, failed, and frames produced so far.
    pub(crate) fn counts(&self) -> DecodeCounts {
        self.counts
    }

    /// Decodes the next packet of the audio track (the next of this
    /// decoder's share, in sections) and mixes it down to mono; `None` at
    /// the end.
    pub(crate) fn next_block(&mut self) -> Result<Option<Block<'_>>, AudioError> {
        if self.finished {
            return Ok(None);
        }
        loop {
            let next = match self.lookahead.take() {
                Some(peeked) => peeked,
                None => self.format.next_packet(),
            };
            let packet = match next {
                Ok(Some(packet)) => packet,
                Ok(None) => return self.end_of_stream().map(|()| None),
                Err(SymphoniaError::ResetRequired) => {
                    self.reset_decoder()?;
                    continue;
                }
                Err(SymphoniaError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                    self.finished = true;
                    // Nothing read yet: a header with no audio after it.
                    if self.counts.packets == 0 && self.sections_seen() <= 1 {
                        return Err(AudioError::NoAudioFrames {
                            announced: self.facts.declared_frames.unwrap_or(0) > 0,
                        });
                    }
                    return Err(AudioError::Truncated {
                        detail: "the stream ends inside a packet".into(),
                    });
                }
                Err(SymphoniaError::DecodeError(msg)) => {
                    // Counted once, by the decoder whose packet it was.
                    if self.fault_section().is_some() {
                        self.note_failure(msg)?;
                    }
                    continue;
                }
                Err(other) => {
                    self.finished = true;
                    return Err(AudioError::Corrupt {
                        detail: other.to_string(),
                    });
                }
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let Ok((section, packet)) = self.place(packet) else {
                continue;
            };
            self.counts.packets += 1;
            let trim_end = self.end_trim_for(&packet);
            match self.decoder.decode(&packet) {
                Ok(buffer) => {
                    self.consecutive_errors = 0;
                    if buffer.frames() == 0 {
                        continue;
                    }
                    let spec = buffer.spec();
                    let rate = spec.rate();
                    let channels = spec.channels().count();
                    if rate == 0 || rate > MAX_SAMPLE_RATE {
                        self.finished = true;
                        return Err(AudioError::InvalidSampleRate { rate });
                    }
                    if channels == 0 {
                        self.finished = true;
                        return Err(AudioError::InvalidChannels { channels: 0 });
                    }
                    let channels16 = u16::try_from(channels).unwrap_or(u16::MAX);
                    if self.counts.frames > 0
                        && (rate != self.facts.sample_rate || channels16 != self.facts.channels)
                    {
                        self.finished = true;
                        return Err(AudioError::Corrupt {
                            detail: "the sample rate or channel count changes mid-stream".into(),
                        });
                    }
                    self.facts.sample_rate = rate;
                    self.facts.channels = channels16;
                    self.mono.clear();
                    mix_down(&buffer, &mut self.mono, &mut self.scratch);
                    let frames = self.trim_block(trim_end);
                    if frames == 0 {
                        continue;
                    }
                    self.counts.frames += frames as u64;
                    return Ok(Some(Block {
                        samples: &self.mono,
                        rate,
                        section,
                    }));
                }
                Err(SymphoniaError::DecodeError(msg)) => self.note_failure(msg)?,
                Err(SymphoniaError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                    self.note_failure("packet shorter than its header says")?;
                }
                Err(SymphoniaError::IoError(_)) => self.note_failure("unreadable packet")?,
                Err(SymphoniaError::ResetRequired) => self.reset_decoder()?,
                Err(SymphoniaError::Unsupported(what)) => {
                    self.finished = true;
                    return Err(AudioError::UnsupportedCodec {
                        codec: format!("{}: {what}", self.facts.codec),
                    });
                }
                Err(other) => {
                    self.finished = true;
                    return Err(AudioError::Corrupt {
                        detail: other.to_string(),
                    });
                }
            }
        }
    }

    /// Frames to drop from the end of `packet`: the declared padding when it
    /// is the padded block and the track's last packet (read one ahead to
    /// know), else none.
    fn end_trim_for(&mut self, packet: &Packet) -> u64 {
        let Some((frames, payload)) = self.end_padding.as_ref() else {
            return 0;
        };
        if *packet.data != **payload {
            return 0;
        }
        let frames = *frames;
        let peeked = loop {
            match self.format.next_packet() {
                Ok(Some(next)) if next.track_id != self.track_id => continue,
                other => break other,
            }
        };
        let last = matches!(peeked, Ok(None));
        self.lookahead = Some(peeked);
        if last { frames } else { 0 }
    }

    /// Drops priming from the start and `trim_end` frames from the end of the
    /// mono block; returns the frames left.
    fn trim_block(&mut self, trim_end: u64) -> usize {
        let mut frames = self.mono.len();
        let end = usize::try_from(trim_end).unwrap_or(usize::MAX).min(frames);
        frames -= end;
        self.mono.truncate(frames);
        let skip = usize::try_from(self.skip_frames)
            .unwrap_or(usize::MAX)
            .min(frames);
        if skip > 0 {
            self.mono.drain(..skip);
            self.skip_frames -= skip as u64;
            frames -= skip;
        }
        frames
    }

    fn note_failure(&mut self, msg: &'static str) -> Result<(), AudioError> {
        self.counts.failed_packets += 1;
        self.consecutive_errors += 1;
        if self.consecutive_errors > MAX_CONSECUTIVE_ERRORS {
            self.finished = true;
            return Err(AudioError::Corrupt {
                detail: format!(
                    "{} packets in a row undecodable: {msg}",
                    self.consecutive_errors
                ),
            });
        }
        Ok(())
    }

    fn reset_decoder(&mut self) -> Result<(), AudioError> {
        self.resets += 1;
        if self.resets > MAX_RESETS {
            self.finished = true;
            return Err(AudioError::Corrupt {
                detail: "too many stream resets".into(),
            });
        }
        self.decoder.reset();
        Ok(())
    }

    /// The end of the stream: checked here when this decoder read all of
    /// it; in sections, whoever gathers the sections checks the totals.
    fn end_of_stream(&mut self) -> Result<(), AudioError> {
        self.finished = true;
        if self.sections.is_some() {
            return Ok(());
        }
        self.end_facts().check(self.counts)
    }

    /// What the end-of-stream checks need to know of the stream.
    pub(crate) fn end_facts(&self) -> EndFacts {
        EndFacts {
            declared_frames: self.facts.declared_frames,
            sample_rate: self.facts.sample_rate,
        }
    }
}

/// What the end-of-stream checks need to know of a stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndFacts {
    pub(crate) declared_frames: Option<u64>,
    /// The rate the container announces (0 when it does not).
    sample_rate: u32,
}

impl EndFacts {
    /// Checks the whole stream's `counts`: no audio, too many bad packets,
    /// fewer frames than the container announced.
    pub(crate) fn check(&self, counts: DecodeCounts) -> Result<(), AudioError> {
        if counts.frames == 0 {
            // The input has bytes (empty input is refused before decoding),
            // so nothing decoded means a header without audio after it.
            return Err(if counts.failed_packets > 0 {
                AudioError::Corrupt {
                    detail: "no packet could be decoded".into(),
                }
            } else {
                AudioError::NoAudioFrames {
                    announced: self.declared_frames.unwrap_or(0) > 0,
                }
            });
        }
        let total = counts.packets.max(1) as f64;
        if counts.failed_packets as f64 / total > MAX_ERROR_SHARE {
            return Err(AudioError::Corrupt {
                detail: format!(
                    "{} of {} packets undecodable",
                    counts.failed_packets, counts.packets
                ),
            });
        }
        if let Some(declared) = self.declared_frames {
            // Encoders pad and trim a little (well under 8192 frames, a few
            // packets); short by more than that and by more than a second or
            // 1% of the length, the file was cut.
            let second = u64::from(self.sample_rate).max(1);
            let slack = 8192u64.max(second.min(declared / 100));
            if declared > counts.frames.saturating_add(slack) {
                return Err(AudioError::Truncated {
                    detail: format!("{} of {} announced frames present", counts.frames, declared),
                });
            }
        }
        Ok(())
    }
}

/// The length an ID3 `TLEN` tag gives (milliseconds), in frames at `rate`.
fn tagged_length_frames(format: &mut dyn FormatReader, rate: u32) -> Option<u64> {
    use symphonia::core::meta::{MetadataRevision, RawValue};
    fn tlen_millis(revision: &MetadataRevision) -> Option<u64> {
        let tag = revision
            .media
            .tags
            .iter()
            .find(|tag| tag.raw.key.eq_ignore_ascii_case("TLEN"))?;
        match &tag.raw.value {
            RawValue::String(text) => text.trim().parse().ok(),
            RawValue::StringList(list) => list.first()?.trim().parse().ok(),
            RawValue::UnsignedInt(n) => Some(*n),
            _ => None,
        }
    }
    // Every revision (a leading ID3v2 tag, a trailing one), oldest first.
    let mut metadata = format.metadata();
    let mut millis = metadata.current().and_then(tlen_millis);
    while millis.is_none() && metadata.pop().is_some() {
        millis = metadata.current().and_then(tlen_millis);
    }
    // Above a day is no consultation: a broken tag, not a length.
    millis
        .filter(|&ms| ms > 0 && ms <= 86_400_000)
        .map(|ms| ms * u64::from(rate) / 1000)
}

fn codec_label(params: &symphonia::core::codecs::audio::AudioCodecParameters) -> String {
    use symphonia::core::codecs::audio::well_known as known;
    let names = [
        (known::CODEC_ID_AC3, "ac3"),
        (known::CODEC_ID_EAC3, "eac3"),
        (known::CODEC_ID_ALAC, "alac"),
        (known::CODEC_ID_WMA, "wma"),
        (known::CODEC_ID_SPEEX, "speex"),
        (known::CODEC_ID_DCA, "dts"),
        (known::CODEC_ID_MP1, "mp1"),
        (known::CODEC_ID_MP2, "mp2"),
        (known::CODEC_ID_WAVPACK, "wavpack"),
        (known::CODEC_ID_TRUEHD, "truehd"),
        (known::CODEC_ID_ADPCM_G722, "g722"),
        (known::CODEC_ID_ADPCM_G726, "g726"),
        (
            symphonia::core::codecs::audio::CODEC_ID_NULL_AUDIO,
            "unknown",
        ),
    ];
    names
        .iter()
        .find(|(id, _)| *id == params.codec)
        .map(|(_, name)| (*name).to_string())
        .unwrap_or_else(|| format!("codec id {}", params.codec))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(declared: u64, rate: u32, frames: u64) -> Result<(), AudioError> {
        let facts = EndFacts {
            declared_frames: Some(declared),
            sample_rate: rate,
        };
        facts.check(DecodeCounts {
            packets: frames / 1152 + 1,
            failed_packets: 0,
            frames,
        })
    }

    #[test]
    fn short_by_more_than_a_second_or_one_percent_is_truncated() {
        let rate = 44_100;
        let half_hour = 30 * 60 * u64::from(rate);
        // Cut at 99%: 18 s missing, far more than a second.
        let cut = half_hour * 99 / 100;
        assert!(matches!(
            check(half_hour, rate, cut),
            Err(AudioError::Truncated { .. })
        ));
        // A second and a half missing from half an hour (0.08%).
        let second = u64::from(rate);
        assert!(check(half_hour, rate, half_hour - second * 3 / 2).is_err());
        // Encoder padding, a few packets' worth, is no damage.
        assert!(check(half_hour, rate, half_hour - 4_000).is_ok());
        assert!(check(half_hour, rate, half_hour).is_ok());
        // A 5 s file: 1% (2205 frames) is within the 8192 frames of
        // padding a few packets may account for; more is not.
        let five = 5 * second;
        assert!(check(five, rate, five - 2_205).is_ok());
        assert!(check(five, rate, five - 9_000).is_err());
    }

    #[test]
    fn no_frames_after_a_header_is_said_so() {
        let none = EndFacts {
            declared_frames: Some(0),
            sample_rate: 16_000,
        };
        let err = none.check(DecodeCounts::default()).expect_err("no audio");
        assert!(matches!(
            err,
            AudioError::NoAudioFrames { announced: false }
        ));
        let some = EndFacts {
            declared_frames: Some(16_000),
            sample_rate: 16_000,
        };
        let err = some.check(DecodeCounts::default()).expect_err("no audio");
        assert!(matches!(err, AudioError::NoAudioFrames { announced: true }));
    }
}
