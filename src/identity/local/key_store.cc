#include "identity/local/key_store.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/encoding.h"
#include "core/error.h"
#include "core/random.h"

namespace k9::identity::local {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrefix = "key-";
constexpr std::string_view kSuffix = ".pem";

[[noreturn]] void fail(const std::string& what) { throw Error(ErrorCode::internal, what); }
[[noreturn]] void fail_errno(const std::string& what) { fail(what + ": " + std::strerror(errno)); }

std::string file_name(uint64_t sequence) {
  std::string digits = std::to_string(sequence);
  return std::string(kPrefix) + std::string(10 - std::min<size_t>(10, digits.size()), '0') + digits +
         std::string(kSuffix);
}

// The sequence of `key-<digits>.pem`, or 0 for any other name.
uint64_t sequence_of(const std::string& name) {
  if (name.size() <= kPrefix.size() + kSuffix.size() || !name.starts_with(kPrefix) || !name.ends_with(kSuffix))
    return 0;
  std::string digits = name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.empty() || digits.size() > 18 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return 0;
  return std::stoull(digits);
}

void fsync_path(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail_errno("open " + path.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail_errno("fsync " + path.string());
}

// Writes `data` to `path` with mode 0600: temp file in the same folder, fsync, rename,
// fsync of the folder.
void write_file_atomically(const fs::path& path, std::string_view data) {
  fs::path tmp = path;
  tmp += ".tmp-" + hex_encode(random_bytes(6));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno("create " + tmp.string());
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      fail_errno("write " + tmp.string());
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail_errno("fsync " + tmp.string());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail_errno("rename " + tmp.string());
  }
  fsync_path(path.parent_path(), O_RDONLY | O_DIRECTORY);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_errno("read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int no_password(char*, int, int, void*) { return 0; }  // never prompt on a terminal

PkeyPtr load_key(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_errno("stat " + path.string());
  if ((st.st_mode & 077) != 0)
    fail("key file " + path.string() + " is readable by group or others; chmod 600 it");
  std::string pem = read_file(path);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_password, nullptr) : nullptr);
  if (!key) throw_openssl("key file " + path.string() + " is not a PEM private key");
  if (!EVP_PKEY_is_a(key.get(), "RSA") || EVP_PKEY_get_bits(key.get()) < 2048)
    fail("key file " + path.string() + " is not an RSA key of at least 2048 bits");
  return key;
}

std::string pem_of(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw_openssl("encode key as PEM");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<size_t>(len));
  return pem;
}

std::string bn_param_base64url(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) throw_openssl(std::string("read RSA parameter ") + name);
  BnPtr bn(raw);
  std::string bytes(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return base64url_encode(bytes);
}

}  // namespace

PkeyPtr KeyStore::generate_rsa_key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  if (!key) throw_openssl("generate RSA key");
  return key;
}

std::string KeyStore::kid_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) throw_openssl("encode public key");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  int ok = EVP_Digest(der, static_cast<size_t>(len), digest, &digest_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) throw_openssl("hash public key");
  return base64url_encode(std::string_view(reinterpret_cast<char*>(digest), digest_len)).substr(0, 16);
}

KeyStore::KeyStore(const fs::path& data_dir, size_t keep) : folder_(data_dir / "keys"), keep_(std::max<size_t>(keep, 1)) {
  std::error_code ec;
  fs::create_directories(folder_, ec);
  if (ec) fail("create " + folder_.string() + ": " + ec.message());
  fs::permissions(folder_, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) fail("chmod " + folder_.string() + ": " + ec.message());

  auto files = key_files();
  std::unique_lock lock(mutex_);
  load(files);
  if (keys_.empty()) add_new_key();
  rebuild_jwks();
}

std::vector<std::pair<uint64_t, fs::path>> KeyStore::key_files() const {
  std::vector<std::pair<uint64_t, fs::path>> files;
  for (const auto& entry : fs::directory_iterator(folder_)) {
    if (!entry.is_regular_file()) continue;
    if (uint64_t seq = sequence_of(entry.path().filename().string())) files.emplace_back(seq, entry.path());
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (files.size() > keep_) files.resize(keep_);
  return files;
}

void KeyStore::load(const std::vector<std::pair<uint64_t, fs::path>>& files) {
  std::vector<std::shared_ptr<const SigningKey>> loaded;
  for (auto& [seq, path] : files) {
    auto key = std::make_shared<SigningKey>();
    key->pkey = load_key(path);
    key->kid = kid_of(key->pkey.get());
    key->sequence = seq;
    loaded.push_back(std::move(key));
  }
  keys_ = std::move(loaded);
}

bool KeyStore::sync_with_folder(std::chrono::milliseconds min_interval) {
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now().time_since_epoch()).count();
  int64_t last = last_sync_ms_.load();
  if (last != 0 && now_ms - last < min_interval.count()) return false;
  if (!last_sync_ms_.compare_exchange_strong(last, now_ms)) return false;  // another thread is at it
  std::vector<std::pair<uint64_t, fs::path>> files;
  try {
    files = key_files();
  } catch (const fs::filesystem_error&) {
    return false;  // keep serving with the keys we have
  }
  std::unique_lock lock(mutex_);
  bool same = files.size() == keys_.size();
  for (size_t i = 0; same && i < files.size(); ++i) same = files[i].first == keys_[i]->sequence;
  if (same || files.empty()) return false;
  load(files);
  rebuild_jwks();
  return true;
}

void KeyStore::add_new_key() {
  auto key = std::make_shared<SigningKey>();
  key->pkey = generate_rsa_key();
  key->kid = kid_of(key->pkey.get());
  key->sequence = keys_.empty() ? 1 : keys_.front()->sequence + 1;
  write_file_atomically(folder_ / file_name(key->sequence), pem_of(key->pkey.get()));
  keys_.insert(keys_.begin(), std::move(key));
}

void KeyStore::prune() {
  // Deletes every key file older than the newest `keep_` (also ones never loaded).
  uint64_t oldest_kept = keys_.size() > keep_ ? keys_[keep_ - 1]->sequence : keys_.back()->sequence;
  if (keys_.size() > keep_) keys_.resize(keep_);
  bool removed = false;
  for (const auto& entry : fs::directory_iterator(folder_)) {
    uint64_t seq = sequence_of(entry.path().filename().string());
    if (seq != 0 && seq < oldest_kept) {
      std::error_code ec;
      fs::remove(entry.path(), ec);
      if (ec) fail("remove " + entry.path().string() + ": " + ec.message());
      removed = true;
    }
  }
  if (removed) fsync_path(folder_, O_RDONLY | O_DIRECTORY);
}

void KeyStore::rotate() {
  std::unique_lock lock(mutex_);
  add_new_key();
  prune();
  rebuild_jwks();
}

void KeyStore::rebuild_jwks() {
  boost::json::array keys;
  for (const auto& key : keys_) {
    keys.push_back(boost::json::object{
        {"kty", "RSA"},
        {"use", "sig"},
        {"alg", "RS256"},
        {"kid", key->kid},
        {"n", bn_param_base64url(key->pkey.get(), OSSL_PKEY_PARAM_RSA_N)},
        {"e", bn_param_base64url(key->pkey.get(), OSSL_PKEY_PARAM_RSA_E)},
    });
  }
  jwks_ = boost::json::serialize(boost::json::object{{"keys", std::move(keys)}});
}

std::shared_ptr<const SigningKey> KeyStore::current() const {
  std::shared_lock lock(mutex_);
  return keys_.front();
}

std::shared_ptr<const SigningKey> KeyStore::find(std::string_view kid) const {
  std::shared_lock lock(mutex_);
  for (const auto& key : keys_)
    if (key->kid == kid) return key;
  return nullptr;
}

std::vector<std::string> KeyStore::kids() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  for (const auto& key : keys_) out.push_back(key->kid);
  return out;
}

std::string KeyStore::jwks() const {
  std::shared_lock lock(mutex_);
  return jwks_;
}

}  // namespace k9::identity::local
