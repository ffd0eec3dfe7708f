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

-- Tags and search -------------------------------------------------------------------------
-- Two FTS5 indexes make `kehu list` filters fast on a million customers, and tag_counts makes
-- `kehu tag list` instant. Triggers keep all three current whatever writes the base tables.
-- Each is defined once, by a view (customer_search_source, customer_tag_terms,
-- tag_counts_source); Store::rebuild_search_indexes refills them from their views, as
-- bench/query.sh does in SQL after a bulk load.

-- Every stored tag ever used gets a small number, which names it in customer_tag_index; so
-- does every dimension, as (dim, ''), for `dim:*`. Numbers are never reused.
CREATE TABLE tag_ids (
    id     INTEGER PRIMARY KEY,
    dim    TEXT NOT NULL,
    value  TEXT NOT NULL,
    UNIQUE (dim, value)
);

-- Name, short name, remarks and contact phone numbers, trigram-tokenised: a substring of
-- three or more characters (科技有 in 北京某某科技有限公司, 1234567 in a mobile) is an index
-- lookup. kehu checks shorter ones on the rows the other conditions leave.
CREATE VIEW customer_search_source(rowid, name, short_name, remarks, phones) AS
    SELECT c.id, c.name, c.short_name, c.remarks,
           (SELECT group_concat(trim(coalesce(k.mobile, '') || ' ' || coalesce(k.landline, '')), ' ')
              FROM contacts k WHERE k.customer_id = c.id)
      FROM customers c;
CREATE VIRTUAL TABLE customer_search USING fts5(
    name, short_name, remarks, phones, tokenize = 'trigram', columnsize = 0
);

-- One term per stored tag and per stored dimension (t + tag_ids number), and per derived
-- dimension held in a column (zr + region, zi + industry section letter, zs + stage), so any
-- all-of / any-of / none-of combination is one FTS5 query over sorted lists. Tier is not here:
-- grading rewrites it in bulk, and the tier column has its own index.
CREATE VIEW customer_tag_terms(rowid, terms) AS
    SELECT c.id,
           coalesce('zr' || c.region || ' ', '') || coalesce('zi' || c.industry_section || ' ', '')
           || 'zs' || c.stage
           || coalesce(' ' || (SELECT group_concat('t' || i.id || ' t' || d.id, ' ')
                                  FROM customer_tags t
                                  JOIN tag_ids i ON i.dim = t.dim AND i.value = t.value
                                  JOIN tag_ids d ON d.dim = t.dim AND d.value = ''
                                 WHERE t.customer_id = c.id), '')
      FROM customers c;
CREATE VIRTUAL TABLE customer_tag_index USING fts5(terms, detail = none, columnsize = 0);

-- How many customers carry each value: stored tags by dimension, value and origin, and the
-- derived dimensions (区域 省份 行业 阶段 等级, origin 'derived') by record value. Rows may
-- reach n = 0 and stay.
CREATE TABLE tag_counts (
    dim     TEXT NOT NULL,
    value   TEXT NOT NULL,
    origin  TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (dim, value, origin)
) WITHOUT ROWID;
CREATE VIEW tag_counts_source(dim, value, origin, n) AS
    SELECT dim, value, origin, count(*) FROM customer_tags GROUP BY dim, value, origin
    UNION ALL SELECT '区域', region, 'derived', count(*) FROM customers WHERE region IS NOT NULL GROUP BY region
    UNION ALL SELECT '省份', province, 'derived', count(*) FROM customers WHERE province IS NOT NULL GROUP BY province
    UNION ALL SELECT '行业', industry_section, 'derived', count(*) FROM customers
               WHERE industry_section IS NOT NULL GROUP BY industry_section
    UNION ALL SELECT '阶段', stage, 'derived', count(*) FROM customers GROUP BY stage
    UNION ALL SELECT '等级', tier, 'derived', count(*) FROM customers WHERE tier IS NOT NULL GROUP BY tier;

CREATE INDEX customers_tier ON customers(tier);

CREATE TRIGGER customers_index_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid = new.id;
    INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms WHERE rowid = new.id;
    INSERT INTO tag_counts(dim, value, origin, n)
        SELECT d, v, 'derived', 1 FROM (
            SELECT '区域' AS d, new.region AS v UNION ALL SELECT '省份', new.province
            UNION ALL SELECT '行业', new.industry_section UNION ALL SELECT '阶段', new.stage
            UNION ALL SELECT '等级', new.tier)
         WHERE v IS NOT NULL
        ON CONFLICT (dim, value, origin) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER customers_search_update AFTER UPDATE OF name, short_name, remarks ON customers
WHEN old.name IS NOT new.name OR old.short_name IS NOT new.short_name OR old.remarks IS NOT new.remarks
BEGIN
    DELETE FROM customer_search WHERE rowid = new.id;
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid = new.id;
END;
CREATE TRIGGER customers_terms_update AFTER UPDATE OF region, industry_section, stage ON customers
WHEN old.region IS NOT new.region OR old.industry_section IS NOT new.industry_section OR old.stage IS NOT new.stage
BEGIN
    DELETE FROM customer_tag_index WHERE rowid = new.id;
    INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms WHERE rowid = new.id;
END;
CREATE TRIGGER customers_counts_update AFTER UPDATE OF region, province, industry_section, stage, tier ON customers
BEGIN
    UPDATE tag_counts SET n = n - 1
     WHERE origin = 'derived' AND (dim, value) IN (
        SELECT d, v FROM (
            SELECT '区域' AS d, old.region AS v, new.region AS w UNION ALL SELECT '省份', old.province, new.province
            UNION ALL SELECT '行业', old.industry_section, new.industry_section
            UNION ALL SELECT '阶段', old.stage, new.stage UNION ALL SELECT '等级', old.tier, new.tier)
         WHERE v IS NOT w);
    INSERT INTO tag_counts(dim, value, origin, n)
        SELECT d, w, 'derived', 1 FROM (
            SELECT '区域' AS d, old.region AS v, new.region AS w UNION ALL SELECT '省份', old.province, new.province
            UNION ALL SELECT '行业', old.industry_section, new.industry_section
            UNION ALL SELECT '阶段', old.stage, new.stage UNION ALL SELECT '等级', old.tier, new.tier)
         WHERE v IS NOT w AND w IS NOT NULL
        ON CONFLICT (dim, value, origin) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER customers_index_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customer_search WHERE rowid = old.id;
    DELETE FROM customer_tag_index WHERE rowid = old.id;
    UPDATE tag_counts SET n = n - 1
     WHERE origin = 'derived' AND (dim, value) IN (
        SELECT '区域', old.region UNION ALL SELECT '省份', old.province
        UNION ALL SELECT '行业', old.industry_section UNION ALL SELECT '阶段', old.stage
        UNION ALL SELECT '等级', old.tier);
END;

CREATE TRIGGER customer_tags_index_insert AFTER INSERT ON customer_tags BEGIN
    INSERT OR IGNORE INTO tag_ids(dim, value) VALUES (new.dim, new.value), (new.dim, '');
    DELETE FROM customer_tag_index WHERE rowid = new.customer_id;
    INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms WHERE rowid = new.customer_id;
    INSERT INTO tag_counts(dim, value, origin, n) VALUES (new.dim, new.value, new.origin, 1)
        ON CONFLICT (dim, value, origin) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER customer_tags_index_delete AFTER DELETE ON customer_tags BEGIN
    DELETE FROM customer_tag_index WHERE rowid = old.customer_id;
    INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms WHERE rowid = old.customer_id;
    UPDATE tag_counts SET n = n - 1 WHERE dim = old.dim AND value = old.value AND origin = old.origin;
END;
CREATE TRIGGER customer_tags_index_update AFTER UPDATE OF customer_id, dim, value, origin ON customer_tags BEGIN
    INSERT OR IGNORE INTO tag_ids(dim, value) VALUES (new.dim, new.value), (new.dim, '');
    DELETE FROM customer_tag_index WHERE rowid IN (old.customer_id, new.customer_id);
    INSERT INTO customer_tag_index(rowid, terms)
        SELECT * FROM customer_tag_terms WHERE rowid IN (old.customer_id, new.customer_id);
    UPDATE tag_counts SET n = n - 1 WHERE dim = old.dim AND value = old.value AND origin = old.origin;
    INSERT INTO tag_counts(dim, value, origin, n) VALUES (new.dim, new.value, new.origin, 1)
        ON CONFLICT (dim, value, origin) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    DELETE FROM customer_search WHERE rowid = new.customer_id;
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid = new.customer_id;
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF customer_id, mobile, landline ON contacts
WHEN old.customer_id IS NOT new.customer_id OR old.mobile IS NOT new.mobile OR old.landline IS NOT new.landline
BEGIN
    DELETE FROM customer_search WHERE rowid IN (old.customer_id, new.customer_id);
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid IN (old.customer_id, new.customer_id);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM customer_search WHERE rowid = old.customer_id;
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid = old.customer_id;
END;
