//! Whether two rows or records are one company or one contact, and what a later row of the
//! same file may not change.

use super::*;
use crate::domain::contact::{extra_diff, extra_given_again};

/// Legal forms and noise left out when comparing two names of one company.
pub(super) const NAME_NOISE: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "股份公司",
    "集团公司",
    "集团",
    "分公司",
    "总公司",
    "公司",
    "(",
    ")",
    "（",
    "）",
    " ",
];

/// The part of a company name that tells it apart: no region prefix, no legal form.
pub(super) fn core_name(name: &str) -> String {
    let cleaned = text::clean(name);
    let (rest, _) = crate::domain::region::strip_region_prefix(&cleaned);
    // A city prefix (深圳市…) as well.
    let rest = match rest.char_indices().take(4).find(|(_, c)| *c == '市') {
        Some((i, c)) if i > 0 => &rest[i + c.len_utf8()..],
        _ => rest,
    };
    NAME_NOISE
        .iter()
        .fold(rest.to_string(), |n, noise| n.replace(noise, ""))
}

/// Whether two names are plainly different companies: their core names share no pair of
/// adjacent characters and neither holds the other. Renames that keep the 字号 are not.
pub fn plainly_different(a: &str, b: &str) -> bool {
    let (a, b) = (core_name(a), core_name(b));
    if a.is_empty() || b.is_empty() || a.contains(&b) || b.contains(&a) {
        return false;
    }
    let bigrams = |s: &str| -> std::collections::HashSet<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    bigrams(&a).is_disjoint(&bigrams(&b))
}

/// What a row would change of a customer an earlier row of the same file came to: the
/// fields it would overwrite (filling an empty one is not a change of mind), or `None`.
pub fn contradiction(before: &Customer, after: &Customer) -> Option<String> {
    let overwritten = overwritten(Customer::diff(before, after));
    (!overwritten.is_empty()).then(|| {
        format!(
            "an earlier row of this file is the same customer; this row would change {} \
             (imported again on its own, it will)",
            overwritten.join(", ")
        )
    })
}

/// [`contradiction`] for a contact an earlier row of the same file gave.
pub fn contact_contradiction(stored: &Contact, incoming: &RowContact) -> Option<String> {
    let overwritten = overwritten(Contact::diff(stored, &incoming.given_again(stored)));
    (!overwritten.is_empty()).then(|| {
        format!(
            "an earlier row of this file is the same contact; this row would change {}'s {} \
             (imported again on its own, it will)",
            stored.name,
            overwritten.join(", ")
        )
    })
}

/// [`contradiction`] for an industry an earlier row of the same growth table gave a rate,
/// `earlier`: `None` when this row gives the same rate, `incoming` (both as stored, `12.5`).
pub fn growth_contradiction(industry: &Industry, earlier: &str, incoming: &str) -> Option<String> {
    (earlier != incoming).then(|| {
        format!(
            "an earlier row of this file is the same industry; this row would change the growth rate \
             of {} ({}) {earlier}% → {incoming}% (imported again on its own, it will)",
            industry.code(),
            industry.name()
        )
    })
}

/// The conflict of a row whose contact, `incoming`, has the mobile of `holder`, a contact of
/// customer `code` under a name that plainly names someone else
/// ([`Found::MobileOfAnother`](crate::domain::contact::Found)). `in_file`: an earlier row of
/// this file is `holder`, so the file contradicts itself; else the number may have changed
/// hands since it was stored, and the stored contact is the clerk's to correct first.
pub fn mobile_of_another(holder: &Contact, incoming: &Contact, code: &str, in_file: bool) -> String {
    let mobile = incoming.mobile.as_deref().unwrap_or_default();
    let (held, named) = (&holder.name, &incoming.name);
    if in_file {
        format!(
            "an earlier row of this file is {held} of {code}, whose mobile is {mobile}, and this row \
             names {named} with it: one of the two rows has the wrong name or number"
        )
    } else {
        format!(
            "mobile {mobile} is stored for {held} of {code}, and this row names {named}: if the number \
             has changed hands, mark {held} as left (kehu edit {code} --contact {held} --contact-left) \
             or change {held}'s mobile first"
        )
    }
}

/// The conflict of a row that makes `incoming` the primary contact of a customer whose
/// primary contact an earlier row of the same file made `earlier`: a customer has one, and
/// which of the two it is the file does not settle.
pub fn second_primary(earlier: &str, incoming: &str) -> String {
    format!(
        "an earlier row of this file made {earlier} the primary contact; this row would make {incoming} \
         the primary one, and a customer has only one"
    )
}

/// The refusal (`--on-existing error`) of a row that would change `stored`, a contact of
/// customer `code`: it names the first cell that would change. `None` when the row changes
/// nothing.
pub fn contact_already_stored(stored: &Contact, incoming: &RowContact, code: &str) -> Option<RowError> {
    let change = Contact::diff(stored, &incoming.given_again(stored))
        .into_iter()
        .next()?;
    Some(RowError::new(
        change.field,
        change.after.unwrap_or_default(),
        format!(
            "{} is already stored for {code} (--on-existing error)",
            stored.name
        ),
    ))
}

/// [`contradiction`] for an order or interaction (`what`, e.g. `order HT-9`) an earlier row
/// of the same file gave: of such a record only the extra columns can differ.
pub fn extra_contradiction(
    record: &str,
    what: &str,
    stored: &BTreeMap<String, String>,
    incoming: &BTreeMap<String, String>,
) -> Option<String> {
    let overwritten = overwritten(extra_diff(record, stored, &extra_given_again(stored, incoming)));
    (!overwritten.is_empty()).then(|| {
        format!(
            "an earlier row of this file is the same {what}; this row would change {} \
             (imported again on its own, it will)",
            overwritten.join(", ")
        )
    })
}

/// The refusal (`--on-existing error`) of a row that would change the extra columns of
/// `what`, stored for customer `code`: it names the first column that would change. `None`
/// when the row changes nothing.
pub fn extra_already_stored(
    what: &str,
    stored: &BTreeMap<String, String>,
    incoming: &BTreeMap<String, String>,
    code: &str,
) -> Option<RowError> {
    let (column, value) = incoming.iter().find(|(k, v)| stored.get(*k) != Some(*v))?;
    Some(RowError::new(
        column.clone(),
        value.clone(),
        format!("{what} is already stored for {code} (--on-existing error)"),
    ))
}

/// A contract number as two writings of one compare: letters in one case, separators and
/// spaces left out (`ht-2024-001`, `HT 2024 001` and `HT2024001` are `HT2024001`).
pub fn contract_key(no: &str) -> String {
    no.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The changes that replace a value, as `owner 张三 → 李四`.
pub(super) fn overwritten(changes: Vec<Change>) -> Vec<String> {
    changes
        .into_iter()
        .filter_map(|c| {
            let was = c.before?;
            Some(format!("{} {was} → {}", c.field, c.after.unwrap_or_default()))
        })
        .collect()
}
