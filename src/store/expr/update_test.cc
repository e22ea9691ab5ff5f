// Update application: SET / REMOVE / ADD / DELETE, nested paths, list indexes, set operations,
// exact numbers, and the validation errors DynamoDB raises.
#include <gmock/gmock.h>

#include "store/expr/test_util.h"

namespace k9::store::expr::testing {
namespace {

using ::testing::HasSubstr;

const char* kInvalidPath =
    "Invalid UpdateExpression: The document path provided in the update expression is invalid for update";

TEST(UpdateSet, ValuesPathsAndUpsert) {
  Item it = updated({}, "SET a = :v, b = :w", {{":v", S("x")}, {":w", N(2)}});
  EXPECT_EQ(it, (Item{{"a", S("x")}, {"b", N(2)}}));
  it = updated(it, "SET c = a");
  EXPECT_EQ(it["c"], S("x"));
  it = updated(it, "set #n = :v", {{":v", AV::Bool(true)}}, {{"#n", "weird.name"}});
  EXPECT_EQ(it["weird.name"], AV::Bool(true));
  EXPECT_EQ(it.count("weird"), 0u);
}

TEST(UpdateSet, OperandsReadTheItemBeforeTheUpdate) {
  Item it{{"a", N(1)}, {"b", N(2)}};
  it = updated(it, "SET a = b, b = a");  // a swap
  EXPECT_EQ(it, (Item{{"a", N(2)}, {"b", N(1)}}));
  // A path set earlier in the same expression is still missing for later operands.
  EXPECT_THAT(error_of([&] { updated({}, "SET x = :v, y = x", {{":v", N(1)}}); }),
              HasSubstr("refers to an attribute that does not exist in the item"));
  it = updated({{"a", S("v")}}, "REMOVE a SET b = a");
  EXPECT_EQ(it, (Item{{"b", S("v")}}));
}

TEST(UpdateSet, CopyOfMissingAttributeFails) {
  EXPECT_EQ(error_of([&] { updated({}, "SET a = b"); }),
            "Invalid UpdateExpression: The provided expression refers to an attribute that does not exist in the item");
}

TEST(UpdateSet, Arithmetic) {
  Item it{{"n", N(5)}};
  EXPECT_EQ(updated(it, "SET n = n + :d", {{":d", N(3)}})["n"], N(8));
  EXPECT_EQ(updated(it, "SET n = n - :d", {{":d", N(7)}})["n"], N(-2));
  EXPECT_EQ(updated(it, "SET n = :d - n", {{":d", N(7)}})["n"], N(2));
  EXPECT_EQ(updated(it, "SET m = n + n")["m"], N(10));
  EXPECT_EQ(updated(it, "SET n = n+:d", {{":d", N("0.1")}})["n"], N("5.1"));
  EXPECT_EQ(updated(it, "SET n = :a + :b", {{":a", N("0.1")}, {":b", N("0.2")}})["n"].n(), "0.3");
  EXPECT_EQ(updated(it, "SET c = if_not_exists(c, :z) + :one", {{":z", N(0)}, {":one", N(1)}})["c"], N(1));
}

TEST(UpdateSet, ArithmeticTypeErrors) {
  Item it{{"s", S("x")}, {"n", N(1)}};
  EXPECT_EQ(error_of([&] { updated(it, "SET n = s + :d", {{":d", N(3)}}); }),
            "Invalid UpdateExpression: An operand in the update expression has an incorrect data type");
  EXPECT_EQ(error_of([&] { updated(it, "SET n = n + :d", {{":d", S("3")}}); }),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, "
            "operand type: S");
  EXPECT_THAT(error_of([&] { updated(it, "SET n = nope - :d", {{":d", N(3)}}); }),
              HasSubstr("does not exist in the item"));
  EXPECT_EQ(it, (Item{{"s", S("x")}, {"n", N(1)}}));
}

TEST(UpdateSet, ArithmeticOverflowIsValidationError) {
  Item it{{"n", N("9.9999999999999999999999999999999999999e125")}};
  EXPECT_THAT(error_of([&] { updated(it, "SET n = n + n"); }), HasSubstr("Number overflow"));
  Item precise{{"n", N("1e30")}};
  EXPECT_THAT(error_of([&] { updated(precise, "SET n = n + :tiny", {{":tiny", N("1e-30")}}); }),
              HasSubstr("38 significant digits"));
}

TEST(UpdateSet, IfNotExists) {
  Values v{{":z", N(0)}};
  EXPECT_EQ(updated({}, "SET c = if_not_exists(c, :z)", v)["c"], N(0));
  EXPECT_EQ(updated({{"c", N(9)}}, "SET c = if_not_exists(c, :z)", v)["c"], N(9));
  EXPECT_EQ(updated({{"d", N(4)}}, "SET c = if_not_exists(d, :z)", v)["c"], N(4));
  EXPECT_EQ(updated({{"d", N(4)}}, "SET c = if_not_exists(e, d)")["c"], N(4));
  EXPECT_EQ(updated({{"m", AV::M({{"k", N(1)}})}}, "SET c = if_not_exists(m.k, :z)", v)["c"], N(1));
}

TEST(UpdateSet, ListAppend) {
  Item it{{"l", AV::L({N(1)})}};
  Values v{{":x", AV::L({N(2), N(3)})}};
  EXPECT_EQ(updated(it, "SET l = list_append(l, :x)", v)["l"], AV::L({N(1), N(2), N(3)}));
  EXPECT_EQ(updated(it, "SET l = list_append(:x, l)", v)["l"], AV::L({N(2), N(3), N(1)}));
  EXPECT_EQ(updated({}, "SET l = list_append(if_not_exists(l, :e), :x)", {{":e", AV::L({})}, {":x", AV::L({N(7)})}})["l"],
            AV::L({N(7)}));
  EXPECT_EQ(error_of([&] { updated(it, "SET l = list_append(l, :s)", {{":s", S("no")}}); }),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: "
            "list_append, operand type: S");
  EXPECT_THAT(error_of([&] { updated({}, "SET l = list_append(l, :x)", v); }), HasSubstr("does not exist"));
}

TEST(UpdateSet, NestedMapPaths) {
  Item it{{"m", AV::M({{"k", N(1)}, {"inner", AV::M({})}})}};
  Item out = updated(it, "SET m.k = :v, #m.inner.#x = :v, m.added = :v", {{":v", S("new")}}, {{"#m", "m"}, {"#x", "x"}});
  EXPECT_EQ(out["m"], AV::M({{"k", S("new")}, {"inner", AV::M({{"x", S("new")}})}, {"added", S("new")}}));
}

TEST(UpdateSet, NestedPathIntoMissingOrWrongParentFails) {
  Item it{{"s", S("x")}, {"l", AV::L({N(1)})}, {"m", AV::M({})}};
  Values v{{":v", N(1)}};
  EXPECT_EQ(error_of([&] { updated(it, "SET nope.k = :v", v); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated(it, "SET m.a.b = :v", v); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated(it, "SET s.k = :v", v); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated(it, "SET l.k = :v", v); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated(it, "SET s[0] = :v", v); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated(it, "SET m[0] = :v", v); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated(it, "SET nope[0] = :v", v); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated({}, "SET a.b = :v", v); }), kInvalidPath);
}

TEST(UpdateSet, ListIndexesReplaceAndAppend) {
  Item it{{"l", AV::L({S("a"), S("b"), S("c")})}};
  EXPECT_EQ(updated(it, "SET l[1] = :v", {{":v", S("B")}})["l"], AV::L({S("a"), S("B"), S("c")}));
  EXPECT_EQ(updated(it, "SET l[7] = :v", {{":v", S("d")}})["l"], AV::L({S("a"), S("b"), S("c"), S("d")}));
  // Several appends land in index order, whatever the order they are written in.
  Item out = updated(it, "SET l[84] = :a, l[37] = :b, l[17] = :c, l[50] = :d",
                     {{":a", S("84")}, {":b", S("37")}, {":c", S("17")}, {":d", S("50")}});
  EXPECT_EQ(out["l"], AV::L({S("a"), S("b"), S("c"), S("17"), S("37"), S("50"), S("84")}));
  Item deep{{"m", AV::M({{"l", AV::L({AV::M({{"x", N(1)}})})}})}};
  EXPECT_EQ(updated(deep, "SET m.l[0].x = :v", {{":v", N(2)}})["m"], AV::M({{"l", AV::L({AV::M({{"x", N(2)}})})}}));
}

TEST(UpdateRemove, TopLevelNestedAndMissing) {
  Item it{{"a", N(1)}, {"b", N(2)}, {"m", AV::M({{"k", N(1)}, {"j", N(2)}})}};
  EXPECT_EQ(updated(it, "REMOVE a, m.k"), (Item{{"b", N(2)}, {"m", AV::M({{"j", N(2)}})}}));
  EXPECT_EQ(updated(it, "REMOVE nope, m.nope"), it);
  EXPECT_EQ(updated({{"m", AV::M({{"k", N(1)}})}}, "REMOVE m.k")["m"], AV::M({}));  // empty maps stay
  EXPECT_EQ(error_of([&] { updated(it, "REMOVE nope.k"); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated(it, "REMOVE a.k"); }), kInvalidPath);
  EXPECT_EQ(error_of([&] { updated(it, "REMOVE a[0]"); }), kInvalidPath);
}

TEST(UpdateRemove, ListIndexesShiftAndReferToTheOriginalList) {
  Item it{{"l", AV::L({N(2), N(3), N(4), N(5), N(6), N(7)})}};
  EXPECT_EQ(updated(it, "REMOVE l[0]")["l"], AV::L({N(3), N(4), N(5), N(6), N(7)}));
  EXPECT_EQ(updated(it, "REMOVE l[1], l[3]")["l"], AV::L({N(2), N(4), N(6), N(7)}));
  EXPECT_EQ(updated(it, "REMOVE l[3], l[1]")["l"], AV::L({N(2), N(4), N(6), N(7)}));
  EXPECT_EQ(updated(it, "REMOVE l[17]")["l"], it["l"]);
  // Index 3 means the original a[3], before the removal of a[1] shifts it.
  EXPECT_EQ(updated(it, "REMOVE l[1] SET l[3] = :v", {{":v", N(17)}})["l"], AV::L({N(2), N(4), N(17), N(6), N(7)}));
  EXPECT_EQ(updated(it, "SET l[3] = :v REMOVE l[1]", {{":v", N(17)}})["l"], AV::L({N(2), N(4), N(17), N(6), N(7)}));
  EXPECT_EQ(updated({{"l", AV::L({N(1)})}}, "REMOVE l[0]")["l"], AV::L({}));
}

TEST(UpdateAdd, Numbers) {
  Item it = updated({}, "ADD n :d", {{":d", N(5)}});
  EXPECT_EQ(it["n"], N(5));
  it = updated(it, "ADD n :d", {{":d", N(-7)}});
  EXPECT_EQ(it["n"], N(-2));
  EXPECT_EQ(error_of([&] { updated({{"n", S("x")}}, "ADD n :d", {{":d", N(1)}}); }),
            "Invalid UpdateExpression: An operand in the update expression has an incorrect data type");
  EXPECT_EQ(error_of([&] { updated({}, "ADD n :d", {{":d", S("1")}}); }),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: ADD, "
            "operand type: S");
  EXPECT_THAT(error_of([&] { updated({}, "ADD n :d", {{":d", AV::L({})}}); }), HasSubstr("operand type: L"));
}

TEST(UpdateAdd, NumbersAreExact) {
  Item it;
  it = updated(it, "ADD n :d", {{":d", N("0.1")}});
  it = updated(it, "ADD n :d", {{":d", N("0.2")}});
  EXPECT_EQ(it["n"].n(), "0.3");
  it = updated({{"n", N("12345678901234567890123456789012345678")}}, "ADD n :d", {{":d", N(1)}});
  EXPECT_EQ(it["n"].n(), "12345678901234567890123456789012345679");
  EXPECT_THAT(error_of([&] { updated({{"n", N("9.9999999999999999999999999999999999999e125")}}, "ADD n :d",
                                     {{":d", N("1e125")}}); }),
              HasSubstr("Number overflow"));
}

TEST(UpdateAdd, Sets) {
  Item it = updated({}, "ADD s :v", {{":v", AV::SS({"b", "a"})}});
  EXPECT_EQ(it["s"], AV::SS({"a", "b"}));
  it = updated(it, "ADD s :v", {{":v", AV::SS({"c", "a"})}});
  EXPECT_EQ(it["s"].set(), (AV::Set{"a", "b", "c"}));
  Item ns = updated({{"s", AV::NS({"1", "10"})}}, "ADD s :v", {{":v", AV::NS({"2", "1.0"})}});
  EXPECT_EQ(ns["s"], AV::NS({"1", "2", "10"}));
  EXPECT_EQ(updated({{"s", AV::BS({"x"})}}, "ADD s :v", {{":v", AV::BS({"y"})}})["s"], AV::BS({"x", "y"}));
  EXPECT_EQ(error_of([&] { updated({{"s", AV::SS({"a"})}}, "ADD s :v", {{":v", AV::NS({"1"})}}); }),
            "Invalid UpdateExpression: An operand in the update expression has an incorrect data type");
  EXPECT_EQ(error_of([&] { updated({{"s", AV::SS({"a"})}}, "ADD s :v", {{":v", N(1)}}); }),
            "Invalid UpdateExpression: An operand in the update expression has an incorrect data type");
}

TEST(UpdateAdd, NestedPaths) {
  Item it{{"m", AV::M({{"n", N(1)}})}};
  EXPECT_EQ(updated(it, "ADD m.n :d, m.fresh :d", {{":d", N(2)}})["m"], AV::M({{"n", N(3)}, {"fresh", N(2)}}));
  EXPECT_EQ(error_of([&] { updated(it, "ADD nope.n :d", {{":d", N(2)}}); }), kInvalidPath);
}

TEST(UpdateDelete, Sets) {
  Item it{{"s", AV::SS({"cat", "dog", "mouse"})}, {"keep", N(1)}};
  EXPECT_EQ(updated(it, "DELETE s :v", {{":v", AV::SS({"cat", "mouse"})}})["s"], AV::SS({"dog"}));
  EXPECT_EQ(updated(it, "DELETE s :v", {{":v", AV::SS({"pig"})}})["s"], it["s"]);
  // Deleting every element removes the attribute: DynamoDB has no empty sets.
  EXPECT_EQ(updated(it, "DELETE s :v", {{":v", AV::SS({"cat", "dog", "mouse", "pig"})}}), (Item{{"keep", N(1)}}));
  EXPECT_EQ(updated(it, "DELETE nope :v", {{":v", AV::SS({"x"})}}), it);
  EXPECT_EQ(updated({{"s", AV::NS({"1", "2"})}}, "DELETE s :v", {{":v", AV::NS({"2.0"})}})["s"], AV::NS({"1"}));
  EXPECT_EQ(updated({{"m", AV::M({{"s", AV::BS({"a"})}})}}, "DELETE m.s :v", {{":v", AV::BS({"a"})}})["m"], AV::M({}));
  EXPECT_EQ(error_of([&] { updated(it, "DELETE s :v", {{":v", S("cat")}}); }),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: "
            "DELETE, operand type: S");
  EXPECT_EQ(error_of([&] { updated(it, "DELETE s :v", {{":v", AV::NS({"1"})}}); }),
            "Invalid UpdateExpression: An operand in the update expression has an incorrect data type");
  EXPECT_EQ(error_of([&] { updated(it, "DELETE keep :v", {{":v", AV::NS({"1"})}}); }),
            "Invalid UpdateExpression: An operand in the update expression has an incorrect data type");
}

TEST(UpdateClauses, AnyOrderEachOnce) {
  Item it{{"a", N(1)}, {"s", AV::SS({"x", "y"})}, {"r", N(0)}};
  Item out = updated(it, "DELETE s :d ADD a :one REMOVE r SET b = :one",
                     {{":d", AV::SS({"x"})}, {":one", N(1)}});
  EXPECT_EQ(out, (Item{{"a", N(2)}, {"s", AV::SS({"y"})}, {"b", N(1)}}));
  EXPECT_EQ(error_of([&] { Update::parse("SET a = :v SET b = :v"); }),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
  EXPECT_THAT(error_of([&] { Update::parse("SET a = :v REMOVE b set c = :v"); }), HasSubstr("\"SET\" section"));
  EXPECT_THAT(error_of([&] { Update::parse("remove a REMOVE b"); }), HasSubstr("\"REMOVE\" section"));
}

TEST(UpdateClauses, OverlappingPathsAreRefused) {
  Values v{{":v", N(1)}, {":s", AV::SS({"a"})}};
  EXPECT_EQ(error_of([&] { updated({}, "SET a = :v REMOVE a", v); }),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of "
            "these paths; path one: [a], path two: [a]");
  for (const char* text : {"SET a = :v, a.b = :v", "SET a.b = :v, a = :v", "SET a[1] = :v, a = :v",
                           "SET a[1][1] = :v, a[1] = :v", "SET a.b.c = :v, a.b = :v", "ADD a :v DELETE a :s",
                           "REMOVE a.b SET a = :v"}) {
    EXPECT_THAT(error_of([&] { updated({}, text, v); }), HasSubstr("overlap")) << text;
  }
  EXPECT_THAT(error_of([&] { updated({}, "SET #a = :v, #b = :v", v, {{"#a", "x"}, {"#b", "x"}}); }),
              HasSubstr("path one: [x], path two: [x]"));
  EXPECT_EQ(error_of([&] { updated({}, "SET a.b = :v, a[1] = :v", v); }),
            "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of "
            "these paths; path one: [a, b], path two: [a, [1]]");
  // Siblings do not overlap.
  Item it{{"a", AV::M({{"x", N(0)}, {"y", N(0)}})}, {"l", AV::L({N(0), N(0)})}};
  EXPECT_EQ(updated(it, "SET a.x = :v, a.y = :v, l[0] = :v, l[1] = :v", {{":v", N(1)}}),
            (Item{{"a", AV::M({{"x", N(1)}, {"y", N(1)}})}, {"l", AV::L({N(1), N(1)})}}));
}

TEST(UpdateApply, FailureLeavesTheItemUnchanged) {
  Item it{{"a", N(1)}, {"s", S("x")}};
  EXPECT_NE(error_of([&] { Update::parse("SET a = :v, b = :v ADD s :v")->apply(it, {}, {{":v", N(5)}}); }), "");
  EXPECT_EQ(it, (Item{{"a", N(1)}, {"s", S("x")}}));
}

TEST(UpdateApply, UndefinedPlaceholders) {
  EXPECT_EQ(error_of([&] { updated({}, "SET a = :v"); }),
            "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute "
            "value: :v");
  EXPECT_EQ(error_of([&] { updated({}, "SET #a = :v", {{":v", N(1)}}); }),
            "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; "
            "attribute name: #a");
  EXPECT_NE(error_of([&] { updated({{"c", N(1)}}, "SET c = if_not_exists(c, :undefined)"); }), "");
}

TEST(UpdateTouched, TopLevelNamesAfterResolution) {
  auto u = Update::parse("SET #k = :v, m.x = :v REMOVE #r[0] ADD n :v DELETE s :v");
  EXPECT_EQ(u->touched_top_level({{"#k", "pk"}, {"#r", "list"}}), (std::set<std::string>{"pk", "m", "list", "n", "s"}));
  EXPECT_NE(error_of([&] { u->touched_top_level({}); }), "");
}

}  // namespace
}  // namespace k9::store::expr::testing
