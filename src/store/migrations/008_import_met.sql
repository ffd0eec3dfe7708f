-- Version 8: the stored rows an import met again. A file is often sent again with more in it
-- (each month's contracts list repeats the earlier contracts, a contact sheet is sent anew);
-- each batch notes the customers, contacts, orders and interactions it found already stored,
-- so undoing the batch that added such a row leaves it to the later batch instead of removing
-- what that file still says. `took_over` marks a customer record left so: undoing the later
-- batch removes it.
CREATE TABLE import_met (
    batch_id   INTEGER NOT NULL REFERENCES import_batches(id),
    kind       TEXT NOT NULL,              -- customer, contact, order, interaction
    row_id     INTEGER NOT NULL,
    took_over  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, row_id, batch_id)
) WITHOUT ROWID;
CREATE INDEX import_met_batch ON import_met(batch_id);
