#include "store/sqlite/item_codec.h"

#include <gtest/gtest.h>

#include "store/store.h"
#include "store/test_items.h"

namespace k9::store::sqlite {
namespace {

using AV = AttributeValue;

TEST(ItemCodec, RoundTripsEveryTypeAndNesting) {
  Item item = store::testing::item_of_every_type();
  item["deep"] = AV::M({{"deep", AV::M({{"l", AV::L({AV::N("1"), AV::SS({"a"})})}})}});
  item["empty_l"] = AV::L({}), item["empty_m"] = AV::M({});
  item["long_bs"] = AV::BS({std::string(300, 'x')});
  item[std::string(200, 'k')] = AV::S(std::string(100000, 'v'));
  EXPECT_EQ(decode_item(encode_item(item)), item);
  EXPECT_EQ(decode_item(encode_item({})), Item{});
}

TEST(ItemCodec, RefusesCorruptBytes) {
  std::string good = encode_item({{"a", AV::S("text")}, {"b", AV::L({AV::N("1")})}});
  for (size_t cut = 0; cut < good.size(); ++cut)
    EXPECT_THROW(decode_item(good.substr(0, cut)), StoreError) << "cut at " << cut;
  EXPECT_THROW(decode_item(good + "x"), StoreError);
  std::string bad_tag = good;
  bad_tag[3] = 99;
  EXPECT_THROW(decode_item(bad_tag), StoreError);
  EXPECT_THROW(decode_item(std::string("\x01\x01" "a" "\x07\xff\xff\xff\xff\x0f", 9)), StoreError);  // huge count
}

// Found by fuzz/sqlite_row.cc: a row whose number or set AttributeValue refuses threw
// std::invalid_argument instead of StoreError.
TEST(ItemCodec, RefusesValuesAnItemCannotHold) {
  EXPECT_THROW(decode_item(std::string("\x01\x01n\x02\x031$\x01", 7)), StoreError);  // N "1$\x01"
  EXPECT_THROW(decode_item(std::string("\x01\x01n\x02\x00", 5)), StoreError);           // N ""
  EXPECT_THROW(decode_item(std::string("\x01\x01s\x09\x01\x01x", 7)), StoreError);     // NS {"x"}
}

}  // namespace
}  // namespace k9::store::sqlite
