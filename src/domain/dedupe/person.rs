//! Contact names as clerks type them: a full name (`王伟`, `欧阳娜`) or a surname and a
//! title (`王总`, `王经理`, `陈工`, `李女士`). Two contacts are the same person when their
//! full names are equal, and may be when one is only a surname + title and the surnames
//! agree (seed 002: "王总 138…" and "王经理 138…").

/// Compound surnames (reference §6).
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "令狐", "慕容", "司徒", "夏侯", "长孙",
    "宇文", "端木", "西门",
];

/// Titles typed after a surname, longest first.
const TITLES: &[&str] = &[
    "总经理",
    "董事长",
    "副总",
    "经理",
    "总监",
    "主任",
    "老师",
    "先生",
    "女士",
    "小姐",
    "会计",
    "秘书",
    "主管",
    "老板",
    "厂长",
    "部长",
    "处长",
    "科长",
    "助理",
    "总",
    "工",
    "姐",
    "哥",
];

/// Whether `name` is a title alone (总经理, 老板), with no surname before it.
pub fn is_title(name: &str) -> bool {
    TITLES.contains(&name) || name == "董事" || name == "董"
}

/// A contact's name taken apart (borrowed from the name as stored, whitespace removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person<'a> {
    /// As typed (cleaned), for reasons.
    pub written: &'a str,
    pub surname: &'a str,
    /// The given name, when a full name was typed.
    pub given: Option<&'a str>,
    /// `Some(true)` for 先生, `Some(false)` for 女士/小姐.
    pub male: Option<bool>,
    /// Written without Chinese characters (`John Smith`): compared whole, ignoring case.
    latin: bool,
}

/// How two contacts compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Likeness {
    Different,
    /// Same surname, one or both typed as surname + title.
    SurnameAndTitle,
    /// Same full name.
    Same,
}

impl<'a> Person<'a> {
    /// Takes a contact name apart; `None` for an empty name. A Chinese name is read as
    /// stored, without whitespace (`王总`, not `王 总`).
    pub fn parse(name: &'a str) -> Option<Person<'a>> {
        let written = name.trim();
        if written.is_empty() {
            return None;
        }
        if !written.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)) {
            return Some(Person {
                written,
                surname: written,
                given: Some(written),
                male: None,
                latin: true,
            });
        }
        let (base, title) = TITLES
            .iter()
            .find_map(|t| {
                written
                    .strip_suffix(t)
                    .filter(|b| !b.is_empty())
                    .map(|b| (b, Some(*t)))
            })
            .unwrap_or((written, None));
        let surname_len = COMPOUND_SURNAMES
            .iter()
            .find(|s| base.starts_with(*s))
            .map_or_else(|| base.chars().next().map_or(0, char::len_utf8), |s| s.len());
        let (surname, given) = base.split_at(surname_len);
        // "王总" is a surname and a title; "王伟" a full name; "小王"/"老王" a surname.
        let (surname, given) = match (surname, given) {
            ("小" | "老", g) if g.chars().count() == 1 && title.is_none() => (g, ""),
            other => other,
        };
        let male = match title {
            Some("先生") => Some(true),
            Some("女士" | "小姐") => Some(false),
            _ => None,
        };
        Some(Person {
            written,
            surname,
            given: (!given.is_empty()).then_some(given),
            male,
            latin: false,
        })
    }

    /// Written without Chinese characters (`John Smith`).
    pub fn is_latin(&self) -> bool {
        self.latin
    }

    /// How alike two contacts are.
    pub fn likeness(&self, other: &Person) -> Likeness {
        if self.latin || other.latin {
            let same = self.latin && other.latin && fold(self.written).eq(fold(other.written));
            return if same { Likeness::Same } else { Likeness::Different };
        }
        if self.surname != other.surname {
            return Likeness::Different;
        }
        match (self.given, other.given) {
            (Some(a), Some(b)) if a == b => Likeness::Same,
            (Some(_), Some(_)) => Likeness::Different,
            _ if matches!((self.male, other.male), (Some(a), Some(b)) if a != b) => Likeness::Different,
            _ => Likeness::SurnameAndTitle,
        }
    }
}

/// A name without spaces, in lower case, for comparing names in Latin letters.
fn fold(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str) -> Person<'_> {
        Person::parse(name).unwrap()
    }

    #[test]
    fn names_and_titles_are_taken_apart() {
        let wang = p("王总");
        assert_eq!((wang.surname, wang.given), ("王", None));
        let wang = p("王经理");
        assert_eq!((wang.surname, wang.given), ("王", None));
        let full = p("王伟");
        assert_eq!((full.surname, full.given), ("王", Some("伟")));
        let compound = p("欧阳娜");
        assert_eq!((compound.surname, compound.given), ("欧阳", Some("娜")));
        let ouyang = p("欧阳总");
        assert_eq!((ouyang.surname, ouyang.given), ("欧阳", None));
        assert_eq!(p("陈工").surname, "陈");
        assert_eq!(p("小王").surname, "王");
        assert_eq!(p("李女士").male, Some(false));
        assert!(Person::parse(" ").is_none());
    }

    #[test]
    fn likeness_follows_surname_title_and_full_name() {
        assert_eq!(p("王总").likeness(&p("王经理")), Likeness::SurnameAndTitle);
        assert_eq!(p("王总").likeness(&p("王伟")), Likeness::SurnameAndTitle);
        assert_eq!(p("王伟").likeness(&p("王伟")), Likeness::Same);
        assert_eq!(p("王伟").likeness(&p("王芳")), Likeness::Different);
        assert_eq!(p("王总").likeness(&p("李总")), Likeness::Different);
        assert_eq!(p("王先生").likeness(&p("王女士")), Likeness::Different);
        assert_eq!(p("John Smith").likeness(&p("john smith")), Likeness::Same);
    }
}
