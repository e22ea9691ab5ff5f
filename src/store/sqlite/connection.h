// A thin RAII layer over one sqlite3 connection with a prepared-statement cache.
// Errors become store errors: SQLITE_FULL / IOERR / BUSY -> Unavailable, others -> StoreError.
#pragma once
#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace k9::store::sqlite {

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement() { sqlite3_reset(stmt_); sqlite3_clear_bindings(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, std::string_view blob);  // binds as BLOB
  Statement& bind_text(int i, std::string_view text);
  Statement& bind_int(int i, long long v);
  Statement& bind_null(int i);
  // Steps once; true while a row is available.
  bool step();
  std::string_view column_blob(int i) const;
  long long column_int(int i) const;
  bool column_is_null(int i) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens (creating when absent) with WAL, synchronous=FULL, a busy timeout and reads
  // through mmap (no read syscalls for pages already in the page cache).
  explicit Connection(const std::string& path, bool read_only = false);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const std::string& sql);
  // Runs one statement without results through the statement cache (BEGIN, SAVEPOINT, ...).
  void run(const std::string& sql) { prepare(sql).step(); }
  // A cached prepared statement, reset when the returned object goes out of scope.
  Statement prepare(const std::string& sql);
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// Throws the store error matching an SQLite result code.
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what);

}  // namespace k9::store::sqlite
