#include "identity/local/credential_repository.h"

#include <sodium.h>

#include "core/encoding.h"
#include "core/error.h"
#include "core/random.h"
#include "identity/local/store_guard.h"
#include "identity/local/username.h"

namespace k9::identity::local {

using store::AttributeValue;
using store::Item;

namespace {

void ensure_sodium() {
  if (sodium_init() < 0) throw Error(ErrorCode::internal, "libsodium failed to initialise");
}

void validate_password(const std::string& password, const std::string& field) {
  check_password_policy(password, field);
}

// Lower-case hex SHA-256: how challenge sessions are stored.
std::string sha256_hex(std::string_view text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string string_attr(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it != item.end() && it->second.is(store::AttrType::S) ? it->second.s() : std::string();
}

Credential to_credential(const Item& item) {
  Credential c;
  c.username = string_attr(item, "username");
  c.sub = string_attr(item, "sub");
  c.name = string_attr(item, "name");
  c.email = string_attr(item, "email");
  auto t = item.find("temporary");
  c.temporary = t != item.end() && t->second.is(store::AttrType::BOOL) && t->second.boolean();
  c.created_at = string_attr(item, "created_at");
  c.updated_at = string_attr(item, "updated_at");
  return c;
}

}  // namespace

PasswordHashing PasswordHashing::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}
PasswordHashing PasswordHashing::minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

CredentialRepository::CredentialRepository(store::Store& store, std::string table_name, PasswordHashing hashing,
                                           const Clock& clock)
    : store_(store), table_(std::move(table_name)), hashing_(hashing), clock_(clock) {
  ensure_sodium();
}

store::TableSchema CredentialRepository::schema(std::string table_name) {
  store::TableSchema s;
  s.name = std::move(table_name);
  s.key.partition_key = "username";
  s.key.partition_type = store::AttrType::S;
  return s;
}

std::string CredentialRepository::hash(const std::string& password) const {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), hashing_.opslimit, hashing_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw Error(ErrorCode::unavailable, "out of memory hashing a password", 1);
  return out;
}

void CredentialRepository::burn_dummy_verification(const std::string& password) {
  std::call_once(dummy_once_, [this] { dummy_hash_ = hash(hex_encode(random_bytes(16))); });
  volatile int ignored = crypto_pwhash_str_verify(dummy_hash_.c_str(), password.data(), password.size());
  (void)ignored;
}

Credential CredentialRepository::add(const std::string& username, const std::string& password, bool temporary,
                                     const std::string& name, const std::string& email) {
  validate_username(username);
  validate_password(password, "password");
  const std::string now = iso8601_ms(clock_.now());
  Item item{
      {"username", AttributeValue::S(username)},
      {"sub", AttributeValue::S(new_uuid())},
      {"password_hash", AttributeValue::S(hash(password))},
      {"temporary", AttributeValue::Bool(temporary)},
      {"created_at", AttributeValue::S(now)},
      {"updated_at", AttributeValue::S(now)},
  };
  if (!name.empty()) item["name"] = AttributeValue::S(name);
  if (!email.empty()) item["email"] = AttributeValue::S(email);
  store::PutRequest put{table_, item, "attribute_not_exists(#u)", {{"#u", "username"}}, {}};
  guarded([&] {
    try {
      store_.put(put);
    } catch (const store::ConditionFailed&) {
      throw Error(ErrorCode::conflict, "username already exists");
    }
  });
  return to_credential(item);
}

std::optional<Credential> CredentialRepository::find(const std::string& username) {
  if (!is_valid_username(username)) return std::nullopt;
  auto item = guarded([&] { return store_.get(table_, {{"username", AttributeValue::S(username)}}); });
  if (!item) return std::nullopt;
  return to_credential(*item);
}

std::optional<Credential> CredentialRepository::verify_password(const std::string& username,
                                                                const std::string& password) {
  std::optional<Item> item;
  if (is_valid_username(username))
    item = guarded([&] { return store_.get(table_, {{"username", AttributeValue::S(username)}}); });
  std::string stored = item ? string_attr(*item, "password_hash") : std::string();
  if (stored.empty()) {
    burn_dummy_verification(password);
    return std::nullopt;
  }
  if (crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) != 0) return std::nullopt;
  return to_credential(*item);
}

std::optional<Credential> CredentialRepository::remove(const std::string& username) {
  if (!is_valid_username(username)) return std::nullopt;
  auto item = guarded([&] {
    return store_.remove(store::DeleteRequest{table_, {{"username", AttributeValue::S(username)}}, "", {}, {}});
  });
  if (!item) return std::nullopt;
  return to_credential(*item);
}

Credential CredentialRepository::set_password(const std::string& username, const std::string& new_password) {
  validate_username(username);
  validate_password(new_password, "newPassword");
  store::UpdateRequest update{
      table_,
      {{"username", AttributeValue::S(username)}},
      "SET #h = :h, #t = :t, #ua = :now",
      "attribute_exists(#u)",
      {{"#u", "username"}, {"#h", "password_hash"}, {"#t", "temporary"}, {"#ua", "updated_at"}},
      {{":h", AttributeValue::S(hash(new_password))},
       {":t", AttributeValue::Bool(false)},
       {":now", AttributeValue::S(iso8601_ms(clock_.now()))}},
  };
  return guarded([&] {
    try {
      return to_credential(store_.update(update));
    } catch (const store::ConditionFailed&) {
      throw not_found("user not found");
    }
  });
}

void CredentialRepository::open_challenge(const std::string& username, const std::string& session,
                                          int64_t expires_at_unix) {
  validate_username(username);
  store::UpdateRequest update{
      table_,
      {{"username", AttributeValue::S(username)}},
      "SET #ch = :ch, #ce = :ce",
      "attribute_exists(#u)",
      {{"#u", "username"}, {"#ch", "challenge_hash"}, {"#ce", "challenge_expires_at"}},
      {{":ch", AttributeValue::S(sha256_hex(session))}, {":ce", AttributeValue::N(static_cast<long long>(expires_at_unix))}},
  };
  guarded([&] {
    try {
      store_.update(update);
    } catch (const store::ConditionFailed&) {
      throw not_found("user not found");
    }
  });
}

Credential CredentialRepository::answer_challenge(const std::string& username, const std::string& session,
                                                  const std::string& new_password) {
  if (!is_valid_username(username) || session.empty()) throw unauthorized(kInvalidSession);
  auto item = guarded([&] { return store_.get(table_, {{"username", AttributeValue::S(username)}}); });
  const std::string presented = sha256_hex(session);
  const std::string stored = item ? string_attr(*item, "challenge_hash") : std::string();
  if (stored.size() != presented.size() || sodium_memcmp(stored.data(), presented.data(), stored.size()) != 0)
    throw unauthorized(kInvalidSession);
  auto expires = item->find("challenge_expires_at");
  if (expires == item->end() || !expires->second.is(store::AttrType::N) ||
      unix_seconds(clock_.now()) >= std::stoll(expires->second.n()))
    throw Error(ErrorCode::gone, kExpiredSession);
  validate_password(new_password, "newPassword");
  store::UpdateRequest update{
      table_,
      {{"username", AttributeValue::S(username)}},
      "SET #h = :h, #t = :t, #ua = :now REMOVE #ch, #ce",
      "#ch = :ch",
      {{"#h", "password_hash"}, {"#t", "temporary"}, {"#ua", "updated_at"}, {"#ch", "challenge_hash"},
       {"#ce", "challenge_expires_at"}},
      {{":h", AttributeValue::S(hash(new_password))},
       {":t", AttributeValue::Bool(false)},
       {":now", AttributeValue::S(iso8601_ms(clock_.now()))},
       {":ch", AttributeValue::S(presented)}},
  };
  return guarded([&] {
    try {
      return to_credential(store_.update(update));
    } catch (const store::ConditionFailed&) {
      throw unauthorized(kInvalidSession);
    }
  });
}

}  // namespace k9::identity::local
