//! A rule's regular expression compiled to a full DFA, walked byte by byte: the matcher of
//! every value shape the patterns give (mobile numbers, e-mail addresses, sensitive values).
//! Imports only the byte helpers of [`crate::rules::words`].

use anyhow::{Context, Result};

use crate::rules::words::{all_digits_8_to_16, prefix3};

/// A validation rule from a pattern file, compiled to a full DFA: it runs on every candidate,
/// where the general regex engine's per-call set-up cost more than the match itself.
pub struct Rule {
    pub pattern: String,
    dfa: regex_automata::dfa::dense::DFA<Vec<u32>>,
    /// Candidates are always matched from their own start: the start state is fixed.
    start: regex_automata::util::primitives::StateID,
    /// For a rule whose verdict on a digit string hangs only on its first three digits and
    /// its length (the mobile rule): which lengths match, by prefix (see [`DigitTable`]).
    digits: Option<DigitTable>,
}

/// Bit `n` of `accepts[p]`: a string of `n` digits (asked for 8 to 15, the lengths of a
/// national number) that starts with the three digits of `p` matches the rule.
///
/// Every step of a DFA walk waits for the load of the step before: a national number's ten
/// or so steps made the mobile rule nearly 2% of a scan. When every state reached after
/// three digits moves alike on all ten digits, the rest of the walk only counts them, and
/// one load answers.
struct DigitTable {
    accepts: Vec<u16>,
}

const DIGIT_TABLE_MAX: usize = 15;

impl Rule {
    pub fn new(pattern: &str) -> Result<Rule> {
        use regex_automata::{dfa::dense, nfa::thompson, util::syntax};
        let dfa = dense::Builder::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .thompson(thompson::Config::new().utf8(false))
            .build(pattern)
            .with_context(|| format!("regex {pattern:?}"))?;
        use regex_automata::{dfa::Automaton, util::start, Anchored};
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .with_context(|| format!("regex {pattern:?}: no anchored start state"))?;
        let mut rule = Rule {
            pattern: pattern.to_string(),
            dfa,
            start,
            digits: None,
        };
        rule.digits = rule.digit_table();
        Ok(rule)
    }

    /// The [`DigitTable`] of this rule, if every state three or more digits in moves alike
    /// on every digit (checked up to [`DIGIT_TABLE_MAX`] digits).
    fn digit_table(&self) -> Option<DigitTable> {
        use regex_automata::dfa::Automaton;
        let after3: Vec<Option<RuleState>> = (0..1000u32)
            .map(|p| {
                let d = [p / 100, p / 10 % 10, p % 10].map(|x| b'0' + x as u8);
                self.walk(self.start(), &d)
            })
            .collect();
        let mut level: Vec<_> = after3.iter().flatten().map(|s| s.0).collect();
        for _ in 3..DIGIT_TABLE_MAX {
            let mut next = Vec::new();
            level.sort_unstable();
            level.dedup();
            for &s in &level {
                let n = self.dfa.next_state(s, b'0');
                if (b'1'..=b'9').any(|b| self.dfa.next_state(s, b) != n) {
                    return None;
                }
                if !self.dfa.is_dead_state(n) {
                    next.push(n);
                }
            }
            level = next;
        }
        let accepts = after3
            .iter()
            .map(|&state| {
                // Any digit will do after the prefix: one walk, asked at every length.
                let mut bits = 0u16;
                let mut state = state;
                for n in 3..=DIGIT_TABLE_MAX {
                    let Some(s) = state else { break };
                    bits |= u16::from(self.accepts(s)) << n;
                    state = self.walk(s, b"0");
                }
                bits
            })
            .collect();
        Some(DigitTable { accepts })
    }

    /// Whether the whole of `s` matches (the rules anchor both ends with `^` and `$`): a walk
    /// through the DFA's transitions, without a search's per-call set-up.
    pub fn is_match(&self, s: &[u8]) -> bool {
        if let Some(t) = &self.digits {
            if (8..=DIGIT_TABLE_MAX).contains(&s.len()) && all_digits_8_to_16(s) {
                return t.accepts[prefix3(s)] >> s.len() & 1 == 1;
            }
        }
        self.walk(self.start(), s)
            .is_some_and(|state| self.accepts(state))
    }

    /// [`Rule::is_match`] on `len` ASCII digits whose first three are the number `prefix`
    /// (`000`..`999`), from the digit table alone: `None` when the rule has none or `len`
    /// is not one of its lengths (then `is_match` decides). A caller that has read the
    /// digits once spares the table's own digit test.
    #[inline]
    pub fn digits_match(&self, len: usize, prefix: usize) -> Option<bool> {
        let t = self.digits.as_ref()?;
        (8..=DIGIT_TABLE_MAX)
            .contains(&len)
            .then(|| t.accepts[prefix] >> len & 1 == 1)
    }

    /// The state before any input.
    pub fn start(&self) -> RuleState {
        RuleState(self.start)
    }

    /// The state after reading `s` from `state`; `None` once no input can match any more.
    /// A caller that has read a common prefix once can go on from its state.
    pub fn walk(&self, state: RuleState, s: &[u8]) -> Option<RuleState> {
        use regex_automata::dfa::Automaton;
        let mut state = state.0;
        for &b in s {
            state = self.dfa.next_state(state, b);
            if self.dfa.is_dead_state(state) {
                return None;
            }
        }
        Some(RuleState(state))
    }

    /// Whether the input read to reach `state` matches.
    pub fn accepts(&self, state: RuleState) -> bool {
        use regex_automata::dfa::Automaton;
        self.dfa.is_match_state(self.dfa.next_eoi_state(state.0))
    }
}

/// Where a [`Rule`] stands after some input (see [`Rule::walk`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleState(regex_automata::util::primitives::StateID);

/// A rule's prefix up to a stop byte (an e-mail's local part up to its `@`) judged by byte
/// classes: first byte, inner bytes, last byte, at most `max` bytes. Its classes are read
/// off the rule's automaton and checked against it once at load, so a prefix they accept
/// leads the rule to [`ClassPrefix::after`]'s state exactly as the walk would; a prefix
/// they do not accept is left to the walk. The walk waits on one load per byte; the class
/// test's loads are independent of each other.
pub struct ClassPrefix {
    /// Per byte: [`FIRST`], [`INNER`] and [`LAST`] bits.
    class: [u8; 256],
    max: usize,
    /// The rule's state after any accepted prefix and the stop byte.
    after: RuleState,
    /// The classes are [`is_plain_end`]'s and a dot inside (SPEC §5's local part): a
    /// caller that classified those bytes 16 at a time may judge a prefix from its masks
    /// ([`ClassPrefix::plain_after`]) instead of one table load per byte.
    plain: bool,
}

const FIRST: u8 = 1;
const INNER: u8 = 2;
const LAST: u8 = 4;

impl ClassPrefix {
    /// The rule's state after `s` and the stop byte, when the classes accept `s`; `None`
    /// when they do not (the walk decides then; it may still accept).
    #[inline]
    pub fn after(&self, s: &[u8]) -> Option<RuleState> {
        let (&first, _) = s.split_first()?;
        let last = s[s.len() - 1];
        if s.len() > self.max {
            return None;
        }
        let inner = s[1..s.len().max(2) - 1]
            .iter()
            .fold(INNER, |acc, &b| acc & self.class[usize::from(b)]);
        let ends = self.class[usize::from(first)] & FIRST != 0
            && self.class[usize::from(last)] & LAST != 0;
        (ends && inner != 0).then_some(self.after)
    }

    /// [`ClassPrefix::after`] for a prefix of `len` bytes (1 to 32) judged from the masks
    /// of its bytes that are [`is_plain_end`] (`ends`) and dots (`dots`), byte `k` at bit
    /// `k` (bits at `len` and above are ignored). `None` when the classes are not the plain
    /// ones: the masks cannot say then.
    #[inline]
    pub fn plain_after(&self, len: usize, ends: u32, dots: u32) -> Option<Option<RuleState>> {
        if !self.plain || !(1..=32).contains(&len) || len > self.max {
            return None;
        }
        let all = u32::MAX >> (32 - len);
        let ok = ends & 1 != 0 && ends >> (len - 1) & 1 != 0 && (ends | dots) & all == all;
        Some(ok.then_some(self.after))
    }
}

/// The bytes that may start and end SPEC §5's local part (and, with a dot, fill it):
/// ASCII letters and digits, `_`, `%`, `+` and `-`. See [`ClassPrefix::plain_after`].
#[inline]
pub fn is_plain_end(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'%' | b'+' | b'-')
}

impl Rule {
    /// The [`ClassPrefix`] of this rule's prefixes before `stop`, up to `max` bytes long:
    /// `None` when byte classes do not describe them (or not all lead to one state).
    pub fn class_prefix(&self, stop: u8, max: usize) -> Option<ClassPrefix> {
        let class = self.prefix_classes(stop);
        let first = (0..=255u8).find(|&b| class[usize::from(b)] & FIRST != 0)?;
        let one = self.walk(self.start(), &[first])?;
        let after = self.walk(one, &[stop]).or_else(|| {
            let inner = (0..=255u8).find(|&b| class[usize::from(b)] & LAST != 0)?;
            self.walk(one, &[inner, stop])
        })?;
        let plain = (0..=255u8).all(|b| {
            let c = class[usize::from(b)];
            let end = is_plain_end(b);
            (c & FIRST != 0) == end
                && (c & LAST != 0) == end
                && (c & INNER != 0) == (end || b == b'.')
        });
        let prefix = ClassPrefix {
            class,
            max,
            after,
            plain,
        };
        self.holds(&prefix, stop).then_some(prefix)
    }

    /// Candidate classes: bytes that may start a prefix, go on after its first byte, and end
    /// one (the stop byte may follow). [`Rule::holds`] decides whether they are right.
    fn prefix_classes(&self, stop: u8) -> [u8; 256] {
        let mut class = [0u8; 256];
        let live = |state: RuleState, s: &[u8]| self.walk(state, s).is_some();
        let start = self.start();
        for b in (0..=255u8).filter(|&b| b != stop) {
            if live(start, &[b]) {
                class[usize::from(b)] |= FIRST;
            }
        }
        let Some(first) = (0..=255u8).find(|&b| class[usize::from(b)] & FIRST != 0) else {
            return class;
        };
        let one = self.walk(start, &[first]).expect("a first byte is live");
        for b in (0..=255u8).filter(|&b| b != stop) {
            if live(one, &[b]) {
                class[usize::from(b)] |= INNER;
            }
            if live(one, &[b, stop]) || live(start, &[b, stop]) {
                class[usize::from(b)] |= LAST;
            }
        }
        class
    }

    /// Whether every prefix `p` accepts leads this rule, with the stop byte after it, to
    /// `p.after`: a walk over every reachable pair of rule state and class state (length,
    /// whether the last byte read may be inner, whether it may end), bytes the classes
    /// allow only. The rule's states after a prefix are few, so the pairs are too.
    fn holds(&self, p: &ClassPrefix, stop: u8) -> bool {
        use regex_automata::dfa::Automaton;
        type Pair = (regex_automata::util::primitives::StateID, usize, bool, bool);
        let first: Pair = (self.start, 0, false, false);
        let mut seen = std::collections::HashSet::from([first]);
        let mut todo = vec![first];
        // Only the bytes of some class are ever read: a few dozen of 256.
        let bytes: Vec<(u8, u8)> = (0..=255u8)
            .map(|b| (b, p.class[usize::from(b)]))
            .filter(|&(_, c)| c != 0)
            .collect();
        while let Some((q, len, inner, last)) = todo.pop() {
            if len >= 1 && last && self.walk(RuleState(q), &[stop]) != Some(p.after) {
                return false;
            }
            // A byte read after the first turns the one before it into an inner byte.
            if len == p.max || (len >= 2 && !inner) {
                continue;
            }
            for &(b, c) in &bytes {
                if (len == 0 && c & FIRST == 0) || (len > 0 && c & (INNER | LAST) == 0) {
                    continue;
                }
                let next = (
                    self.dfa.next_state(q, b),
                    len + 1,
                    c & INNER != 0,
                    c & LAST != 0,
                );
                if seen.insert(next) {
                    todo.push(next);
                }
            }
        }
        true
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rule({:?})", self.pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{pats, xorshift};

    #[test]
    fn digit_tables_answer_like_the_walk() {
        let p = pats();
        assert!(
            p.mobile.digits.is_some(),
            "the mobile rule reads by prefix and length"
        );
        // Rules that look at a digit after the third have no table; one that only counts
        // digits has one.
        assert!(Rule::new("^8[0-9]{3}1[0-9]{4}$").unwrap().digits.is_none());
        // The last digit a table covers (the fifteenth) is still checked.
        assert!(Rule::new("^8[0-9]{13}1$").unwrap().digits.is_none());
        assert!(Rule::new("^8[0-9]{14}1$").unwrap().digits.is_some());
        assert!(Rule::new("^[0-9]*(00)$").unwrap().digits.is_none());
        let counting = Rule::new("^0[0-9]{2}([0-9]{3}){1,3}$").unwrap();
        assert!(counting.digits.is_some());
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for rule in [&p.mobile, &counting, &p.email_full] {
            let re = regex::bytes::Regex::new(&rule.pattern).unwrap();
            for prefix in 0..1000u64 {
                for len in 0..=17usize {
                    xorshift(&mut x);
                    let digits = format!("{prefix:03}{x:020}");
                    let mut s = digits.as_bytes()[..len].to_vec();
                    let walked = rule
                        .walk(rule.start(), &s)
                        .is_some_and(|st| rule.accepts(st));
                    assert_eq!(rule.is_match(&s), walked, "{} on {s:?}", rule.pattern);
                    if len >= 3 {
                        let prefix = prefix3(&s);
                        if let Some(m) = rule.digits_match(len, prefix) {
                            assert_eq!(m, walked, "{} on {s:?}", rule.pattern);
                        }
                    }
                    assert_eq!(walked, re.is_match(&s), "{} on {s:?}", rule.pattern);
                    // One byte no digit: the walk decides.
                    if len > 3 {
                        s[len - 1] = b' ';
                        assert_eq!(rule.is_match(&s), re.is_match(&s), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn rules_match_like_the_regex_crate() {
        let p = pats();
        let cases: [&[u8]; 14] = [
            b"812345678",
            b"81234567",
            b"8123456789012",
            b"800123456",
            b"8412345678",
            b"",
            b"8",
            b"budi@gmail.com",
            b"a..b@x.com",
            b"a@x.c",
            b"a@-x.com",
            b"Siti_Rahma+bpjs@Kemkes.GO.ID",
            b"x@y.co",
            b"a@b@c.com",
        ];
        for rule in [&p.mobile, &p.email_full] {
            let re = regex::bytes::Regex::new(&rule.pattern).unwrap();
            for c in cases {
                assert_eq!(
                    rule.is_match(c),
                    re.is_match(c),
                    "{} on {:?}",
                    rule.pattern,
                    c
                );
            }
        }
    }

    /// Random addresses from bytes an address holds and some it must not: the class test
    /// never accepts a local part the walk rejects, and leads to the walk's state.
    fn random_local(x: &mut u64) -> Vec<u8> {
        const PLAIN: &[u8] = b"aZ09._%+-Bq";
        const ODD: &[u8] = b"\"'@ \xc3\xa9\xff\x00.";
        let len = (xorshift(x) % 70) as usize;
        (0..len)
            .map(|_| {
                let r = xorshift(x);
                let from = if r.is_multiple_of(32) { ODD } else { PLAIN };
                from[(r >> 8) as usize % from.len()]
            })
            .collect()
    }

    #[test]
    fn class_prefix_answers_like_the_walk() {
        let p = pats();
        let rule = &p.email_full;
        let c = p
            .email_local
            .as_ref()
            .expect("the local rule is byte classes");
        let long = |n: usize| "a".repeat(n);
        let mut cases: Vec<Vec<u8>> = [
            "budi.santoso",
            "Siti_Rahma+bpjs",
            "a",
            ".",
            "a.",
            ".a",
            "a..b",
            "\"a\"",
            "o'brien",
            "bùdi",
            "BUDI",
            "x+y+z",
            "-",
            "%",
            "_a_",
            "a@b",
            "",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .chain([63, 64, 65, 66].map(|n| long(n).into_bytes()))
        .collect();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        cases.extend((0..20_000).map(|_| random_local(&mut x)));
        let mut fast = 0;
        for local in &cases {
            let walked = rule.walk(rule.start(), &[local.as_slice(), b"@"].concat());
            if let Some(state) = c.after(local) {
                fast += 1;
                assert_eq!(Some(state), walked, "{:?}", String::from_utf8_lossy(local));
            } else {
                assert!(local.len() > c.max || walked.is_none(), "{local:?}");
            }
        }
        assert!(
            fast > 1000,
            "the class test takes plain local parts ({fast})"
        );
    }

    #[test]
    fn plain_masks_judge_as_the_classes_do() {
        let c = pats().email_local.as_ref().expect("byte classes");
        assert!(c.plain, "the built-in local part has the plain classes");
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let local = random_local(&mut x);
            if !(1..=32).contains(&local.len()) {
                continue;
            }
            let (mut ends, mut dots) = (0u32, 0u32);
            for (k, &b) in local.iter().enumerate() {
                ends |= u32::from(is_plain_end(b)) << k;
                dots |= u32::from(b == b'.') << k;
            }
            // Bits past the prefix say nothing.
            let junk = if local.len() < 32 {
                u32::MAX << local.len()
            } else {
                0
            };
            let got = c.plain_after(
                local.len(),
                ends | junk & x as u32,
                dots | junk & (x >> 32) as u32,
            );
            assert_eq!(
                got,
                Some(c.after(&local)),
                "{:?}",
                String::from_utf8_lossy(&local)
            );
        }
        // Other classes: the masks do not judge.
        let r = Rule::new("^[a-z]([a-z.]{0,3}[a-z])?@x$").unwrap();
        let other = r.class_prefix(b'@', 5).unwrap();
        assert!(!other.plain && other.plain_after(3, 7, 0).is_none());
    }

    #[test]
    fn class_prefix_only_where_classes_describe_the_rule() {
        // Which byte may follow hangs on the byte before: no classes say that.
        assert!(Rule::new("^(ab|ba)+@x$")
            .unwrap()
            .class_prefix(b'@', 64)
            .is_none());
        // Two ways through to two states after the stop byte.
        assert!(Rule::new("^(a@x|b@y)$")
            .unwrap()
            .class_prefix(b'@', 64)
            .is_none());
        let r = Rule::new("^[a-z]([a-z.]{0,3}[a-z])?@x$").unwrap();
        let c = r
            .class_prefix(b'@', 5)
            .expect("first, inner and last classes");
        assert!(c.after(b"ab.c").is_some() && c.after(b"a.").is_none());
        assert!(c.after(b"abcdef").is_none());
    }
}
