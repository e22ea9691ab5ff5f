#include "repo/cursor.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/error.h"

namespace k9::repo {
namespace {

store::Item key() {
  store::Item k;
  k["userId"] = store::AttributeValue::S("alice");
  k["reportId"] = store::AttributeValue::S("r-1");
  return k;
}

TEST(CursorCodec, ASecretThatComesLaterSignsAsTheSameSecretGivenAtOnce) {
  int asked = 0;
  CursorCodec later(std::function<std::string()>([&] {
    ++asked;
    return std::string("cursor-secret-0123456789abcdef");
  }));
  CursorCodec now(std::string("cursor-secret-0123456789abcdef"));
  std::string cursor = later.encode(key());
  EXPECT_EQ(cursor, now.encode(key()));
  EXPECT_EQ(now.decode(cursor), key());
  EXPECT_EQ(later.decode(cursor), key());
  EXPECT_EQ(asked, 2);
}

TEST(CursorCodec, AnotherSecretsCursorIsInvalid) {
  std::string cursor = CursorCodec(std::string("secret-one-0123456789")).encode(key());
  try {
    CursorCodec(std::string("secret-two-0123456789")).decode(cursor);
    FAIL() << "decoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::bad_request);
    EXPECT_EQ(e.message(), "Invalid cursor");
  }
}

TEST(CursorCodec, ASecretThatCannotBeHadFailsThatCallAndTheNextAsksAgain) {
  int asked = 0;
  CursorCodec codec(std::function<std::string()>([&]() -> std::string {
    if (++asked == 1) throw std::runtime_error("blob store unavailable");
    return "cursor-secret-0123456789abcdef";
  }));
  EXPECT_THROW(codec.encode(key()), std::runtime_error);
  std::string cursor = codec.encode(key());
  EXPECT_EQ(codec.decode(cursor), key());
  EXPECT_EQ(asked, 3);
}

}  // namespace
}  // namespace k9::repo
