// More of the store conformance suite (same fixture as store_conformance_suite.cc): scan()
// and describe_table(). What store.h promises of a scan: every item once across pages, a
// cursor that resumes after any item a scan returned, segments that split the table, items
// unchanged during the scan returned exactly once whatever else is written meanwhile.
#include <map>
#include <set>

#include "store/store_conformance.h"

namespace k9::store {

namespace {

using AV = AttributeValue;

KeySchema composite() { return {"pk", AttrType::S, "n", AttrType::N}; }

std::string id_of(const Item& item) { return item.at("pk").s() + "/" + item.at("n").n(); }

// 5 partitions of 11 items each ("p0"/0 .. "p4"/10), each with a payload.
void fill(Store& s, const std::string& t, int partitions = 5, int per_partition = 11) {
  for (int p = 0; p < partitions; ++p)
    for (int n = 0; n < per_partition; ++n)
      s.put({t, {{"pk", AV::S("p" + std::to_string(p))}, {"n", AV::N(n)}, {"v", AV::S("x" + std::to_string(n))}}});
}

// Every item of a scan from `start`, page after page (bounded), pages checked against `limit`.
std::vector<Item> scan_all(Store& s, ScanRequest r, int max_pages = 100) {
  std::vector<Item> items;
  for (int page = 0; page < max_pages; ++page) {
    auto got = s.scan(r);
    if (r.limit > 0) {
      EXPECT_LE(got.items.size(), size_t(r.limit));
    }
    items.insert(items.end(), got.items.begin(), got.items.end());
    if (got.last_evaluated_key.empty()) return items;
    r.exclusive_start_key = got.last_evaluated_key;
  }
  ADD_FAILURE() << "scan did not end within " << max_pages << " pages";
  return items;
}

std::multiset<std::string> ids(const std::vector<Item>& items) {
  std::multiset<std::string> out;
  for (auto& i : items) out.insert(id_of(i));
  return out;
}

TEST_P(StoreConformance, ScanReturnsEveryItemOnceAcrossPages) {
  auto t = make_table("scan-pages", composite());
  fill(*store_, t);
  for (int limit : {0, 1, 7, 55, 100}) {
    auto items = scan_all(*store_, {t, limit});
    auto got = ids(items);
    EXPECT_EQ(got.size(), 55u) << "limit " << limit;
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 55u) << "limit " << limit << ": duplicates";
    for (auto& i : items) EXPECT_EQ(i.at("v"), AV::S("x" + i.at("n").n())) << "whole items";
  }
  auto empty = make_table("scan-empty", composite());
  auto page = store_->scan({empty});
  EXPECT_TRUE(page.items.empty());
  EXPECT_TRUE(page.last_evaluated_key.empty());
}

TEST_P(StoreConformance, ScanResumesAfterAnyItemItReturned) {
  auto t = make_table("scan-resume", composite());
  fill(*store_, t);
  auto order = scan_all(*store_, {t, 1000});
  ASSERT_EQ(order.size(), 55u);
  // The order is fixed for unchanged contents: a second scan in small pages agrees.
  auto again = scan_all(*store_, {t, 4});
  ASSERT_EQ(again.size(), order.size());
  for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(id_of(again[i]), id_of(order[i])) << i;
  // Resuming after item k (its whole item, or only its key) gives exactly the items after it.
  for (size_t k : {size_t(0), size_t(12), size_t(53), size_t(54)}) {
    ScanRequest r{t, 6, order[k]};
    auto rest = scan_all(*store_, r);
    ASSERT_EQ(rest.size(), order.size() - k - 1) << "after item " << k;
    for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(id_of(rest[i]), id_of(order[k + 1 + i]));
    r.exclusive_start_key = {{"pk", order[k].at("pk")}, {"n", order[k].at("n")}};
    EXPECT_EQ(ids(scan_all(*store_, r)), ids(rest)) << "key only, after item " << k;
  }
}

TEST_P(StoreConformance, ScanSegmentsSplitTheTableByPartition) {
  auto t = make_table("scan-segments", composite());
  fill(*store_, t, 12, 3);
  std::multiset<std::string> all;
  std::map<std::string, int> segment_of_partition;
  for (int s = 0; s < 3; ++s) {
    for (auto& item : scan_all(*store_, {t, 5, {}, s, 3})) {
      all.insert(id_of(item));
      auto [it, fresh] = segment_of_partition.emplace(item.at("pk").s(), s);
      EXPECT_EQ(it->second, s) << "partition " << item.at("pk").s() << " in two segments";
    }
  }
  EXPECT_EQ(all.size(), 36u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 36u) << "an item in two segments";
  EXPECT_THROW(store_->scan({t, 5, {}, 3, 3}), ValidationError);
  EXPECT_THROW(store_->scan({t, 5, {}, 0, 0}), ValidationError);
  EXPECT_THROW(store_->scan({t, -1}), ValidationError);
}

TEST_P(StoreConformance, ScanUnderWritesReturnsUnchangedItemsExactlyOnce) {
  auto t = make_table("scan-writes", composite());
  fill(*store_, t, 4, 10);  // the stable items: never touched below
  for (int i = 0; i < 10; ++i) {
    store_->put({t, {{"pk", AV::S("changed")}, {"n", AV::N(i)}, {"v", AV::S("before")}}});
    store_->put({t, {{"pk", AV::S("victim")}, {"n", AV::N(i)}, {"v", AV::S("doomed")}}});
  }
  ScanRequest r{t, 4};
  std::vector<Item> seen;
  for (int page = 0; page < 100; ++page) {
    auto got = store_->scan(r);
    seen.insert(seen.end(), got.items.begin(), got.items.end());
    // Between pages: one item changed, one deleted, one added.
    if (page < 10) {
      store_->put({t, {{"pk", AV::S("changed")}, {"n", AV::N(page)}, {"v", AV::S("after")}}});
      store_->remove({t, {{"pk", AV::S("victim")}, {"n", AV::N(page)}}});
      store_->put({t, {{"pk", AV::S("new")}, {"n", AV::N(page)}, {"v", AV::S("new")}}});
    }
    if (got.last_evaluated_key.empty()) break;
    r.exclusive_start_key = got.last_evaluated_key;
  }
  std::map<std::string, int> times;
  for (auto& item : seen) {
    ++times[id_of(item)];
    if (item.at("pk").s() == "changed")
      EXPECT_TRUE(item.at("v") == AV::S("before") || item.at("v") == AV::S("after")) << id_of(item);
  }
  for (auto& [id, n] : times) EXPECT_EQ(n, 1) << id << " returned " << n << " times";
  for (int p = 0; p < 4; ++p)
    for (int n = 0; n < 10; ++n)
      EXPECT_EQ(times["p" + std::to_string(p) + "/" + std::to_string(n)], 1) << "stable item p" << p << "/" << n;
}

TEST_P(StoreConformance, DescribeTableAnswersKeysAndIndexes) {
  IndexSchema by_n{"ByN", {"n", AttrType::N, "pk", AttrType::S}};
  auto t = make_table("describe", composite(), {by_n});
  auto d = store_->describe_table(t);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, t);
  EXPECT_EQ(d->key.partition_key, "pk");
  EXPECT_EQ(d->key.partition_type, AttrType::S);
  EXPECT_EQ(d->key.sort_key, "n");
  EXPECT_EQ(d->key.sort_type, AttrType::N);
  ASSERT_EQ(d->indexes.size(), 1u);
  EXPECT_EQ(d->indexes[0].name, "ByN");
  EXPECT_EQ(d->indexes[0].key.partition_key, "n");
  EXPECT_EQ(d->indexes[0].key.sort_key, "pk");
  EXPECT_FALSE(store_->describe_table(t + "-absent"));
  EXPECT_THROW(store_->scan({t + "-absent"}), ValidationError);
}

}  // namespace

}  // namespace k9::store
