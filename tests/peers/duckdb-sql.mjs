// Runs the SQL of a file against a DuckDB database file (created when missing) with DuckDB
// itself (@duckdb/node-api): tests make the DuckDB generation's file this way.
//   node tests/peers/duckdb-sql.mjs DB_FILE SQL_FILE
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [db, sqlFile] = process.argv.slice(2);
if (!db || !sqlFile) {
  console.error('usage: node duckdb-sql.mjs DB_FILE SQL_FILE');
  process.exit(2);
}
const connection = await (await DuckDBInstance.create(db)).connect();
await connection.run(readFileSync(sqlFile, 'utf8'));
