// More of the store conformance suite (same fixture as store_conformance_suite.cc): the
// finer points of DynamoDB's semantics that an implementation can easily get wrong —
// missing attributes in comparisons, document paths, sets, byte ordering, size limits,
// expression validation. The expected behaviour is DynamoDB's, as DynamoDB Local shows it.
#include <set>

#include "core/encoding.h"
#include "core/random.h"
#include "store/store_conformance.h"

namespace k9::store {

namespace {

using AV = AttributeValue;

KeySchema hash_key() { return {"id", AttrType::S, "", AttrType::S}; }
Item key(const std::string& id) { return {{"id", AV::S(id)}}; }

class Probe {
 public:
  Probe(Store& s, std::string table) : s_(s), t_(std::move(table)) {}
  // Whether `cond` holds for item "a" (an update that touches nothing else).
  bool holds(const std::string& cond, Values values = {}, Names names = {}) {
    values[":touch"] = AV::Bool(true);
    try {
      s_.update({t_, key("a"), "SET touched = :touch", cond, names, values});
      return true;
    } catch (const ConditionFailed&) {
      return false;
    }
  }

 private:
  Store& s_;
  std::string t_;
};

TEST_P(StoreConformance, ComparisonsWithMissingAttributesAreFalse) {
  auto t = make_table("missing", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"n", AV::N(1)}}});
  Probe p(*store_, t);
  EXPECT_FALSE(p.holds("nope = :v", {{":v", AV::N(1)}}));
  EXPECT_FALSE(p.holds("nope < :v", {{":v", AV::N(1)}}));
  EXPECT_TRUE(p.holds("nope <> :v", {{":v", AV::N(1)}}));
  EXPECT_FALSE(p.holds("nope BETWEEN :a AND :b", {{":a", AV::N(0)}, {":b", AV::N(2)}}));
  EXPECT_FALSE(p.holds("nope IN (:a)", {{":a", AV::N(1)}}));
  EXPECT_FALSE(p.holds("begins_with(nope, :a)", {{":a", AV::S("x")}}));
  EXPECT_FALSE(p.holds("contains(nope, :a)", {{":a", AV::S("x")}}));
  EXPECT_TRUE(p.holds("NOT contains(nope, :a)", {{":a", AV::S("x")}}));
  EXPECT_FALSE(p.holds("size(nope) = :z", {{":z", AV::N(0)}}));
  EXPECT_FALSE(p.holds("n = :s", {{":s", AV::S("1")}}));
  EXPECT_TRUE(p.holds("n <> :s", {{":s", AV::S("1")}}));
}

TEST_P(StoreConformance, ContainsSizeAndTypesAcrossAttributeTypes) {
  auto t = make_table("contains", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"s", AV::S("héllo")}, {"ss", AV::SS({"x", "y"})}, {"ns", AV::NS({"1", "2"})},
                   {"l", AV::L({AV::N(1), AV::S("two")})}, {"m", AV::M({{"k", AV::N(1)}, {"j", AV::N(2)}})},
                   {"b", AV::B("abc")}, {"z", AV::Null()}, {"t", AV::Bool(true)}}});
  Probe p(*store_, t);
  EXPECT_TRUE(p.holds("contains(s, :v)", {{":v", AV::S("éll")}}));
  EXPECT_TRUE(p.holds("contains(ss, :v)", {{":v", AV::S("y")}}));
  EXPECT_TRUE(p.holds("contains(ns, :v)", {{":v", AV::N("2.0")}}));
  EXPECT_FALSE(p.holds("contains(ns, :v)", {{":v", AV::S("2")}}));
  EXPECT_TRUE(p.holds("contains(l, :v)", {{":v", AV::S("two")}}));
  EXPECT_TRUE(p.holds("contains(l, :v)", {{":v", AV::N(1)}}));
  EXPECT_TRUE(p.holds("size(ss) = :n AND size(l) = :n AND size(m) = :n", {{":n", AV::N(2)}}));
  EXPECT_TRUE(p.holds("size(b) = :n", {{":n", AV::N(3)}}));
  for (auto [path, type] : std::vector<std::pair<std::string, std::string>>{
           {"s", "S"}, {"ss", "SS"}, {"ns", "NS"}, {"l", "L"}, {"m", "M"}, {"b", "B"}, {"z", "NULL"}, {"t", "BOOL"}})
    EXPECT_TRUE(p.holds("attribute_type(" + path + ", :t)", {{":t", AV::S(type)}})) << path;
  EXPECT_TRUE(p.holds("m.k = :one AND l[1] = :two", {{":one", AV::N(1)}, {":two", AV::S("two")}}));
  EXPECT_FALSE(p.holds("l[5] = :one", {{":one", AV::N(1)}}));
  EXPECT_TRUE(p.holds("z = :null", {{":null", AV::Null()}}));
  EXPECT_TRUE(p.holds("m = :m", {{":m", AV::M({{"j", AV::N(2)}, {"k", AV::N("1.0")}})}}));
}

TEST_P(StoreConformance, DocumentPathsInUpdates) {
  auto t = make_table("paths", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"l", AV::L({AV::S("x"), AV::S("y"), AV::S("z")})}, {"m", AV::M({})}}});
  Item r = store_->update({t, key("a"), "REMOVE l[0] SET m.#dot = :v", "", {{"#dot", "a.b"}}, {{":v", AV::N(1)}}});
  EXPECT_EQ(r.at("l"), AV::L({AV::S("y"), AV::S("z")}));
  EXPECT_EQ(r.at("m").m().at("a.b"), AV::N(1));
  // Setting past the end of a list appends.
  r = store_->update({t, key("a"), "SET l[10] = :v", "", {}, {{":v", AV::S("end")}}});
  EXPECT_EQ(r.at("l").l().size(), 3u);
  EXPECT_EQ(r.at("l").l().back(), AV::S("end"));
  // A path through a missing map is refused and changes nothing.
  EXPECT_THROW(store_->update({t, key("a"), "SET nope.x = :v", "", {}, {{":v", AV::N(1)}}}), ValidationError);
  // Arithmetic on a missing attribute is refused; if_not_exists makes it work.
  EXPECT_THROW(store_->update({t, key("a"), "SET c = c + :one", "", {}, {{":one", AV::N(1)}}}), ValidationError);
  r = store_->update({t, key("a"), "SET c = if_not_exists(c, :zero) + :one", "", {}, {{":zero", AV::N(0)}, {":one", AV::N(1)}}});
  EXPECT_EQ(r.at("c"), AV::N(1));
  // ADD to a string is refused; overlapping paths are refused.
  EXPECT_THROW(store_->update({t, key("a"), "ADD l :one", "", {}, {{":one", AV::N(1)}}}), ValidationError);
  EXPECT_THROW(store_->update({t, key("a"), "SET m.k = :v REMOVE m", "", {}, {{":v", AV::N(1)}}}), ValidationError);
  EXPECT_THROW(store_->update({t, key("a"), "SET c = :v, c = :v", "", {}, {{":v", AV::N(1)}}}), ValidationError);
  EXPECT_EQ(store_->get(t, key("a"))->at("c"), AV::N(1));
}

TEST_P(StoreConformance, SetsNeverBecomeEmpty) {
  auto t = make_table("sets", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"tags", AV::SS({"x", "y"})}, {"nums", AV::NS({"1"})}}});
  Item r = store_->update({t, key("a"), "DELETE tags :all ADD nums :more", "", {},
                           {{":all", AV::SS({"x", "y"})}, {":more", AV::NS({"1.0", "2"})}}});
  EXPECT_FALSE(r.count("tags")) << "a set emptied by DELETE is removed";
  EXPECT_EQ(r.at("nums"), AV::NS({"1", "2"}));
  EXPECT_THROW(store_->put({t, {{"id", AV::S("b")}, {"tags", AV::SS({})}}}), ValidationError);
  EXPECT_THROW(store_->put({t, {{"id", AV::S("b")}, {"m", AV::M({{"inner", AV::NS({})}})}}}), ValidationError);
  EXPECT_FALSE(store_->get(t, key("b")));
  EXPECT_THROW(store_->update({t, key("a"), "SET tags = :e", "", {}, {{":e", AV::SS({})}}}), ValidationError);
  EXPECT_FALSE(store_->get(t, key("a"))->count("tags"));
  // Empty strings and binaries are fine outside keys.
  store_->put({t, {{"id", AV::S("c")}, {"s", AV::S("")}, {"b", AV::B("")}}});
  EXPECT_EQ(store_->get(t, key("c"))->at("s"), AV::S(""));
}

TEST_P(StoreConformance, StringAndBinarySortKeysOrderByBytes) {
  auto t = make_table("bytes", {"pk", AttrType::S, "sk", AttrType::S});
  std::vector<std::string> ordered{"B", "a", "z", "\xc3\xa9", "\xe2\x82\xac"};  // B < a < z < é < €
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) store_->put({t, {{"pk", AV::S("p")}, {"sk", AV::S(*it)}}});
  std::vector<std::string> got;
  for (auto& i : store_->query({t, "", AV::S("p")}).items) got.push_back(i.at("sk").s());
  EXPECT_EQ(got, ordered);

  auto tb = make_table("bin", {"pk", AttrType::S, "sk", AttrType::B});
  std::vector<std::string> bin{std::string("\x00", 1), "\x01", "\x7f", "\x80", "\xff"};
  for (auto& b : bin) store_->put({tb, {{"pk", AV::S("p")}, {"sk", AV::B(b)}}});
  got.clear();
  for (auto& i : store_->query({tb, "", AV::S("p")}).items) got.push_back(i.at("sk").b());
  EXPECT_EQ(got, bin);
  QueryRequest q{tb, "", AV::S("p"), SortCondition{SortOp::GE, AV::B("\x80")}};
  EXPECT_EQ(store_->count(q), 2u);
}

TEST_P(StoreConformance, BackwardPagingWithStartKeyAndSortCondition) {
  auto t = make_table("backpage", {"pk", AttrType::S, "sk", AttrType::N});
  for (int i = 0; i < 10; ++i) store_->put({t, {{"pk", AV::S("p")}, {"sk", AV::N(i)}}});
  QueryRequest q{t, "", AV::S("p"), SortCondition{SortOp::BETWEEN, AV::N(2), AV::N(8)}};
  q.forward = false;
  q.limit = 3;
  std::vector<std::string> seen;
  for (auto& i : query_all_pages(q)) seen.push_back(i.at("sk").n());
  EXPECT_EQ(seen, (std::vector<std::string>{"8", "7", "6", "5", "4", "3", "2"}));
  EXPECT_THROW(store_->query({t, "", AV::N(1)}), ValidationError) << "partition value of the wrong type";
}

TEST_P(StoreConformance, ExpressionsAreValidated) {
  auto t = make_table("exprs", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"n", AV::N(1)}}});
  Probe p(*store_, t);
  EXPECT_THROW(p.holds("n = :v", {{":v", AV::N(1)}}, {{"#unused", "x"}}), ValidationError);
  EXPECT_THROW(p.holds("#undefined = :v", {{":v", AV::N(1)}}), ValidationError);
  EXPECT_THROW(p.holds("n BETWEEN :hi AND :lo", {{":hi", AV::N(5)}, {":lo", AV::N(1)}}), ValidationError);
  EXPECT_THROW(p.holds("attribute_type(n, :t)", {{":t", AV::S("NOPE")}}), ValidationError);
  EXPECT_THROW(p.holds("size(n) = :v AND"), ValidationError);
  EXPECT_EQ(store_->get(t, key("a"))->count("touched"), 0u);
}

TEST_P(StoreConformance, ItemSizeLimitIsEnforced) {
  auto t = make_table("size", hash_key());
  std::string big(400 * 1024, 'x');
  EXPECT_THROW(store_->put({t, {{"id", AV::S("a")}, {"big", AV::S(big)}}}), ValidationError);
  EXPECT_FALSE(store_->get(t, key("a")));
  store_->put({t, {{"id", AV::S("a")}, {"big", AV::S(std::string(390 * 1024, 'x'))}}});
  EXPECT_THROW(store_->update({t, key("a"), "SET more = :v", "", {}, {{":v", AV::S(std::string(20 * 1024, 'y'))}}}),
               ValidationError);
  EXPECT_FALSE(store_->get(t, key("a"))->count("more"));
}

TEST_P(StoreConformance, TransactionReasonsNameTheFailingCheck) {
  auto t = make_table("txcheck", hash_key());
  store_->put({t, {{"id", AV::S("a")}, {"v", AV::N(1)}}});
  std::vector<TransactItem> tx{
      ConditionCheck{t, key("a"), "v = :two", {}, {{":two", AV::N(2)}}},
      PutRequest{t, {{"id", AV::S("b")}}},
      DeleteRequest{t, key("a")},
  };
  tx.pop_back();
  try {
    store_->transact_write(tx);
    FAIL() << "expected TransactionCanceled";
  } catch (const TransactionCanceled& e) {
    EXPECT_EQ(e.reasons(), (std::vector<std::string>{"ConditionalCheckFailed", "None"}));
  }
  EXPECT_FALSE(store_->get(t, key("b")));
  EXPECT_THROW(store_->batch_write(t, {{{"id", AV::S("x")}}, {{"id", AV::S("x")}}}, {}), ValidationError);
  EXPECT_FALSE(store_->get(t, key("x")));
}

}  // namespace
}  // namespace k9::store
