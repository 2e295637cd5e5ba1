//! Speech probabilities to padded speech segments, one window at a time.
//!
//! The rules are those of Silero's reference `get_speech_timestamps`
//! (without a maximum speech length):
//!
//! * speech starts at the first window whose probability reaches
//!   `threshold`;
//! * inside speech, a window below `neg_threshold` marks a possible end;
//!   the segment ends there once the quiet has lasted `min_silence`
//!   (measured window start to window start), unless a window reaching
//!   `threshold` comes first;
//! * segments not longer than `min_speech` are dropped; a segment still open
//!   when the audio ends closes at the end of the audio;
//! * each kept segment is widened by `speech_pad` on both sides, except that
//!   two segments closer than twice the pad share the gap between them
//!   (half each, rounded down), and nothing extends past the audio.
//!
//! Unlike the reference, which needs every probability first, this works
//! incrementally: it reports a segment's padded start as soon as the segment
//! is sure to be kept, and its padded end as soon as no later segment can
//! change it. Feeding the same probabilities therefore gives the same
//! segments whether they arrive at once or one by one.

use super::model::WINDOW_SAMPLES;

/// What the segmenter learned from one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SpeechEvent {
    /// Speech begins at this sample (padded, final).
    Start(u64),
    /// The current speech ends at this sample (padded, final).
    End(u64),
}

/// Thresholds and durations in samples.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SegmenterParams {
    pub(crate) threshold: f32,
    pub(crate) neg_threshold: f32,
    pub(crate) min_speech: u64,
    pub(crate) min_silence: u64,
    pub(crate) pad: u64,
}

/// A segment seen by the state machine but not yet known to be kept.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    start: u64,
    /// Where the current quiet began, if the speech has paused.
    quiet_since: Option<u64>,
    /// Known to be longer than the minimum, whatever happens next.
    confirmed: bool,
}

#[derive(Debug)]
pub(crate) struct Segmenter {
    params: SegmenterParams,
    /// Windows processed.
    windows: u64,
    candidate: Option<Candidate>,
    /// Raw end of the last kept segment whose padded end is not yet final.
    pending_end: Option<u64>,
    /// Raw end of the last kept segment (for the gap rule of the next one).
    last_raw_end: Option<u64>,
    /// Whether a kept segment is open (Start emitted, End not yet).
    open: bool,
}

impl Segmenter {
    pub(crate) fn new(params: SegmenterParams) -> Self {
        Self {
            params,
            windows: 0,
            candidate: None,
            pending_end: None,
            last_raw_end: None,
            open: false,
        }
    }

    /// Samples before this one can never be part of a segment that has not
    /// started yet (what a consumer must keep buffered).
    pub(crate) fn floor(&self) -> u64 {
        let pos = self.windows * WINDOW_SAMPLES as u64;
        let mut floor = pos.saturating_sub(self.params.pad);
        if let Some(c) = self.candidate {
            floor = floor.min(c.start.saturating_sub(self.params.pad));
        }
        if let Some(end) = self.pending_end {
            floor = floor.min(end);
        }
        floor
    }

    /// The sample up to which the open segment is certainly speech (its raw
    /// extent so far), when a kept segment is open.
    pub(crate) fn certain_until(&self) -> Option<u64> {
        if !self.open {
            return None;
        }
        let pos = self.windows * WINDOW_SAMPLES as u64;
        self.candidate
            .map(|c| c.quiet_since.unwrap_or(pos).max(c.start))
            .or(self.pending_end)
    }

    /// Feeds the next window's probability; events go to `out` in order.
    pub(crate) fn push(&mut self, prob: f32, out: &mut Vec<SpeechEvent>) {
        let p = self.params;
        let cur = self.windows * WINDOW_SAMPLES as u64;
        self.windows += 1;

        match self.candidate.as_mut() {
            None => {
                if prob >= p.threshold {
                    self.candidate = Some(Candidate {
                        start: cur,
                        quiet_since: None,
                        confirmed: false,
                    });
                }
            }
            Some(c) => {
                if prob >= p.threshold {
                    c.quiet_since = None;
                } else if prob < p.neg_threshold {
                    let since = *c.quiet_since.get_or_insert(cur);
                    if cur - since >= p.min_silence {
                        let (start, end) = (c.start, since);
                        self.candidate = None;
                        self.close(start, end, out);
                    }
                }
            }
        }
        // The audio holds at least one sample of this window, so whatever
        // happens next the open candidate ends at `cur + 1` or later.
        self.confirm(cur + 1, out);
        self.settle_pending(cur, out);
    }

    /// The audio ended after `total` samples: closes what is open.
    pub(crate) fn finish(&mut self, total: u64, out: &mut Vec<SpeechEvent>) {
        if let Some(c) = self.candidate.take()
            && total.saturating_sub(c.start) > self.params.min_speech
        {
            if !c.confirmed {
                self.keep_start(c.start, out);
            }
            // Even inside a pause, speech open at the end of the audio ends
            // at the end of the audio.
            self.close_kept(total);
        }
        if let Some(end) = self.pending_end.take() {
            out.push(SpeechEvent::End((end + self.params.pad).min(total)));
            self.open = false;
        }
    }

    /// A candidate ended at `end` (raw).
    fn close(&mut self, start: u64, end: u64, out: &mut Vec<SpeechEvent>) {
        if end - start > self.params.min_speech {
            if !self.open {
                // Kept although never confirmed (cannot happen with the
                // confirmation rule, kept for safety).
                self.keep_start(start, out);
            }
            self.close_kept(end);
        }
    }

    fn close_kept(&mut self, end: u64) {
        self.pending_end = Some(end);
        self.last_raw_end = Some(end);
    }

    /// Confirms the candidate once its length is sure to pass the minimum:
    /// either the speech is ongoing past `start + min_speech` (its end will
    /// be at `pos` or later), or it paused after that point (its end will be
    /// at or after the pause).
    fn confirm(&mut self, pos: u64, out: &mut Vec<SpeechEvent>) {
        let Some(c) = self.candidate else { return };
        if c.confirmed {
            return;
        }
        let sure_end = match c.quiet_since {
            Some(since) => since,
            // The end is at a later window start, at least `pos`.
            None => pos,
        };
        if sure_end - c.start > self.params.min_speech {
            if let Some(cand) = self.candidate.as_mut() {
                cand.confirmed = true;
            }
            self.keep_start(c.start, out);
        }
    }

    /// Emits the padded start of a kept segment at raw `start`, settling the
    /// previous segment's end first.
    fn keep_start(&mut self, start: u64, out: &mut Vec<SpeechEvent>) {
        let pad = self.params.pad;
        let padded = match (self.pending_end.take(), self.last_raw_end) {
            (Some(prev_end), _) => {
                let gap = start - prev_end;
                let (end, begin) = if gap < 2 * pad {
                    (prev_end + gap / 2, start - gap / 2)
                } else {
                    (prev_end + pad, start - pad)
                };
                out.push(SpeechEvent::End(end));
                begin
            }
            (None, Some(_)) => start.saturating_sub(pad),
            (None, None) => start.saturating_sub(pad),
        };
        out.push(SpeechEvent::Start(padded));
        self.open = true;
    }

    /// Ends the previous segment once no later segment can come within
    /// twice the pad of it.
    fn settle_pending(&mut self, cur: u64, out: &mut Vec<SpeechEvent>) {
        let Some(end) = self.pending_end else { return };
        let pos = self.windows * WINDOW_SAMPLES as u64;
        let pad = self.params.pad;
        // A future segment starts at `pos` or later, or is the current
        // unconfirmed candidate. The padded end must also lie inside the
        // audio seen (at least `cur + 1` samples), as the reference caps it
        // at the audio's length.
        let earliest_next = self.candidate.map_or(pos, |c| c.start);
        if earliest_next >= end + 2 * pad && cur + 1 >= end + pad {
            self.pending_end = None;
            out.push(SpeechEvent::End(end + pad));
            self.open = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> SegmenterParams {
        SegmenterParams {
            threshold: 0.5,
            neg_threshold: 0.35,
            min_speech: 4000,
            min_silence: 1600,
            pad: 480,
        }
    }

    /// Runs probabilities through and pairs the events into segments.
    fn segments(probs: &[f32], total: u64, params: SegmenterParams) -> Vec<(u64, u64)> {
        let mut s = Segmenter::new(params);
        let mut events = Vec::new();
        for &p in probs {
            s.push(p, &mut events);
        }
        s.finish(total, &mut events);
        pair(&events)
    }

    fn pair(events: &[SpeechEvent]) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut start = None;
        for e in events {
            match *e {
                SpeechEvent::Start(s) => {
                    assert!(start.is_none(), "two starts in a row: {events:?}");
                    start = Some(s);
                }
                SpeechEvent::End(e) => {
                    let s = start.take().expect("end without start");
                    out.push((s, e));
                }
            }
        }
        assert!(start.is_none(), "unterminated: {events:?}");
        out
    }

    fn probs(layout: &[(usize, f32)]) -> Vec<f32> {
        layout
            .iter()
            .flat_map(|&(n, p)| std::iter::repeat_n(p, n))
            .collect()
    }

    #[test]
    fn one_utterance_is_padded() {
        // 10 quiet windows, 20 speech windows, 20 quiet windows.
        let p = probs(&[(10, 0.0), (20, 0.9), (20, 0.0)]);
        let total = p.len() as u64 * 512;
        // Raw start 5120, raw end 30 * 512 = 15360; padded by 480.
        assert_eq!(segments(&p, total, params()), vec![(4640, 15840)]);
    }

    #[test]
    fn short_blips_are_dropped() {
        // 7 windows = 3584 samples, not longer than 4000.
        let p = probs(&[(10, 0.0), (7, 0.9), (20, 0.0)]);
        assert_eq!(segments(&p, p.len() as u64 * 512, params()), vec![]);
        // 8 windows = 4096 > 4000 is kept.
        let p = probs(&[(10, 0.0), (8, 0.9), (20, 0.0)]);
        assert_eq!(segments(&p, p.len() as u64 * 512, params()).len(), 1);
    }

    #[test]
    fn a_pause_shorter_than_min_silence_does_not_split() {
        // 3 quiet windows: quiet lasts 0, 512, 1024 from its start: < 1600.
        let p = probs(&[(2, 0.0), (10, 0.9), (3, 0.1), (10, 0.9), (10, 0.0)]);
        let got = segments(&p, p.len() as u64 * 512, params());
        assert_eq!(got, vec![(1024 - 480, 25 * 512 + 480)]);
    }

    #[test]
    fn hysteresis_between_thresholds_keeps_speech_going() {
        // 0.4 is below threshold but above the negative threshold.
        let p = probs(&[(2, 0.0), (10, 0.9), (30, 0.4), (10, 0.0)]);
        let got = segments(&p, p.len() as u64 * 512, params());
        assert_eq!(got, vec![(1024 - 480, 42 * 512 + 480)]);
    }

    #[test]
    fn close_segments_share_the_gap() {
        let mut params = params();
        params.min_silence = 512;
        params.pad = 1000;
        // Speech, 2 quiet windows (1024 samples < 2 pads), speech.
        let p = probs(&[(4, 0.0), (10, 0.9), (2, 0.0), (10, 0.9), (10, 0.0)]);
        let got = segments(&p, p.len() as u64 * 512, params);
        // First raw (2048, 7168); second raw starts 8192, gap 1024 -> 512 each.
        assert_eq!(got, vec![(1048, 7680), (7680, 26 * 512 + 1000)]);
    }

    #[test]
    fn speech_running_to_the_end_closes_at_the_end() {
        let p = probs(&[(5, 0.0), (20, 0.9)]);
        let total = p.len() as u64 * 512 - 100;
        assert_eq!(segments(&p, total, params()), vec![(5 * 512 - 480, total)]);
    }

    #[test]
    fn first_segment_padding_stops_at_zero() {
        let p = probs(&[(20, 0.9), (10, 0.0)]);
        assert_eq!(
            segments(&p, p.len() as u64 * 512, params()),
            vec![(0, 20 * 512 + 480)]
        );
    }

    #[test]
    fn ends_are_reported_without_waiting_for_more_audio() {
        let mut s = Segmenter::new(params());
        let mut events = Vec::new();
        for p in probs(&[(2, 0.0), (20, 0.9), (6, 0.0)]) {
            s.push(p, &mut events);
        }
        // Quiet from 22*512; closed at 26*512 (2048 >= 1600); end final once
        // position >= end + 2 pads = 11264 + 960 -> by window 24... already.
        assert_eq!(
            events,
            vec![
                SpeechEvent::Start(1024 - 480),
                SpeechEvent::End(22 * 512 + 480)
            ]
        );
    }
    /// The rules applied the plain way: every probability first, then one
    /// pass to find raw segments, then one pass to pad them.
    fn batch_segments(probs: &[f32], total: u64, p: SegmenterParams) -> Vec<(u64, u64)> {
        let w = WINDOW_SAMPLES as u64;
        let mut raw = Vec::new();
        let mut start: Option<u64> = None;
        let mut quiet: Option<u64> = None;
        for (i, &prob) in probs.iter().enumerate() {
            let at = i as u64 * w;
            match start {
                None => {
                    if prob >= p.threshold {
                        start = Some(at);
                        quiet = None;
                    }
                }
                Some(s) => {
                    if prob >= p.threshold {
                        quiet = None;
                    } else if prob < p.neg_threshold {
                        let q = *quiet.get_or_insert(at);
                        if at - q >= p.min_silence {
                            if q - s > p.min_speech {
                                raw.push((s, q));
                            }
                            start = None;
                            quiet = None;
                        }
                    }
                }
            }
        }
        if let Some(s) = start
            && total - s > p.min_speech
        {
            raw.push((s, total));
        }
        let mut padded = raw.clone();
        for i in 0..raw.len() {
            if i == 0 {
                padded[0].0 = raw[0].0.saturating_sub(p.pad);
            }
            if i + 1 < raw.len() {
                let gap = raw[i + 1].0 - raw[i].1;
                if gap < 2 * p.pad {
                    padded[i].1 = raw[i].1 + gap / 2;
                    padded[i + 1].0 = raw[i + 1].0 - gap / 2;
                } else {
                    padded[i].1 = (raw[i].1 + p.pad).min(total);
                    padded[i + 1].0 = raw[i + 1].0.saturating_sub(p.pad);
                }
            } else {
                padded[i].1 = (raw[i].1 + p.pad).min(total);
            }
        }
        padded
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn incremental_equals_the_batch_rules(
            runs in prop::collection::vec((1usize..40, 0u8..4), 0..40),
            tail in 1u64..512,
            min_speech in 0u64..6000,
            min_silence in 0u64..3000,
            pad in 0u64..2000,
        ) {
            // Probabilities in runs: clearly quiet, in the hysteresis band,
            // at the threshold, clearly speech.
            let levels = [0.05f32, 0.4, 0.5, 0.95];
            let probs: Vec<f32> = runs
                .iter()
                .flat_map(|&(n, level)| std::iter::repeat_n(levels[level as usize], n))
                .collect();
            prop_assume!(!probs.is_empty());
            let total = (probs.len() as u64 - 1) * 512 + tail;
            let params = SegmenterParams {
                threshold: 0.5,
                neg_threshold: 0.35,
                min_speech,
                min_silence,
                pad,
            };
            prop_assert_eq!(segments(&probs, total, params), batch_segments(&probs, total, params));
        }
    }
}
