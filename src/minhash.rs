//! Near-duplicate grouping of many short texts without comparing every pair: MinHash
//! signatures, a banded LSH index that proposes candidate pairs, and a verification of each
//! candidate with a token-level edit distance, merged with union-find.
//!
//! The steps, each linear or `n log n` in the number of texts:
//! 1. Identical texts are grouped by hash first; only one representative of each goes further,
//!    so a bot that posted the same text 10 000 times costs one signature.
//! 2. Each representative gets a MinHash signature over its word n-grams (1..=`shingle_words`
//!    words, so that short texts still have enough shingles). Hashes are xxh3 with fixed seeds
//!    and 32-bit affine permutations (`a * x + b`, `a` odd) with constants from a fixed
//!    splitmix64 stream, a loop the compiler vectorises: the result never depends on the run.
//! 3. The signature is cut into `bands` bands of `rows` values; texts whose band values are
//!    equal land in the same bucket and become candidates. A bucket is walked in input order
//!    and each member is compared with at most [`BUCKET_REPRESENTATIVES`] earlier members of
//!    other groups, so a huge bucket (a common phrase) costs linear work, not quadratic.
//! 4. A candidate pair is verified cheaply first (already in the same group? exact lower
//!    bounds on the edit distance from the token counts and a 256-bit token map? estimated
//!    Jaccard from the signatures?) and only then with `strsim`'s Levenshtein distance over the
//!    token sequences: `1 - distance / longer length` must reach `similarity`. The bounds are
//!    exact, so they change the cost, never the result; on a million look-alike posts (one
//!    account of `benches/scan_1m.sh`'s data) they cut the edit distances computed from
//!    19.1 million to 1.4 million.
//!
//! Texts are expected to be [`crate::text::normalize`]d: tokens separated by single spaces.
//! Only the first [`MAX_TOKENS`] tokens of a text are used, which bounds the cost of a
//! verification on hostile input (one post of a million words).

use std::collections::HashMap;

use rayon::prelude::*;
use xxhash_rust::xxh3::{xxh3_64_with_seed, Xxh3DefaultBuilder};

/// Tokens of a text that take part in shingling and verification.
pub const MAX_TOKENS: usize = 512;

/// Earlier members of an LSH bucket that a new member is compared with.
pub const BUCKET_REPRESENTATIVES: usize = 4;

/// Largest signature (`bands * rows`) accepted; larger settings are cut to it.
pub const MAX_SIGNATURE: usize = 512;

/// The seed of every hash in this module. Changing it changes signatures, not results (beyond
/// the LSH's small chance of missing a pair).
const SEED: u64 = 0x6563_686f_7363_6f70; // "echoscop"

/// How texts are compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Shingles are word n-grams for n in 1..=this (at least 1).
    pub shingle_words: usize,
    /// LSH bands.
    pub bands: usize,
    /// Signature values per band.
    pub rows: usize,
    /// Token-level similarity (`1 - Levenshtein / longer length`) two texts need to be
    /// near-duplicates, 0..=1.
    pub similarity: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            shingle_words: 2,
            bands: 24,
            rows: 3,
            similarity: 0.8,
        }
    }
}

impl Params {
    /// `bands` and `rows` made usable: at least 1 each, signature at most [`MAX_SIGNATURE`].
    fn shape(&self) -> (usize, usize) {
        let rows = self.rows.clamp(1, MAX_SIGNATURE);
        let bands = self.bands.clamp(1, MAX_SIGNATURE / rows);
        (bands, rows)
    }

    /// The signature agreement below which a pair cannot plausibly reach `similarity`: the
    /// Jaccard similarity of the n-gram sets of two texts at exactly that similarity, with the
    /// edits spread out (the worst case), less a margin for the estimate's noise.
    fn min_estimated_jaccard(&self) -> f64 {
        let k = self.shingle_words.max(1) as f64;
        let edits = (1.0 - self.similarity.clamp(0.0, 1.0)) * (k + 1.0) / 2.0;
        let jaccard = (1.0 - edits) / (1.0 + edits);
        (jaccard - 0.2).max(0.0)
    }
}

/// Groups near-duplicate texts. Returns the groups of two or more texts (indices into `texts`,
/// ascending), ordered by their first index. Empty texts are never grouped. Deterministic:
/// the same input gives the same groups on any machine and thread count.
pub fn group<S: AsRef<str> + Sync>(texts: &[S], params: &Params) -> Vec<Vec<usize>> {
    // 1. Exact duplicates.
    let mut first_of: HashMap<&str, usize, Xxh3DefaultBuilder> =
        HashMap::with_capacity_and_hasher(texts.len(), Xxh3DefaultBuilder);
    let mut rep_of: Vec<usize> = Vec::with_capacity(texts.len());
    let mut reps: Vec<usize> = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let t = t.as_ref();
        let r = *first_of.entry(t).or_insert_with(|| {
            if !t.is_empty() {
                reps.push(i);
            }
            i
        });
        rep_of.push(r);
    }

    // 2. Signatures of the representatives, in parallel.
    let (bands, rows) = params.shape();
    let width = bands * rows;
    let perms = Permutations::new(width);
    let shingle_words = params.shingle_words.max(1);
    // Signatures are kept as the top 16 bits of each minimum (b-bit minwise hashing): two
    // different minima agree by chance once in 65,536, far below the estimate's own noise,
    // and a million-post timeline keeps 144 MB of signatures instead of 288 MB.
    let mut sigs = vec![0u16; reps.len() * width];
    // Beside each signature, the text's token count and token bitmap: the two exact bounds
    // that reject most candidates before any edit distance is computed.
    let mut bags = vec![Bag::default(); reps.len()];
    sigs.par_chunks_mut(width)
        .with_min_len(64)
        .zip(bags.par_iter_mut().with_min_len(64))
        .zip(reps.par_iter().with_min_len(64))
        .for_each_init(
            || (Vec::new(), vec![0u32; width]),
            |(tokens, full), ((sig, bag), &i)| {
                token_hashes(texts[i].as_ref(), tokens);
                signature(tokens, shingle_words, &perms, full);
                for (short, value) in sig.iter_mut().zip(full.iter()) {
                    *short = (value >> 16) as u16;
                }
                *bag = Bag::of(tokens);
            },
        );

    // 3 and 4. LSH buckets, band by band, verified pairs merged into `sets` (over reps).
    let mut sets = UnionFind::new(reps.len());
    let min_jaccard = params.min_estimated_jaccard();
    let verifier = Verifier {
        texts,
        reps: &reps,
        sigs: &sigs,
        bags: &bags,
        width,
        min_jaccard,
        similarity: params.similarity,
    };
    // Most band values are unique; a counting filter finds the few that may not be, so that
    // only those are sorted.
    let slots = (reps.len() * 8).next_power_of_two().max(64);
    let mut counts = vec![0u8; slots];
    let mut hashes = vec![0u64; reps.len()];
    let mut colliding: Vec<(u64, u32)> = Vec::new();
    for band in 0..bands {
        hashes
            .par_iter_mut()
            .with_min_len(4096)
            .zip(sigs.par_chunks_exact(width).with_min_len(4096))
            .for_each(|(h, sig)| *h = band_hash(band, &sig[band * rows..][..rows]));
        counts.fill(0);
        for h in &hashes {
            let c = &mut counts[(*h as usize) & (slots - 1)];
            *c = c.saturating_add(1);
        }
        colliding.clear();
        colliding.extend(
            hashes
                .iter()
                .enumerate()
                .filter(|(_, h)| counts[(**h as usize) & (slots - 1)] > 1)
                .map(|(r, h)| (*h, r as u32)),
        );
        colliding.par_sort_unstable();
        let buckets: Vec<&[(u64, u32)]> = colliding
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|b| b.len() > 1)
            .collect();
        if buckets.is_empty() {
            continue;
        }
        // Verification is most of the cost in a large timeline, so buckets are verified in
        // parallel against a snapshot of the groups as they stood at the start of the band;
        // the verified pairs are merged afterwards in bucket order. The snapshot only decides
        // which comparisons can be skipped, never whether a pair is similar, and the merge
        // order is fixed: the result does not depend on the number of threads.
        let roots = sets.roots();
        let pairs: Vec<Vec<(u32, u32)>> = buckets
            .par_iter()
            .with_min_len(16)
            .map(|bucket| link_bucket(bucket, &roots, &verifier))
            .collect();
        for (a, b) in pairs.into_iter().flatten() {
            sets.union(a as usize, b as usize);
        }
    }

    // Expand representatives back to every text: (root, text) pairs of the texts whose
    // group has two or more members, sorted, cut at root changes. Members come out ascending.
    let mut rep_index = vec![u32::MAX; texts.len()];
    for (r, &i) in reps.iter().enumerate() {
        rep_index[i] = r as u32;
    }
    let roots: Vec<u32> = rep_of
        .iter()
        .map(|&rep| match rep_index[rep] {
            u32::MAX => u32::MAX, // an empty text
            r => sets.find(r as usize) as u32,
        })
        .collect();
    let mut size = vec![0u32; reps.len()];
    for &r in roots.iter().filter(|&&r| r != u32::MAX) {
        size[r as usize] += 1;
    }
    let mut pairs: Vec<(u32, u32)> = roots
        .iter()
        .enumerate()
        .filter(|(_, &r)| r != u32::MAX && size[r as usize] > 1)
        .map(|(i, &r)| (r, i as u32))
        .collect();
    pairs.sort_unstable();
    let mut groups: Vec<Vec<usize>> = pairs
        .chunk_by(|a, b| a.0 == b.0)
        .map(|g| g.iter().map(|&(_, i)| i as usize).collect())
        .collect();
    groups.sort_unstable_by_key(|g: &Vec<usize>| g.first().copied());
    groups
}

/// The verified near-duplicate pairs of one LSH bucket (sorted by representative index): each
/// member is compared with at most [`BUCKET_REPRESENTATIVES`] earlier members ("heads"), each
/// from a different group as far as `roots` (the groups at the start of the band) and the
/// bucket's own matches tell.
fn link_bucket<S: AsRef<str>>(
    bucket: &[(u64, u32)],
    roots: &[u32],
    verifier: &Verifier<'_, S>,
) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    // Heads with their group label and their tokens, hashed once and only when a comparison
    // gets as far as the edit distance (the exact bounds settle most pairs before that).
    let mut heads: Vec<(usize, u32, Option<Vec<u64>>)> = Vec::with_capacity(BUCKET_REPRESENTATIVES);
    for &(_, m) in bucket {
        let m = m as usize;
        let mut label = roots.get(m).copied().unwrap_or(m as u32);
        let mut represented = false;
        let mut tokens: Option<Vec<u64>> = None;
        for (h, head_label, head_tokens) in heads.iter_mut() {
            if *head_label == label {
                represented = true;
            } else if verifier.may_be_similar(m, *h) && verifier.estimated_similar(m, *h) {
                let mine = tokens.get_or_insert_with(|| verifier.tokens(m));
                let theirs = head_tokens.get_or_insert_with(|| verifier.tokens(*h));
                if token_similarity(mine, theirs, verifier.similarity) {
                    pairs.push((m as u32, *h as u32));
                    label = *head_label;
                    represented = true;
                }
            }
        }
        if !represented && heads.len() < BUCKET_REPRESENTATIVES {
            heads.push((m, label, tokens));
        }
    }
    pairs
}

/// Checks candidate pairs, cheapest test first.
struct Verifier<'a, S> {
    texts: &'a [S],
    reps: &'a [usize],
    sigs: &'a [u16],
    bags: &'a [Bag],
    width: usize,
    min_jaccard: f64,
    similarity: f64,
}

impl<S: AsRef<str>> Verifier<'_, S> {
    /// Whether representatives `x` and `y` can reach the similarity at all, by exact bounds
    /// on their edit distance: the token counts, and the tokens one has that the other
    /// certainly lacks. Never rejects a pair that `token_similarity` would accept.
    fn may_be_similar(&self, x: usize, y: usize) -> bool {
        let (Some(bx), Some(by)) = (self.bags.get(x), self.bags.get(y)) else {
            return false;
        };
        let longer = bx.len.max(by.len) as usize;
        longer > 0 && within(bx.min_distance(by), longer, self.similarity)
    }

    /// Whether the signatures of representatives `x` and `y` agree enough for their texts to
    /// be worth comparing.
    fn estimated_similar(&self, x: usize, y: usize) -> bool {
        let (Some(sx), Some(sy)) = (
            self.sigs.get(x * self.width..(x + 1) * self.width),
            self.sigs.get(y * self.width..(y + 1) * self.width),
        ) else {
            return false;
        };
        let agree = sx.iter().zip(sy).filter(|(p, q)| p == q).count();
        agree as f64 >= self.min_jaccard * self.width as f64
    }

    /// The token hashes of representative `x`.
    fn tokens(&self, x: usize) -> Vec<u64> {
        let mut out = Vec::new();
        if let Some(&i) = self.reps.get(x) {
            token_hashes(self.texts[i].as_ref(), &mut out);
        }
        out
    }
}

/// Whether two token sequences reach `threshold` in `1 - Levenshtein / longer length`. The
/// length ratio bounds the similarity from above and is checked before the distance.
fn token_similarity(a: &[u64], b: &[u64], threshold: f64) -> bool {
    let longer = a.len().max(b.len());
    let shorter = a.len().min(b.len());
    if longer == 0 {
        return false;
    }
    if !within(longer - shorter, longer, threshold) {
        return false;
    }
    let distance = strsim::generic_levenshtein(&Tokens(a), &Tokens(b));
    within(distance, longer, threshold)
}

/// Whether an edit distance of `distance` over a longer text of `longer` tokens keeps the
/// similarity at `threshold` or above. Monotone in `distance`, so a lower bound on the
/// distance that fails here proves the pair fails.
fn within(distance: usize, longer: usize, threshold: f64) -> bool {
    1.0 - distance as f64 / longer as f64 >= threshold
}

/// A text's token count and a 256-bit map of its token hashes. A token whose bit is not in
/// the other text's map is certainly not among its tokens, so each such bit is one edit the
/// distance cannot avoid.
#[derive(Clone, Copy, Default)]
struct Bag {
    len: u32,
    bits: [u64; 4],
}

impl Bag {
    fn of(tokens: &[u64]) -> Bag {
        let mut bits = [0u64; 4];
        for &t in tokens {
            let b = (t & 255) as usize;
            bits[b >> 6] |= 1 << (b & 63);
        }
        Bag {
            len: tokens.len() as u32,
            bits,
        }
    }

    /// A lower bound on the token-level edit distance of the two texts: the difference in
    /// length, or the tokens either has that the other certainly lacks.
    fn min_distance(&self, other: &Bag) -> usize {
        let lengths = self.len.abs_diff(other.len) as usize;
        lengths
            .max(self.missing_from(other))
            .max(other.missing_from(self))
    }

    /// Distinct token bits of `self` that `other` lacks: a lower bound on how many of this
    /// text's tokens have no equal in the other.
    fn missing_from(&self, other: &Bag) -> usize {
        self.bits
            .iter()
            .zip(&other.bits)
            .map(|(a, b)| (a & !b).count_ones() as usize)
            .sum()
    }
}

/// A token slice as `strsim::generic_levenshtein` wants it: a sized type whose reference
/// iterates.
struct Tokens<'a>(&'a [u64]);

impl<'a> IntoIterator for &Tokens<'a> {
    type Item = &'a u64;
    type IntoIter = std::slice::Iter<'a, u64>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Hashes the first [`MAX_TOKENS`] space-separated tokens of `text` into `out`.
fn token_hashes(text: &str, out: &mut Vec<u64>) {
    out.clear();
    out.extend(
        text.split(' ')
            .filter(|t| !t.is_empty())
            .take(MAX_TOKENS)
            .map(|t| xxh3_64_with_seed(t.as_bytes(), SEED)),
    );
}

/// splitmix64's output function: a fast, well-mixing bijection on u64.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The MinHash permutations: `h_k(x) = a_k * x + b_k` (mod 2^32, `a_k` odd, so a bijection)
/// over 32-bit shingle hashes, with constants drawn once from a fixed splitmix64 stream. The
/// shingle hashes are already well mixed, so these cheap maps order them independently
/// enough; `estimated_jaccard_tracks_the_true_value` checks it.
struct Permutations {
    a: Vec<u32>,
    b: Vec<u32>,
}

impl Permutations {
    fn new(width: usize) -> Permutations {
        let mut state = SEED;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix(state)
        };
        let mut a = Vec::with_capacity(width);
        let mut b = Vec::with_capacity(width);
        for _ in 0..width {
            a.push((next() >> 32) as u32 | 1);
            b.push((next() >> 32) as u32);
        }
        Permutations { a, b }
    }
}

/// The MinHash signature of a token sequence over its 1..=`k`-grams, written to `sig`.
///
/// The inner loop (a multiply, an add and an unsigned min per permutation) is most of the
/// clustering's time; it vectorises only where the CPU has a 32-bit multiply and unsigned
/// min, so it is also compiled for AVX2 and SSE4.1 and the best the CPU has is picked at run
/// time. Every version computes the same numbers.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn signature(tokens: &[u64], k: usize, perms: &Permutations, sig: &mut [u32]) {
    sig.fill(u32::MAX);
    for n in 1..=k.min(tokens.len()) {
        for window in tokens.windows(n) {
            let mut h = n as u64;
            for &t in window {
                h = mix(h ^ t);
            }
            let x = (h >> 32) as u32;
            for ((s, &a), &b) in sig.iter_mut().zip(&perms.a).zip(&perms.b) {
                *s = (*s).min(a.wrapping_mul(x).wrapping_add(b));
            }
        }
    }
}

/// The bucket key of one band of a signature.
fn band_hash(band: usize, values: &[u16]) -> u64 {
    let mut h = mix(SEED ^ band as u64);
    for &v in values {
        h = mix(h ^ v as u64);
    }
    h
}

/// Disjoint sets with path halving; the smaller index becomes the root, so that roots do not
/// depend on the order of unions.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// The root of every element.
    fn roots(&mut self) -> Vec<u32> {
        (0..self.parent.len())
            .map(|x| self.find(x) as u32)
            .collect()
    }

    fn union(&mut self, x: usize, y: usize) {
        let (rx, ry) = (self.find(x), self.find(y));
        if rx != ry {
            let (lo, hi) = if rx < ry { (rx, ry) } else { (ry, rx) };
            self.parent[hi] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random stream for test data.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix(self.0)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn vocabulary(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("w{i}")).collect()
    }

    fn random_text(rng: &mut Rng, vocab: &[String], len: usize) -> Vec<String> {
        (0..len)
            .map(|_| vocab[rng.below(vocab.len())].clone())
            .collect()
    }

    /// Replaces `edits` random tokens.
    fn edit(rng: &mut Rng, vocab: &[String], words: &[String], edits: usize) -> Vec<String> {
        let mut w = words.to_vec();
        for _ in 0..edits {
            let i = rng.below(w.len());
            w[i] = vocab[rng.below(vocab.len())].clone();
        }
        w
    }

    #[test]
    fn estimated_jaccard_tracks_the_true_value() {
        let perms = Permutations::new(256);
        let a: Vec<u64> = (0..100).collect();
        let b: Vec<u64> = (50..150).collect();
        // Unigrams only: 50 shared of 150.
        let mut sa = vec![0; 256];
        let mut sb = vec![0; 256];
        signature(&a, 1, &perms, &mut sa);
        signature(&b, 1, &perms, &mut sb);
        let agree = sa.iter().zip(&sb).filter(|(x, y)| x == y).count() as f64 / 256.0;
        assert!((agree - 1.0 / 3.0).abs() < 0.1, "estimate {agree}");
    }

    #[test]
    fn planted_near_duplicates_are_found() {
        let mut rng = Rng(1);
        let vocab = vocabulary(2000);
        let mut texts: Vec<String> = Vec::new();
        let mut planted: Vec<Vec<usize>> = Vec::new();
        // 3000 unrelated texts, then 50 families of 4 near-copies (1 to 3 edits in 8-27
        // words; some copies end up too different from each other, which is fine).
        for _ in 0..3000 {
            let len = 8 + rng.below(20);
            texts.push(random_text(&mut rng, &vocab, len).join(" "));
        }
        for _ in 0..50 {
            let len = 8 + rng.below(20);
            let base = random_text(&mut rng, &vocab, len);
            let mut family = Vec::new();
            for _ in 0..4 {
                let edits = 1 + rng.below(3);
                family.push(texts.len());
                texts.push(edit(&mut rng, &vocab, &base, edits).join(" "));
            }
            planted.push(family);
        }
        let groups = group(&texts, &Params::default());
        let mut group_of = vec![usize::MAX; texts.len()];
        for (g, members) in groups.iter().enumerate() {
            for &m in members {
                group_of[m] = g;
            }
        }
        // Every planted pair that really is similar enough must be found (the LSH may miss
        // a pair in theory; with these seeds it must not miss more than 5%).
        let (mut found, mut similar) = (0, 0);
        let (mut ta, mut tb) = (Vec::new(), Vec::new());
        for family in &planted {
            for (x, &a) in family.iter().enumerate() {
                for &b in &family[x + 1..] {
                    token_hashes(&texts[a], &mut ta);
                    token_hashes(&texts[b], &mut tb);
                    if token_similarity(&ta, &tb, 0.8) {
                        similar += 1;
                        if group_of[a] == group_of[b] && group_of[a] != usize::MAX {
                            found += 1;
                        }
                    }
                }
            }
        }
        assert!(
            similar >= 150,
            "test data too easy: {similar} similar pairs"
        );
        assert!(
            found * 100 >= similar * 95,
            "found {found} of {similar} pairs"
        );
        // No unrelated text joined a family.
        let planted_set: std::collections::HashSet<usize> =
            planted.iter().flatten().copied().collect();
        for members in &groups {
            assert!(
                members.iter().all(|m| planted_set.contains(m)),
                "false merge: {:?}",
                members
                    .iter()
                    .map(|&m| texts[m].as_str())
                    .collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn unrelated_texts_sharing_phrases_are_not_merged() {
        // Headlines of a newsroom: same frame, different content.
        let texts: Vec<String> = (0..500)
            .map(|i| {
                format!(
                    "breaking news <url> story{i} about topic{} in city{} today",
                    i % 7,
                    i % 13
                )
            })
            .collect();
        let groups = group(&texts, &Params::default());
        // Each pair differs in at least 1 of 9 tokens (story id), some in 3: "similar" pairs
        // exist only when 1 token differs, i.e. same topic and city.
        for g in &groups {
            for w in g.windows(2) {
                let (a, b) = (&texts[w[0]], &texts[w[1]]);
                let ta: Vec<&str> = a.split(' ').collect();
                let tb: Vec<&str> = b.split(' ').collect();
                let diff = ta.iter().zip(&tb).filter(|(x, y)| x != y).count();
                assert!(diff <= 1, "merged {a:?} and {b:?}");
            }
        }
        // With a stricter threshold nothing that differs in a token is merged.
        let strict = Params {
            similarity: 0.95,
            ..Params::default()
        };
        assert!(group(&texts, &strict).is_empty());
    }

    #[test]
    fn exact_duplicates_group_and_empty_texts_do_not() {
        let texts = ["a b c d", "", "x y z w", "a b c d", "", "a b c d"];
        let groups = group(&texts, &Params::default());
        assert_eq!(groups, vec![vec![0, 3, 5]]);
    }

    #[test]
    fn results_are_deterministic() {
        let mut rng = Rng(7);
        let vocab = vocabulary(300);
        let mut texts = Vec::new();
        for _ in 0..400 {
            let base = random_text(&mut rng, &vocab, 12);
            texts.push(base.join(" "));
            if rng.below(3) == 0 {
                texts.push(edit(&mut rng, &vocab, &base, 1).join(" "));
            }
        }
        let a = group(&texts, &Params::default());
        let b = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .map(|pool| pool.install(|| group(&texts, &Params::default())))
            .unwrap_or_default();
        assert!(!a.is_empty());
        assert_eq!(a, b);
    }

    #[test]
    fn odd_params_do_not_panic() {
        let texts = ["a b c d e", "a b c d f", "q r s t u", "a b c d e"];
        for (bands, rows) in [(0, 0), (1, 1), (1000, 1000), (3, 7), (usize::MAX, 2)] {
            let p = Params {
                shingle_words: 0,
                bands,
                rows,
                similarity: 0.8,
            };
            // Few or long bands may miss the near pair; exact copies are always grouped and
            // the unrelated text never is.
            let groups = group(&texts, &p);
            assert!(groups.contains(&vec![0, 3]) || groups.contains(&vec![0, 1, 3]));
            assert!(groups.iter().all(|g| !g.contains(&2)));
        }
    }

    #[test]
    fn huge_texts_are_bounded() {
        let long: String = (0..100_000)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let other = format!("{long} extra");
        let groups = group(&[long.as_str(), other.as_str()], &Params::default());
        assert_eq!(groups, vec![vec![0, 1]]);
    }

    #[test]
    fn exact_bounds_never_reject_a_similar_pair() {
        // Pairs of every similarity, from small vocabularies (many shared and repeated
        // tokens, many bitmap collisions): the bag bound must pass every pair the edit
        // distance accepts, and should settle most of the rest.
        let mut rng = Rng(11);
        let (mut similar, mut rejected_early, mut dissimilar) = (0, 0, 0);
        for round in 0..4000 {
            let vocab = vocabulary(5 + round % 200);
            let len = 1 + rng.below(30);
            let a = random_text(&mut rng, &vocab, len);
            let edits = rng.below(len + 1);
            let mut b = edit(&mut rng, &vocab, &a, edits);
            let inserts = rng.below(4);
            for _ in 0..inserts {
                let at = rng.below(b.len() + 1);
                b.insert(at, vocab[rng.below(vocab.len())].clone());
            }
            let (mut ta, mut tb) = (Vec::new(), Vec::new());
            token_hashes(&a.join(" "), &mut ta);
            token_hashes(&b.join(" "), &mut tb);
            let bound = Bag::of(&ta).min_distance(&Bag::of(&tb));
            let passes = within(bound, ta.len().max(tb.len()), 0.8);
            if token_similarity(&ta, &tb, 0.8) {
                similar += 1;
                assert!(
                    passes,
                    "bound {bound} rejected a similar pair: {a:?} / {b:?}"
                );
            } else {
                dissimilar += 1;
                rejected_early += usize::from(!passes);
            }
        }
        assert!(similar >= 200, "only {similar} similar pairs");
        assert!(
            rejected_early * 2 >= dissimilar,
            "the bound settled only {rejected_early} of {dissimilar} dissimilar pairs"
        );
    }

    #[test]
    fn token_similarity_threshold() {
        let a = [1, 2, 3, 4, 5];
        assert!(token_similarity(&a, &[1, 2, 9, 4, 5], 0.8));
        assert!(!token_similarity(&a, &[1, 9, 9, 4, 5], 0.8));
        assert!(!token_similarity(&a, &[1, 2, 3], 0.8));
        assert!(!token_similarity(&[], &[], 0.8));
    }
}
