//! A file's mapping, column by column, and the parsing of one row through it.

use super::*;

/// One column of the file and what it feeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub index: usize,
    pub header: String,
    /// `None`: no field; kept with the record as an extra column.
    pub target: Option<Target>,
    pub unit: Unit,
    /// Whether the user's `--map` decided it.
    pub mapped_by_user: bool,
}

/// The whole header row understood.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub kind: Kind,
    pub columns: Vec<Column>,
}

impl Mapping {
    /// Understands every header. `user_maps` (`原列名=field`) win over the alias tables.
    /// Refuses a mapping that cannot identify the record each row is about.
    ///
    /// No cell of a customers file is dropped; a column the record has no field for is kept
    /// with it as an extra, under the column's header:
    /// * a column with no header is named by its Excel letter, `列D` (and `--map 列D=…`
    ///   maps it); cells beyond the header row's width are kept the same way;
    /// * a header written twice is told apart by a number, `微信(2)`; the second column
    ///   for a field already fed (a second `手机`, `公司名称` beside `客户名称`) is kept as an
    ///   extra rather than overwriting the first, except remarks, whose texts are joined
    ///   line by line;
    /// * order and interaction columns (合同编号, 签约日期, 拜访日期, 沟通内容) in a customers
    ///   file are extras;
    /// * an English `name` is the customer's name, unless another column names the customer
    ///   (客户名称, company): then it is the contact's name (`name` beside `mobile`), or an
    ///   extra when a contact name column exists too;
    /// * a primary-contact column (主联系人) says whether the row's contact is the primary one
    ///   beside a contact name column; without one it is the contact's name, since many
    ///   lists write the primary contact's name under that header.
    pub fn new(
        headers: &[String],
        user_maps: &[(String, String)],
        kind: Option<Kind>,
    ) -> Result<Mapping, String> {
        for (_, field) in user_maps {
            Target::parse(field)?;
        }
        let kind = kind.unwrap_or_else(|| detect_kind(headers, user_maps));
        let written: Vec<String> = headers.iter().map(|h| text::clean(h)).collect();
        let mut columns = Vec::with_capacity(headers.len());
        // The numbered names given to repeated headers so far.
        let mut given: Vec<String> = Vec::new();
        for (index, header) in written.iter().enumerate() {
            let seen = written[..index].iter().filter(|h| *h == header).count();
            let shown = if header.is_empty() {
                unnamed_column(index)
            } else if seen > 0 {
                // The next number no other header already has: `微信, 微信(2), 微信` gives
                // the second 微信 the name `微信(3)`.
                let name = (seen + 1..)
                    .map(|n| format!("{header}({n})"))
                    .find(|name| !written.contains(name) && !given.contains(name))
                    .expect("some number is free");
                given.push(name.clone());
                name
            } else {
                header.clone()
            };
            let user = user_map(&shown, user_maps)
                .or_else(|| user_map(header, user_maps).filter(|_| !header.is_empty()));
            let (target, unit, mapped_by_user) = match user {
                Some(field) => (Target::parse(field)?, understand(header, kind).1, true),
                None if header.is_empty() => (None, Unit::Yuan, false),
                None => {
                    let (t, u) = understand(header, kind);
                    (t, u, false)
                }
            };
            columns.push(Column {
                index,
                header: shown,
                target,
                unit,
                mapped_by_user,
            });
        }
        for (header, _) in user_maps {
            let h = text::clean(header);
            if !columns
                .iter()
                .zip(&written)
                .any(|(c, w)| c.header == h || *w == h)
            {
                return Err(format!(
                    "--map names column {header}, which the file does not have"
                ));
            }
        }
        let mut mapping = Mapping { kind, columns };
        mapping.settle();
        mapping.check()?;
        Ok(mapping)
    }

    /// A customers file's extra columns that an orders or interactions file would read as
    /// its own fields (合同编号, 签约日期, 拜访日期, 沟通内容), with that kind (the one with
    /// more such columns): a sign the file may be a contract list or a follow-up log.
    pub fn other_kinds_columns(&self) -> Option<(Kind, Vec<&str>)> {
        if self.kind != Kind::Customers {
            return None;
        }
        let columns = |kind: Kind, own: &[Target]| -> Vec<&str> {
            self.columns
                .iter()
                .filter(|c| c.target.is_none())
                .filter(|c| {
                    understand(&text::clean(&c.header), kind)
                        .0
                        .is_some_and(|t| own.contains(&t))
                })
                .map(|c| c.header.as_str())
                .collect()
        };
        let orders = columns(
            Kind::Orders,
            &[Target::ContractNo, Target::OrderDate, Target::OrderAmount],
        );
        let interactions = columns(
            Kind::Interactions,
            &[Target::InteractionDate, Target::Summary, Target::Channel],
        );
        match (orders.is_empty(), interactions.is_empty()) {
            (true, true) => None,
            _ if orders.len() >= interactions.len() => Some((Kind::Orders, orders)),
            _ => Some((Kind::Interactions, interactions)),
        }
    }

    /// The amount columns whose header states no unit, by header, with the unit they are
    /// read in.
    pub fn amounts_without_unit(&self) -> Vec<(&str, Unit)> {
        self.columns
            .iter()
            .filter(|c| {
                matches!(c.target, Some(Target::Customer(f)) if f.is_money())
                    || c.target == Some(Target::OrderAmount)
            })
            .filter(|c| !crate::domain::money::header_states_unit(&c.header))
            .map(|c| (c.header.as_str(), c.unit))
            .collect()
    }

    /// Reads the amount columns whose header states no unit in `unit`, as a title row above
    /// the header says (`2024年客户清单（金额单位：万元）`). Returns those columns.
    pub fn assume_unit(&mut self, unit: Unit) -> Vec<Column> {
        let headers: Vec<String> = self
            .amounts_without_unit()
            .into_iter()
            .map(|(h, _)| h.to_string())
            .collect();
        let mut assumed = Vec::new();
        for c in &mut self.columns {
            if headers.contains(&c.header) {
                c.unit = unit;
                assumed.push(c.clone());
            }
        }
        assumed
    }

    /// The decisions [`Mapping::new`] documents that need every column in view.
    fn settle(&mut self) {
        let customer_name = Some(Target::Customer(Field::Name));
        let name_columns = self.columns.iter().filter(|c| c.target == customer_name).count();
        if name_columns > 1 {
            let contact_name = self.has(Target::Contact(ContactField::Name));
            if let Some(c) = self.columns.iter_mut().find(|c| {
                !c.mapped_by_user
                    && c.target == customer_name
                    && header_key(&c.header).eq_ignore_ascii_case("name")
            }) {
                c.target = (!contact_name).then_some(Target::Contact(ContactField::Name));
            }
        }
        if self.kind == Kind::Customers {
            for c in &mut self.columns {
                if matches!(
                    c.target,
                    Some(
                        Target::OrderDate
                            | Target::OrderAmount
                            | Target::ContractNo
                            | Target::InteractionDate
                            | Target::Channel
                            | Target::Summary
                            | Target::GrowthIndustry
                            | Target::GrowthRate
                    )
                ) {
                    c.target = None;
                }
            }
        }
        if matches!(self.kind, Kind::Contacts | Kind::Orders | Kind::Interactions) {
            let kind = self.kind;
            let operator = self.has(Target::Operator);
            for c in self.columns.iter_mut().filter(|c| !c.mapped_by_user) {
                c.target = match c.target {
                    // The customer's salesperson, when no 跟进人 column says who had the
                    // contact, is who had it.
                    Some(Target::Customer(Field::Owner)) if kind == Kind::Interactions && !operator => {
                        Some(Target::Operator)
                    }
                    Some(Target::Customer(Field::Code | Field::Uscc | Field::Name) | Target::Ignore) => {
                        c.target
                    }
                    Some(t) if kind.sets(t) => c.target,
                    // A contract list's 业务员 and 备注 are about the contract, a contacts
                    // file's 部门 about the person: kept with the record.
                    _ => None,
                };
            }
        }
        if !self.has(Target::Contact(ContactField::Name))
            && matches!(self.kind, Kind::Customers | Kind::Contacts)
        {
            for c in self.columns.iter_mut() {
                if !c.mapped_by_user && c.target == Some(Target::ContactPrimary) {
                    c.target = Some(Target::Contact(ContactField::Name));
                }
            }
        }
        for i in 0..self.columns.len() {
            let c = &self.columns[i];
            let repeated = match c.target {
                None | Some(Target::Ignore | Target::Customer(Field::Remarks)) => false,
                Some(t) => !c.mapped_by_user && self.columns[..i].iter().any(|e| e.target == Some(t)),
            };
            if repeated {
                self.columns[i].target = None;
            }
        }
    }

    fn has(&self, target: Target) -> bool {
        self.columns.iter().any(|c| c.target == Some(target))
    }

    fn check(&self) -> Result<(), String> {
        if self.kind == Kind::IndustryGrowth {
            return match (self.has(Target::GrowthIndustry), self.has(Target::GrowthRate)) {
                (true, true) => Ok(()),
                _ => Err(
                    "an industry-growth file needs an industry (行业门类) and a growth (增长率(%)) column"
                        .into(),
                ),
            };
        }
        let identifies = self.has(Target::Customer(Field::Name))
            || self.has(Target::Customer(Field::Code))
            || self.has(Target::Customer(Field::Uscc));
        if !identifies {
            return Err("no column identifies the customer (need 客户名称/name, 客户编号/code or 统一社会信用代码/uscc; \
                 use --map '原列名=name')"
                .into());
        }
        if matches!(self.kind, Kind::Contacts | Kind::Orders | Kind::Interactions)
            && let Some(c) = self.columns.iter().find(|c| {
                c.mapped_by_user
                    && c.target.is_some_and(|t| {
                        !self.kind.sets(t)
                            && !matches!(
                                t,
                                Target::Customer(Field::Code | Field::Uscc | Field::Name) | Target::Ignore
                            )
                    })
            })
        {
            return Err(format!(
                "--map {}={}: {} file does not change {}; import that column with --kind customers",
                c.header,
                c.target.expect("mapped").describe(),
                self.kind.with_article(),
                if self.kind == Kind::Contacts {
                    "the customer"
                } else {
                    "customers or contacts"
                }
            ));
        }
        let need = |target: Target, what: &str| {
            if self.has(target) {
                Ok(())
            } else {
                Err(format!("{} file needs {what} column", self.kind.with_article()))
            }
        };
        match self.kind {
            Kind::Orders => {
                need(Target::OrderDate, "a date (签约日期/订单日期)")?;
                need(Target::OrderAmount, "an amount (合同金额/订单金额)")
            }
            Kind::Interactions => need(Target::InteractionDate, "a date (互动日期/拜访日期)"),
            Kind::Contacts => need(Target::Contact(ContactField::Name), "a contact name (联系人)"),
            Kind::Customers | Kind::IndustryGrowth => Ok(()),
        }
    }

    /// The cell of the first column mapped to `target`, as [`cell_value`] gives it.
    fn cell(&self, cells: &[String], target: Target) -> Option<(String, &Column)> {
        self.columns
            .iter()
            .filter(|c| c.target == Some(target))
            .find_map(|c| cell_value(cells.get(c.index).map_or("", String::as_str)).map(|v| (v, c)))
    }

    /// Parses one row into what it says. Errors name the column (its header as written).
    pub fn parse_row(&self, cells: &[String], today: NaiveDate) -> Result<Row, RowError> {
        self.excel_errors(cells)?;
        if self.kind == Kind::IndustryGrowth {
            return self.growth(cells);
        }
        let keys = Keys {
            code: self.keyed(cells, Field::Code)?,
            uscc: self.keyed(cells, Field::Uscc)?,
            name: self.cell(cells, Target::Customer(Field::Name)).map(|(v, _)| v),
        };
        if keys.code.is_none() && keys.uscc.is_none() && keys.name.is_none() {
            let column = self
                .columns
                .iter()
                .find(|c| c.target == Some(Target::Customer(Field::Name)))
                .or_else(|| {
                    self.columns
                        .iter()
                        .find(|c| matches!(c.target, Some(Target::Customer(Field::Code | Field::Uscc))))
                })
                .map_or_else(String::new, |c| c.header.clone());
            return Err(RowError::new(
                column,
                "",
                "no customer name, code or USCC in this row",
            ));
        }
        let body = match self.kind {
            Kind::Customers => RowBody::Customer(self.customer_part(cells)?),
            Kind::Contacts => {
                let (contact, unused) = self.contact(cells)?;
                let mut row = contact.ok_or_else(|| {
                    RowError::new(
                        self.header_of(Target::Contact(ContactField::Name)),
                        "",
                        "contact name is required",
                    )
                })?;
                row.contact.extra = self.extras(cells);
                row.contact.extra.extend(unused);
                RowBody::Contact(row)
            }
            Kind::Orders => RowBody::Order(self.order(cells, today)?),
            Kind::Interactions => RowBody::Interaction(self.interaction(cells, today)?),
            Kind::IndustryGrowth => unreachable!("growth rows return above"),
        };
        Ok(Row { keys, body })
    }

    /// Reads the bare serial numbers of the date columns (`43469`) as a workbook that counts
    /// days from 1904 (old Mac Excel) means them, writing them as dates. Date cells need
    /// none of this: the reader knows their workbook.
    pub fn serials_from_1904(&self, cells: &mut [String]) {
        for column in &self.columns {
            let date = column.target.is_some_and(Target::is_date);
            let Some(cell) = cells.get_mut(column.index).filter(|_| date) else {
                continue;
            };
            let whole = cell.trim().split('.').next().unwrap_or_default();
            if whole.len() == 5
                && whole.bytes().all(|b| b.is_ascii_digit())
                && let Ok(serial) = cell.trim().parse::<f64>()
                && let Some(day) = super::super::date::from_excel_serial(serial, true)
            {
                *cell = day.to_string();
            }
        }
    }

    /// The number cells of a workbook row (`numbers`, by index) that cannot be read as
    /// typed: a whole number of more than 15 digits in any column
    /// ([`number::digits_lost`](super::super::number::digits_lost)), and in a date column
    /// `2024.1`, how both January and October 2024 typed as numbers are stored
    /// ([`date::number_as_date`](super::super::date::number_as_date)). In the order of the
    /// columns.
    pub fn number_problems(&self, cells: &[String], numbers: &[usize]) -> Vec<RowError> {
        self.columns
            .iter()
            .filter(|c| numbers.contains(&c.index))
            .filter_map(|c| {
                let value = cells.get(c.index)?;
                let reason = super::super::number::digits_lost(value).or_else(|| {
                    c.target
                        .is_some_and(Target::is_date)
                        .then(|| super::super::date::number_as_date(value))
                        .flatten()
                })?;
                Some(RowError::new(&c.header, value.trim(), reason))
            })
            .collect()
    }

    /// Puts a row's problems in the order of its columns (one naming no column of the file
    /// last).
    pub fn in_column_order(&self, problems: &mut [RowError]) {
        problems.sort_by_key(|e| {
            self.columns
                .iter()
                .position(|c| c.header == e.column)
                .unwrap_or(usize::MAX)
        });
    }

    /// A rejected row's problems, the first one first, so the clerk fixes them all in one
    /// pass: the row is read again with each faulty cell emptied in turn (a required date or
    /// amount given a stand-in), until it reads or a problem comes back to a cell already
    /// named. The date rules are checked last, once; whatever depends on stored records (a
    /// stage that needs an order, a conflict) is left to the import itself.
    pub fn problems(&self, cells: &[String], today: NaiveDate) -> Vec<RowError> {
        let mut cells = cells.to_vec();
        let mut found: Vec<RowError> = Vec::new();
        for _ in 0..=self.columns.len() {
            let problem = match self.parse_row(&cells, today) {
                Err(e) => e,
                Ok(Row {
                    body: RowBody::Customer(part),
                    keys,
                }) => {
                    let base = Customer::new(keys.name.as_deref().unwrap_or("-"))
                        .or_else(|_| Customer::new("-"))
                        .expect("a one-character name is valid");
                    match part.apply(&base) {
                        Err(e) => e,
                        Ok(mut customer) => {
                            customer.complete();
                            // As if it had orders: whether it has is the store's to say.
                            match customer.check(today, true) {
                                Err(e) => part.error_for(e),
                                Ok(()) => break,
                            }
                        }
                    }
                }
                Ok(_) => break,
            };
            let Some(column) = self.columns.iter().find(|c| c.header == problem.column) else {
                break;
            };
            if found.iter().any(|f| f.column == problem.column) {
                break;
            }
            found.push(problem);
            // What a row cannot be read without stands in for the cell at fault: a key (the
            // row may have no other), a date or an amount.
            let stand_in = match column.target {
                Some(Target::OrderDate | Target::InteractionDate) => today.to_string(),
                Some(Target::OrderAmount) => "0".to_string(),
                Some(Target::Customer(Field::Name)) => "某某有限公司".to_string(),
                Some(Target::Customer(Field::Uscc)) => "91110000600037341L".to_string(),
                Some(Target::Customer(Field::Code)) => "KH0001".to_string(),
                _ => String::new(),
            };
            match cells.get_mut(column.index) {
                Some(cell) => *cell = stand_in,
                None => break,
            }
        }
        // The first rejects the row; the others in the order of the columns.
        if found.len() > 2 {
            let at = |e: &RowError| self.columns.iter().position(|c| c.header == e.column);
            found[1..].sort_by_key(at);
        }
        found
    }

    /// A field's cell that holds an Excel error (`#N/A`, `#REF!`, …) is refused: the value
    /// the formula was meant to give is not in the file. Extra columns treat it as empty.
    fn excel_errors(&self, cells: &[String]) -> Result<(), RowError> {
        for column in &self.columns {
            if matches!(column.target, None | Some(Target::Ignore)) {
                continue;
            }
            let value = text::clean(cells.get(column.index).map_or("", String::as_str));
            if is_excel_error(&value) {
                return Err(RowError::new(
                    &column.header,
                    &value,
                    format!(
                        "the cell holds the Excel error {value}, not a value: fix the formula or type the value in the spreadsheet"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The header of the first column mapped to `target` (empty when none is).
    pub fn header_of(&self, target: Target) -> String {
        self.columns
            .iter()
            .find(|c| c.target == Some(target))
            .map_or_else(String::new, |c| c.header.clone())
    }

    fn keyed(&self, cells: &[String], field: Field) -> Result<Option<String>, RowError> {
        let Some((value, column)) = self.cell(cells, Target::Customer(field)) else {
            return Ok(None);
        };
        let mut scratch = Customer::new("-").expect("a one-character name is valid");
        scratch
            .set(field, &value, column.unit)
            .map_err(|e| RowError::from_invalid(column, e))?;
        Ok(scratch.value(field))
    }

    fn customer_part(&self, cells: &[String]) -> Result<CustomerPart, RowError> {
        let mut part = CustomerPart::default();
        let cell = |field: Field, raw: String, column: &Column| FieldCell {
            field,
            raw,
            unit: column.unit,
            column: column.header.clone(),
        };
        part.extra = self.extras(cells);
        for column in &self.columns {
            let raw = cells.get(column.index).map_or("", String::as_str);
            let Some(value) = cell_value(raw) else {
                continue;
            };
            match column.target {
                None | Some(Target::Customer(Field::Code | Field::Uscc | Field::Name)) => {}
                Some(Target::Customer(Field::Remarks)) => {
                    let text = raw.trim();
                    match part.fields.iter_mut().find(|c| c.field == Field::Remarks) {
                        Some(earlier) => {
                            earlier.raw.push('\n');
                            earlier.raw.push_str(text);
                        }
                        None => part.fields.push(cell(Field::Remarks, text.to_string(), column)),
                    }
                }
                Some(Target::Customer(f)) => part.fields.push(cell(f, value, column)),
                Some(Target::Location) => {
                    let (province, city) = split_location(&value);
                    if province.is_none() && city.is_none() {
                        return Err(RowError::new(
                            &column.header,
                            &value,
                            "no province or city recognised in this location",
                        ));
                    }
                    if let Some(province) = province {
                        let mut c = cell(Field::Province, province.name.to_string(), column);
                        c.unit = Unit::Yuan;
                        part.fields.push(c);
                    }
                    if let Some(city) = city {
                        let mut c = cell(Field::City, city, column);
                        c.unit = Unit::Yuan;
                        part.fields.push(c);
                    }
                }
                _ => {}
            }
        }
        let (contact, unused) = self.contact(cells)?;
        part.contact = contact;
        part.extra.extend(unused);
        Ok(part)
    }

    /// The row's cells that no field takes, by header: those of the columns with no target,
    /// and those past the header row's width (named by their Excel letter).
    fn extras(&self, cells: &[String]) -> BTreeMap<String, String> {
        let beyond = cells
            .iter()
            .enumerate()
            .skip(self.columns.len())
            .filter_map(|(index, raw)| Some((unnamed_column(index), cell_value(raw)?)));
        self.columns
            .iter()
            .filter(|c| c.target.is_none())
            .filter_map(|c| Some((c.header.clone(), cell_value(cells.get(c.index)?)?)))
            .chain(beyond)
            .collect()
    }

    /// The row's contact, and the cells of a 联系电话 column that did not go into it (a
    /// second mobile beside a 手机 column), by header. A 主联系人 cell with no contact in its
    /// row has no one to say it of.
    #[allow(clippy::type_complexity)]
    fn contact(&self, cells: &[String]) -> Result<(Option<RowContact>, Vec<(String, String)>), RowError> {
        let name = self.cell(cells, Target::Contact(ContactField::Name));
        let mut fields: Vec<(ContactField, String, &Column)> = Vec::new();
        let mut unused = Vec::new();
        for f in [
            ContactField::Title,
            ContactField::Mobile,
            ContactField::Landline,
            ContactField::Email,
        ] {
            if let Some((v, c)) = self.cell(cells, Target::Contact(f)) {
                fields.push((f, v, c));
            }
        }
        if let Some((v, c)) = self.cell(cells, Target::Phone) {
            let (field, canonical) = match parse_phone(&v) {
                Ok(Phone::Mobile(m)) => (ContactField::Mobile, m),
                Ok(Phone::Landline(n) | Phone::Service(n)) => (ContactField::Landline, n),
                Err(reason) => return Err(RowError::new(&c.header, &v, reason)),
            };
            match fields.iter().find(|(f, _, _)| *f == field) {
                None => fields.push((field, v, c)),
                Some((_, other, _)) => {
                    let same = match field {
                        ContactField::Mobile => crate::domain::phone::parse_mobile(other).ok(),
                        _ => crate::domain::phone::parse_landline(other).ok(),
                    };
                    if same.as_deref() != Some(canonical.as_str()) {
                        unused.push((c.header.clone(), v));
                    }
                }
            }
        }
        if name.is_none() && fields.is_empty() {
            return Ok((None, unused));
        }
        let (name, name_column) = match &name {
            Some((n, c)) => (n.as_str(), Some(*c)),
            None => (UNNAMED_CONTACT, None),
        };
        let mut contact = Contact::new(name).map_err(|e| match name_column {
            Some(c) => RowError::from_invalid(c, e),
            None => RowError::new("", name, e.reason),
        })?;
        for (field, value, column) in fields {
            contact
                .set(field, &value)
                .map_err(|e| RowError::from_invalid(column, e))?;
        }
        let primary = match self.cell(cells, Target::ContactPrimary) {
            None => None,
            Some((value, column)) => {
                let header = &column.header;
                let said = YesNo::parse(&value).map_err(|reason| {
                    let reason = format!(
                        "{reason}: the column says whether the row's contact is the primary one \
                         (--map '{header}=extra' keeps it as it is)"
                    );
                    RowError::new(header, &value, reason)
                })?;
                Some(said == YesNo::Yes)
            }
        };
        Ok((Some(RowContact { contact, primary }), unused))
    }

    fn required(&self, cells: &[String], target: Target) -> Result<(String, &Column), RowError> {
        self.cell(cells, target).ok_or_else(|| {
            RowError::new(
                self.header_of(target),
                "",
                format!("{} is required", target.describe()),
            )
        })
    }

    fn order(&self, cells: &[String], today: NaiveDate) -> Result<Order, RowError> {
        let (date, date_col) = self.required(cells, Target::OrderDate)?;
        let (amount, amount_col) = self.required(cells, Target::OrderAmount)?;
        let contract = self
            .cell(cells, Target::ContractNo)
            .map(|(v, _)| v)
            .unwrap_or_default();
        let mut order = Order::parse(&date, &amount, amount_col.unit, &contract, today).map_err(|e| {
            let column = if e.field == "order.date" {
                date_col
            } else {
                amount_col
            };
            RowError::from_invalid(column, e)
        })?;
        order.extra = self.extras(cells);
        Ok(order)
    }

    fn growth(&self, cells: &[String]) -> Result<Row, RowError> {
        let (industry, industry_col) = self.required(cells, Target::GrowthIndustry)?;
        let (growth, growth_col) = self.required(cells, Target::GrowthRate)?;
        let industry =
            parse_industry(&industry).map_err(|r| RowError::new(&industry_col.header, &industry, r))?;
        let growth =
            number::parse_percent(&growth).map_err(|r| RowError::new(&growth_col.header, &growth, r))?;
        Ok(Row {
            keys: Keys::default(),
            body: RowBody::Growth { industry, growth },
        })
    }

    fn interaction(&self, cells: &[String], today: NaiveDate) -> Result<Interaction, RowError> {
        let (date, date_col) = self.required(cells, Target::InteractionDate)?;
        let channel = self
            .cell(cells, Target::Channel)
            .map(|(v, _)| v)
            .unwrap_or_default();
        // Taken as typed, line breaks and all, as a customer's remarks are.
        let summary = self
            .cell(cells, Target::Summary)
            .and_then(|(_, column)| cells.get(column.index))
            .map_or("", String::as_str);
        let mut interaction = Interaction::parse(&date, &channel, summary, today)
            .map_err(|e| RowError::from_invalid(date_col, e))?;
        interaction.operator = self
            .cell(cells, Target::Operator)
            .and_then(|(v, _)| text::clean_opt(&v));
        interaction.extra = self.extras(cells);
        Ok(interaction)
    }
}
