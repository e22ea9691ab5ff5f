#include "identity/local/refresh_token_repository.h"

#include <sodium.h>

#include <algorithm>

#include "core/encoding.h"
#include "core/error.h"
#include "core/random.h"
#include "identity/local/store_guard.h"

namespace k9::identity::local {

using store::AttributeValue;
using store::Item;

namespace {

constexpr size_t kTokenChars = 43;  // base64url of 32 bytes, no padding

std::string token_hash(std::string_view token) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

bool well_formed(std::string_view token) {
  return token.size() == kTokenChars && std::all_of(token.begin(), token.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

std::string string_attr(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it != item.end() && it->second.is(store::AttrType::S) ? it->second.s() : std::string();
}

bool bool_attr(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it != item.end() && it->second.is(store::AttrType::BOOL) && it->second.boolean();
}

int64_t int_attr(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it != item.end() && it->second.is(store::AttrType::N) ? std::stoll(it->second.n()) : 0;
}

Item key_of(const std::string& hash) { return {{"token_hash", AttributeValue::S(hash)}}; }

}  // namespace

RefreshTokenRepository::RefreshTokenRepository(store::Store& store, std::string table_name,
                                               std::chrono::seconds lifetime, const Clock& clock)
    : store_(store), table_(std::move(table_name)), lifetime_(lifetime), clock_(clock) {
  if (sodium_init() < 0) throw Error(ErrorCode::internal, "libsodium failed to initialise");
}

store::TableSchema RefreshTokenRepository::schema(std::string table_name) {
  store::TableSchema s;
  s.name = std::move(table_name);
  s.key = {"token_hash", store::AttrType::S};
  s.indexes = {{kRefreshTokensByUser, {"username", store::AttrType::S, "created_at", store::AttrType::S}}};
  return s;
}

std::string RefreshTokenRepository::issue(const std::string& username, const std::string& sub) {
  std::string token = base64url_encode(random_bytes(32));
  const auto now = clock_.now();
  const std::string stamp = iso8601_ms(now);
  Item item{
      {"token_hash", AttributeValue::S(token_hash(token))},
      {"username", AttributeValue::S(username)},
      {"sub", AttributeValue::S(sub)},
      {"created_at", AttributeValue::S(stamp)},
      {"updated_at", AttributeValue::S(stamp)},
      {"expires_at", AttributeValue::N(static_cast<long long>(unix_seconds(now) + lifetime_.count()))},
      {"revoked", AttributeValue::Bool(false)},
  };
  guarded([&] { store_.put({table_, item, "attribute_not_exists(#k)", {{"#k", "token_hash"}}, {}}); });
  return token;
}

RefreshGrant RefreshTokenRepository::redeem(const std::string& username, const std::string& token, bool consume) {
  if (!well_formed(token)) throw unauthorized(kInvalidRefreshToken);
  const std::string hash = token_hash(token);
  auto item = guarded([&] { return store_.get(table_, key_of(hash)); });
  if (!item || string_attr(*item, "username") != username) throw unauthorized(kInvalidRefreshToken);
  if (bool_attr(*item, "revoked")) throw unauthorized("Refresh token has been revoked");
  if (unix_seconds(clock_.now()) >= int_attr(*item, "expires_at")) throw unauthorized("Refresh token has expired");
  RefreshGrant grant{username, string_attr(*item, "sub")};
  if (!consume) return grant;

  const bool used_before = item->contains("used_at");
  if (!used_before) {
    const std::string now = iso8601_ms(clock_.now());
    store::UpdateRequest mark{table_,
                              key_of(hash),
                              "SET #used = :now, #ua = :now",
                              "attribute_exists(#k) AND attribute_not_exists(#used) AND #rev = :false",
                              {{"#k", "token_hash"}, {"#used", "used_at"}, {"#ua", "updated_at"}, {"#rev", "revoked"}},
                              {{":now", AttributeValue::S(now)}, {":false", AttributeValue::Bool(false)}}};
    bool won = guarded([&] {
      try {
        store_.update(mark);
        return true;
      } catch (const store::ConditionFailed&) {
        return false;
      }
    });
    if (won) return grant;
  }
  revoke_user(username);
  throw unauthorized("Refresh token has already been used");
}

bool RefreshTokenRepository::revoke(const std::string& token) {
  if (!well_formed(token)) return false;
  store::UpdateRequest update{table_,
                              key_of(token_hash(token)),
                              "SET #rev = :true, #ua = :now",
                              "attribute_exists(#k)",
                              {{"#k", "token_hash"}, {"#rev", "revoked"}, {"#ua", "updated_at"}},
                              {{":true", AttributeValue::Bool(true)}, {":now", AttributeValue::S(iso8601_ms(clock_.now()))}}};
  return guarded([&] {
    try {
      store_.update(update);
      return true;
    } catch (const store::ConditionFailed&) {
      return false;
    }
  });
}

size_t RefreshTokenRepository::revoke_user(const std::string& username) {
  size_t revoked = 0;
  store::QueryRequest q;
  q.table = table_;
  q.index = kRefreshTokensByUser;
  q.partition = AttributeValue::S(username);
  q.limit = 100;
  const std::string now = iso8601_ms(clock_.now());
  do {
    auto page = guarded([&] { return store_.query(q); });
    for (const Item& item : page.items) {
      if (bool_attr(item, "revoked")) continue;
      store::UpdateRequest update{table_,
                                  key_of(string_attr(item, "token_hash")),
                                  "SET #rev = :true, #ua = :now",
                                  "attribute_exists(#k)",
                                  {{"#k", "token_hash"}, {"#rev", "revoked"}, {"#ua", "updated_at"}},
                                  {{":true", AttributeValue::Bool(true)}, {":now", AttributeValue::S(now)}}};
      guarded([&] {
        try {
          store_.update(update);
          ++revoked;
        } catch (const store::ConditionFailed&) {
        }
      });
    }
    q.exclusive_start_key = page.last_evaluated_key;
  } while (!q.exclusive_start_key.empty());
  return revoked;
}

}  // namespace k9::identity::local
