//! Rows and cells that carry no data: blank rows, total and note rows, placeholders and
//! Excel error values.

use super::*;

/// The name given to a contact whose row has a phone but no name.
pub const UNNAMED_CONTACT: &str = "未具名联系人";

/// A row is blank when every cell is empty after cleaning.
pub fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| text::clean(c).is_empty())
}

/// Words that start a total row: `合计`, `总计（元）`, `小计：`, `共计2家`.
pub(super) const TOTAL_WORDS: &[&str] = &[
    "合计", "总计", "小计", "共计", "总额", "合計", "總計", "小計", "共計", "總額",
];

/// What may come before a total word: `本页小计`, `本表合计`.
pub(super) const TOTAL_PREFIXES: &[&str] = &["", "本页", "本頁", "本表", "全部", "以上"];

/// Whether one cell (spaces removed) is a total label. The total word must stand alone or
/// be followed by something that cannot continue a name — a bracket, colon, digit or
/// space (`合计（共2家）`, `合计：2家`, `合计（元）`): a company's name never starts with a
/// total word followed by more Han characters, and `合计科技有限公司` is a name.
pub(super) fn is_total_label(cell: &str) -> bool {
    let lower = cell.to_lowercase();
    if let Some(rest) = lower.strip_prefix("total") {
        return !rest.starts_with(|c: char| c.is_alphabetic());
    }
    TOTAL_PREFIXES.iter().any(|prefix| {
        let Some(rest) = cell.strip_prefix(prefix) else {
            return false;
        };
        TOTAL_WORDS.iter().any(|word| {
            rest.strip_prefix(word)
                .is_some_and(|after| !after.starts_with(|c: char| c.is_alphabetic()))
        })
    })
}

/// Labels of the notes below a table that need a colon after them: `注：金额单位为万元`,
/// `说明：…`, `日期：2024-06-30`.
pub(super) const NOTE_LABELS: &[&str] = &[
    "注",
    "注意",
    "备注",
    "说明",
    "附注",
    "日期",
    "制表日期",
    "填表日期",
    "填报日期",
    "数据来源",
    "来源",
];

/// Signatures below a table: `制表人：张三`, `审核人 李四`, `审核：`. A label without 人 must
/// not run on into more Han characters (`审核` yes, `审核科技有限公司` no).
pub(super) const SIGNATURE_LABELS: &[&str] = &[
    "制表人",
    "填表人",
    "填报人",
    "审核人",
    "复核人",
    "审批人",
    "编制人",
    "统计人",
    "经办人",
    "制表",
    "填表",
    "审核",
    "复核",
    "审批",
    "编制",
];

/// Whether one cell is a footer note: a note label with a colon (`注：`, `注1：`, `说明:`)
/// or a signature (`制表人：张三  日期：2024-06-30`, `填表人`, `审核…`).
pub(super) fn is_note(cell: &str) -> bool {
    let signature = SIGNATURE_LABELS.iter().any(|label| {
        cell.strip_prefix(label)
            .is_some_and(|rest| label.ends_with('人') || !rest.starts_with(|c: char| c.is_alphabetic()))
    });
    if signature {
        return true;
    }
    NOTE_LABELS.iter().any(|label| {
        cell.strip_prefix(label).is_some_and(|rest| {
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || ('①'..='⑳').contains(&c));
            rest.starts_with([':', '：'])
        })
    })
}

/// A row to skip as a total: a total label (合计/总计/小计/共计, `本页小计`, `合计（共2家）`)
/// in its first non-empty cell, where a total row is labelled, or a footer whose every
/// non-empty cell is a note or signature (`注：金额单位为万元`, `制表人：张三  日期：2024-06-30`).
/// A label further right is a remark (`1, 甲科技有限公司, 合计2个项目在谈`), and a company's
/// name is never a label (`共计（北京）信息技术有限公司`, `TOTAL (China) Investment Co., Ltd.`).
/// Footers are counted with the total rows.
pub fn is_total(cells: &[String]) -> bool {
    let filled: Vec<String> = cells
        .iter()
        .map(|c| text::clean(c).replace(' ', ""))
        .filter(|c| !c.is_empty())
        .collect();
    filled
        .first()
        .is_some_and(|c| is_total_label(c) && !names_an_organisation(c))
        || (!filled.is_empty() && filled.iter().all(|c| is_note(c)))
}

/// Whether a cell reads as an organisation's name: it holds a legal form or ends as one.
pub(super) fn names_an_organisation(cell: &str) -> bool {
    const FORMS: &[&str] = &[
        "公司",
        "集团",
        "合伙",
        "事务所",
        "研究院",
        "co.",
        "ltd",
        "inc.",
        "corp",
        "llc",
    ];
    const ENDINGS: &[&str] = &["厂", "店", "商行", "银行", "合作社", "中心", "医院", "学院", "馆"];
    let lower = cell.to_lowercase();
    FORMS.iter().any(|f| lower.contains(f)) || ENDINGS.iter().any(|e| cell.ends_with(e))
}

/// What clerks type for "nothing here"; such a cell is empty.
pub(super) const PLACEHOLDERS: &[&str] = &["-", "--", "---", "—", "——", "/", "无", "暂无", "n/a"];

/// The error values Excel shows in a cell whose formula failed.
pub(super) const EXCEL_ERRORS: &[&str] = &[
    "#N/A",
    "#DIV/0!",
    "#REF!",
    "#VALUE!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
];

/// Whether a (cleaned) cell holds an Excel error literal such as `#N/A` or `#REF!`.
pub fn is_excel_error(value: &str) -> bool {
    EXCEL_ERRORS.iter().any(|e| value.eq_ignore_ascii_case(e))
}

/// A cell's value: cleaned, or `None` when nothing is there — an empty cell, a placeholder
/// for nothing (`-`, `—`, `/`, `无`, `暂无`, `N/A`), or an Excel error (`#N/A`, `#REF!`;
/// a field's cell holding one is refused before this is asked, see
/// [`Mapping::parse_row`], and an extra column does not keep it).
pub fn cell_value(raw: &str) -> Option<String> {
    let value = text::clean_opt(raw)?;
    let lower = value.to_lowercase();
    let nothing = PLACEHOLDERS.contains(&lower.as_str()) || is_excel_error(&value);
    (!nothing).then_some(value)
}
