//! The mutation engine: a seeded random source and AFL-style "havoc"
//! mutations of byte strings.
//!
//! Everything is deterministic for a given seed, so a run can be repeated
//! (`cargo xtask fuzz --seed N`) and the engine itself is tested.

/// A small, fast, seeded random source (splitmix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True one time in `n`.
    pub(crate) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    pub(crate) fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
}

/// Integers that tend to sit on boundaries, in the widths they are
/// written with.
const INTERESTING_8: [i8; 9] = [-128, -1, 0, 1, 16, 32, 64, 100, 127];
const INTERESTING_16: [i16; 10] = [-32768, -129, 128, 255, 256, 512, 1000, 1024, 4096, 32767];
const INTERESTING_32: [i32; 8] = [
    i32::MIN,
    -100_663_046,
    -32769,
    32768,
    65535,
    65536,
    100_663_045,
    i32::MAX,
];
const INTERESTING_64: [i64; 6] = [
    i64::MIN,
    -1,
    0x7fff_ffff,
    0x1_0000_0000,
    u32::MAX as i64,
    i64::MAX,
];

/// The same boundaries written as text, for parsers of numbers in text.
const INTERESTING_TEXT: [&str; 30] = [
    "0",
    "-0",
    "-1",
    "1",
    "127",
    "128",
    "255",
    "256",
    "-129",
    "32767",
    "32768",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "1e309",
    "-1e-320",
    "0.000000001",
    "NaN",
    "inf",
];

/// One kind of mutation. Public to the module so tests can apply each
/// alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    FlipBit,
    RandomByte,
    Arithmetic,
    InterestingInteger,
    InterestingText,
    InsertRandom,
    InsertRun,
    Delete,
    CopyWithin,
    Duplicate,
    Splice,
    SpliceInsert,
    DictionaryInsert,
    DictionaryOverwrite,
    Truncate,
}

impl Op {
    /// Every operation, each drawn equally often.
    pub(crate) const ALL: [Op; 15] = [
        Op::FlipBit,
        Op::RandomByte,
        Op::Arithmetic,
        Op::InterestingInteger,
        Op::InterestingText,
        Op::InsertRandom,
        Op::InsertRun,
        Op::Delete,
        Op::CopyWithin,
        Op::Duplicate,
        Op::Splice,
        Op::SpliceInsert,
        Op::DictionaryInsert,
        Op::DictionaryOverwrite,
        Op::Truncate,
    ];
}

/// Mutates inputs for one target.
pub(crate) struct Mutator {
    rng: Rng,
    dictionary: Vec<Vec<u8>>,
    max_len: usize,
}

impl Mutator {
    /// A mutator drawing from `seed`, splicing in `dictionary` tokens, and
    /// never returning more than `max_len` bytes.
    pub(crate) fn new(seed: u64, dictionary: Vec<Vec<u8>>, max_len: usize) -> Self {
        Mutator {
            rng: Rng::new(seed),
            dictionary: dictionary.into_iter().filter(|t| !t.is_empty()).collect(),
            max_len: max_len.max(1),
        }
    }

    pub(crate) fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A mutant of `base`: a stack of 1 to 16 mutations, some splicing in
    /// other `corpus` entries. One time in 64 a fresh random input instead.
    pub(crate) fn mutate(&mut self, base: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
        if self.rng.one_in(64) {
            let len = self.rng.below(64.min(self.max_len) + 1);
            return (0..len).map(|_| self.rng.byte()).collect();
        }
        let mut data = base.to_vec();
        data.truncate(self.max_len);
        let stack = 1 << self.rng.below(5);
        for _ in 0..stack {
            let op = Op::ALL[self.rng.below(Op::ALL.len())];
            self.apply(op, &mut data, corpus);
        }
        data.truncate(self.max_len);
        data
    }

    /// Applies one mutation in place.
    pub(crate) fn apply(&mut self, op: Op, data: &mut Vec<u8>, corpus: &[Vec<u8>]) {
        let rng = &mut self.rng;
        // Operations that need a byte to work on insert one into an empty input.
        if data.is_empty()
            && !matches!(
                op,
                Op::InsertRandom
                    | Op::InsertRun
                    | Op::InterestingText
                    | Op::SpliceInsert
                    | Op::DictionaryInsert
            )
        {
            data.push(rng.byte());
            return;
        }
        match op {
            Op::FlipBit => {
                let at = rng.below(data.len());
                data[at] ^= 1 << rng.below(8);
            }
            Op::RandomByte => {
                let at = rng.below(data.len());
                data[at] ^= rng.byte() | 1;
            }
            Op::Arithmetic => {
                let width = [1, 2, 4][rng.below(3)].min(data.len());
                let at = rng.below(data.len() - width + 1);
                let delta = 1 + rng.below(35) as u64;
                let big_endian = rng.one_in(2);
                let mut word = [0u8; 8];
                word[..width].copy_from_slice(&data[at..at + width]);
                if big_endian {
                    word[..width].reverse();
                }
                let value = u64::from_le_bytes(word);
                let value = if rng.one_in(2) {
                    value.wrapping_add(delta)
                } else {
                    value.wrapping_sub(delta)
                };
                let mut bytes = value.to_le_bytes();
                if big_endian {
                    bytes[..width].reverse();
                }
                data[at..at + width].copy_from_slice(&bytes[..width]);
            }
            Op::InterestingInteger => {
                let (bytes, width): ([u8; 8], usize) = match rng.below(4) {
                    0 => (i64::from(INTERESTING_8[rng.below(9)]).to_le_bytes(), 1),
                    1 => (i64::from(INTERESTING_16[rng.below(10)]).to_le_bytes(), 2),
                    2 => (i64::from(INTERESTING_32[rng.below(8)]).to_le_bytes(), 4),
                    _ => (INTERESTING_64[rng.below(6)].to_le_bytes(), 8),
                };
                let mut bytes = bytes[..width].to_vec();
                if rng.one_in(2) {
                    bytes.reverse();
                }
                overwrite(data, rng.below(data.len()), &bytes);
            }
            Op::InterestingText => {
                let text = INTERESTING_TEXT[rng.below(INTERESTING_TEXT.len())];
                let at = rng.below(data.len() + 1);
                // Replace a run of digits there, or insert.
                let end = data[at..]
                    .iter()
                    .position(|b| !(b.is_ascii_digit() || matches!(b, b'-' | b'.' | b'e')))
                    .map_or(data.len(), |n| at + n);
                data.splice(at..end, text.bytes());
            }
            Op::InsertRandom => {
                let at = rng.below(data.len() + 1);
                let len = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
                data.splice(at..at, bytes);
            }
            Op::InsertRun => {
                let at = rng.below(data.len() + 1);
                let byte = if data.is_empty() || rng.one_in(2) {
                    rng.byte()
                } else {
                    data[rng.below(data.len())]
                };
                let len = 1 + rng.below(64);
                data.splice(at..at, std::iter::repeat_n(byte, len));
            }
            Op::Delete => {
                let at = rng.below(data.len());
                let len = 1 + rng.below((data.len() - at).min(64));
                data.drain(at..at + len);
            }
            Op::CopyWithin => {
                let from = rng.below(data.len());
                let len = 1 + rng.below((data.len() - from).min(64));
                let to = rng.below(data.len());
                let piece = data[from..from + len].to_vec();
                overwrite(data, to, &piece);
            }
            Op::Duplicate => {
                let from = rng.below(data.len());
                let len = 1 + rng.below((data.len() - from).min(64));
                let to = rng.below(data.len() + 1);
                let piece = data[from..from + len].to_vec();
                data.splice(to..to, piece);
            }
            Op::Splice => {
                // This input's head, another's tail.
                let Some(other) = pick(rng, corpus) else {
                    return;
                };
                let cut = rng.below(data.len() + 1);
                let from = rng.below(other.len() + 1);
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            Op::SpliceInsert => {
                let Some(other) = pick(rng, corpus) else {
                    return;
                };
                let from = rng.below(other.len());
                let len = 1 + rng.below((other.len() - from).min(128));
                let at = rng.below(data.len() + 1);
                data.splice(at..at, other[from..from + len].iter().copied());
            }
            Op::DictionaryInsert | Op::DictionaryOverwrite => {
                if self.dictionary.is_empty() {
                    return;
                }
                let token = &self.dictionary[rng.below(self.dictionary.len())];
                if op == Op::DictionaryInsert {
                    let at = rng.below(data.len() + 1);
                    data.splice(at..at, token.iter().copied());
                } else {
                    overwrite(data, rng.below(data.len()), token);
                }
            }
            Op::Truncate => {
                let keep = rng.below(data.len());
                data.truncate(keep);
            }
        }
    }
}

/// A non-empty corpus entry, if there is one.
fn pick<'a>(rng: &mut Rng, corpus: &'a [Vec<u8>]) -> Option<&'a [u8]> {
    let other = corpus.get(rng.below(corpus.len()))?;
    (!other.is_empty()).then_some(other.as_slice())
}

/// Writes `bytes` over `data` from `at`, growing it when they run past the
/// end.
fn overwrite(data: &mut Vec<u8>, at: usize, bytes: &[u8]) {
    let end = at + bytes.len();
    if end > data.len() {
        data.resize(end, 0);
    }
    data[at..end].copy_from_slice(bytes);
}

/// Tokens worth splicing, taken from seeds: runs of name-like characters
/// (field names, keys, units), three to 32 bytes long, most common first.
pub(crate) fn tokens_from(seeds: &[Vec<u8>], limit: usize) -> Vec<Vec<u8>> {
    let mut counts: std::collections::BTreeMap<&[u8], usize> = Default::default();
    for seed in seeds {
        for token in seed.split(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')))
        {
            if (3..=32).contains(&token.len()) {
                *counts.entry(token).or_default() += 1;
            }
        }
    }
    let mut tokens: Vec<(&[u8], usize)> = counts.into_iter().collect();
    tokens.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    tokens
        .into_iter()
        .take(limit)
        .map(|(t, _)| t.to_vec())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Vec<Vec<u8>> {
        vec![
            b"{\"session_id\":\"ses_1\",\"status\":\"completed\"}".to_vec(),
            b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec(),
            vec![],
        ]
    }

    #[test]
    fn the_rng_is_deterministic_and_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..100).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(
            xs,
            (0..100).map(|_| Rng::new(8).next_u64()).collect::<Vec<_>>()
        );
        let mut r = Rng::new(1);
        for n in [1, 2, 3, 10, 1000] {
            for _ in 0..1000 {
                assert!(r.below(n) < n);
            }
        }
        assert_eq!(r.below(0), 0);
        // Every value of a small range comes up.
        let mut seen = [false; 7];
        for _ in 0..500 {
            seen[r.below(7)] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn the_same_seed_gives_the_same_mutants() {
        let corpus = corpus();
        let run = |seed| {
            let mut m = Mutator::new(seed, vec![b"token".to_vec()], 256);
            (0..200)
                .map(|i| m.mutate(&corpus[i % 2], &corpus))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn mutants_respect_the_length_limit_and_change_inputs() {
        let corpus = corpus();
        let mut m = Mutator::new(3, vec![vec![b'x'; 100]], 48);
        let mut changed = 0;
        for i in 0..5_000 {
            let base = &corpus[i % corpus.len()];
            let out = m.mutate(base, &corpus);
            assert!(out.len() <= 48, "{} bytes", out.len());
            if out.as_slice() != &base[..base.len().min(48)] {
                changed += 1;
            }
        }
        assert!(changed > 4_500, "only {changed} of 5000 mutants differ");
    }

    #[test]
    fn every_operation_works_alone_even_on_empty_input() {
        let corpus = corpus();
        let mut m = Mutator::new(9, vec![b"moov".to_vec()], 1 << 16);
        for op in Op::ALL {
            for i in 0..300 {
                let mut data = if i % 5 == 0 {
                    Vec::new()
                } else {
                    corpus[0].clone()
                };
                m.apply(op, &mut data, &corpus);
            }
        }
    }

    #[test]
    fn operations_do_what_they_say() {
        let corpus = vec![b"ABCDEFGHIJ".to_vec()];
        let base = b"0123456789".to_vec();
        let mut m = Mutator::new(11, vec![b"TOKEN".to_vec()], 1 << 10);
        for _ in 0..100 {
            let mut d = base.clone();
            m.apply(Op::FlipBit, &mut d, &corpus);
            let flipped: u32 = d.iter().zip(&base).map(|(a, b)| (a ^ b).count_ones()).sum();
            assert_eq!(flipped, 1);

            let mut d = base.clone();
            m.apply(Op::RandomByte, &mut d, &corpus);
            assert_eq!(d.iter().zip(&base).filter(|(a, b)| a != b).count(), 1);

            let mut d = base.clone();
            m.apply(Op::Delete, &mut d, &corpus);
            assert!(d.len() < base.len());

            let mut d = base.clone();
            m.apply(Op::InsertRandom, &mut d, &corpus);
            assert!(d.len() > base.len());

            let mut d = base.clone();
            m.apply(Op::DictionaryInsert, &mut d, &corpus);
            assert!(d.windows(5).any(|w| w == b"TOKEN"));
            assert_eq!(d.len(), base.len() + 5);

            let mut d = base.clone();
            m.apply(Op::SpliceInsert, &mut d, &corpus);
            assert!(d.iter().any(|b| b.is_ascii_uppercase()));

            let mut d = base.clone();
            m.apply(Op::Splice, &mut d, &corpus);
            assert!(d.iter().all(|b| b.is_ascii_alphanumeric()));

            let mut d = base.clone();
            m.apply(Op::InterestingText, &mut d, &corpus);
            assert!(
                INTERESTING_TEXT
                    .iter()
                    .any(|t| d.windows(t.len()).any(|w| w == t.as_bytes()))
            );

            let mut d = base.clone();
            m.apply(Op::Truncate, &mut d, &corpus);
            assert!(d.len() < base.len() && base.starts_with(&d));
        }
    }

    #[test]
    fn all_operations_are_drawn() {
        // Stacks of operations reach lengths and values a single one would not.
        let corpus = corpus();
        let mut m = Mutator::new(5, Vec::new(), 4096);
        let mut lengths = std::collections::BTreeSet::new();
        for _ in 0..2_000 {
            lengths.insert(m.mutate(&corpus[0], &corpus).len());
        }
        assert!(lengths.len() > 50, "{} distinct lengths", lengths.len());
        assert!(lengths.contains(&0) || lengths.iter().any(|&l| l < 5));
    }

    #[test]
    fn tokens_come_from_seeds() {
        let seeds = vec![
            b"{\"session_id\":\"a\",\"status\":1,\"session_id\":2}".to_vec(),
            b"status=ok".to_vec(),
        ];
        let tokens = tokens_from(&seeds, 10);
        assert_eq!(tokens[0], b"session_id");
        assert!(tokens.contains(&b"status".to_vec()));
        assert!(!tokens.iter().any(|t| t.len() < 3));
        assert_eq!(tokens_from(&seeds, 1).len(), 1);
    }
}
