-- Version 7: a contact, an order or an interaction keeps the file's other columns, as a
-- customer does. A contract list carries 产品, 付款方式 and 业务员 beside the contract; a
-- contacts file 部门 and 微信 beside the person. `extra` is a JSON object of header → text,
-- NULL when there is none.

ALTER TABLE orders ADD COLUMN extra TEXT;
ALTER TABLE interactions ADD COLUMN extra TEXT;
ALTER TABLE contacts ADD COLUMN extra TEXT;
