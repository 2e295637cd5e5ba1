//! The decoder's side of decoding one stream on several threads: how a
//! stream is cut into sections, which packets are this decoder's, and the
//! warm-up before each of its sections (the threads and the reassembly are
//! in `source::parallel_decode`).

use std::collections::VecDeque;

use symphonia::core::packet::Packet;

use super::PacketDecoder;

/// Priming frames (MP4 edit list) up to which a stream may still be decoded
/// in sections: the skip must end inside the first section.
const MAX_SECTIONED_SKIP: u64 = 8192;

/// Seconds of audio per section when decoding in sections: long enough
/// that the warm-up costs little, short enough to keep memory small.
const SECTION_SECONDS: u64 = 12;

/// How a stream can be cut into sections decoded side by side.
///
/// A section ends once it holds `span` units of audio (by the packets'
/// durations, as the container states them, so every decoder reading the
/// stream cuts it at the same packets without decoding anything) and at
/// least `min_packets` packets. Before each section a decoder decodes the
/// `warmup` packets before it, and drops their output, so that its state is
/// what it would be after the whole stream before.
///
/// With `reservoir` bytes set (MP3's bit reservoir), only as many of those
/// packets are decoded as reach that far back, plus one to spare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SectionPlan {
    pub(crate) span: u64,
    pub(crate) min_packets: u64,
    pub(crate) warmup: usize,
    pub(crate) reservoir: usize,
}

/// The most bytes of an MPEG audio frame that are not main data: header,
/// CRC and the longest side information.
const MPEG_FRAME_OVERHEAD: usize = 4 + 2 + 32;

/// How many of the `held` packets before a section to decode: all of them,
/// or with a bit reservoir of `reservoir` bytes, the packet just before the
/// section (whose overlap and synthesis state the section continues), the
/// packets holding the main data it may draw on, and one to spare.
fn warmup_needed(held: &VecDeque<Packet>, reservoir: usize) -> usize {
    if reservoir == 0 {
        return held.len();
    }
    let mut covered = 0;
    let mut needed = 1;
    for packet in held.iter().rev().skip(1) {
        if covered >= reservoir {
            break;
        }
        covered += packet.data.len().saturating_sub(MPEG_FRAME_OVERHEAD);
        needed += 1;
    }
    (needed + 1).min(held.len())
}

/// One decoder's share when several decode a stream side by side: the
/// sections of `plan` are dealt out in turn to `workers` decoders; this one
/// is `worker`.
///
/// The codecs decoded this way ([`PacketDecoder::section_plan`]) keep only a
/// few packets of history (an overlap, a bit reservoir), so after the
/// warm-up their output is exactly what one decoder reading the whole
/// stream gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sections {
    pub(crate) plan: SectionPlan,
    pub(crate) workers: u64,
    pub(crate) worker: u64,
}

/// Where a decoder working in sections is in the stream.
#[derive(Debug, Default)]
pub(super) struct SectionCursor {
    /// Audio before the current packet, in timestamp units.
    position: u64,
    /// The current packet's section.
    section: u64,
    /// Packets of the current section so far.
    packets: u64,
    /// Whether a packet has been read.
    started: bool,
    /// The last packets of another decoder's section: the warm-up, if the
    /// next section is this decoder's.
    held: VecDeque<Packet>,
}

impl PacketDecoder<'_> {
    /// How to decode this stream in [`Sections`] with exactly the samples
    /// one decoder gives, if that can be done: the codec keeps only a few
    /// packets of history, and the container asks for no trim beyond the
    /// stream's first packets.
    pub(crate) fn section_plan(&self) -> Option<SectionPlan> {
        let codec = self.facts.codec.as_str();
        let (warmup, reservoir) = match codec {
            // Main data reaches at most 511 bytes back into earlier frames
            // (a dozen of the smallest), then the transforms overlap one
            // granule.
            "mp1" | "mp2" | "mp3" => (12, 511),
            // Each packet overlaps the one before.
            "vorbis" => (2, 0),
            // Every frame stands alone.
            "flac" => (0, 0),
            _ if codec.starts_with("pcm") => (0, 0),
            // Not AAC: its noise substitution draws from one random
            // generator that runs through the whole stream. Not Opus:
            // libopus's predictors carry state indefinitely.
            _ => return None,
        };
        if self.end_padding.is_some() || self.skip_frames > MAX_SECTIONED_SKIP {
            return None;
        }
        let units_per_second = self
            .facts
            .units_per_second
            .unwrap_or(f64::from(self.facts.sample_rate));
        let span = (SECTION_SECONDS as f64 * units_per_second) as u64;
        (span > 0).then_some(SectionPlan {
            span,
            // However odd the stated durations, the warm-up stays a small
            // share of the work.
            min_packets: 8 * warmup as u64 + 16,
            warmup,
            reservoir,
        })
    }

    /// Decodes only this decoder's share of the stream from now on. Call
    /// before the first packet.
    pub(crate) fn decode_sections(&mut self, sections: Sections) {
        if sections.worker != 0 {
            // The priming lies in the stream's first section.
            self.skip_frames = 0;
        }
        self.sections = Some(sections);
    }

    /// The section of the packet being read or decoded, if it is this
    /// decoder's: where an error just returned belongs.
    pub(crate) fn fault_section(&self) -> Option<u64> {
        match self.sections {
            None => Some(0),
            Some(s) => (self.cursor.section % s.workers == s.worker).then_some(self.cursor.section),
        }
    }

    /// Sections begun so far (all of the stream's, once it has ended).
    pub(crate) fn sections_seen(&self) -> u64 {
        if self.cursor.started {
            self.cursor.section + 1
        } else {
            0
        }
    }

    /// Places `packet` in its section: `Ok` with the section when it is
    /// this decoder's to decode (after warming up on the held packets if a
    /// section of its own starts here), `Err` when it is another's (it is
    /// held back as a possible warm-up).
    pub(super) fn place(&mut self, packet: Packet) -> Result<(u64, Packet), ()> {
        let Some(sections) = self.sections else {
            return Ok((0, packet));
        };
        let plan = sections.plan;
        let cursor = &mut self.cursor;
        let mut entering = !cursor.started;
        if cursor.started
            && cursor.packets >= plan.min_packets
            && cursor.position >= (cursor.section + 1).saturating_mul(plan.span)
        {
            cursor.section += 1;
            cursor.packets = 0;
            entering = true;
        }
        cursor.started = true;
        cursor.packets += 1;
        cursor.position = cursor.position.saturating_add(packet.dur.get());
        if cursor.section % sections.workers != sections.worker {
            if plan.warmup > 0 {
                if cursor.held.len() == plan.warmup {
                    cursor.held.pop_front();
                }
                cursor.held.push_back(packet);
            }
            return Err(());
        }
        if entering && cursor.section > 0 {
            self.decoder.reset();
            let unneeded = cursor.held.len() - warmup_needed(&cursor.held, plan.reservoir);
            for held in cursor.held.drain(..).skip(unneeded) {
                // Only the decoder's state matters; the output and errors
                // belong to another decoder's section.
                let _ = self.decoder.decode(&held);
            }
        }
        Ok((cursor.section, packet))
    }
}
