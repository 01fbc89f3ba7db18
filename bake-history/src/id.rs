//! Build ids: short, unique, sortable by time.

/// Crockford's base-32 alphabet, lower case (no i, l, o, u: nothing to misread).
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters of the time part: 32^9 ms is about 1,100 years from 1970.
const TIME_CHARS: usize = 9;
/// Characters of the random part: 20 bits.
const RANDOM_CHARS: usize = 4;

/// A build id: 13 characters of Crockford base 32 in lower case, the first 9 the start time in
/// Unix milliseconds and the last 4 twenty random bits (`01k2x7fz9m3qa`). Ids sort as their
/// runs started (to the millisecond; runs of the same millisecond in any order), fit a
/// Docker tag (`REGISTRY:ID-TARGET`), and two runs of one millisecond collide once in a
/// million draws, which the history refuses (the host then draws again).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuildId(String);

impl BuildId {
    /// The id of a run that started at `unix_ms`, with random bits drawn from `entropy`.
    #[must_use]
    pub fn new(unix_ms: u64, entropy: u64) -> BuildId {
        let mut s = String::with_capacity(TIME_CHARS + RANDOM_CHARS);
        for k in (0..TIME_CHARS).rev() {
            s.push(char::from(ALPHABET[((unix_ms >> (5 * k)) & 31) as usize]));
        }
        let r = mix(entropy);
        for k in 0..RANDOM_CHARS {
            s.push(char::from(ALPHABET[((r >> (5 * k)) & 31) as usize]));
        }
        BuildId(s)
    }

    /// The id written as `s`, when it is one.
    #[must_use]
    pub fn parse(s: &str) -> Option<BuildId> {
        (s.len() == TIME_CHARS + RANDOM_CHARS && s.bytes().all(|b| ALPHABET.contains(&b)))
            .then(|| BuildId(s.to_string()))
    }

    /// The id as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The start time it encodes, in Unix milliseconds.
    #[must_use]
    pub fn unix_ms(&self) -> u64 {
        self.0.bytes().take(TIME_CHARS).fold(0u64, |acc, b| {
            let v = ALPHABET.iter().position(|&a| a == b).unwrap_or(0) as u64;
            (acc << 5) | v
        })
    }
}

impl std::fmt::Display for BuildId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// splitmix64's finalizer: spreads any seed (time ^ pid) over all bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
