#include <atomic>
#include <set>
#include <thread>

#include "core/random.h"
#include "core/encoding.h"
#include "store/store_conformance.h"

namespace k9::store {

using AV = AttributeValue;

void StoreConformance::SetUp() { store_ = GetParam().open(); }

std::string StoreConformance::make_table(const std::string& prefix, KeySchema key, std::vector<IndexSchema> indexes) {
  std::string name = "conf-" + prefix + "-" + hex_encode(random_bytes(4));
  store_->ensure_table({name, std::move(key), std::move(indexes)});
  return name;
}

std::vector<Item> StoreConformance::query_all_pages(QueryRequest q) {
  std::vector<Item> items;
  for (int pages = 0; pages < 10; ++pages) {
    auto r = store_->query(q);
    if (q.limit > 0) EXPECT_LE(r.items.size(), size_t(q.limit));
    items.insert(items.end(), r.items.begin(), r.items.end());
    if (r.last_evaluated_key.empty()) break;
    q.exclusive_start_key = r.last_evaluated_key;
  }
  return items;
}

namespace {

KeySchema hash_key(std::string pk = "id", AttrType t = AttrType::S) { return {std::move(pk), t, "", AttrType::S}; }
KeySchema hash_range(std::string pk, AttrType pt, std::string sk, AttrType st) { return {pk, pt, sk, st}; }
Item key(const std::string& id) { return {{"id", AV::S(id)}}; }

std::vector<std::string> ids_of(const std::vector<Item>& items, const std::string& attr) {
  std::vector<std::string> out;
  for (auto& i : items) {
    auto& v = i.at(attr);
    out.push_back(v.type() == AttrType::N ? v.n() : v.s());
  }
  return out;
}

TEST_P(StoreConformance, PutGetRoundTripsEveryType) {
  auto t = make_table("types", hash_key());
  Item item{{"id", AV::S("a")},
            {"s", AV::S("héllo \"wörld\"")},
            {"n", AV::N("12345678901234567890.123456789012345678")},
            {"neg", AV::N("-0.000001")},
            {"b", AV::B(std::string("\0\x01\xfe\xff", 4))},
            {"t", AV::Bool(true)},
            {"f", AV::Bool(false)},
            {"z", AV::Null()},
            {"m", AV::M({{"inner", AV::M({{"x", AV::N("1")}})}, {"l", AV::L({})}})},
            {"l", AV::L({AV::S("x"), AV::N("2"), AV::L({AV::Bool(true)})})},
            {"ss", AV::SS({"b", "a"})},
            {"ns", AV::NS({"3", "1.5"})},
            {"bs", AV::BS({std::string("\x00", 1), "z"})}};
  store_->put({t, item});
  auto got = store_->get(t, key("a"));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, item);
  EXPECT_EQ(got->at("n").n(), "12345678901234567890.123456789012345678");
  EXPECT_FALSE(store_->get(t, key("absent")));
}

TEST_P(StoreConformance, PutReplacesWholeItem) {
  auto t = make_table("replace", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"x", AV::N(1)}, {"y", AV::N(2)}}});
  store_->put({t, {{"id", AV::S("a")}, {"x", AV::N(3)}}});
  auto got = store_->get(t, key("a"));
  EXPECT_EQ(got->size(), 2u);
  EXPECT_EQ(got->at("x"), AV::N(3));
}

TEST_P(StoreConformance, ConditionalPutRefusesExistingKeyAndChangesNothing) {
  auto t = make_table("cond-put", hash_key());
  Item first{{"id", AV::S("a")}, {"v", AV::S("first")}};
  PutRequest create{t, first, "attribute_not_exists(id)"};
  store_->put(create);
  create.item["v"] = AV::S("second");
  EXPECT_THROW(store_->put(create), ConditionFailed);
  EXPECT_EQ(*store_->get(t, key("a")), first);
}

TEST_P(StoreConformance, ConditionWithPlaceholdersAndOwnership) {
  auto t = make_table("owner", hash_key());
  store_->put({t, {{"id", AV::S("r1")}, {"user_id", AV::S("alice")}, {"title", AV::S("old")}}});
  UpdateRequest u{t, key("r1"), "SET #t = :t", "attribute_exists(id) AND user_id = :u",
                  {{"#t", "title"}}, {{":t", AV::S("new")}, {":u", AV::S("bob")}}};
  EXPECT_THROW(store_->update(u), ConditionFailed);
  EXPECT_EQ(store_->get(t, key("r1"))->at("title"), AV::S("old"));
  u.values[":u"] = AV::S("alice");
  Item after = store_->update(u);
  EXPECT_EQ(after.at("title"), AV::S("new"));
  EXPECT_EQ(store_->get(t, key("r1"))->at("title"), AV::S("new"));
  // Ownership on an absent item fails too: no upsert.
  u.key = key("r2");
  EXPECT_THROW(store_->update(u), ConditionFailed);
  EXPECT_FALSE(store_->get(t, key("r2")));
}

TEST_P(StoreConformance, ConditionOperators) {
  auto t = make_table("ops", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"n", AV::N(5)}, {"s", AV::S("hello")}, {"l", AV::L({AV::S("x")})}}});
  auto holds = [&](const std::string& cond, Values values = {}, Names names = {}) {
    try {
      store_->update({t, key("a"), "SET touched = :touch", cond, names,
                      [&] { values[":touch"] = AV::Bool(true); return values; }()});
      return true;
    } catch (const ConditionFailed&) {
      return false;
    }
  };
  EXPECT_TRUE(holds("n = :v", {{":v", AV::N("5.0")}}));
  EXPECT_TRUE(holds("n <> :v", {{":v", AV::N(6)}}));
  EXPECT_TRUE(holds("n < :v", {{":v", AV::N(10)}}));
  EXPECT_FALSE(holds("n > :v", {{":v", AV::N(10)}}));
  EXPECT_TRUE(holds("n <= :v AND n >= :v", {{":v", AV::N(5)}}));
  EXPECT_TRUE(holds("n BETWEEN :a AND :b", {{":a", AV::N(1)}, {":b", AV::N(5)}}));
  EXPECT_TRUE(holds("begins_with(s, :p)", {{":p", AV::S("he")}}));
  EXPECT_FALSE(holds("begins_with(s, :p)", {{":p", AV::S("lo")}}));
  EXPECT_TRUE(holds("contains(l, :x) AND size(s) = :five", {{":x", AV::S("x")}, {":five", AV::N(5)}}));
  EXPECT_TRUE(holds("NOT (n = :a OR n = :b)", {{":a", AV::N(1)}, {":b", AV::N(2)}}));
  EXPECT_TRUE(holds("n IN (:a, :b)", {{":a", AV::N(1)}, {":b", AV::N(5)}}));
  EXPECT_TRUE(holds("attribute_not_exists(#missing) AND attribute_exists(s)", {}, {{"#missing", "nope"}}));
  EXPECT_TRUE(holds("attribute_type(s, :t)", {{":t", AV::S("S")}}));
  EXPECT_FALSE(holds("s = :n", {{":n", AV::N(5)}}));  // type mismatch is false, not an error
}

TEST_P(StoreConformance, UpdateSetRemoveAddWithExactNumbers) {
  auto t = make_table("update", hash_key());
  Item r = store_->update({t, key("c"), "SET a = :a, m = :m ADD n :x", "", {},
                           {{":a", AV::S("x")}, {":m", AV::M({})}, {":x", AV::N("0.1")}}});
  EXPECT_EQ(r.at("n").n(), "0.1");
  r = store_->update({t, key("c"), "ADD n :x SET m.k = :k, l = list_append(if_not_exists(l, :e), :one) REMOVE a",
                      "", {}, {{":x", AV::N("0.2")}, {":k", AV::N(7)}, {":e", AV::L({})}, {":one", AV::L({AV::N(1)})}}});
  EXPECT_EQ(r.at("n").n(), "0.3");
  EXPECT_FALSE(r.count("a"));
  EXPECT_EQ(r.at("m").m().at("k"), AV::N(7));
  EXPECT_EQ(r.at("l").l().size(), 1u);
  EXPECT_EQ(*store_->get(t, key("c")), r);
  r = store_->update({t, key("c"), "ADD tags :t", "", {}, {{":t", AV::SS({"a", "b"})}}});
  r = store_->update({t, key("c"), "DELETE tags :t", "", {}, {{":t", AV::SS({"a"})}}});
  EXPECT_EQ(r.at("tags"), AV::SS({"b"}));
}

TEST_P(StoreConformance, UpdateRefusesKeyAttributes) {
  auto t = make_table("keyupd", hash_key());
  store_->put({t, {{"id", AV::S("a")}}});
  EXPECT_THROW(store_->update({t, key("a"), "SET id = :v", "", {}, {{":v", AV::S("b")}}}), ValidationError);
  EXPECT_TRUE(store_->get(t, key("a")));
}

TEST_P(StoreConformance, DeleteIsConditionalAndReturnsOldItem) {
  auto t = make_table("delete", hash_key());
  Item item{{"id", AV::S("a")}, {"user_id", AV::S("alice")}};
  store_->put({t, item});
  DeleteRequest d{t, key("a"), "user_id = :u", {}, {{":u", AV::S("mallory")}}};
  EXPECT_THROW(store_->remove(d), ConditionFailed);
  EXPECT_TRUE(store_->get(t, key("a")));
  d.values[":u"] = AV::S("alice");
  auto old = store_->remove(d);
  ASSERT_TRUE(old);
  EXPECT_EQ(*old, item);
  EXPECT_FALSE(store_->get(t, key("a")));
  EXPECT_FALSE(store_->remove({t, key("a")}));
}

TEST_P(StoreConformance, ValidationErrors) {
  auto t = make_table("valid", hash_key());
  EXPECT_THROW(store_->get(t, {{"id", AV::N(1)}}), ValidationError);
  EXPECT_THROW(store_->get(t, {{"other", AV::S("x")}}), ValidationError);
  EXPECT_THROW(store_->put({t, {{"x", AV::S("no key")}}}), ValidationError);
  EXPECT_THROW(store_->put({t, {{"id", AV::S("")}}}), ValidationError);
  EXPECT_THROW(store_->put({t, {{"id", AV::S("a")}}, "attribute_exists(id)", {}, {{":unused", AV::N(1)}}}),
               ValidationError);
  EXPECT_THROW(store_->put({t, {{"id", AV::S("a")}}, "x = :undefined"}), ValidationError);
  EXPECT_THROW(store_->put({t, {{"id", AV::S("a")}}, "((("}), ValidationError);
  EXPECT_FALSE(store_->get(t, key("a")));
}

TEST_P(StoreConformance, QueriesSortKeyInBothDirectionsWithPaging) {
  auto t = make_table("query", hash_range("user", AttrType::S, "n", AttrType::N));
  std::vector<std::string> numbers{"-10", "-1.5", "-1", "0", "0.5", "2", "10", "100"};
  for (auto& n : numbers) store_->put({t, {{"user", AV::S("u")}, {"n", AV::N(n)}}});
  store_->put({t, {{"user", AV::S("other")}, {"n", AV::N(1)}}});

  QueryRequest q{t, "", AV::S("u")};
  EXPECT_EQ(ids_of(store_->query(q).items, "n"), numbers);
  q.forward = false;
  auto back = ids_of(store_->query(q).items, "n");
  EXPECT_EQ(back, std::vector<std::string>(numbers.rbegin(), numbers.rend()));

  q.forward = true;
  q.limit = 3;
  EXPECT_EQ(ids_of(query_all_pages(q), "n"), numbers);
  q.limit = 0;

  auto with = [&](SortOp op, AV v, AV v2 = AV()) {
    QueryRequest qq{t, "", AV::S("u"), SortCondition{op, v, v2}};
    return ids_of(store_->query(qq).items, "n");
  };
  EXPECT_EQ(with(SortOp::EQ, AV::N("0.50")), std::vector<std::string>{"0.5"});
  EXPECT_EQ(with(SortOp::LT, AV::N(-1)), (std::vector<std::string>{"-10", "-1.5"}));
  EXPECT_EQ(with(SortOp::LE, AV::N(-1)), (std::vector<std::string>{"-10", "-1.5", "-1"}));
  EXPECT_EQ(with(SortOp::GT, AV::N(2)), (std::vector<std::string>{"10", "100"}));
  EXPECT_EQ(with(SortOp::GE, AV::N(2)), (std::vector<std::string>{"2", "10", "100"}));
  EXPECT_EQ(with(SortOp::BETWEEN, AV::N(-1), AV::N(2)), (std::vector<std::string>{"-1", "0", "0.5", "2"}));
  EXPECT_EQ(store_->count(q), numbers.size());
}

TEST_P(StoreConformance, BeginsWithOnStringSortKey) {
  auto t = make_table("prefix", hash_range("pk", AttrType::S, "sk", AttrType::S));
  for (auto s : {"a", "ab", "abc", "abd", "b", "aa"}) store_->put({t, {{"pk", AV::S("p")}, {"sk", AV::S(s)}}});
  QueryRequest q{t, "", AV::S("p"), SortCondition{SortOp::BEGINS_WITH, AV::S("ab")}};
  EXPECT_EQ(ids_of(store_->query(q).items, "sk"), (std::vector<std::string>{"ab", "abc", "abd"}));
  EXPECT_EQ(store_->count(q), 3u);
}

TEST_P(StoreConformance, SparseSecondaryIndexOrderedAndPaged) {
  auto t = make_table("gsi", hash_key(), {{"ByUser", {"user_id", AttrType::S, "created_at", AttrType::S}}});
  for (int i = 0; i < 7; ++i) {
    char ts[32];
    snprintf(ts, sizeof ts, "2026-01-0%dT00:00:00.000Z", i + 1);
    // Two items share a timestamp: the index orders them by table key as well.
    store_->put({t, {{"id", AV::S("r" + std::to_string(i))}, {"user_id", AV::S("alice")},
                     {"created_at", AV::S(i == 6 ? "2026-01-06T00:00:00.000Z" : ts)}}});
  }
  store_->put({t, {{"id", AV::S("bob1")}, {"user_id", AV::S("bob")}, {"created_at", AV::S("2026-01-01T00:00:00.000Z")}}});
  store_->put({t, {{"id", AV::S("nouser")}, {"created_at", AV::S("2026-01-01T00:00:00.000Z")}}});

  QueryRequest q{t, "ByUser", AV::S("alice")};
  q.forward = false;
  q.limit = 2;
  std::vector<std::string> seen = ids_of(query_all_pages(q), "id");
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen.back(), "r0");
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u);
  EXPECT_EQ(store_->count({t, "ByUser", AV::S("alice")}), 7u);
  EXPECT_EQ(store_->count({t, "ByUser", AV::S("bob")}), 1u);

  // Removing the index attribute takes the item out of the index.
  store_->update({t, key("r3"), "REMOVE user_id"});
  EXPECT_EQ(store_->count({t, "ByUser", AV::S("alice")}), 6u);
  // A wrongly typed index attribute is refused.
  EXPECT_THROW(store_->put({t, {{"id", AV::S("x")}, {"user_id", AV::N(1)}, {"created_at", AV::S("t")}}}),
               ValidationError);
}

TEST_P(StoreConformance, BatchGetAndWrite) {
  auto t = make_table("batch", hash_key());
  std::vector<Item> puts;
  for (int i = 0; i < 20; ++i) puts.push_back({{"id", AV::S("k" + std::to_string(i))}, {"v", AV::N(i)}});
  store_->batch_write(t, puts, {});
  std::vector<Item> keys;
  for (int i = 0; i < 25; ++i) keys.push_back(key("k" + std::to_string(i)));
  EXPECT_EQ(store_->batch_get(t, keys).size(), 20u);
  store_->batch_write(t, {{{"id", AV::S("new")}}}, {key("k0"), key("k1")});
  EXPECT_FALSE(store_->get(t, key("k0")));
  EXPECT_TRUE(store_->get(t, key("new")));
  EXPECT_THROW(store_->batch_get(t, {key("a"), key("a")}), ValidationError);
}

TEST_P(StoreConformance, TransactionIsAllOrNothing) {
  auto users = make_table("tx-users", hash_key());
  auto reports = make_table("tx-reports", hash_key());
  store_->put({users, {{"id", AV::S("alice")}, {"count", AV::N(0)}}});
  store_->put({reports, {{"id", AV::S("taken")}}});

  std::vector<TransactItem> tx{
      PutRequest{reports, {{"id", AV::S("new")}}, "attribute_not_exists(id)"},
      UpdateRequest{users, key("alice"), "ADD #c :one", "", {{"#c", "count"}}, {{":one", AV::N(1)}}},
      PutRequest{reports, {{"id", AV::S("taken")}, {"v", AV::N(1)}}, "attribute_not_exists(id)"},
  };
  try {
    store_->transact_write(tx);
    FAIL() << "expected TransactionCanceled";
  } catch (const TransactionCanceled& e) {
    EXPECT_EQ(e.reasons(), (std::vector<std::string>{"None", "None", "ConditionalCheckFailed"}));
  }
  EXPECT_FALSE(store_->get(reports, key("new")));
  EXPECT_EQ(store_->get(users, key("alice"))->at("count"), AV::N(0));
  EXPECT_FALSE(store_->get(reports, key("taken"))->count("v"));

  tx.pop_back();
  tx.push_back(ConditionCheck{reports, key("taken"), "attribute_exists(id)"});
  tx.push_back(DeleteRequest{reports, key("taken")});
  EXPECT_THROW(store_->transact_write(tx), ValidationError);  // two operations on one item
  tx.pop_back();
  store_->transact_write(tx);
  EXPECT_TRUE(store_->get(reports, key("new")));
  EXPECT_EQ(store_->get(users, key("alice"))->at("count"), AV::N(1));
}

TEST_P(StoreConformance, EnsureTableKeepsData) {
  auto t = make_table("ensure", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"g", AV::S("x")}}});
  store_->ensure_table({t, hash_key(), {}});
  EXPECT_TRUE(store_->get(t, key("a")));
}

TEST_P(StoreConformance, ConcurrentConditionalIncrementsAreExact) {
  auto t = make_table("concurrent", hash_key());
  store_->put({t, {{"id", AV::S("c")}, {"version", AV::N(0)}}});
  constexpr int kThreads = 8, kEach = 15;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int done = 0; done < kEach;) {
        auto cur = store_->get(t, key("c"))->at("version").n();
        try {
          store_->update({t, key("c"), "SET version = version + :one", "version = :cur", {},
                          {{":one", AV::N(1)}, {":cur", AV::N(cur)}}});
          ++done;
        } catch (const ConditionFailed&) {
          ++conflicts;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store_->get(t, key("c"))->at("version"), AV::N(kThreads * kEach));
}

}  // namespace
}  // namespace k9::store
