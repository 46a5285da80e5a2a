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
}
