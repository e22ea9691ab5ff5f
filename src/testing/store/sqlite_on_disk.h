// The test kit's store: a real SQLite store in a test's folder with K9's tables, as `k9 serve`
// lays them out (repo::Tables' defaults: k9-<table>-dev). For tests below the API; the API's
// own wiring is testing/api_app.h.
#pragma once
#include <filesystem>
#include <memory>

#include "repo/tables.h"
#include "store/sqlite/sqlite_store.h"

namespace k9::testkit {

// The table names of an environment that sets none of the table variables.
repo::Tables default_tables();

// <folder>/k9.db (the folder made when missing) with the tables of `tables.schemas()` ensured.
// Opening an existing file keeps what it holds (a test that reopens its store).
std::unique_ptr<store::sqlite::SqliteStore> open_sqlite(const std::filesystem::path& folder,
                                                        const repo::Tables& tables = default_tables());

}  // namespace k9::testkit
