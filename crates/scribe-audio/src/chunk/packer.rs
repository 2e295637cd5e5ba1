//! The packing state machine: keeps the audio it may still need, closes a
//! chunk when it reaches the target or the next speech would not fit, and
//! cuts runs longer than the maximum at their quietest window.

use scribe_protocol::chunk::{AudioExtension, ChunkName};

use super::{Chunk, ChunkConfig};
use crate::error::AudioError;
use crate::vad::segmenter::SpeechEvent;
use crate::vad::{SourceRange, VAD_SAMPLE_RATE, WINDOW_SAMPLES};
use crate::wav::encode_chunk_wav;

/// Limits in samples.
#[derive(Debug, Clone)]
pub(crate) struct PackerParams {
    target: u64,
    max: u64,
    search: u64,
    base: String,
}

impl PackerParams {
    pub(crate) fn new(config: &ChunkConfig) -> Self {
        let samples = |s: f64| (s * f64::from(VAD_SAMPLE_RATE)).floor() as u64;
        let max = samples(config.max_seconds).max(1);
        Self {
            target: samples(config.target_seconds).clamp(1, max),
            max,
            search: samples(config.split_search_seconds),
            base: config.base_name.clone(),
        }
    }
}

/// Packs speech into chunks while keeping only the audio it may still need.
#[derive(Debug)]
pub(crate) struct Packer {
    params: PackerParams,
    /// 16 kHz audio from `audio_start`.
    audio: Vec<f32>,
    audio_start: u64,
    /// Window probabilities from window `probs_start`.
    probs: Vec<f32>,
    probs_start: u64,
    /// The current chunk's closed pieces and their total length.
    pieces: Vec<SourceRange>,
    chunk_len: u64,
    /// Start of the open piece of speech, if speech is open.
    open: Option<u64>,
    next_index: u32,
}

impl Packer {
    pub(crate) fn new(params: PackerParams) -> Self {
        Self {
            params,
            audio: Vec::new(),
            audio_start: 0,
            probs: Vec::new(),
            probs_start: 0,
            pieces: Vec::new(),
            chunk_len: 0,
            open: None,
            next_index: 0,
        }
    }

    /// Chunks emitted so far.
    pub(crate) fn chunks_emitted(&self) -> u32 {
        self.next_index
    }

    pub(crate) fn push_audio(&mut self, samples: &[f32]) {
        self.audio.extend_from_slice(samples);
    }

    pub(crate) fn push_probs(&mut self, probs: &[f32]) {
        self.probs.extend_from_slice(probs);
    }

    fn audio_end(&self) -> u64 {
        self.audio_start + self.audio.len() as u64
    }

    pub(crate) fn on_event(
        &mut self,
        event: SpeechEvent,
        out: &mut Vec<Chunk>,
    ) -> Result<(), AudioError> {
        match event {
            SpeechEvent::Start(at) => {
                self.open = Some(at);
                Ok(())
            }
            SpeechEvent::End(at) => {
                let start = self.open.take().unwrap_or(at);
                self.add_piece(start, at.min(self.audio_end()), out)
            }
        }
    }

    /// Called after each step with how far the open speech is certain to
    /// reach: closes or cuts as soon as the maximum forces it.
    pub(crate) fn check_open(
        &mut self,
        certain_until: Option<u64>,
        out: &mut Vec<Chunk>,
    ) -> Result<(), AudioError> {
        let (Some(mut start), Some(until)) = (self.open, certain_until) else {
            return Ok(());
        };
        let until = until.min(self.audio_end());
        if until <= start {
            return Ok(());
        }
        if self.chunk_len > 0 && self.chunk_len + (until - start) > self.params.max {
            // This run will not fit beside what the chunk holds.
            self.close_chunk(out)?;
        }
        while until - start > self.params.max {
            let cut = self.cut_point(start);
            self.pieces.push(SourceRange { start, end: cut });
            self.chunk_len = cut - start;
            self.close_chunk(out)?;
            start = cut;
            self.open = Some(start);
        }
        Ok(())
    }

    fn add_piece(
        &mut self,
        mut start: u64,
        end: u64,
        out: &mut Vec<Chunk>,
    ) -> Result<(), AudioError> {
        if end <= start {
            return Ok(());
        }
        if self.chunk_len > 0 && self.chunk_len + (end - start) > self.params.max {
            self.close_chunk(out)?;
        }
        while end - start > self.params.max {
            let cut = self.cut_point(start);
            self.pieces.push(SourceRange { start, end: cut });
            self.chunk_len = cut - start;
            self.close_chunk(out)?;
            start = cut;
        }
        self.pieces.push(SourceRange { start, end });
        self.chunk_len += end - start;
        if self.chunk_len >= self.params.target {
            self.close_chunk(out)?;
        }
        Ok(())
    }

    /// Where to cut a run starting at `start` that is longer than the
    /// maximum: the middle of the lowest-probability window lying entirely
    /// in the last `search` samples before the limit (the latest one on a
    /// tie), or the limit itself.
    fn cut_point(&self, start: u64) -> u64 {
        let limit = start + self.params.max;
        let from = limit.saturating_sub(self.params.search).max(start + 1);
        let window = WINDOW_SAMPLES as u64;
        let first = from.div_ceil(window);
        let mut best: Option<(f32, u64)> = None;
        let mut w = first;
        while (w + 1) * window <= limit {
            if let Some(&p) = w
                .checked_sub(self.probs_start)
                .and_then(|i| self.probs.get(i as usize))
                && best.is_none_or(|(bp, _)| p <= bp)
            {
                best = Some((p, w));
            }
            w += 1;
        }
        match best {
            Some((_, w)) => w * window + window / 2,
            None => limit,
        }
    }

    fn close_chunk(&mut self, out: &mut Vec<Chunk>) -> Result<(), AudioError> {
        if self.pieces.is_empty() {
            self.chunk_len = 0;
            return Ok(());
        }
        let mut samples = Vec::with_capacity(self.chunk_len as usize);
        for piece in &self.pieces {
            let from = piece.start.saturating_sub(self.audio_start) as usize;
            let to = (piece.end.saturating_sub(self.audio_start) as usize).min(self.audio.len());
            if from < to {
                samples.extend_from_slice(&self.audio[from..to]);
            }
        }
        let index = self.next_index;
        let name = ChunkName::new(&self.params.base, index, AudioExtension::Wav)
            .map_err(|e| AudioError::InvalidConfig(format!("chunk base name: {e}")))?;
        let wav = encode_chunk_wav(&samples)?;
        out.push(Chunk {
            index,
            name,
            wav,
            duration_seconds: samples.len() as f64 / f64::from(VAD_SAMPLE_RATE),
            speech: std::mem::take(&mut self.pieces),
        });
        self.next_index += 1;
        self.chunk_len = 0;
        Ok(())
    }

    /// Drops audio and probabilities that nothing can need any more: before
    /// the current chunk, the open speech and `floor` (the earliest sample a
    /// future segment may start at).
    pub(crate) fn trim(&mut self, floor: u64) {
        let mut keep = floor;
        if let Some(first) = self.pieces.first() {
            keep = keep.min(first.start);
        }
        if let Some(open) = self.open {
            keep = keep.min(open);
        }
        if keep > self.audio_start {
            let drop = ((keep - self.audio_start) as usize).min(self.audio.len());
            // Drain in large steps only, so trimming stays cheap.
            if drop >= 1 << 16 || drop == self.audio.len() {
                self.audio.drain(..drop);
                self.audio_start += drop as u64;
            }
        }
        let keep_window = keep / WINDOW_SAMPLES as u64;
        if keep_window > self.probs_start {
            let drop = ((keep_window - self.probs_start) as usize).min(self.probs.len());
            if drop >= 1 << 12 || drop == self.probs.len() {
                self.probs.drain(..drop);
                self.probs_start += drop as u64;
            }
        }
    }

    /// The audio ended: emits the last chunk.
    pub(crate) fn finish(&mut self, out: &mut Vec<Chunk>) -> Result<(), AudioError> {
        if let Some(start) = self.open.take() {
            let end = self.audio_end();
            self.add_piece(start, end, out)?;
        }
        self.close_chunk(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RATE: u64 = VAD_SAMPLE_RATE as u64;

    /// A sample value that encodes its own position, exactly representable
    /// after the round trip through 16-bit WAV.
    fn marker(i: u64) -> f32 {
        (i % 30_000) as f32 / 32_768.0
    }

    /// Drives a packer the way the speech detector does: audio and
    /// probabilities window by window, starts when the segment begins, ends
    /// a little after, the open segment certain up to the current position.
    fn pack(
        segments: &[(u64, u64)],
        total: u64,
        probs: &dyn Fn(u64) -> f32,
        config: &ChunkConfig,
    ) -> Vec<Chunk> {
        let mut packer = Packer::new(PackerParams::new(config));
        let mut out = Vec::new();
        let window = WINDOW_SAMPLES as u64;
        let mut next = 0; // next segment to start
        let mut open: Option<usize> = None;
        let mut pos = 0;
        while pos < total {
            let end = (pos + window).min(total);
            let audio: Vec<f32> = (pos..end).map(marker).collect();
            packer.push_audio(&audio);
            packer.push_probs(&[probs(pos / window)]);
            pos = end;
            if let Some(i) = open
                && pos >= segments[i].1
            {
                packer
                    .on_event(SpeechEvent::End(segments[i].1), &mut out)
                    .expect("end");
                open = None;
            }
            if open.is_none() && next < segments.len() && pos > segments[next].0 {
                packer
                    .on_event(SpeechEvent::Start(segments[next].0), &mut out)
                    .expect("start");
                open = Some(next);
                next += 1;
            }
            let certain = open.map(|i| pos.min(segments[i].1));
            packer.check_open(certain, &mut out).expect("check");
            let floor = segments.get(next).map_or(pos, |s| s.0.min(pos));
            packer.trim(floor);
        }
        if let Some(i) = open {
            packer
                .on_event(SpeechEvent::End(segments[i].1.min(total)), &mut out)
                .expect("end");
        }
        packer.finish(&mut out).expect("finish");
        out
    }

    fn decode(wav: &[u8]) -> Vec<i16> {
        let reader = hound::WavReader::new(std::io::Cursor::new(wav)).expect("wav");
        let spec = reader.spec();
        assert_eq!(
            (spec.channels, spec.sample_rate, spec.bits_per_sample),
            (1, 16_000, 16)
        );
        reader
            .into_samples::<i16>()
            .map(|s| s.expect("sample"))
            .collect()
    }

    /// Checks every packing invariant; returns the chunks.
    fn check(segments: &[(u64, u64)], total: u64, config: &ChunkConfig) -> Vec<Chunk> {
        let chunks = pack(
            segments,
            total,
            &|w| ((w * 7919) % 100) as f32 / 100.0,
            config,
        );
        let params = PackerParams::new(config);
        // Speech pieces, in order, cover the segments exactly.
        let mut covered: Vec<(u64, u64)> = Vec::new();
        for (i, chunk) in chunks.iter().enumerate() {
            assert_eq!(chunk.index as usize, i);
            assert_eq!(
                chunk.name.to_string(),
                format!("{}_{i}.wav", config.base_name)
            );
            let samples = decode(&chunk.wav);
            let len: u64 = chunk.speech.iter().map(|r| r.end - r.start).sum();
            assert_eq!(samples.len() as u64, len);
            assert!(
                len <= params.max,
                "chunk {i} is {len} samples, max {}",
                params.max
            );
            assert!(len > 0);
            assert!((chunk.duration_seconds - len as f64 / RATE as f64).abs() < 1e-9);
            // The audio is the source's, unchanged.
            let mut k = 0;
            for r in &chunk.speech {
                for pos in r.start..r.end {
                    assert_eq!(samples[k], (pos % 30_000) as i16, "chunk {i} sample {k}");
                    k += 1;
                }
                match covered.last_mut() {
                    Some(last) if last.1 == r.start => last.1 = r.end,
                    _ => covered.push((r.start, r.end)),
                }
            }
        }
        let mut expected: Vec<(u64, u64)> = Vec::new();
        for &(s, e) in segments {
            let e = e.min(total);
            if e <= s {
                continue;
            }
            match expected.last_mut() {
                Some(last) if last.1 == s => last.1 = e,
                _ => expected.push((s, e)),
            }
        }
        assert_eq!(covered, expected);
        chunks
    }

    /// Segments from (gap, length) pairs in milliseconds.
    fn layout(pairs: &[(u64, u64)]) -> (Vec<(u64, u64)>, u64) {
        let mut at = 0;
        let mut segments = Vec::new();
        for &(gap, len) in pairs {
            let start = at + gap * RATE / 1000;
            let end = start + (len * RATE / 1000).max(1);
            segments.push((start, end));
            at = end;
        }
        (segments, at + RATE / 2)
    }

    #[test]
    fn short_turns_are_packed_up_to_the_target() {
        // Twelve 3 s turns with 1 s pauses: 10 s target -> 4 turns (12 s) per chunk.
        let (segments, total) = layout(&[(1000, 3000); 12]);
        let chunks = check(&segments, total, &ChunkConfig::default());
        assert_eq!(chunks.len(), 3);
        assert!(chunks.iter().all(|c| c.speech.len() == 4));
    }

    #[test]
    fn a_long_run_is_cut_at_the_quietest_window_before_the_limit() {
        let (segments, total) = layout(&[(500, 50_000)]);
        let config = ChunkConfig::default();
        // One quiet window at 18.5 s into the run.
        let start = segments[0].0;
        let quiet = (start + 18 * RATE + RATE / 2) / WINDOW_SAMPLES as u64;
        let chunks = pack(
            &segments,
            total,
            &|w| if w == quiet { 0.01 } else { 0.9 },
            &config,
        );
        assert_eq!(chunks[0].speech[0].start, start);
        let cut = chunks[0].speech[0].end;
        assert_eq!(cut, quiet * 512 + 256);
        assert!(check(&segments, total, &config).len() >= 3);
    }

    #[test]
    fn no_speech_gives_no_chunks() {
        assert!(check(&[], 10 * RATE, &ChunkConfig::default()).is_empty());
    }

    #[test]
    fn config_is_validated() {
        assert!(
            ChunkConfig::default()
                .with_max_seconds(0.0)
                .validate()
                .is_err()
        );
        assert!(
            ChunkConfig::default()
                .with_target_seconds(0.0)
                .validate()
                .is_err()
        );
        // The façade lowers only the maximum (from discovery): the default
        // target then acts as the maximum.
        let config = ChunkConfig::default().with_max_seconds(5.0);
        assert!(config.validate().is_ok());
        assert_eq!(PackerParams::new(&config).target, 5 * RATE);
        assert!(
            ChunkConfig::default()
                .with_base_name("a/b")
                .validate()
                .is_err()
        );
        assert!(
            ChunkConfig::default()
                .with_max_seconds(24.0)
                .validate()
                .is_ok()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn any_layout_packs_within_the_maximum_in_order_covering_all_speech(
            pairs in prop::collection::vec((0u64..4_000, 1u64..45_000), 0..12),
            max in 2.0f64..25.0,
            target_share in 0.1f64..1.0,
        ) {
            let (segments, total) = layout(&pairs);
            let config = ChunkConfig::default()
                .with_max_seconds(max)
                .with_target_seconds(max * target_share);
            check(&segments, total, &config);
        }
    }
}
