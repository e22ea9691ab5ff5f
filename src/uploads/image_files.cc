#include "uploads/image_files.h"

#include <openssl/sha.h>

#include <cstdio>

#include "core/encoding.h"
#include "core/error.h"
#include "core/random.h"
#include "image_probe/image_probe.h"

namespace k9::uploads {

namespace {

bool safe_char(char c, bool dot) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         (dot && c == '.');
}

std::string megapixels(uint64_t pixels) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(pixels) / 1e6);
  return buf;
}

std::string extension_of_type(const std::string& type) {
  if (type == "image/jpeg") return "jpg";
  if (type == "image/png") return "png";
  if (type == "image/webp") return "webp";
  return "bin";
}

// Checks an image's bytes against the limits, reading only its header: see the contract.
image::ImageInfo checked_image(std::string_view bytes, const UploadLimits& limits, const std::string& field) {
  if (bytes.size() > limits.max_bytes)
    throw Error(ErrorCode::too_large, field + " is " + std::to_string(bytes.size()) + " bytes; at most " +
                                          std::to_string(limits.max_bytes) + " bytes are accepted");
  auto probe = image::probe_image(bytes);
  switch (probe.status) {
    case image::ProbeStatus::ok:
      break;
    case image::ProbeStatus::empty:
      throw bad_request(field + " is empty; send the image's bytes");
    case image::ProbeStatus::unknown_format:
      throw Error(ErrorCode::unsupported_media, field + " is not a JPEG, PNG or WebP image (its bytes were checked, "
                                                        "not its name or Content-Type)");
    case image::ProbeStatus::truncated:
    case image::ProbeStatus::malformed:
      throw bad_request(field + " is not a whole image: " + probe.message);
  }
  if (probe.info.pixels() > limits.max_pixels)
    throw Error(ErrorCode::too_large, field + " is " + std::to_string(probe.info.width) + "x" +
                                          std::to_string(probe.info.height) + " pixels (" +
                                          megapixels(probe.info.pixels()) + " megapixels); at most " +
                                          megapixels(limits.max_pixels) + " megapixels are accepted");
  return probe.info;
}

// data:[<media type>][;base64],<data>  ->  the decoded bytes (base64 only).
std::string decode_data_url(const std::string& url, const std::string& field) {
  auto comma = url.find(',');
  if (comma == std::string::npos) throw bad_request(field + " is a data: URL without data");
  std::string_view meta(url.data() + 5, comma - 5);
  if (meta.size() < 7 || meta.substr(meta.size() - 7) != ";base64")
    throw bad_request(field + " must be a base64 data: URL (data:image/png;base64,...)");
  auto bytes = base64_decode(std::string_view(url).substr(comma + 1));
  if (!bytes) throw bad_request(field + " has invalid base64 data");
  return *bytes;
}

// Values that name (or try to reach) K9's own files: only claims may put them in a report.
bool names_k9_files(const std::string& v) {
  for (std::string_view area : {"uploads/", "uploads-direct/", "images/", "avatars/", "similarity_matrices/", "catalog/"})
    if (v.rfind(area, 0) == 0) return true;
  return v.find("..") != std::string::npos || v.rfind("/", 0) == 0 || v.find('\\') != std::string::npos ||
         v.rfind("file:", 0) == 0;
}

struct Planned {
  std::string* target;     // the url or mask field to rewrite
  std::string field;       // its name in errors
  std::string copy_from;   // an upload key, or
  std::string bytes;       // decoded data: URL bytes
  std::string type;        // media type
};

}  // namespace

std::string checked_upload_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 100 && name.front() != '.';
  for (char c : name) ok = ok && safe_char(c, true);
  if (!ok)
    throw bad_request("name must be 1 to 100 characters of letters, digits and . _ - (a file name, not a path, "
                      "not starting with '.')");
  return name;
}

std::string ImageFiles::user_folder(const std::string& user_id) {
  bool ok = !user_id.empty() && user_id.size() <= 128;
  for (char c : user_id) ok = ok && safe_char(c, false);
  if (ok) return user_id;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(user_id.data()), user_id.size(), digest);
  return "h-" + hex_encode(std::string_view(reinterpret_cast<const char*>(digest), 16));
}

StoredImage ImageFiles::store_checked(const std::string& key_stem, std::string_view bytes, const std::string& field) {
  auto info = checked_image(bytes, limits_, field);
  std::string key = key_stem;
  if (key.back() == '.') key += image::extension(info.format);
  store_.put(key, bytes, image::media_type(info.format));
  return {key, store_.presigned_get_url(key, limits_.url_ttl)};
}

StoredImage ImageFiles::upload(const std::string& user_id, const std::string& name, std::string_view bytes) {
  checked_upload_name(name);
  return store_checked(std::string(kUploads) + user_folder(user_id) + "/" + new_uuid() + "-" + name, bytes, "the upload");
}

StoredImage ImageFiles::store_avatar(const std::string& user_id, std::string_view bytes) {
  return store_checked(std::string(kAvatars) + user_folder(user_id) + "/" + new_uuid() + ".", bytes, "the avatar");
}

void ImageFiles::remove_avatar(const std::string& user_id, const std::string& stored) {
  if (stored.rfind(std::string(kAvatars) + user_folder(user_id) + "/", 0) == 0 && blobs::valid_key(stored))
    store_.remove(stored);
}

std::optional<ImageFiles::DirectUpload> ImageFiles::start_direct_upload(const std::string& user_id,
                                                                          const std::string& name) {
  checked_upload_name(name);
  std::string key = std::string(kDirectUploads) + user_folder(user_id) + "/" + new_uuid() + "-" + name;
  constexpr std::chrono::seconds kExpires{900};
  auto url = store_.presigned_put_url(key, kExpires);
  if (!url) return std::nullopt;
  return DirectUpload{key, *url, kExpires};
}

ImageFiles::Claim ImageFiles::claim_report_images(const std::string& user_id, Product& reference) {
  const std::string own_uploads = std::string(kUploads) + user_folder(user_id) + "/";
  const std::string own_direct = std::string(kDirectUploads) + user_folder(user_id) + "/";
  std::vector<Planned> plan;
  auto consider = [&](std::string& value, const std::string& field) {
    if (value.rfind(own_direct, 0) == 0 && blobs::valid_key(value)) {
      // Bytes K9 has not seen: read and checked now, exactly as an upload through K9 is.
      auto head = store_.head(value);
      if (!head) throw bad_request(field + " names no upload of yours (was the PUT to uploadUrl made?)");
      if (head->size > limits_.max_bytes)
        throw Error(ErrorCode::too_large, field + ": the image is larger than " + std::to_string(limits_.max_bytes) + " bytes");
      auto blob = store_.get(value);
      if (!blob) throw bad_request(field + " names no upload of yours (it was swept meanwhile)");
      auto info = checked_image(blob->bytes, limits_, field);
      plan.push_back({&value, field, "", std::move(blob->bytes), image::media_type(info.format)});
      return;
    }
    if (value.rfind("data:", 0) == 0) {
      std::string bytes = decode_data_url(value, field);
      auto info = checked_image(bytes, limits_, field);
      plan.push_back({&value, field, "", std::move(bytes), image::media_type(info.format)});
      return;
    }
    if (value.rfind(own_uploads, 0) == 0 && blobs::valid_key(value)) {
      auto head = store_.head(value);
      if (!head)
        throw bad_request(field + " names no upload of yours (uploads are kept for " +
                          std::to_string(limits_.upload_ttl.count() / 3600) + " hours)");
      plan.push_back({&value, field, value, "", head->content_type});
      return;
    }
    if (names_k9_files(value))
      throw bad_request(field + " must be the key of one of your uploads (PUT /uploads/{name}) or a data:image URL");
    // Anything else (an external URL, a name from an older client) is kept as given: K9 never
    // signs, serves or fetches it.
  };
  for (size_t i = 0; i < reference.images.size(); ++i) {
    auto& img = reference.images[i];
    std::string at = "reference.images[" + std::to_string(i) + "]";
    consider(img.url, at + ".url");
    if (img.mask) consider(*img.mask, at + ".mask");
  }

  Claim claim;
  try {
    for (auto& p : plan) {
      std::string key = std::string(kImages) + user_folder(user_id) + "/" + new_uuid() + "." + extension_of_type(p.type);
      if (p.copy_from.empty()) {
        store_.put(key, p.bytes, p.type);
      } else {
        try {
          store_.copy(p.copy_from, key);
        } catch (const blobs::NotFound&) {
          throw bad_request(p.field + " names no upload of yours (it was swept meanwhile)");
        }
      }
      claim.written.push_back(key);
      *p.target = key;
    }
  } catch (...) {
    release(claim);
    throw;
  }
  return claim;
}

void ImageFiles::release(const Claim& claim) {
  for (auto& key : claim.written) {
    try {
      store_.remove(key);
    } catch (const blobs::Unavailable&) {
      // Left for an operator: the report does not name it, so nothing serves it.
    }
  }
}

void ImageFiles::remove_report_files(const Product& reference) {
  auto remove = [&](const std::string& v) {
    if (v.rfind(kImages, 0) == 0 && blobs::valid_key(v)) store_.remove(v);
  };
  for (auto& img : reference.images) {
    remove(img.url);
    if (img.mask) remove(*img.mask);
  }
}

std::string ImageFiles::read_own(const std::string& user_id, const std::string& value, const std::string& field) {
  if (value.rfind("data:", 0) == 0) {
    std::string bytes = decode_data_url(value, field);
    checked_image(bytes, limits_, field);
    return bytes;
  }
  std::string folder = user_folder(user_id) + "/";
  bool own = (value.rfind(std::string(kUploads) + folder, 0) == 0 || value.rfind(std::string(kImages) + folder, 0) == 0) &&
             blobs::valid_key(value);
  if (!own) throw bad_request(field + " must be one of your uploads (PUT /uploads/{name}) or a data: URL");
  auto blob = store_.get(value);
  if (!blob) throw bad_request(field + " names no file (uploads are kept for a day)");
  return std::move(blob->bytes);
}

std::optional<std::string> ImageFiles::read(const std::string& stored) {
  bool k9_file = (stored.rfind(kImages, 0) == 0 || stored.rfind(kCatalog, 0) == 0) && blobs::valid_key(stored);
  if (!k9_file) return std::nullopt;
  auto blob = store_.get(stored);
  if (!blob) return std::nullopt;
  return std::move(blob->bytes);
}

std::string ImageFiles::browser_url(const std::string& stored, std::chrono::seconds ttl) {
  bool k9_file = (stored.rfind(kImages, 0) == 0 || stored.rfind(kAvatars, 0) == 0 ||
                  stored.rfind(kCatalog, 0) == 0) &&
                 blobs::valid_key(stored);
  if (!k9_file) return stored;
  return store_.presigned_get_url(stored, ttl);
}

size_t ImageFiles::sweep_uploads() {
  auto cutoff = clock_.now() - limits_.upload_ttl;
  size_t removed = 0;
  for (std::string_view area : {kUploads, kDirectUploads}) {
    std::string next;
    do {
      auto page = store_.list(std::string(area), next, 1000);
      for (auto& item : page.items) {
        if (item.last_modified < cutoff) {
          store_.remove(item.key);
          ++removed;
        }
      }
      next = page.next;
    } while (!next.empty());
  }
  return removed;
}

}  // namespace k9::uploads
