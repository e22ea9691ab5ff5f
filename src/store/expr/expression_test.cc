// Parsing (syntax and parse-time validation), placeholder checks and the parse caches.
#include <gmock/gmock.h>

#include <thread>

#include "store/expr/test_util.h"

namespace k9::store::expr::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string condition_error(const std::string& text) { return error_of([&] { Condition::parse(text); }); }
std::string update_error(const std::string& text) { return error_of([&] { Update::parse(text); }); }

TEST(ConditionSyntax, ValidExpressionsParse) {
  for (const char* text :
       {"a = :v", "a<>:v", "#a.b[0].#c >= :v", "a BETWEEN :x AND :y", "a IN (:x)", "a IN (:x,:y, :z)",
        "attribute_exists(a)", "attribute_not_exists ( #a )", "attribute_type(a, :t)", "begins_with(a, :p)",
        "contains(a.b[3], :x)", "size(a) > :n", ":n < size(a.b)", "NOT a = :v", "not (a = :v or b = :v) and c = :v",
        "  a  =  :v  ", "a[0][1] = :v", "a = b", "#0 = :_"}) {
    EXPECT_EQ(condition_error(text), "") << text;
  }
}

TEST(ConditionSyntax, SyntaxErrorsNameTheToken) {
  EXPECT_EQ(condition_error("a = "), "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
  EXPECT_EQ(condition_error("a = :v b"), "Invalid ConditionExpression: Syntax error; token: \"b\", near: \":v b\"");
  EXPECT_EQ(condition_error("a == :v"), "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"== :v\"");
  EXPECT_THAT(condition_error("a = :v AND"), HasSubstr("token: \"<EOF>\""));
  for (const char* text :
       {"a", "a =", "= :v", "(a = :v", "a = :v)", "a = :v AND AND b = :v", "a BETWEEN :x", "a BETWEEN :x OR :y",
        "a IN :x", "a IN ()", "a IN (:x,)", "a.b. = :v", "a[x] = :v", "a[:i] = :v", "a[#i] = :v", "a[-1] = :v",
        "[0] = :v", ":v.a = :w", "_a = :v", "1a = :v", "a = :", "# = :v", "a = :v $", "a = 'x'", "a = :v NOT b = :v",
        "attribute_exists(a", "attribute_exists()", "AND = :v", "a = IN", "a < > :v"}) {
    EXPECT_THAT(condition_error(text), StartsWith("Invalid ConditionExpression: Syntax error; token: ")) << text;
  }
}

TEST(ConditionSyntax, EmptyExpression) {
  EXPECT_EQ(condition_error(""), "Invalid ConditionExpression: The expression can not be empty;");
  EXPECT_EQ(condition_error("   "), "Invalid ConditionExpression: The expression can not be empty;");
}

TEST(ConditionSyntax, FunctionValidation) {
  EXPECT_EQ(condition_error("dog(a) = :v"), "Invalid ConditionExpression: Invalid function name; function: dog");
  EXPECT_EQ(condition_error("ATTRIBUTE_EXISTS(a)"),  // function names are case-sensitive
            "Invalid ConditionExpression: Invalid function name; function: ATTRIBUTE_EXISTS");
  EXPECT_EQ(condition_error("size(a)"),
            "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
            "function: size");
  EXPECT_THAT(condition_error("attribute_exists(a) = :v"), HasSubstr("not allowed to be used this way"));
  EXPECT_THAT(condition_error("if_not_exists(a, :v) = :v"), HasSubstr("not allowed"));
  EXPECT_THAT(condition_error("list_append(a, :v) = :v"), HasSubstr("not allowed"));
  EXPECT_EQ(condition_error("size(a, a) = :v"),
            "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or "
            "function: size, number of operands: 2");
  EXPECT_THAT(condition_error("begins_with(a) "), HasSubstr("begins_with, number of operands: 1"));
  EXPECT_THAT(condition_error("contains(a, :v, :w)"), HasSubstr("contains, number of operands: 3"));
  EXPECT_EQ(condition_error("attribute_exists(:v)"),
            "Invalid ConditionExpression: Operator or function requires a document path; operator or function: "
            "attribute_exists");
  EXPECT_THAT(condition_error("attribute_not_exists(size(a))"), HasSubstr("requires a document path"));
  EXPECT_THAT(condition_error("size(:v) = :n"), HasSubstr("requires a document path; operator or function: size"));
  EXPECT_THAT(condition_error("attribute_type(:v, :t)"), HasSubstr("requires a document path"));
}

TEST(ConditionSyntax, InListIsBounded) {
  std::string text = "a IN (:v0";
  for (int i = 1; i < 100; ++i) text += ", :v" + std::to_string(i);
  EXPECT_EQ(condition_error(text + ")"), "");
  EXPECT_EQ(condition_error(text + ", :v100)"),
            "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101");
}

TEST(UpdateSyntax, ValidExpressionsParse) {
  for (const char* text :
       {"SET a = :v", "set a=:v,b=:w", "SET a = b + :n", "SET a = :n - b", "SET a = if_not_exists(a, :z)",
        "SET l = list_append(l, :x)", "SET l = list_append(if_not_exists(l, :e), :x)", "SET #m.k = :v, l[1] = :v",
        "REMOVE a, l[0], m.k", "ADD n :num", "DELETE s :set", "ADD n :v, s :w", "REMOVE a SET b = :v ADD c :v DELETE d :v",
        "SET a = if_not_exists(a, :z) + :one", "SET SET = :v"}) {
    EXPECT_EQ(update_error(text), "") << text;
  }
}

TEST(UpdateSyntax, SyntaxErrors) {
  EXPECT_EQ(update_error("SET a = :v + :w + :x"),
            "Invalid UpdateExpression: Syntax error; token: \"+\", near: \":w + :x\"");
  EXPECT_EQ(update_error("HELLO a = :v"), "Invalid UpdateExpression: Syntax error; token: \"HELLO\", near: \"HELLO a\"");
  for (const char* text :
       {"SET", "SET a", "SET a =", "SET a = :v,", "SET :a = :v", "SET a = if_not_exists(c, :v1+:v2)", "SET a[:i] = :v",
        "SET a[#i] = :v", "SET _123 = :v", "SET 123a = :v", "SET hi-there = :v", "SET a = :v b = :w", "REMOVE",
        "REMOVE :a", "REMOVE a,", "ADD a", "ADD a b", "ADD a :v :w", "DELETE a", "SET a = (:v)", "SET a = _f(b)",
        "SET a = :v AND b = :v", "SET a = f(b,)"}) {
    EXPECT_THAT(update_error(text), StartsWith("Invalid UpdateExpression: Syntax error; token: ")) << text;
  }
  EXPECT_EQ(update_error(""), "Invalid UpdateExpression: The expression can not be empty;");
}

TEST(UpdateSyntax, FunctionValidation) {
  EXPECT_EQ(update_error("SET a = f(b, c, d)"), "Invalid UpdateExpression: Invalid function name; function: f");
  EXPECT_THAT(update_error("SET a = LIST_APPEND(:a, :b)"), HasSubstr("Invalid function name; function: LIST_APPEND"));
  EXPECT_THAT(update_error("SET a = size(b)"), HasSubstr("not allowed in an update expression; function: size"));
  EXPECT_EQ(update_error("SET a = list_append(:v)"),
            "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: "
            "list_append, number of operands: 1");
  EXPECT_THAT(update_error("SET a = if_not_exists(a, :v, :w)"), HasSubstr("number of operands: 3"));
  EXPECT_EQ(update_error("SET a = if_not_exists(:v, :w)"),
            "Invalid UpdateExpression: Operator or function requires a document path; operator or function: "
            "if_not_exists");
  EXPECT_THAT(update_error("SET a = if_not_exists(if_not_exists(a, :v), :w)"), HasSubstr("requires a document path"));
  EXPECT_EQ(update_error("SET a = list_append(list_append(:a, :b), :c)"),
            "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: "
            "list_append");
}

TEST(Placeholders, CollectedFromEveryOperand) {
  std::set<std::string> names, values;
  Condition::parse("#a.b[0].#c = :v AND size(#s) > :n OR contains(x, :x) AND NOT #q IN (:i, #j)")
      ->collect_placeholders(names, values);
  EXPECT_EQ(names, (std::set<std::string>{"#a", "#c", "#s", "#q", "#j"}));
  EXPECT_EQ(values, (std::set<std::string>{":v", ":n", ":x", ":i"}));
  names.clear();
  values.clear();
  Update::parse("SET #a = #b + :one, c = list_append(if_not_exists(#l, :e), :x) REMOVE #r ADD #n :a DELETE d :d")
      ->collect_placeholders(names, values);
  EXPECT_EQ(names, (std::set<std::string>{"#a", "#b", "#l", "#r", "#n"}));
  EXPECT_EQ(values, (std::set<std::string>{":one", ":e", ":x", ":a", ":d"}));
}

TEST(Placeholders, AllUsedAndDefinedPasses) {
  auto c = Condition::parse("#a = :v");
  auto u = Update::parse("SET #b = :w");
  EXPECT_EQ(error_of([&] {
              check_placeholders({c.get()}, u.get(), {{"#a", "a"}, {"#b", "b"}}, {{":v", N(1)}, {":w", N(2)}});
            }),
            "");
  EXPECT_EQ(error_of([&] { check_placeholders({}, nullptr, {}, {}); }), "");
  EXPECT_EQ(error_of([&] { check_placeholders({nullptr}, u.get(), {{"#b", "b"}}, {{":w", N(2)}}); }), "");
}

TEST(Placeholders, UnusedAreRefused) {
  auto c = Condition::parse("a = :v");
  EXPECT_EQ(error_of([&] { check_placeholders({c.get()}, nullptr, {}, {{":v", N(1)}, {":x", N(2)}}); }),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}");
  EXPECT_EQ(error_of([&] { check_placeholders({c.get()}, nullptr, {{"#b", "b"}, {"#a", "a"}}, {{":v", N(1)}}); }),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}");
  EXPECT_EQ(error_of([&] { check_placeholders({}, nullptr, {}, {{":x", N(1)}}); }),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}");
}

TEST(Placeholders, UndefinedAreRefusedWithTheirExpressionName) {
  auto c = Condition::parse("#a = :v");
  auto u = Update::parse("SET b = :w");
  EXPECT_EQ(error_of([&] { check_placeholders({c.get()}, nullptr, {}, {{":v", N(1)}}); }),
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
            "attribute name: #a");
  EXPECT_EQ(error_of([&] { check_placeholders({c.get()}, u.get(), {{"#a", "a"}}, {{":v", N(1)}}); }),
            "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute "
            "value: :w");
}

TEST(Placeholders, SharedAcrossExpressions) {
  auto c1 = Condition::parse("a = :v");
  auto c2 = Condition::parse("#n = :w");
  auto u = Update::parse("SET x = :v");
  EXPECT_EQ(error_of([&] { check_placeholders({c1.get(), c2.get()}, u.get(), {{"#n", "n"}}, {{":v", N(1)}, {":w", N(1)}}); }),
            "");
}

TEST(Cache, ReturnsTheSameParsedForm) {
  auto a = cached_condition("x = :cache_test");
  auto b = cached_condition(std::string("x = :cache_test"));
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), cached_condition("x = :cache_test2").get());
  auto u = cached_update("SET x = :cache_test");
  EXPECT_EQ(u.get(), cached_update("SET x = :cache_test").get());
  EXPECT_NE(error_of([] { cached_condition("x = "); }), "");
  EXPECT_NE(error_of([] { cached_update("SET"); }), "");
}

TEST(Cache, StaysBoundedAndCorrectPastItsLimit) {
  auto first = cached_condition("a = :bounded0");
  for (int i = 1; i < 5000; ++i) cached_condition("a = :bounded" + std::to_string(i));
  Item it{{"a", N(1)}};
  auto again = cached_condition("a = :bounded0");  // may be re-parsed after a clear; must still work
  EXPECT_TRUE(again->evaluate(&it, {}, {{":bounded0", N(1)}}));
  EXPECT_TRUE(first->evaluate(&it, {}, {{":bounded0", N(1)}}));  // evicted entries stay valid for holders
}

TEST(Concurrency, ParsedFormsAndCachesAreThreadSafe) {
  auto cond = Condition::parse("n > :lo AND contains(s, :x)");
  auto upd = Update::parse("ADD n :one SET s = :s");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        Item it{{"n", N(i)}, {"s", S("abc")}};
        if (cond->evaluate(&it, {}, {{":lo", N(-1)}, {":x", S("b")}}) != true) ++wrong;
        upd->apply(it, {}, {{":one", N(1)}, {":s", S("z")}});
        if (it["n"] != N(i + 1)) ++wrong;
        if (!cached_condition("q = :t" + std::to_string((i + t) % 50))) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace k9::store::expr::testing
