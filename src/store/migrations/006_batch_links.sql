-- Version 6: what an import came from and what it did, told more fully.
-- A batch names the workbook sheet it read (two sheets of one file are two batches that
-- `import list` must tell apart). A stage move made by an import names its batch, so undoing
-- the batch takes the move back (and the customer's stage date with it) instead of leaving a
-- move to a stage the customer is no longer in.

ALTER TABLE import_batches ADD COLUMN sheet TEXT;
ALTER TABLE stage_moves ADD COLUMN batch_id INTEGER REFERENCES import_batches(id);
