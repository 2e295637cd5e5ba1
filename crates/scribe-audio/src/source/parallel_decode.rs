//! One recording decoded on several threads at once, its samples handed on
//! in order.
//!
//! Each worker opens the recording for itself and reads every packet, but
//! decodes only its own sections (see [`Sections`]), each after a short
//! warm-up on the packets before it. A worker sends each of its sections,
//! mixed down to mono, as one message; the reader takes section 0 from
//! worker 0, section 1 from worker 1, and so on, so memory is bounded by
//! the few sections in flight. Only codecs whose output after the warm-up
//! is exactly the single decoder's are decoded this way
//! ([`PacketDecoder::section_plan`]).
//!
//! Every section index is sent by its worker, empty when nothing in it
//! could be decoded, so a damaged stretch never makes the reader stop
//! early. An error goes with the section it was found in; a worker that
//! runs into an error in another worker's section leaves it to that one.

use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use super::MonoSource;
use crate::decode::{DecodeCounts, EndFacts, PacketDecoder, SectionPlan, Sections};
use crate::error::AudioError;
use crate::panic_guard::catch_decoder_panic;

/// Sections a worker may have decoded ahead of the reader.
const SECTIONS_IN_FLIGHT: usize = 1;
/// Decoding threads at most, unless the caller asks for more.
const MAX_WORKERS: usize = 4;

/// How many threads decode one recording here unless the caller says.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_WORKERS)
}

enum Message {
    Section {
        index: u64,
        samples: Vec<f32>,
        rate: u32,
        error: Option<AudioError>,
    },
    /// The worker has no more sections; what it decoded in all.
    End(DecodeCounts),
}

/// Decodes a recording on one thread per decoder, in sections.
pub(crate) struct SectionedSource {
    receivers: Vec<Receiver<Message>>,
    /// Spent section buffers go back to the workers, so that a long
    /// recording does not allocate (and fragment) memory section by section.
    recycle: Vec<Sender<Vec<f32>>>,
    handles: Vec<JoinHandle<()>>,
    end: EndFacts,
    next: u64,
    error: Option<AudioError>,
    done: bool,
}

impl SectionedSource {
    /// Starts one worker per decoder, each freshly opened on the same
    /// recording, to decode it as `plan` says.
    pub(crate) fn start(
        decoders: Vec<PacketDecoder<'static>>,
        plan: SectionPlan,
    ) -> Result<Self, AudioError> {
        let end = decoders
            .first()
            .ok_or(AudioError::WorkerStopped)?
            .end_facts();
        let workers = decoders.len() as u64;
        let mut receivers = Vec::new();
        let mut recycle = Vec::new();
        let mut handles = Vec::new();
        for (worker, mut decoder) in (0u64..).zip(decoders) {
            let sections = Sections {
                plan,
                workers,
                worker,
            };
            decoder.decode_sections(sections);
            let (tx, rx) = sync_channel(SECTIONS_IN_FLIGHT);
            let (spent_tx, spent_rx) = channel();
            let handle = std::thread::Builder::new()
                .name(format!("scribe-audio-decode-{worker}"))
                .spawn(move || work(decoder, sections, &tx, &spent_rx))
                .map_err(|_| AudioError::WorkerStopped)?;
            receivers.push(rx);
            recycle.push(spent_tx);
            handles.push(handle);
        }
        Ok(Self {
            receivers,
            recycle,
            handles,
            end,
            next: 0,
            error: None,
            done: false,
        })
    }

    /// The stream has no section `self.next`: gathers every worker's counts
    /// and runs the end-of-stream checks.
    fn finish(&mut self, first: DecodeCounts, from: usize) -> Result<(), AudioError> {
        let mut total = first;
        for (i, rx) in self.receivers.iter().enumerate() {
            if i == from {
                continue;
            }
            match rx.recv() {
                Ok(Message::End(counts)) => total += counts,
                Ok(Message::Section { .. }) | Err(_) => return Err(AudioError::WorkerStopped),
            }
        }
        self.end.check(total)
    }
}

impl MonoSource for SectionedSource {
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<Option<u32>, AudioError> {
        loop {
            if let Some(e) = self.error.take() {
                self.done = true;
                return Err(e);
            }
            if self.done {
                return Ok(None);
            }
            let from = (self.next % self.receivers.len() as u64) as usize;
            match self.receivers[from].recv() {
                Ok(Message::Section {
                    index,
                    samples,
                    rate,
                    error,
                }) => {
                    if index != self.next {
                        self.done = true;
                        return Err(AudioError::WorkerStopped);
                    }
                    self.next += 1;
                    self.error = error;
                    if !samples.is_empty() {
                        let spent = std::mem::replace(out, samples);
                        // A worker that has finished no longer takes it.
                        let _ = self.recycle[from].send(spent);
                        return Ok(Some(rate));
                    }
                }
                Ok(Message::End(counts)) => {
                    self.done = true;
                    return self.finish(counts, from).map(|()| None);
                }
                Err(_) => {
                    self.done = true;
                    return Err(AudioError::WorkerStopped);
                }
            }
        }
    }

    fn declared_frames(&self) -> Option<u64> {
        self.end.declared_frames
    }
}

impl Drop for SectionedSource {
    fn drop(&mut self) {
        // Closing the channels makes each worker's next send fail.
        self.receivers.clear();
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}

/// A worker's sections on their way out.
struct Outbox<'a> {
    tx: &'a SyncSender<Message>,
    sections: Sections,
    /// The next section of this worker's not sent yet.
    next_owned: u64,
    /// The section being filled: index, mono samples, rate.
    open: Option<(u64, Vec<f32>, u32)>,
}

impl Outbox<'_> {
    /// Sends the open section and (empty) every section of this worker's
    /// before `upto`; false when the reader has gone.
    fn flush_before(&mut self, upto: u64) -> bool {
        if let Some((index, samples, rate)) = self.open.take() {
            if !self.send(index, samples, rate, None) {
                return false;
            }
        }
        while self.next_owned < upto {
            if !self.send(self.next_owned, Vec::new(), 0, None) {
                return false;
            }
        }
        true
    }

    fn send(
        &mut self,
        index: u64,
        samples: Vec<f32>,
        rate: u32,
        error: Option<AudioError>,
    ) -> bool {
        self.next_owned = index + self.sections.workers;
        self.tx
            .send(Message::Section {
                index,
                samples,
                rate,
                error,
            })
            .is_ok()
    }
}

/// What one pass of the worker's loop came to.
enum Step {
    Decoded,
    End,
    ReaderGone,
}

fn work(
    mut decoder: PacketDecoder<'static>,
    sections: Sections,
    tx: &SyncSender<Message>,
    spent: &Receiver<Vec<f32>>,
) {
    let mut outbox = Outbox {
        tx,
        sections,
        next_owned: sections.worker,
        open: None,
    };
    loop {
        let step = catch_decoder_panic(|| {
            let Some(block) = decoder.next_block()? else {
                return Ok(Step::End);
            };
            if outbox.open.as_ref().map(|open| open.0) != Some(block.section) {
                if !outbox.flush_before(block.section) {
                    return Ok(Step::ReaderGone);
                }
                let mut buffer = spent.try_recv().unwrap_or_default();
                buffer.clear();
                outbox.open = Some((block.section, buffer, block.rate));
            }
            if let Some(open) = outbox.open.as_mut() {
                open.1.extend_from_slice(block.samples);
                open.2 = block.rate;
            }
            Ok(Step::Decoded)
        });
        match step {
            Ok(Step::Decoded) => {}
            Ok(Step::ReaderGone) => return,
            Ok(Step::End) => {
                if outbox.flush_before(decoder.sections_seen()) {
                    let _ = tx.send(Message::End(decoder.counts()));
                }
                return;
            }
            Err(e) => {
                match decoder.fault_section() {
                    Some(section) => {
                        // The samples decoded before the error still go out.
                        let open = outbox.open.take_if(|open| open.0 == section);
                        if outbox.flush_before(section) {
                            let (samples, rate) = open.map_or((Vec::new(), 0), |o| (o.1, o.2));
                            outbox.send(section, samples, rate, Some(e));
                        }
                    }
                    None => {
                        // Another worker's section: it finds the same error.
                        // Every section of this worker's before it is done.
                        let at = decoder.sections_seen().saturating_sub(1);
                        if outbox.flush_before(at) {
                            let _ = tx.send(Message::End(decoder.counts()));
                        }
                    }
                }
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::source::DecodedSource;

    fn decoder(bytes: &[u8]) -> PacketDecoder<'static> {
        PacketDecoder::open(Box::new(Cursor::new(bytes.to_vec())), &bytes[..16]).expect("opens")
    }

    /// `plan` with sections of exactly `packets` packets (however long),
    /// so that short examples cross many seams.
    fn small(plan: SectionPlan, packets: u64) -> SectionPlan {
        SectionPlan {
            span: 1,
            min_packets: packets.max(plan.warmup as u64),
            ..plan
        }
    }

    fn plan_of(bytes: &[u8]) -> SectionPlan {
        decoder(bytes)
            .section_plan()
            .expect("decodable in sections")
    }

    /// Everything `source` gives, and how it ends.
    fn outcome(source: &mut dyn MonoSource) -> (Vec<f32>, String) {
        let (mut all, mut block) = (Vec::new(), Vec::new());
        let end = loop {
            match source.next_block(&mut block) {
                Ok(Some(_)) => all.extend_from_slice(&block),
                other => break format!("{other:?}"),
            }
        };
        (all, end)
    }

    /// What `workers` decoders give for `bytes` in sections of `packets`.
    fn sectioned(bytes: &[u8], workers: usize, packets: u64) -> (Vec<f32>, String) {
        let decoders = (0..workers).map(|_| decoder(bytes)).collect();
        let plan = small(plan_of(bytes), packets);
        outcome(&mut SectionedSource::start(decoders, plan).expect("starts"))
    }

    fn example(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/audio")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn sections_decode_exactly_what_one_decoder_does() {
        for name in [
            "consultation.mp3",
            "consultation.flac",
            "consultation-vorbis.ogg",
            "consultation.wav",
            "consultation-48k-stereo.wav",
        ] {
            let bytes = example(name);
            let (want, end) = outcome(&mut DecodedSource::new(decoder(&bytes)));
            assert_eq!(end, "Ok(None)", "{name}");
            // Sections of 13 to 40 packets: the example crosses many seams.
            for (workers, packets) in [(2, 13), (3, 17), (2, 40)] {
                let (got, end) = sectioned(&bytes, workers, packets);
                assert_eq!(end, "Ok(None)", "{name}, {workers} workers");
                assert_eq!(got.len(), want.len(), "{name}, {workers} workers");
                let first_difference = got.iter().zip(&want).position(|(a, b)| a != b);
                assert_eq!(
                    first_difference, None,
                    "{name}, {workers} workers, {packets} packets"
                );
            }
        }
    }

    #[test]
    fn opus_and_aac_are_not_decoded_in_sections() {
        // libopus carries state from packet to packet indefinitely, AAC's
        // noise substitution a random generator.
        for name in [
            "consultation.webm",
            "consultation-opus.ogg",
            "consultation.m4a",
        ] {
            assert_eq!(decoder(&example(name)).section_plan(), None, "{name}");
        }
    }

    #[test]
    fn a_truncated_file_gives_its_audio_then_the_error() {
        let bytes = example("consultation.mp3");
        let cut = &bytes[..bytes.len() * 2 / 3];
        let (one, single_end) = outcome(&mut DecodedSource::new(decoder(cut)));
        let (two, sectioned_end) = sectioned(cut, 2, 13);
        assert!(single_end.starts_with("Err(Truncated"), "{single_end}");
        assert!(!one.is_empty());
        assert_eq!(two, one, "the same audio comes out before the end");
        assert_eq!(sectioned_end, single_end, "and the same end");
    }

    #[test]
    fn damaged_files_give_the_same_audio_and_verdict_in_sections() {
        for name in [
            "consultation.mp3",
            "consultation.flac",
            "consultation-vorbis.ogg",
        ] {
            let original = example(name);
            let len = original.len();
            for round in 0..12usize {
                let mut bytes = original.clone();
                // Bytes changed here and there, past the headers...
                for k in 0..6 {
                    let at = 2_000 + (round * 7_919 + k * 104_729) * 31 % (len - 2_000);
                    bytes[at] = bytes[at].wrapping_add((round * 37 + k * 11 + 1) as u8);
                }
                // ... and in every third round a whole stretch of garbage,
                // longer than a section of 13 packets.
                if round % 3 == 0 {
                    let from = len / 3 + round * 97;
                    for (i, b) in bytes[from..from + len / 5].iter_mut().enumerate() {
                        *b = (i * 131 + round) as u8;
                    }
                }
                let Ok(first) =
                    PacketDecoder::open(Box::new(Cursor::new(bytes.clone())), &bytes[..16])
                else {
                    continue;
                };
                let want = outcome(&mut DecodedSource::new(first));
                let got = sectioned(&bytes, 2, 13);
                assert_eq!(got.1, want.1, "{name} round {round}: how it ends");
                assert!(
                    got.0 == want.0,
                    "{name} round {round}: {} vs {} samples",
                    got.0.len(),
                    want.0.len()
                );
            }
        }
    }

    #[test]
    fn dropping_the_reader_stops_the_workers() {
        let bytes = example("consultation-48k-stereo.wav");
        let decoders = (0..2).map(|_| decoder(&bytes)).collect();
        let mut sectioned =
            SectionedSource::start(decoders, small(plan_of(&bytes), 13)).expect("starts");
        let mut block = Vec::new();
        assert!(sectioned.next_block(&mut block).expect("a block").is_some());
        // Joins both workers; the test would hang if one stayed blocked.
        drop(sectioned);
    }
}
