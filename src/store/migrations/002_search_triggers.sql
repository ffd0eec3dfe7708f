-- Version 2: the search-index triggers are apart from the tag-count triggers, so a large
-- import can set the search indexes aside and bring them up to date once, at its end
-- (store::deferred), while the counts stay current row by row.

DROP TRIGGER customers_index_insert;
CREATE TRIGGER customers_search_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search(rowid, name, short_name, remarks, phones)
        SELECT * FROM customer_search_source WHERE rowid = new.id;
    INSERT INTO customer_tag_index(rowid, terms) SELECT * FROM customer_tag_terms WHERE rowid = new.id;
END;
CREATE TRIGGER customers_counts_insert AFTER INSERT ON customers BEGIN
    INSERT INTO tag_counts(dim, value, origin, n)
        SELECT d, v, 'derived', 1 FROM (
            SELECT '区域' AS d, new.region AS v UNION ALL SELECT '省份', new.province
            UNION ALL SELECT '行业', new.industry_section UNION ALL SELECT '阶段', new.stage
            UNION ALL SELECT '等级', new.tier)
         WHERE v IS NOT NULL
        ON CONFLICT (dim, value, origin) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER customers_index_delete;
CREATE TRIGGER customers_search_delete AFTER DELETE ON customers BEGIN
    DELETE FROM customer_search WHERE rowid = old.id;
    DELETE FROM customer_tag_index WHERE rowid = old.id;
END;
CREATE TRIGGER customers_counts_delete AFTER DELETE ON customers BEGIN
    UPDATE tag_counts SET n = n - 1
     WHERE origin = 'derived' AND (dim, value) IN (
        SELECT '区域', old.region UNION ALL SELECT '省份', old.province
        UNION ALL SELECT '行业', old.industry_section UNION ALL SELECT '阶段', old.stage
        UNION ALL SELECT '等级', old.tier);
END;
