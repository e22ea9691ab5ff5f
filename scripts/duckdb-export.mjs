#!/usr/bin/env node
// Step 1 of importing the DuckDB generation (docs/MIGRATE.md): its DuckDB file's tables as
// JSON lines, one file a table, for `k9 import --from DIR` (step 2).
//
//   node scripts/duckdb-export.mjs /tmp/k9_api.db OUT_DIR
//
// Opens the file read-only with DuckDB itself (the npm package @duckdb/node-api, installed in
// tests/peers by scripts/install-deps.sh), checks that it has the generation's schema
// (../shared/testdata/duckdb-generation/schema.sql: tables and columns), and writes
// OUT_DIR/users.json, reports.json and product_embeddings.json with DuckDB's
// COPY ... (FORMAT JSON). JSON columns are written as their text, so numbers keep every digit.
// The same with the DuckDB command line: the three COPY statements printed by --print-sql.
import { createRequire } from 'node:module';
import { mkdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const SCHEMA = {
  users: ['user_id', 'name', 'email', 'avatar_url', 'preferences', 'created_at', 'updated_at'],
  reports: ['id', 'title', 'author', 'date', 'user_id', 'reference', 'favorites', 'created_at', 'updated_at'],
  product_embeddings: ['product_id', 'embedding_vector', 'model_version', 'vector_dimension', 'created_at'],
};
const JSON_COLUMNS = new Set(['preferences', 'reference', 'favorites', 'embedding_vector']);

function copySql(table, out) {
  const cols = SCHEMA[table].map((c) => (JSON_COLUMNS.has(c) ? `CAST(${c} AS VARCHAR) AS ${c}` : c)).join(', ');
  const file = resolve(out, `${table}.json`).replaceAll("'", "''");
  return `COPY (SELECT ${cols} FROM ${table}) TO '${file}' (FORMAT JSON)`;
}

function fail(message) {
  console.error(`duckdb-export: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const printOnly = args[0] === '--print-sql';
if (printOnly) args.shift();
if (args.length !== 2) fail('usage: node scripts/duckdb-export.mjs [--print-sql] DUCKDB_FILE OUT_DIR');
const [dbFile, outDir] = args;
if (printOnly) {
  for (const t of Object.keys(SCHEMA)) console.log(`${copySql(t, outDir)};`);
  process.exit(0);
}
if (!existsSync(dbFile)) fail(`${dbFile}: no such file`);

const peers = createRequire(new URL('../tests/peers/package.json', import.meta.url));
let duckdb;
try {
  duckdb = await import(pathToFileURL(peers.resolve('@duckdb/node-api')).href);
} catch (e) {
  fail(`@duckdb/node-api is not installed (scripts/install-deps.sh installs it in tests/peers): ${e.message}`);
}

let instance;
try {
  instance = await duckdb.DuckDBInstance.create(dbFile, { access_mode: 'READ_ONLY' });
} catch (e) {
  fail(`${dbFile}: not a DuckDB file DuckDB can open (${e.message.split('\n')[0]})`);
}
const db = await instance.connect();
const rows = (await db.runAndReadAll(
  "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position",
)).getRows();
const found = {};
for (const [table, column] of rows) (found[table] ??= []).push(column);
for (const [table, columns] of Object.entries(SCHEMA)) {
  const have = found[table];
  if (!have) fail(`${dbFile}: not the DuckDB generation's schema: no table ${table}`);
  const missing = columns.filter((c) => !have.includes(c));
  const extra = have.filter((c) => !columns.includes(c));
  if (missing.length || extra.length)
    fail(`${dbFile}: not the DuckDB generation's schema: table ${table}` +
         (missing.length ? ` lacks ${missing.join(', ')}` : '') + (extra.length ? ` has ${extra.join(', ')} besides` : ''));
}
mkdirSync(outDir, { recursive: true });
for (const table of Object.keys(SCHEMA)) {
  await db.run(copySql(table, outDir));
  const n = (await db.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0][0];
  console.log(`duckdb-export: ${table}: ${n} rows -> ${resolve(outDir, `${table}.json`)}`);
}
