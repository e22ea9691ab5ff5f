// The embedded store: the Store interface (store/store.h) on one SQLite file in WAL mode.
// Writes go through a group-commit writer (one fsync per group; durable on return); reads
// use a pool of read connections and see every acknowledged write.
//
// Layout: one SQLite table per store table, `(pk, sk, item, <index>#pk, <index>#sk ...)`,
// keys as order-preserving BLOBs (key_encoding.h), items as DynamoDB JSON, and one partial
// SQLite index per secondary index. Table schemas are kept in `_k9_tables`.
// Inside the folder: the table catalog (table_catalog.h), query planning (query_plan.h),
// conditional writes and transactions (transactions.h), the group-commit writer
// (group_commit.h) and the background checkpoints (checkpointer.h).
#pragma once
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/sqlite/store_lock.h"
#include "store/store.h"

namespace k9::store::sqlite {

class Connection;
class GroupCommitWriter;
class Checkpointer;

class SqliteStore final : public Store {
 public:
  // Opens or creates the database file; its folder must exist.
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;

  void ensure_table(const TableSchema& schema) override;
  std::optional<Item> get(const std::string& table, const Item& key) override;
  void put(const PutRequest& request) override;
  Item update(const UpdateRequest& request) override;
  std::optional<Item> remove(const DeleteRequest& request) override;
  QueryResult query(const QueryRequest& request) override;
  size_t count(const QueryRequest& request) override;
  QueryResult scan(const ScanRequest& request) override;
  std::optional<TableSchema> describe_table(const std::string& table) override;
  std::vector<Item> batch_get(const std::string& table, const std::vector<Item>& keys) override;
  void batch_write(const std::string& table, const std::vector<Item>& puts,
                   const std::vector<Item>& delete_keys) override;
  void transact_write(const std::vector<TransactItem>& items) override;
  bool healthy() override;
  bool reads_are_local() const override { return true; }  // WAL: readers never wait on the writer
  bool single_writer() const override { return true; }    // one k9 serve per data folder (README)

  // Group commit figures: commits and writes since open.
  std::pair<uint64_t, uint64_t> commit_stats() const;
  // WAL frames copied into the database by the background checkpointer since open.
  uint64_t checkpointed_frames() const;

  struct Table;  // schema plus its SQL statements

 private:
  class ReadLease;
  std::shared_ptr<const Table> table(const std::string& name) const;
  std::unique_ptr<Connection> acquire_reader();
  void release_reader(std::unique_ptr<Connection> c);
  void load_tables();

  std::string path_;
  StoreLock lock_;  // shared, while open: a restore never replaces a store in use
  mutable std::shared_mutex tables_mu_;
  std::unordered_map<std::string, std::shared_ptr<const Table>> tables_;
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<Checkpointer> checkpointer_;
};

}  // namespace k9::store::sqlite
