-- Names are unique and short from now on.
CREATE UNIQUE INDEX uk_name ON users (name);
ALTER TABLE users MODIFY name VARCHAR(12) NOT NULL;
