//! Groups of duplicates among many candidates, in near-linear time.
//!
//! **Blocking.** Each candidate gets a few keys; only candidates sharing a key are compared:
//! - its USCC, its core name and its short name's core;
//! - its 字号 when the core ends with a line-of-business word, matched only against
//!   candidates whose whole name is a bare 字号 (`华兴` vs `华兴科技`);
//! - each mobile, landline and e-mail;
//! - the sound of its 字号 with the line of business (华兴科技 and 华星科技 are both
//!   `hua xing|科技`), and for a 字号 of three or more characters the 字号 with one character
//!   left out (`荣*骏|贸易`): the two slips [`super::spelling`] accepts.
//!
//! Any other mistyped name (华兴 / 华新) is found through a shared number or e-mail only:
//! names that are merely similar are too weak to propose, and comparing every near-spelling
//! would grow faster than the data.
//!
//! A key shared by more candidates than its kind allows (a switchboard number on hundreds
//! of records) is not used: it says nothing about any one pair. Each pair is compared once
//! however many keys it shares.
//!
//! **Grouping.** Pairs scoring at least the minimum become links; links are taken strongest
//! first and join two groups unless that would put two different USCCs, or a pair someone
//! dismissed as "not the same", in one group. A group's score is its weakest link; it is
//! `sure` when every link is.

use std::collections::{HashMap, HashSet};

use super::spelling::alike_keys;
use super::{Candidate, Level, SURE, score, strip_trade_word};

/// How to group.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Links scoring below this are ignored.
    pub min_score: u8,
    /// Pairs (indices into the candidates) that must never end up in one group.
    pub dismissed: Vec<(usize, usize)>,
}

/// A link between two candidates (indices into the candidates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub a: usize,
    pub b: usize,
    pub score: u8,
}

/// A group of candidates that are one company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Indices into the candidates, in code order.
    pub members: Vec<usize>,
    /// The links that joined the group, strongest first (one fewer than the members).
    pub links: Vec<Edge>,
    /// The weakest link's score.
    pub score: u8,
    pub level: Level,
}

impl Group {
    /// The parts of the group that sure links alone join (each of two or more members, in
    /// code order of their first member): what `--apply-sure` merges.
    pub fn sure_parts(&self) -> Vec<Vec<usize>> {
        let mut parts: Vec<Vec<usize>> = Vec::new();
        for e in self.links.iter().filter(|e| e.score >= SURE) {
            let ia = parts.iter().position(|p| p.contains(&e.a));
            let ib = parts.iter().position(|p| p.contains(&e.b));
            match (ia, ib) {
                (Some(x), Some(y)) if x != y => {
                    let moved = parts.remove(x.max(y));
                    parts[x.min(y)].extend(moved);
                }
                (Some(_), Some(_)) => {}
                (Some(x), None) => parts[x].push(e.b),
                (None, Some(y)) => parts[y].push(e.a),
                (None, None) => parts.push(vec![e.a, e.b]),
            }
        }
        for p in &mut parts {
            p.sort_by_key(|i| self.members.iter().position(|m| m == i));
        }
        parts.sort_by_key(|p| self.members.iter().position(|m| *m == p[0]));
        parts
    }
}

/// The kinds of blocking key, and how many candidates may share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Uscc = 0,
    Name = 1,
    TradeName = 2,
    Phone = 3,
    Email = 4,
    /// A core spelled alike (its 字号's sound, or the 字号 one character left out).
    Alike = 5,
}

impl Kind {
    fn cap(self) -> usize {
        match self {
            Kind::Uscc => 50,
            Kind::Name | Kind::TradeName | Kind::Alike => 3000,
            Kind::Phone | Kind::Email => 30,
        }
    }
}

/// A 64-bit hash of `parts` with the kind in the top three bits.
fn key(kind: Kind, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h = (h ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }
    // Mix so the low bits spread into the high ones before the kind takes the top three.
    h ^= h >> 29;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 32;
    (h & ((1 << 61) - 1)) | ((kind as u64) << 61)
}

/// Flag on an entry's index: the candidate may start a comparison under this key.
const ACTIVE: u32 = 1 << 31;

/// The blocking keys of one kind of one candidate, each with whether it is active (compares
/// with every holder) or passive (only with active holders).
fn keys(c: &Candidate, kind: Kind, out: &mut Vec<(u64, bool)>) {
    out.clear();
    match kind {
        Kind::Uscc => {
            if let Some(u) = c.uscc() {
                out.push((key(Kind::Uscc, &[u.as_bytes()]), true));
            }
        }
        Kind::Name => {
            for core in std::iter::once(c.core()).chain(c.short()) {
                out.push((key(Kind::Name, &[core.as_bytes()]), true));
            }
        }
        Kind::TradeName => {
            for core in std::iter::once(c.core()).chain(c.short()) {
                match strip_trade_word(core) {
                    Some(trade) => out.push((key(Kind::TradeName, &[trade.as_bytes()]), false)),
                    None => out.push((key(Kind::TradeName, &[core.as_bytes()]), true)),
                }
            }
        }
        Kind::Alike => alike_keys(c.core(), |parts| out.push((key(Kind::Alike, parts), true))),
        Kind::Phone => {
            for phone in c.mobiles().chain(c.landlines()) {
                out.push((key(Kind::Phone, &[phone.as_bytes()]), true));
            }
        }
        Kind::Email => {
            for email in c.emails() {
                out.push((key(Kind::Email, &[email.as_bytes()]), true));
            }
        }
    }
    out.sort_unstable();
    // Active wins when one key comes both ways.
    out.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            earlier.1 |= later.1;
            true
        } else {
            false
        }
    });
}

/// Every pair sharing a usable key, each once, as `(i << 32) | j` with `i < j`.
///
/// One kind of key at a time, so only that kind's keys are held at once. Name keys skip
/// pairs whose provinces are both known and differ: such a pair can only be the same
/// company through a shared number, which has its own key.
fn candidate_pairs(cands: &[Candidate]) -> Vec<u64> {
    let province: Vec<u8> = cands
        .iter()
        .map(|c| c.province.map_or(0, |p| p.code.parse().unwrap_or(0)))
        .collect();
    let mut pairs: Vec<u64> = Vec::new();
    let mut entries: Vec<(u64, u32)> = Vec::new();
    let mut buf = Vec::new();
    for kind in [
        Kind::Uscc,
        Kind::Name,
        Kind::TradeName,
        Kind::Alike,
        Kind::Phone,
        Kind::Email,
    ] {
        entries.clear();
        for (i, c) in cands.iter().enumerate() {
            keys(c, kind, &mut buf);
            entries.extend(
                buf.iter()
                    .map(|&(k, active)| (k, i as u32 | if active { ACTIVE } else { 0 })),
            );
        }
        entries.sort_unstable();
        let by_name = matches!(kind, Kind::Name | Kind::TradeName | Kind::Alike);
        for block in entries.chunk_by(|x, y| x.0 == y.0) {
            if block.len() < 2 || block.len() > kind.cap() {
                continue;
            }
            for (x, &(_, ex)) in block.iter().enumerate() {
                for &(_, ey) in &block[x + 1..] {
                    if (ex | ey) & ACTIVE == 0 {
                        continue;
                    }
                    let (i, j) = ((ex & !ACTIVE) as usize, (ey & !ACTIVE) as usize);
                    if i == j
                        || (by_name && province[i] != 0 && province[j] != 0 && province[i] != province[j])
                    {
                        continue;
                    }
                    pairs.push((i.min(j) as u64) << 32 | i.max(j) as u64);
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
    }
    pairs.shrink_to_fit();
    pairs
}

/// Scores the pairs on every available core; keeps those scoring at least `min_score`.
fn score_pairs(cands: &[Candidate], pairs: &[u64], min_score: u8) -> Vec<Edge> {
    let work = |chunk: &[u64]| -> Vec<Edge> {
        chunk
            .iter()
            .filter_map(|&p| {
                let (a, b) = ((p >> 32) as usize, (p & 0xffff_ffff) as usize);
                score(&cands[a], &cands[b])
                    .filter(|&s| s >= min_score)
                    .map(|score| Edge { a, b, score })
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || pairs.len() < 10_000 {
        return work(pairs);
    }
    let size = pairs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = pairs
            .chunks(size)
            .map(|chunk| s.spawn(move || work(chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("scoring does not panic"))
            .collect()
    })
}

/// Finds the groups of duplicates among `cands`. Deterministic: the same candidates give the
/// same groups in the same order (sure first, then by score, then by first code).
pub fn find_groups(cands: &[Candidate], options: &Options) -> Vec<Group> {
    let min_score = options.min_score.max(1);
    let pairs = candidate_pairs(cands);
    let mut edges = score_pairs(cands, &pairs, min_score);
    drop(pairs);
    edges.sort_unstable_by(|x, y| y.score.cmp(&x.score).then((x.a, x.b).cmp(&(y.a, y.b))));

    let mut dismissed: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut dismissed_set: HashSet<(usize, usize)> = HashSet::new();
    for &(a, b) in &options.dismissed {
        dismissed.entry(a).or_default().push(b);
        dismissed.entry(b).or_default().push(a);
        dismissed_set.insert((a.min(b), a.max(b)));
    }
    let mut sets = Sets::new(cands, &dismissed);
    let mut links: Vec<Edge> = Vec::new();
    for e in edges {
        if dismissed_set.contains(&(e.a.min(e.b), e.a.max(e.b))) {
            continue;
        }
        if sets.union(e.a, e.b, cands, &dismissed) {
            links.push(e);
        }
    }

    let mut by_root: HashMap<usize, (Vec<usize>, Vec<Edge>)> = HashMap::new();
    for e in links {
        let root = sets.find(e.a);
        by_root.entry(root).or_default().1.push(e);
    }
    let mut groups: Vec<Group> = by_root
        .into_values()
        .map(|(_, links)| {
            let mut members: Vec<usize> = links.iter().flat_map(|e| [e.a, e.b]).collect();
            members.sort_unstable_by(|&x, &y| cands[x].code().cmp(cands[y].code()).then(x.cmp(&y)));
            members.dedup();
            let score = links.iter().map(|e| e.score).min().unwrap_or(0);
            Group {
                members,
                links,
                score,
                level: if score >= SURE { Level::Sure } else { Level::Review },
            }
        })
        .collect();
    groups.sort_by(|x, y| {
        y.level
            .cmp(&x.level)
            .then(y.score.cmp(&x.score))
            .then_with(|| cands[x.members[0]].code().cmp(cands[y.members[0]].code()))
    });
    groups
}

/// Union-find that refuses joins putting two USCCs or a dismissed pair in one set.
struct Sets {
    parent: Vec<u32>,
    /// Per root: a member with a USCC, if any.
    uscc: Vec<Option<u32>>,
    /// Per root (only roots holding members with dismissals): those members.
    constrained: HashMap<usize, Vec<usize>>,
}

impl Sets {
    fn new(cands: &[Candidate], dismissed: &HashMap<usize, Vec<usize>>) -> Sets {
        Sets {
            parent: (0..cands.len() as u32).collect(),
            uscc: cands
                .iter()
                .enumerate()
                .map(|(i, c)| c.uscc().map(|_| i as u32))
                .collect(),
            constrained: dismissed.keys().map(|&i| (i, vec![i])).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] as usize != x {
            let up = self.parent[self.parent[x] as usize];
            self.parent[x] = up;
            x = up as usize;
        }
        x
    }

    fn union(
        &mut self,
        a: usize,
        b: usize,
        cands: &[Candidate],
        dismissed: &HashMap<usize, Vec<usize>>,
    ) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        if let (Some(ua), Some(ub)) = (self.uscc[ra], self.uscc[rb])
            && cands[ua as usize].uscc() != cands[ub as usize].uscc()
        {
            return false;
        }
        let members_a = self.constrained.get(&ra).cloned().unwrap_or_default();
        for x in members_a {
            for &y in dismissed.get(&x).map_or(&[][..], Vec::as_slice) {
                if self.find(y) == rb {
                    return false;
                }
            }
        }
        self.parent[rb] = ra as u32;
        if self.uscc[ra].is_none() {
            self.uscc[ra] = self.uscc[rb];
        }
        if let Some(moved) = self.constrained.remove(&rb) {
            self.constrained.entry(ra).or_default().extend(moved);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(code: &str, name: &str, mobile: Option<&str>, uscc: Option<&str>) -> Candidate {
        let mut c = Candidate::new(0, code, name, None);
        c.add_contact(Some("王总"), mobile, None, None);
        c.set_uscc(uscc);
        c.finish()
    }

    fn codes(cands: &[Candidate], g: &Group) -> Vec<String> {
        g.members.iter().map(|&i| cands[i].code().to_string()).collect()
    }

    #[test]
    fn the_seed_spellings_form_one_group() {
        let cands = vec![
            cand("C1", "北京某某科技有限公司", Some("13812345678"), None),
            cand("C2", "某某科技有限责任公司", Some("13812345678"), None),
            cand("C3", "（北京）某某科技", None, None),
            cand("C4", "某某科技", None, None),
            cand("C5", "远洋物流有限公司", None, None),
        ];
        let groups = find_groups(
            &cands,
            &Options {
                min_score: 50,
                ..Options::default()
            },
        );
        assert_eq!(groups.len(), 1);
        assert_eq!(codes(&cands, &groups[0]), ["C1", "C2", "C3", "C4"]);
        assert_eq!(groups[0].level, Level::Review);
        assert_eq!(groups[0].links[0].score, 100);
        assert_eq!(groups[0].sure_parts(), vec![vec![0, 1, 2]]);
        // With a higher minimum only the sure links are left: the same mobile, the same
        // name in the same province.
        let groups = find_groups(
            &cands,
            &Options {
                min_score: 85,
                ..Options::default()
            },
        );
        assert_eq!(groups.len(), 1);
        assert_eq!(codes(&cands, &groups[0]), ["C1", "C2", "C3"]);
        assert_eq!(groups[0].level, Level::Sure);
    }

    #[test]
    fn a_group_never_holds_two_usccs() {
        // B has no USCC and matches both A and C, which have different USCCs.
        let cands = vec![
            cand(
                "A",
                "华兴科技有限公司",
                Some("13812345678"),
                Some("91110000600037341L"),
            ),
            cand("B", "华兴科技", Some("13812345678"), None),
            cand(
                "C",
                "华兴科技有限公司",
                Some("13812345678"),
                Some("91310115MA1K3BTP2B"),
            ),
        ];
        let groups = find_groups(
            &cands,
            &Options {
                min_score: 50,
                ..Options::default()
            },
        );
        assert_eq!(groups.len(), 1);
        let members = codes(&cands, &groups[0]);
        assert_eq!(members.len(), 2);
        assert!(members.contains(&"B".to_string()));
    }

    #[test]
    fn a_dismissed_pair_is_never_grouped_even_through_a_third() {
        let cands = vec![
            cand("A", "华兴科技有限公司", Some("13812345678"), None),
            cand("B", "华兴科技", Some("13812345678"), None),
            cand("C", "华兴科技有限责任公司", Some("13812345678"), None),
        ];
        let options = Options {
            min_score: 50,
            dismissed: vec![(0, 2)],
        };
        let groups = find_groups(&cands, &options);
        assert_eq!(groups.len(), 1);
        let members = codes(&cands, &groups[0]);
        assert!(!(members.contains(&"A".to_string()) && members.contains(&"C".to_string())));
    }

    #[test]
    fn a_mistyped_name_meets_its_company_through_a_shared_number() {
        let a = cand("A", "北京华兴科技有限公司", Some("13812345678"), None);
        let b = cand("B", "北京华新科技有限公司", Some("13812345678"), None);
        let c = cand("C", "北京华新科技有限公司", Some("13912345678"), None);
        // A–B through the mobile, B–C through the name; never A–C (华兴 / 华新 are neither
        // read alike nor long enough to be one character off).
        assert_eq!(candidate_pairs(&[a, b, c]), vec![1, 1 << 32 | 2]);
    }

    #[test]
    fn a_name_spelled_alike_is_compared_without_any_shared_number() {
        let cands = [
            cand("A", "北京华兴科技有限公司", Some("13812345678"), None),
            cand("B", "北京华星科技有限公司", Some("13912345678"), None),
            cand("C", "上海荣嘉骏贸易有限公司", None, None),
            cand("D", "荣伟骏贸易有限公司", None, None),
            // Not alike: another line of business, another province, another sound.
            cand("E", "北京华星物流有限公司", None, None),
            cand("F", "上海华星科技有限公司", None, None),
            cand("G", "北京华新科技有限公司", None, None),
        ];
        assert_eq!(candidate_pairs(&cands), vec![1, 2 << 32 | 3]);
        let groups = find_groups(
            &cands,
            &Options {
                min_score: 50,
                ..Options::default()
            },
        );
        // Both sound-alike pairs are for review (each with 王总 on both sides).
        let found: Vec<Vec<String>> = groups.iter().map(|g| codes(&cands, g)).collect();
        assert_eq!(found, [["A", "B"], ["C", "D"]]);
        assert!(groups.iter().all(|g| g.level == Level::Review));
    }

    #[test]
    fn unrelated_records_are_not_compared() {
        let cands = vec![
            cand("A", "华兴科技有限公司", Some("13812345678"), None),
            cand("B", "远洋物流有限公司", Some("13912345678"), None),
        ];
        assert!(candidate_pairs(&cands).is_empty());
    }
}
