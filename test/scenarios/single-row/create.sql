CREATE TABLE t (
  id INT NOT NULL,
  val VARCHAR(30) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO t (id, val) VALUES (1, 'the only row 🦄');
