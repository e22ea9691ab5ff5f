// A Store that times every call of another and reports it to an OperationTap ("store.get",
// "store.query"...; failed when it threw), and otherwise is that store: same answers, same
// errors, same facts (reads_are_local, single_writer, retries). The wiring puts it between the
// repositories and the adapter, so metrics see every backend call whatever the adapter.
#pragma once
#include "core/operation_tap.h"
#include "store/store.h"

namespace k9::store {

class ObservedStore final : public Store {
 public:
  ObservedStore(Store& inner, const OperationTap& tap) : inner_(inner), tap_(tap) {}

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
  bool healthy() override { return inner_.healthy(); }
  bool reads_are_local() const override { return inner_.reads_are_local(); }
  bool single_writer() const override { return inner_.single_writer(); }
  uint64_t retries() const override { return inner_.retries(); }

 private:
  Store& inner_;
  const OperationTap& tap_;
};

}  // namespace k9::store
