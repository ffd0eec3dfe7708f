-- Version 5: grading results are kept by run alone. A monthly run adds a result for every
-- customer at the end of the table, but the index by customer put each of those entries
-- beside the customer's earlier ones, all over the index: every run rewrote every page of
-- it, and it grew by a run each month. A customer's results are read through the runs
-- instead, a primary-key lookup per run (a dozen a year). The reference to customers goes
-- too: without that index, deleting a customer would read the whole table to find its
-- results. The store deletes and moves a customer's results itself (store::grade).

CREATE TABLE grade_results_by_run (
    run_id       INTEGER NOT NULL REFERENCES grade_runs(id) ON DELETE CASCADE,
    customer_id  INTEGER NOT NULL,   -- customers.id; no reference: the store deletes a customer's results
    score        TEXT,
    tier         TEXT NOT NULL,
    model_tier   TEXT NOT NULL,      -- what the model said, before any pin
    incomplete   INTEGER NOT NULL DEFAULT 0,
    indicators   TEXT NOT NULL,      -- JSON: the indicator values and sources it was made from (domain::grade::Record)
    PRIMARY KEY (run_id, customer_id)
) WITHOUT ROWID;
INSERT INTO grade_results_by_run(run_id, customer_id, score, tier, model_tier, incomplete, indicators)
    SELECT run_id, customer_id, score, tier, model_tier, incomplete, indicators
      FROM grade_results ORDER BY run_id, customer_id;
DROP TABLE grade_results;
ALTER TABLE grade_results_by_run RENAME TO grade_results;
