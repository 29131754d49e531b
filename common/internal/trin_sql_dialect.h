/* trin_sql_dialect — turns the SQLite dialect trin's SQL is written in into
 * PostgreSQL's, so one text serves both store backends. Used by
 * trin_store_pg when it prepares or runs a statement.
 *
 * What changes (everything else passes through byte for byte; string
 * literals, quoted names and comments are never touched):
 *  - parameters `?` and `?N` become `$N` (a bare `?` takes the number after
 *    the largest one so far, as in SQLite);
 *  - in CREATE TABLE / ALTER TABLE column types: INTEGER -> BIGINT (money in
 *    øre needs 64 bits), a column `INTEGER PRIMARY KEY` -> BIGSERIAL PRIMARY
 *    KEY (SQLite numbers such a column when an INSERT leaves it out),
 *    BLOB -> BYTEA, TEXT -> TEXT COLLATE "C" (text compares and sorts by
 *    bytes, as in SQLite, whatever the database's locale), AUTOINCREMENT
 *    dropped; in CAST(x AS INTEGER|BLOB) the same types;
 *  - a table with neither WITHOUT ROWID nor an INTEGER PRIMARY KEY column
 *    gets a last column `rowid BIGSERIAL`, so `ORDER BY rowid` (insertion
 *    order) means what it means in SQLite; WITHOUT ROWID is dropped;
 *  - INSERT OR IGNORE -> INSERT ... ON CONFLICT DO NOTHING;
 *  - IFNULL( -> COALESCE(, `==` -> `=`;
 *  - PRAGMA statements are dropped (a text of only pragmas becomes "").
 * Not translated, so not to be used in trin's SQL: INSERT OR REPLACE (write
 * ON CONFLICT (key) DO UPDATE), GLOB, strftime/date()/julianday, integers
 * as booleans in WHERE, ORDER BY rowid on a WITHOUT ROWID table. */
#ifndef TRIN_SQL_DIALECT_H
#define TRIN_SQL_DIALECT_H

/* Returns the PostgreSQL text of `sql` (one or more statements), malloc'd:
 * the caller frees it. NULL only when out of memory. *nparams (may be
 * NULL) gets the highest parameter number used, 0 for none. */
char *trin_sql_dialect_pg(const char *sql, int *nparams);

#endif
