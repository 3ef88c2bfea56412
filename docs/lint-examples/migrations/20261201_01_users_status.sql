-- Users get a status, and a discount.
ALTER TABLE users ADD COLUMN status VARCHAR(16) NOT NULL AFTER name;
ALTER TABLE users ADD COLUMN discount_amount FLOAT NULL;
