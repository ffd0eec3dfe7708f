-- Version 3: a customer's score lives in a narrow table of its own. A monthly grading run
-- changes the score of about one customer in ten, scattered over the whole customers table;
-- in its own table those writes rewrite a few thousand small pages instead of most of the
-- customers' pages (and write them twice, to the WAL and back).

CREATE TABLE customer_scores (
    customer_id  INTEGER PRIMARY KEY REFERENCES customers(id) ON DELETE CASCADE,
    score        TEXT NOT NULL     -- from the latest grading run; the tier stays on the record
);
INSERT INTO customer_scores(customer_id, score)
    SELECT id, score FROM customers WHERE score IS NOT NULL ORDER BY id;
ALTER TABLE customers DROP COLUMN score;
