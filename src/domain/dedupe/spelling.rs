//! Two spellings of one 字号: the slips a clerk makes when a company's name is heard, not
//! read.
//!
//! Both rules compare the 字号 alone and only when the line of business after it is the same
//! (`华兴科技` / `华星科技`, never `华兴科技` / `华星物流`):
//! - **sounds alike**: every character that differs is read the same (toneless pinyin:
//!   兴/星 xing, 嘉/佳 jia). A name taken down over the phone is typed through a pinyin input
//!   method, and picking the wrong character of the right sound is the commonest slip there
//!   is;
//! - **one character off**: a 字号 of three or more characters with exactly one character
//!   different (`荣嘉骏` / `荣佳骏`, `俊龙飞` / `俊隆飞`). Two of three characters in the
//!   same order and the same trade are rarely two companies; a two-character 字号 with one
//!   character changed (`华兴` / `华新`) is as often another company, so it needs the sound.
//!   A numeral or a Latin letter changed is not a slip but how sibling companies are named
//!   (`中建三局` / `中建八局`, `ABC` / `ABD`), so it does not count.
//!
//! Neither is proof: the matcher scores them as a similar name, which needs the place, the
//! industry or a contact to agree before a person is asked to look.

use pinyin::ToPinyin;

use super::name::strip_trade_word;

/// How two different cores are spelled alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spelling {
    /// The 字号 read the same: `(华兴, 华星, "xing")` — the two 字号 and the reading of the
    /// characters that differ.
    SoundsAlike(String, String, String),
    /// The 字号 (three or more characters) differ in one character: `(荣嘉骏, 荣佳骏)`.
    OneCharOff(String, String),
}

/// A core as 字号 + line of business (`华兴科技` → `华兴`, `科技`); a core without a known
/// line of business is all 字号.
pub fn split_trade(core: &str) -> (&str, &str) {
    match strip_trade_word(core) {
        Some(trade_name) => (trade_name, &core[trade_name.len()..]),
        None => (core, ""),
    }
}

/// The toneless reading of a character (`兴` → `xing`), if it is a Han character.
fn reading(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

/// How `a` and `b` (two name cores) are spelled alike, if they are and differ.
pub fn spelling(a: &str, b: &str) -> Option<Spelling> {
    let ((ta, la), (tb, lb)) = (split_trade(a), split_trade(b));
    if la != lb || ta == tb {
        return None;
    }
    let (ca, cb): (Vec<char>, Vec<char>) = (ta.chars().collect(), tb.chars().collect());
    if ca.len() != cb.len() || ca.len() < 2 {
        return None;
    }
    let differ: Vec<(char, char)> = ca
        .iter()
        .zip(&cb)
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (*x, *y))
        .collect();
    let sounds: Option<Vec<&str>> = differ
        .iter()
        .map(|&(x, y)| reading(x).filter(|r| reading(y) == Some(r)))
        .collect();
    if let Some(sounds) = sounds {
        return Some(Spelling::SoundsAlike(
            ta.to_string(),
            tb.to_string(),
            sounds.join(" "),
        ));
    }
    let slip = match differ[..] {
        [(x, y)] => !names_a_sibling(x, y),
        _ => false,
    };
    (slip && ca.len() >= 3).then(|| Spelling::OneCharOff(ta.to_string(), tb.to_string()))
}

/// Whether `x` written for `y` tells sibling companies apart rather than misspells one: two
/// numerals (`三局` / `八局`, `一厂` / `二厂`, `甲方` / `乙方`) or two Latin letters or digits.
fn names_a_sibling(x: char, y: char) -> bool {
    const NUMERALS: &str = "〇零一二三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾甲乙丙丁";
    let numeral = |c: char| c.is_ascii_digit() || NUMERALS.contains(c);
    (numeral(x) && numeral(y)) || (x.is_ascii_alphanumeric() && y.is_ascii_alphanumeric())
}

/// Blocking keys under which cores spelled alike meet (each with the line of business
/// appended): the 字号's reading, and for a 字号 of three or more characters the 字号 with
/// each character in turn left out. Calls `key` with each.
pub fn alike_keys(core: &str, mut key: impl FnMut(&[&[u8]])) {
    let (trade_name, line) = split_trade(core);
    let chars: Vec<char> = trade_name.chars().collect();
    if chars.len() < 2 {
        return;
    }
    let mut sound = String::with_capacity(chars.len() * 6);
    for &c in &chars {
        match reading(c) {
            Some(r) => sound.push_str(r),
            None => sound.push(c),
        }
        sound.push(' ');
    }
    key(&[b"sound", sound.as_bytes(), line.as_bytes()]);
    if chars.len() >= 3 {
        let mut masked = String::with_capacity(trade_name.len());
        for skip in 0..chars.len() {
            masked.clear();
            for (i, &c) in chars.iter().enumerate() {
                masked.push(if i == skip { '*' } else { c });
            }
            key(&[b"off", masked.as_bytes(), line.as_bytes()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trade_name_heard_not_read_sounds_alike() {
        assert_eq!(
            spelling("华兴科技", "华星科技"),
            Some(Spelling::SoundsAlike("华兴".into(), "华星".into(), "xing".into()))
        );
        // Every character may be the wrong one of the right sound.
        assert_eq!(
            spelling("瑞鑫贸易", "睿新贸易"),
            Some(Spelling::SoundsAlike(
                "瑞鑫".into(),
                "睿新".into(),
                "rui xin".into()
            ))
        );
    }

    #[test]
    fn a_three_character_trade_name_may_be_one_character_off() {
        assert_eq!(
            spelling("荣嘉骏贸易", "荣伟骏贸易"),
            Some(Spelling::OneCharOff("荣嘉骏".into(), "荣伟骏".into()))
        );
    }

    #[test]
    fn other_trades_other_sounds_and_short_names_are_not_alike() {
        // Another line of business is another company.
        assert_eq!(spelling("华兴科技", "华星物流"), None);
        // Two characters, one changed, and it does not sound the same: 华兴 / 华新.
        assert_eq!(spelling("华兴科技", "华新科技"), None);
        // Two characters off in three.
        assert_eq!(spelling("荣嘉骏贸易", "荣伟达贸易"), None);
        // Lengths differ; equal cores are not a spelling.
        assert_eq!(spelling("华兴科技", "华兴达科技"), None);
        assert_eq!(spelling("华兴科技", "华兴科技"), None);
    }

    #[test]
    fn a_changed_numeral_or_letter_names_a_sibling_not_a_slip() {
        assert_eq!(spelling("中建三局", "中建八局"), None);
        assert_eq!(spelling("红星一厂", "红星2厂"), None);
        assert_eq!(spelling("ABC电子", "ABD电子"), None);
        // A numeral against a word is still a slip.
        assert_eq!(
            spelling("中建三局", "中建山局"),
            Some(Spelling::OneCharOff("中建三局".into(), "中建山局".into()))
        );
    }

    #[test]
    fn alike_cores_share_a_key_and_others_do_not() {
        let keys = |core: &str| {
            let mut out: Vec<String> = Vec::new();
            alike_keys(core, |parts| {
                out.push(
                    parts
                        .iter()
                        .map(|p| String::from_utf8_lossy(p))
                        .collect::<Vec<_>>()
                        .join("|"),
                )
            });
            out
        };
        let shared = |a: &str, b: &str| keys(a).iter().any(|k| keys(b).contains(k));
        assert!(shared("华兴科技", "华星科技"));
        assert!(shared("荣嘉骏贸易", "荣伟骏贸易"));
        assert!(!shared("华兴科技", "华新科技"));
        assert!(!shared("华兴科技", "华星物流"));
        assert_eq!(keys("华兴科技"), ["sound|hua xing |科技"]);
        assert_eq!(keys("荣嘉骏贸易").len(), 4);
    }
}
