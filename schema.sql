-- kehu schema, version 1.
--
-- This file is the one source of the schema. It is embedded in the binary and applied to a
-- new database; later versions add files under src/store/migrations/ and bump
-- PRAGMA user_version. Pragmas (WAL, foreign keys, busy timeout) are set on open, not here.
--
-- Conventions: money is integer fen (分) in columns ending `_fen`; dates are TEXT
-- `YYYY-MM-DD`; timestamps are TEXT `YYYY-MM-DDTHH:MM:SSZ` (UTC); decimals that must stay
-- exact (satisfaction, percentages, scores) are TEXT holding a canonical decimal.

-- One row per customer (客户档案). `code` is the business key shown to people; `id` is the
-- internal key every other table refers to.
CREATE TABLE customers (
    id                INTEGER PRIMARY KEY,
    code              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    short_name        TEXT,
    uscc              TEXT UNIQUE,
    industry          TEXT,            -- GB/T 4754-2017: section letter ("C") or letter + division ("C39")
    industry_section  TEXT,            -- derived from industry, for filtering
    province          TEXT,            -- full name, e.g. 广东省
    city              TEXT,
    region            TEXT,            -- derived from province: north, east, … (see domain::region)
    nature            TEXT,            -- 企业性质
    size              TEXT,            -- 企业规模
    source            TEXT,            -- 来源渠道
    stage             TEXT NOT NULL DEFAULT 'prospect',
    stage_date        TEXT,
    intent            TEXT,            -- high / medium / low
    owner             TEXT,
    first_coop_date   TEXT,            -- 首次合作日期 as declared
    last_coop_date    TEXT,            -- 最近合作日期 as declared
    total_amount_fen  INTEGER,         -- 累计合作金额 as declared (orders, when present, win)
    trade_12m_fen     INTEGER,         -- 近12个月交易额 as declared
    tenure_years      TEXT,            -- 合作时长 (years) as declared
    satisfaction      TEXT,            -- 0-10
    referrals_12m     INTEGER,
    complaints_12m    INTEGER,
    budget_growth     TEXT,            -- percent
    secrecy           TEXT NOT NULL DEFAULT 'internal',   -- 密级
    tier              TEXT,            -- from the latest grading run, or a pin
    score             TEXT,
    remarks           TEXT,
    extra             TEXT,            -- JSON object: columns an import brought that have no field
    name_key          TEXT,            -- the name's core, for duplicate detection (domain::dedupe::name_key)
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX customers_name ON customers(name);
CREATE INDEX customers_region_tier ON customers(region, tier);
CREATE INDEX customers_province ON customers(province);
CREATE INDEX customers_industry ON customers(industry_section, industry);
CREATE INDEX customers_stage ON customers(stage);
CREATE INDEX customers_owner ON customers(owner);
CREATE INDEX customers_updated ON customers(updated_at);

-- Codes handed out, per period key (e.g. "2024" or "202405"), so a code is never reused even
-- after its customer is merged away or purged.
CREATE TABLE code_sequences (
    period  TEXT PRIMARY KEY,
    last    INTEGER NOT NULL
);

-- Every move between stages (潜在 → 意向 → 成交 → 流失), with its date and reason.
CREATE TABLE stage_moves (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    from_stage   TEXT,
    to_stage     TEXT NOT NULL,
    date         TEXT NOT NULL,
    reason       TEXT,
    operator     TEXT NOT NULL
);
CREATE INDEX stage_moves_customer ON stage_moves(customer_id, date);

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    title         TEXT,
    mobile        TEXT,
    landline      TEXT,
    email         TEXT,
    is_primary    INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    left_date     TEXT,
    confirmed_at  TEXT,            -- last time someone confirmed these details
    batch_id      INTEGER REFERENCES import_batches(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX contacts_customer ON contacts(customer_id);
-- With customer_id, so "which customers share this number" is answered from the index alone.
CREATE INDEX contacts_mobile ON contacts(mobile, customer_id);
CREATE INDEX contacts_landline ON contacts(landline, customer_id);

CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    date          TEXT NOT NULL,
    amount_fen    INTEGER NOT NULL CHECK (amount_fen >= 0),
    contract_no   TEXT,
    batch_id      INTEGER REFERENCES import_batches(id),
    created_at    TEXT NOT NULL,
    UNIQUE (customer_id, contract_no)
);
CREATE INDEX orders_customer_date ON orders(customer_id, date, amount_fen);

CREATE TABLE interactions (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    date          TEXT NOT NULL,
    channel       TEXT,
    summary       TEXT,
    operator      TEXT,
    batch_id      INTEGER REFERENCES import_batches(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX interactions_customer ON interactions(customer_id, date);

-- Tag dimensions. A plain label has the dimension ''. `single` dimensions keep one value per
-- customer; `allowed` (JSON array) restricts values when present; `derived` dimensions are
-- kept current by kehu from the record and cannot be edited by hand.
CREATE TABLE tag_dims (
    name      TEXT PRIMARY KEY,
    single    INTEGER NOT NULL DEFAULT 0,
    allowed   TEXT,
    derived   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE customer_tags (
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    dim          TEXT NOT NULL DEFAULT '',
    value        TEXT NOT NULL,
    origin       TEXT NOT NULL DEFAULT 'manual',   -- manual / derived / model
    set_by       TEXT NOT NULL,
    set_at       TEXT NOT NULL,
    PRIMARY KEY (customer_id, dim, value)
) WITHOUT ROWID;
CREATE INDEX customer_tags_value ON customer_tags(dim, value, customer_id);

-- Growth of each industry (section letter or division code), in percent, for grading.
CREATE TABLE industry_growth (
    industry    TEXT PRIMARY KEY,
    growth      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE grade_runs (
    id            INTEGER PRIMARY KEY,
    as_of         TEXT NOT NULL,
    model_name    TEXT NOT NULL,
    model_sha256  TEXT NOT NULL,
    operator      TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    counts        TEXT NOT NULL,     -- JSON: customers per tier, incomplete, pinned
    as_tag        TEXT               -- tag dimension the result was written to, if any
);

CREATE TABLE grade_results (
    run_id       INTEGER NOT NULL REFERENCES grade_runs(id) ON DELETE CASCADE,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    score        TEXT,
    tier         TEXT NOT NULL,
    model_tier   TEXT NOT NULL,      -- what the model said, before any pin
    incomplete   INTEGER NOT NULL DEFAULT 0,
    indicators   TEXT NOT NULL,      -- JSON: the indicator values and sources it was made from (domain::grade::Record)
    PRIMARY KEY (run_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX grade_results_customer ON grade_results(customer_id, run_id);

CREATE TABLE pins (
    customer_id  INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    tier         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    until        TEXT,
    operator     TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE import_batches (
    id          INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    counts      TEXT NOT NULL,       -- JSON: read, inserted, updated, unchanged, rejected
    operator    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    undone_at   TEXT
);

-- A merge keeps a full snapshot of every record it touched so it can be undone exactly.
CREATE TABLE merges (
    id           INTEGER PRIMARY KEY,
    survivor_id  INTEGER NOT NULL,   -- customers.id; no reference: a survivor may be merged away later
    absorbed     TEXT NOT NULL,      -- JSON array of codes merged into the survivor
    snapshot     TEXT NOT NULL,      -- JSON: the records as they were before the merge
    reason       TEXT,
    operator     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    undone_at    TEXT
);

-- Pairs a person said are not the same customer, so they are never proposed again.
CREATE TABLE dedupe_dismissed (
    code_a      TEXT NOT NULL,
    code_b      TEXT NOT NULL,
    operator    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (code_a, code_b)
) WITHOUT ROWID;

-- The change log: one entry per change, hash-chained. `changes` is a JSON array of
-- {"field", "before", "after"}. `hash` = SHA-256 over the previous hash and this entry's
-- fields (see store::log), so editing, deleting or reordering entries breaks the chain.
CREATE TABLE change_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    operator       TEXT NOT NULL,
    action         TEXT NOT NULL,
    customer_code  TEXT,
    batch_id       INTEGER,
    changes        TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE INDEX change_log_customer ON change_log(customer_code, id);
CREATE INDEX change_log_at ON change_log(at);

-- Operators and their roles (governance); an operator not listed has the default role.
CREATE TABLE operators (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- Grading (kehu grade): the text of every model a run used, by checksum, so a result can be
-- explained later exactly as it was made (grade_runs.model_sha256 refers here).
CREATE TABLE grade_models (
    sha256  TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    text    TEXT NOT NULL
);

-- Duplicate detection (kehu dedupe). `name_key` is the core of the customer's name (legal
-- form, region prefix, brackets and branch set aside; domain::dedupe::name_key), kept by the
-- store on every insert and update, so a new record finds stored customers with the same
-- name through an index instead of reading them all.
CREATE INDEX customers_name_key ON customers(name_key);

-- Reports (kehu report) ----------------------------------------------------------------------
-- Orders by date, covering the amount: the trade of "the last 12 months" is read from this
-- index's date range instead of from every customer's orders.
CREATE INDEX orders_date ON orders(date, customer_id, amount_fen);
-- Contacts by e-mail with their customer: e-mails shared by several customers.
CREATE INDEX contacts_email ON contacts(email, customer_id);
