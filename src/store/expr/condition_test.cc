// Condition evaluation: every operator and function, missing attributes, type mismatches,
// nested paths, precedence.
#include <gmock/gmock.h>

#include "store/expr/test_util.h"

namespace k9::store::expr::testing {
namespace {

using ::testing::HasSubstr;

class ConditionTest : public ::testing::Test {
 protected:
  Item item{
      {"s", S("hello")},
      {"n", N(10)},
      {"f", N("2.5")},
      {"b", AV::B(std::string("\x01\x02\xff", 3))},
      {"t", AV::Bool(true)},
      {"z", AV::Null()},
      {"ss", AV::SS({"cat", "dog"})},
      {"ns", AV::NS({"1", "2.50"})},
      {"bs", AV::BS({"ab", "cd"})},
      {"l", AV::L({N(1), S("two"), AV::M({{"x", N(3)}})})},
      {"m", AV::M({{"a", AV::M({{"b", S("deep")}})}, {"k", N(7)}, {"lst", AV::L({N(4), N(5)})}})},
  };
  bool eval(const std::string& text, const Values& values = {}, const Names& names = {}) {
    return cond(text, &item, values, names);
  }
};

TEST_F(ConditionTest, EqualityOnEveryType) {
  EXPECT_TRUE(eval("s = :v", {{":v", S("hello")}}));
  EXPECT_FALSE(eval("s = :v", {{":v", S("Hello")}}));
  EXPECT_TRUE(eval("n = :v", {{":v", N("10.0")}}));  // numbers compare by value
  EXPECT_TRUE(eval("f = :v", {{":v", N("25e-1")}}));
  EXPECT_TRUE(eval("b = :v", {{":v", AV::B(std::string("\x01\x02\xff", 3))}}));
  EXPECT_TRUE(eval("t = :v", {{":v", AV::Bool(true)}}));
  EXPECT_FALSE(eval("t = :v", {{":v", AV::Bool(false)}}));
  EXPECT_TRUE(eval("z = :v", {{":v", AV::Null()}}));
  EXPECT_TRUE(eval("ss = :v", {{":v", AV::SS({"dog", "cat"})}}));
  EXPECT_TRUE(eval("ns = :v", {{":v", AV::NS({"2.5", "1.0"})}}));
  EXPECT_TRUE(eval("m.a = :v", {{":v", AV::M({{"b", S("deep")}})}}));
  EXPECT_TRUE(eval("l[2] = :v", {{":v", AV::M({{"x", N(3)}})}}));
  EXPECT_TRUE(eval("n = n"));
  EXPECT_TRUE(eval(":a = :b", {{":a", N(1)}, {":b", N(1)}}));
}

TEST_F(ConditionTest, NotEqual) {
  EXPECT_TRUE(eval("s <> :v", {{":v", S("other")}}));
  EXPECT_FALSE(eval("s <> :v", {{":v", S("hello")}}));
  EXPECT_FALSE(eval("n <> :v", {{":v", N("1e1")}}));
}

TEST_F(ConditionTest, OrderingNumbersNumerically) {
  EXPECT_TRUE(eval("n > :v", {{":v", N(9)}}));
  EXPECT_TRUE(eval("n < :v", {{":v", N(100)}}));
  EXPECT_TRUE(eval("n > :v", {{":v", N(9)}}));  // as text "10" < "9"
  EXPECT_TRUE(eval("n > :v", {{":v", N("-11")}}));
  EXPECT_TRUE(eval("n >= :v", {{":v", N(10)}}));
  EXPECT_TRUE(eval("n <= :v", {{":v", N(10)}}));
  EXPECT_FALSE(eval("n < :v", {{":v", N(10)}}));
  EXPECT_FALSE(eval("n > :v", {{":v", N(10)}}));
  EXPECT_TRUE(eval("f < :v", {{":v", N("2.50000000000000000000000000000000001")}}));
}

TEST_F(ConditionTest, OrderingStringsAndBinariesBytewise) {
  EXPECT_TRUE(eval("s > :v", {{":v", S("hell")}}));
  EXPECT_TRUE(eval("s < :v", {{":v", S("help")}}));
  EXPECT_TRUE(eval("s < :v", {{":v", S("\xc3\xa9")}}));  // UTF-8 bytes compare unsigned: 'h' < 0xc3
  EXPECT_TRUE(eval("b > :v", {{":v", AV::B(std::string("\x01\x02\x7f", 3))}}));
  EXPECT_FALSE(eval("b < :v", {{":v", AV::B(std::string("\x01\x02", 2))}}));
}

TEST_F(ConditionTest, MismatchedTypesCompareFalseExceptNotEqual) {
  Values v{{":v", S("10")}};
  EXPECT_FALSE(eval("n = :v", v));
  EXPECT_TRUE(eval("n <> :v", v));
  EXPECT_FALSE(eval("n < :v", v));
  EXPECT_FALSE(eval("n <= :v", v));
  EXPECT_FALSE(eval("n > :v", v));
  EXPECT_FALSE(eval("n >= :v", v));
  EXPECT_FALSE(eval("t < n"));  // an item attribute of an unordered type: false, not an error
  EXPECT_FALSE(eval("ss < ss"));
}

TEST_F(ConditionTest, MissingAttributeComparisons) {
  Values v{{":v", N(1)}};
  EXPECT_FALSE(eval("nope = :v", v));
  EXPECT_TRUE(eval("nope <> :v", v));  // DynamoDB: missing is not equal to anything
  EXPECT_TRUE(eval(":v <> nope", v));
  EXPECT_TRUE(eval("nope <> other"));
  EXPECT_FALSE(eval("nope = other"));
  EXPECT_FALSE(eval("nope < :v", v));
  EXPECT_FALSE(eval("nope <= :v", v));
  EXPECT_FALSE(eval("nope > :v", v));
  EXPECT_FALSE(eval("nope >= :v", v));
  EXPECT_FALSE(eval("nope BETWEEN :v AND :v", v));
  EXPECT_FALSE(eval("nope IN (:v)", v));
  EXPECT_TRUE(eval("NOT nope = :v", v));  // NOT false
  EXPECT_FALSE(eval("NOT nope <> :v", v));
}

TEST_F(ConditionTest, AbsentItem) {
  Values v{{":v", N(1)}};
  EXPECT_FALSE(cond("a = :v", nullptr, v));
  EXPECT_TRUE(cond("a <> :v", nullptr, v));
  EXPECT_TRUE(cond("attribute_not_exists(pk)", nullptr));
  EXPECT_FALSE(cond("attribute_exists(pk)", nullptr));
  EXPECT_FALSE(cond("size(a) > :v", nullptr, v));
}

TEST_F(ConditionTest, Between) {
  EXPECT_TRUE(eval("n BETWEEN :lo AND :hi", {{":lo", N(10)}, {":hi", N(20)}}));
  EXPECT_TRUE(eval("n BETWEEN :lo AND :hi", {{":lo", N(1)}, {":hi", N(10)}}));
  EXPECT_FALSE(eval("n BETWEEN :lo AND :hi", {{":lo", N(11)}, {":hi", N(20)}}));
  EXPECT_TRUE(eval("s between :lo and :hi", {{":lo", S("a")}, {":hi", S("i")}}));
  EXPECT_FALSE(eval("s BETWEEN :lo AND :hi", {{":lo", N(1)}, {":hi", N(2)}}));  // type mismatch
}

TEST_F(ConditionTest, BetweenWithPathBounds) {
  EXPECT_FALSE(eval("n BETWEEN f AND m.k"));   // 10 > 7
  EXPECT_TRUE(eval("m.k BETWEEN f AND n"));     // 2.5 <= 7 <= 10
}

TEST_F(ConditionTest, BetweenRefusesBadConstantBounds) {
  EXPECT_THAT(error_of([&] { eval("n BETWEEN :lo AND :hi", {{":lo", N(5)}, {":hi", N(1)}}); }),
              HasSubstr("upper bound to be greater than or equal to lower bound"));
  EXPECT_THAT(error_of([&] { eval("n BETWEEN :lo AND :hi", {{":lo", N(5)}, {":hi", S("x")}}); }),
              HasSubstr("same data type for lower and upper bounds"));
  EXPECT_THAT(error_of([&] { eval("n BETWEEN :lo AND :hi", {{":lo", AV::Bool(false)}, {":hi", AV::Bool(true)}}); }),
              HasSubstr("Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"));
}

TEST_F(ConditionTest, OrderingRefusesUnorderedConstants) {
  EXPECT_EQ(error_of([&] { eval("n < :v", {{":v", AV::Bool(true)}}); }),
            "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, "
            "operand type: BOOL");
  EXPECT_EQ(error_of([&] { eval("n = :v", {{":v", AV::Bool(true)}}); }), "");  // equality takes anything
}

TEST_F(ConditionTest, In) {
  EXPECT_TRUE(eval("n IN (:a, :b)", {{":a", N(1)}, {":b", N("10")}}));
  EXPECT_FALSE(eval("n IN (:a, :b)", {{":a", N(1)}, {":b", S("10")}}));
  EXPECT_TRUE(eval("s in (:a)", {{":a", S("hello")}}));
  EXPECT_TRUE(eval("m.k IN (n, f, :a)", {{":a", N(7)}}));
  EXPECT_FALSE(eval("m.k IN (n, f)"));
}

TEST_F(ConditionTest, AttributeExistsAndNotExists) {
  EXPECT_TRUE(eval("attribute_exists(s)"));
  EXPECT_TRUE(eval("attribute_exists(z)"));  // a NULL value exists
  EXPECT_TRUE(eval("attribute_exists(m.a.b)"));
  EXPECT_TRUE(eval("attribute_exists(l[2].x)"));
  EXPECT_FALSE(eval("attribute_exists(l[3])"));
  EXPECT_FALSE(eval("attribute_exists(s.x)"));    // key into a non-map
  EXPECT_FALSE(eval("attribute_exists(m[0])"));   // index into a non-list
  EXPECT_TRUE(eval("attribute_not_exists(nope)"));
  EXPECT_FALSE(eval("attribute_not_exists(n)"));
  EXPECT_TRUE(eval("attribute_not_exists(m.a.c)"));
}

TEST_F(ConditionTest, AttributeType) {
  const std::pair<const char*, const char*> cases[] = {
      {"s", "S"}, {"n", "N"}, {"b", "B"}, {"t", "BOOL"}, {"z", "NULL"}, {"ss", "SS"},
      {"ns", "NS"}, {"bs", "BS"}, {"l", "L"}, {"m", "M"}};
  for (auto [attr, type] : cases) {
    EXPECT_TRUE(eval(std::string("attribute_type(") + attr + ", :t)", {{":t", S(type)}})) << attr;
    EXPECT_FALSE(eval(std::string("attribute_type(") + attr + ", :t)", {{":t", S(attr[0] == 's' ? "N" : "S")}})) << attr;
  }
  EXPECT_FALSE(eval("attribute_type(nope, :t)", {{":t", S("S")}}));
  EXPECT_THAT(error_of([&] { eval("attribute_type(s, :t)", {{":t", S("STRING")}}); }),
              HasSubstr("Invalid attribute type name found; type: STRING"));
  EXPECT_THAT(error_of([&] { eval("attribute_type(s, :t)", {{":t", N(1)}}); }),
              HasSubstr("operator or function: attribute_type, operand type: N"));
}

TEST_F(ConditionTest, BeginsWith) {
  EXPECT_TRUE(eval("begins_with(s, :p)", {{":p", S("he")}}));
  EXPECT_TRUE(eval("begins_with(s, :p)", {{":p", S("")}}));
  EXPECT_TRUE(eval("begins_with(s, :p)", {{":p", S("hello")}}));
  EXPECT_FALSE(eval("begins_with(s, :p)", {{":p", S("hello!")}}));
  EXPECT_FALSE(eval("begins_with(s, :p)", {{":p", S("el")}}));
  EXPECT_TRUE(eval("begins_with(b, :p)", {{":p", AV::B("\x01")}}));
  EXPECT_FALSE(eval("begins_with(s, :p)", {{":p", AV::B("h")}}));  // S vs B
  EXPECT_FALSE(eval("begins_with(n, :p)", {{":p", S("1")}}));      // attribute of another type: false
  EXPECT_FALSE(eval("begins_with(nope, :p)", {{":p", S("")}}));
  EXPECT_THAT(error_of([&] { eval("begins_with(s, :p)", {{":p", N(1)}}); }),
              HasSubstr("operator or function: begins_with, operand type: N"));
}

TEST_F(ConditionTest, Contains) {
  EXPECT_TRUE(eval("contains(s, :v)", {{":v", S("ell")}}));
  EXPECT_FALSE(eval("contains(s, :v)", {{":v", S("xyz")}}));
  EXPECT_TRUE(eval("contains(b, :v)", {{":v", AV::B("\x02")}}));
  EXPECT_TRUE(eval("contains(ss, :v)", {{":v", S("dog")}}));
  EXPECT_FALSE(eval("contains(ss, :v)", {{":v", S("do")}}));  // element, not substring
  EXPECT_TRUE(eval("contains(ns, :v)", {{":v", N("2.5")}}));
  EXPECT_FALSE(eval("contains(ns, :v)", {{":v", S("1")}}));
  EXPECT_TRUE(eval("contains(bs, :v)", {{":v", AV::B("cd")}}));
  EXPECT_TRUE(eval("contains(l, :v)", {{":v", S("two")}}));
  EXPECT_TRUE(eval("contains(l, :v)", {{":v", N("1.00")}}));
  EXPECT_TRUE(eval("contains(l, :v)", {{":v", AV::M({{"x", N(3)}})}}));
  EXPECT_FALSE(eval("contains(l, :v)", {{":v", S("tw")}}));
  EXPECT_FALSE(eval("contains(n, :v)", {{":v", N(1)}}));
  EXPECT_FALSE(eval("contains(m, :v)", {{":v", S("k")}}));
  EXPECT_FALSE(eval("contains(nope, :v)", {{":v", S("x")}}));
  EXPECT_FALSE(eval("contains(s, m.a.b)"));
  EXPECT_TRUE(eval("contains(l, l[1])"));
}

TEST_F(ConditionTest, Size) {
  EXPECT_TRUE(eval("size(s) = :v", {{":v", N(5)}}));
  EXPECT_TRUE(eval("size(b) = :v", {{":v", N(3)}}));
  EXPECT_TRUE(eval("size(ss) = :v", {{":v", N(2)}}));
  EXPECT_TRUE(eval("size(ns) = :v", {{":v", N(2)}}));
  EXPECT_TRUE(eval("size(l) = :v", {{":v", N(3)}}));
  EXPECT_TRUE(eval("size(m) = :v", {{":v", N(3)}}));
  EXPECT_TRUE(eval("size(m.lst) > :v", {{":v", N(1)}}));
  EXPECT_TRUE(eval("size(s) BETWEEN :a AND :b", {{":a", N(1)}, {":b", N(5)}}));
  EXPECT_TRUE(eval("size(s) IN (:a, :b)", {{":a", N(1)}, {":b", N(5)}}));
  EXPECT_TRUE(eval("size(s) < size(m.a.b) OR size(s) > :v", {{":v", N(4)}}));
  EXPECT_TRUE(eval("m.k > size(ss)"));
  EXPECT_TRUE(eval("size(s) <> :v", {{":v", S("5")}}));
  EXPECT_FALSE(eval("size(s) = :v", {{":v", S("5")}}));
  // Unsized types and missing attributes: the comparison is false, not an error.
  for (auto attr : {"n", "t", "z", "nope"}) {
    EXPECT_FALSE(eval(std::string("size(") + attr + ") = :v", {{":v", N(1)}})) << attr;
    EXPECT_FALSE(eval(std::string("size(") + attr + ") >= :v", {{":v", N(0)}})) << attr;
  }
}

TEST_F(ConditionTest, NestedPathsAndNames) {
  EXPECT_TRUE(eval("m.a.b = :v", {{":v", S("deep")}}));
  EXPECT_TRUE(eval("#m.#a.b = :v", {{":v", S("deep")}}, {{"#m", "m"}, {"#a", "a"}}));
  EXPECT_TRUE(eval("m.lst[1] = :v", {{":v", N(5)}}));
  EXPECT_TRUE(eval("#x[2].x = :v", {{":v", N(3)}}, {{"#x", "l"}}));
  EXPECT_FALSE(eval("m.lst[2] = :v", {{":v", N(5)}}));
  // A #name holding a dot names one top-level attribute, not a path.
  Item dotted{{"a.b", N(1)}, {"a", AV::M({{"b", N(2)}})}};
  EXPECT_TRUE(cond("#d = :v", &dotted, {{":v", N(1)}}, {{"#d", "a.b"}}));
  EXPECT_TRUE(cond("a.b = :v", &dotted, {{":v", N(2)}}));
}

TEST_F(ConditionTest, ReservedWordsAsAttributeNamesAreAccepted) {
  Item it{{"name", S("x")}, {"status", S("y")}, {"size", N(2)}};
  EXPECT_TRUE(cond("name = :v", &it, {{":v", S("x")}}));
  EXPECT_TRUE(cond("status = :v", &it, {{":v", S("y")}}));
  EXPECT_TRUE(cond("size = :v", &it, {{":v", N(2)}}));  // "size" not followed by '(' is a name
}

TEST_F(ConditionTest, LogicalOperators) {
  Values v{{":one", N(1)}, {":ten", N(10)}};
  EXPECT_TRUE(eval("n = :ten AND attribute_exists(s)", v));
  EXPECT_FALSE(eval("n = :ten AND attribute_exists(nope)", v));
  EXPECT_TRUE(eval("n = :one OR n = :ten", v));
  EXPECT_FALSE(eval("n = :one OR n < :one", v));
  EXPECT_TRUE(eval("NOT n = :one", v));
  EXPECT_FALSE(eval("NOT NOT n = :one", v));
  EXPECT_TRUE(eval("n = :ten aNd n <> :one oR n = :one", v));  // keywords are case-insensitive
}

TEST_F(ConditionTest, Precedence) {
  Values v{{":one", N(1)}, {":ten", N(10)}};
  // AND binds tighter than OR: true OR (false AND false).
  EXPECT_TRUE(eval("n = :ten OR n = :one AND n = :one", v));
  EXPECT_FALSE(eval("(n = :ten OR n = :one) AND n = :one", v));
  // AND binds tighter than OR on the left too: (false AND x) OR true.
  EXPECT_TRUE(eval("n = :one AND n = :one OR n = :ten", v));
  // NOT binds tighter than AND: (NOT false) AND false.
  EXPECT_FALSE(eval("NOT n = :one AND n = :one", v));
  EXPECT_TRUE(eval("NOT (n = :one AND n = :one)", v));
  // NOT binds tighter than OR: (NOT true) OR false = false.
  EXPECT_FALSE(eval("NOT n = :ten OR n = :one", v));
  EXPECT_TRUE(eval("NOT (n = :ten OR n = :one) OR n = :ten", v));
  // BETWEEN's AND is not the logical AND.
  EXPECT_TRUE(eval("n BETWEEN :one AND :ten AND n = :ten", v));
  EXPECT_TRUE(eval("((n = :ten))", v));
}

TEST_F(ConditionTest, UndefinedPlaceholdersAreValidationErrors) {
  EXPECT_EQ(error_of([&] { eval("n = :v"); }),
            "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
            "attribute value: :v");
  EXPECT_EQ(error_of([&] { eval("#n = :v", {{":v", N(1)}}); }),
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
            "attribute name: #n");
  // Reported even when the other side of an OR already decides the result.
  EXPECT_NE(error_of([&] { eval("attribute_exists(s) OR n = :undefined"); }), "");
  EXPECT_NE(error_of([&] { cond("attribute_exists(s) OR n = :undefined", nullptr); }), "");
}

TEST(ConditionParse, ParsedFormIsReusable) {
  auto c = Condition::parse("a = :v");
  Item one{{"a", N(1)}}, two{{"a", N(2)}};
  EXPECT_TRUE(c->evaluate(&one, {}, {{":v", N(1)}}));
  EXPECT_FALSE(c->evaluate(&two, {}, {{":v", N(1)}}));
  EXPECT_TRUE(c->evaluate(&two, {}, {{":v", N(2)}}));
}

}  // namespace
}  // namespace k9::store::expr::testing
