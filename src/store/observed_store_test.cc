// ObservedStore on the real SQLite store: every call reaches the store unchanged and is
// reported once, by operation, failed when it threw; with no sink attached nothing is timed.
#include "store/observed_store.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "store/sqlite/sqlite_store.h"
#include "testing/base/temp_dir.h"

namespace k9::store {
namespace {

class CountingSink final : public OperationSink {
 public:
  void record_operation(std::string_view op, std::chrono::nanoseconds d, bool ok) noexcept override {
    std::lock_guard lock(mu_);
    ++(ok ? done_ : failed_)[std::string(op)];
    EXPECT_GE(d.count(), 0);
  }
  int done(const std::string& op) { std::lock_guard lock(mu_); return done_[op]; }
  int failed(const std::string& op) { std::lock_guard lock(mu_); return failed_[op]; }

 private:
  std::mutex mu_;
  std::map<std::string, int> done_, failed_;
};

TEST(ObservedStore, ReportsEveryCallAndChangesNothing) {
  testkit::TempDir dir{"observed-store"};
  sqlite::SqliteStore inner((dir.path() / "k9.db").string());
  OperationTap tap;
  ObservedStore store(inner, tap);
  TableSchema schema;
  schema.name = "t";
  schema.key.partition_key = "id";
  store.ensure_table(schema);  // before a sink: not counted
  CountingSink sink;
  tap.attach(&sink);

  Item item{{"id", AttributeValue::S("a")}, {"n", AttributeValue::N(1)}};
  store.put({"t", item, ""});
  EXPECT_EQ(store.get("t", {{"id", AttributeValue::S("a")}}), item);
  EXPECT_THROW(store.put({"t", item, "attribute_not_exists(id)"}), ConditionFailed);
  EXPECT_EQ(inner.get("t", {{"id", AttributeValue::S("a")}}), item);
  EXPECT_EQ(sink.done("store.put"), 1);
  EXPECT_EQ(sink.failed("store.put"), 1);
  EXPECT_EQ(sink.done("store.get"), 1);
  EXPECT_EQ(sink.done("store.ensure_table"), 0);
  EXPECT_EQ(store.scan({"t", 10, {}}).items, std::vector<Item>{item});
  EXPECT_EQ(store.describe_table("t")->key.partition_key, "id");
  EXPECT_THROW(store.scan({"absent", 10, {}}), ValidationError);
  EXPECT_EQ(sink.done("store.scan"), 1);
  EXPECT_EQ(sink.failed("store.scan"), 1);
  EXPECT_EQ(sink.done("store.describe_table"), 1);
  EXPECT_TRUE(store.reads_are_local());
  EXPECT_TRUE(store.single_writer());
  EXPECT_EQ(store.retries(), 0u);

  tap.attach(nullptr);
  store.get("t", {{"id", AttributeValue::S("a")}});
  EXPECT_EQ(sink.done("store.get"), 1);  // detached: not reported
}

}  // namespace
}  // namespace k9::store
