#include "core/json_codec.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace k9 {
namespace {

TEST(JsonCodec, RoundTripsAProductWithCamelCaseKeys) {
  auto body = parse_json(R"({"id":"p1","brand":"Acme","model":"Oak","images":[{"id":"i","url":"u",
    "selection":{"shape":{"width":1,"height":2},"position":{"x":0.5,"y":0.25},"scale":1.5,"rotation":{"x":0,"y":0,"z":0,"w":1}}}],
    "category":{"type":"tile","material":"porcelain"},
    "formats":[{"length":{"val":24,"unit":"in"},"vendors":[{"sku":"s","store":"st","name":"n","price":{"val":12.99,"unit":"usd"},"discontinued":false,"url":"x"}]}]})");
  auto p = decode_json<Product>(body);
  EXPECT_EQ(p.formats[0].vendors[0].price->val.text, "12.99");
  EXPECT_EQ(p.images[0].selection->position.y.text, "0.25");
  EXPECT_FALSE(p.series);
  std::string out = to_json_text(to_json(p));
  EXPECT_NE(out.find(R"("price":{"val":12.99,"unit":"usd"})"), std::string::npos) << out;
  EXPECT_EQ(out.find("series"), std::string::npos);
  EXPECT_EQ(decode_json<Product>(parse_json(out)).formats[0].length->val.text, "24");
}

TEST(JsonCodec, RequestBodyNumbersKeepEveryDigit) {
  auto body = parse_json_object(R"({"val":3.9900000000000000000000000000000000001,"unit":"usd"})");
  auto d = decode_json<Dimension>(body);
  EXPECT_EQ(d.val.text, "3.9900000000000000000000000000000000001");
  EXPECT_EQ(to_json_text(to_json(d)), R"({"val":3.9900000000000000000000000000000000001,"unit":"usd"})");
  EXPECT_EQ(decode_json<Dimension>(parse_json_object(R"({"val":-1.5E+3})")).val.text, "-1500");
  EXPECT_EQ(decode_json<Dimension>(parse_json_object(R"({"val":12345678901234567890123})")).val.text,
            "12345678901234567890123");
}

TEST(JsonCodec, ANumberIsNotAnObjectOrAString) {
  auto msg = [](const char* text) {
    try {
      decode_json<Product>(parse_json_object(text));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(msg(R"({"category":5})"), "category must be an object");
  EXPECT_EQ(msg(R"({"model":5.5})"), "model must be a string");
  EXPECT_EQ(msg(R"({"formats":[{"length":{"val":1e999}}]})"), "formats[0].length.val must be a number");
}

TEST(JsonCodec, ExactDecimalsMayComeAsStrings) {
  auto d = decode_json<Dimension>(parse_json(R"({"val":"12345678901234567890.5","unit":"usd"})"));
  EXPECT_EQ(d.val.text, "12345678901234567890.5");
}

TEST(JsonCodec, ErrorsNameTheField) {
  auto msg = [](const char* text) {
    try {
      decode_json<Product>(parse_json(text));
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::bad_request);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(msg(R"({"model":5})"), "model must be a string");
  EXPECT_EQ(msg(R"({"formats":[{"length":{"val":"x"}}]})"), "formats[0].length.val must be a number");
  EXPECT_EQ(msg(R"({"colour":"red","model":"m"})"), "Unknown field(s): colour");
  EXPECT_EQ(msg(R"({"category":{"type":1}})"), "category.type must be a string");
  EXPECT_EQ(msg(R"({"images":{}})"), "images must be an array");
  EXPECT_EQ(msg(R"([])"), "body must be an object");
}

TEST(Json, StrictParsing) {
  EXPECT_THROW(parse_json_object("{"), Error);
  EXPECT_THROW(parse_json_object("[1]"), Error);
  EXPECT_THROW(parse_json_object(""), Error);
  EXPECT_THROW(parse_json_object("{\"a\":\"\xff\"}"), Error);
  EXPECT_NO_THROW(parse_json_object("{\"a\":\"\xc3\xa9\"}"));
}

TEST(Json, WritesShortestNumbers) {
  EXPECT_EQ(to_json_text(boost::json::object{{"a", 12.99}, {"b", 0.1}, {"c", 3}}), R"({"a":12.99,"b":0.1,"c":3})");
}

}  // namespace
}  // namespace k9

#include "core/utf8.h"
namespace k9 {
namespace {
TEST(Utf8, RefusesMalformedSequences) {
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("\xc3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // over U+10FFFF
  EXPECT_EQ(utf8_length("\xc3\xa9x\xf0\x9f\x98\x80"), 3u);
}
}  // namespace
}  // namespace k9
