#include "store/item.h"

#include <gtest/gtest.h>

#include "store/item_json.h"
#include "store/test_items.h"

namespace k9::store {
namespace {

TEST(Number, CanonicalisesDecimalText) {
  EXPECT_EQ(AttributeValue::N("007.500").n(), "7.5");
  EXPECT_EQ(AttributeValue::N("-0").n(), "0");
  EXPECT_EQ(AttributeValue::N("1e2").n(), "100");
  EXPECT_EQ(AttributeValue::N("1.5E-3").n(), "0.0015");
  EXPECT_EQ(AttributeValue::N("+12").n(), "12");
  EXPECT_EQ(AttributeValue::N("12345678901234567890.123456789").n(), "12345678901234567890.123456789");
}

TEST(Number, RejectsWhatDynamoDBRejects) {
  EXPECT_THROW(AttributeValue::N(""), std::invalid_argument);
  EXPECT_THROW(AttributeValue::N("1.2.3"), std::invalid_argument);
  EXPECT_THROW(AttributeValue::N("abc"), std::invalid_argument);
  EXPECT_THROW(AttributeValue::N("1e"), std::invalid_argument);
  EXPECT_THROW(AttributeValue::N("123456789012345678901234567890123456789"), std::invalid_argument);
  EXPECT_THROW(AttributeValue::N("1e126"), std::invalid_argument);
  EXPECT_NO_THROW(AttributeValue::N("1e125"));
}

TEST(Number, ComparesAndAddsExactly) {
  EXPECT_EQ(compare_numbers("0.1", "0.10"), 0);
  EXPECT_EQ(compare_numbers("-2", "1"), -1);
  EXPECT_EQ(compare_numbers("-2", "-10"), 1);
  EXPECT_EQ(compare_numbers("100", "99.999"), 1);
  EXPECT_EQ(add_numbers("0.1", "0.2"), "0.3");
  EXPECT_EQ(add_numbers("5", "-7.25"), "-2.25");
  EXPECT_EQ(add_numbers("99999999999999999999", "1"), "100000000000000000000");
  EXPECT_EQ(add_numbers("1.5", "-1.5"), "0");
}

TEST(Item, EqualityIsDeepAndSetsAreSets) {
  auto a = AttributeValue::M({{"x", AttributeValue::L({AttributeValue::N("1.0"), AttributeValue::S("s")})}});
  auto b = AttributeValue::M({{"x", AttributeValue::L({AttributeValue::N("1"), AttributeValue::S("s")})}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(AttributeValue::SS({"b", "a", "a"}), AttributeValue::SS({"a", "b"}));
  EXPECT_NE(AttributeValue::S("1"), AttributeValue::N("1"));
}

TEST(ItemJson, RoundTripsEveryType) {
  Item item = testing::item_of_every_type();
  std::string text = serialize_item(item);
  EXPECT_EQ(parse_item(text), item);
  EXPECT_NE(text.find("\"N\":\"-12345678901234567890.123456789012345678\""), std::string::npos) << "exact";
}

TEST(ItemJson, RejectsMalformed) {
  EXPECT_THROW(parse_item(R"({"a":{"X":"1"}})"), std::invalid_argument);
  EXPECT_THROW(parse_item(R"({"a":{"S":1}})"), std::invalid_argument);
  EXPECT_THROW(parse_item(R"({"a":{"N":"x"}})"), std::invalid_argument);
  EXPECT_THROW(parse_item(R"({"a":{"SS":[]}})"), std::invalid_argument);
  EXPECT_THROW(parse_item(R"([1])"), std::invalid_argument);
}

}  // namespace
}  // namespace k9::store
