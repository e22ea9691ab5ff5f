#include "catalog/importer.h"

#include <openssl/evp.h>


#include "catalog/catalog_folder.h"
#include "catalog/product_runner.h"
#include "core/encoding.h"
#include "core/error.h"

namespace k9::catalog {

namespace {

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

double number(const Decimal& d) { return std::stod(d.text); }

std::string key_segment(const std::string& id) {
  bool safe = !id.empty() && id.size() <= 128 && id[0] != '.';
  for (char c : id)
    safe = safe && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.');
  return safe ? id : "h-" + hex_encode(sha256(id)).substr(0, 32);
}

const char* extension_of(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return ".jpg";
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n") return ".png";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return ".webp";
  return ".bin";
}

const char* content_type_of(const char* ext) {
  std::string_view e = ext;
  return e == ".jpg" ? "image/jpeg" : e == ".png" ? "image/png" : e == ".webp" ? "image/webp" : "application/octet-stream";
}

// Stores `bytes` as catalog/<product>/<hash prefix><ext> (the same bytes always get the same key).
std::string store_catalog_file(blobs::BlobStore& blobs, const std::string& product_id, std::string_view bytes) {
  const char* ext = extension_of(bytes);
  std::string key = "catalog/" + key_segment(product_id) + "/" + hex_encode(sha256(bytes)).substr(0, 20) + ext;
  if (!blobs.head(key)) blobs.put(key, bytes, content_type_of(ext));
  return key;
}

struct Loaded {
  std::string image;
  std::optional<std::string> mask;
};

class ProductImport {
 public:
  ProductImport(const std::filesystem::path& dir, repo::ProductRepository& products,
                repo::EmbeddingRepository& embeddings, const vision::Extractor& extractor,
                const Problem& problem, blobs::BlobStore* blobs)
      : dir_(dir), products_(products), embeddings_(embeddings), extractor_(extractor), problem_(problem),
        blobs_(blobs) {}

  Outcome run(const CatalogLine& line, size_t& images, size_t& image_errors) {
    if (!line.problem.empty()) {  // a CSV product with a bad row, or a row of no product
      problem_(line.subject(), line.problem);
      return Outcome::failed;
    }
    Product p;
    try {
      p = parse_catalog_product(line);
    } catch (const std::exception& e) {
      problem_(line.subject(), line.id.empty() ? std::string(e.what()) : line.where + ": " + e.what());
      return Outcome::failed;
    }
    std::vector<std::string> files;
    std::vector<std::optional<Loaded>> loaded;
    for (auto& image : p.images) {
      try {
        Loaded l{read_catalog_file(dir_, image.url), std::nullopt};
        if (image.mask) l.mask = read_catalog_file(dir_, *image.mask);
        files.push_back(image.url + "\n" + sha256(l.image) + (l.mask ? sha256(*l.mask) : ""));
        loaded.push_back(std::move(l));
      } catch (const std::exception& e) {
        files.push_back(image.url + "\n(unreadable)");
        loaded.push_back(std::nullopt);
        problem_(p.id, e.what());
      }
    }
    if (blobs_) files.push_back("(images in the blob store)");  // a first import with blobs rewrites urls
    std::string hash = content_hash(line.text, files);
    auto existing = products_.get(p.id);
    auto version = extractor_.model_version();
    auto embedding = embeddings_.get(p.id, version);
    if (existing && existing->content_hash == hash && embedding && embedding->source_hash == hash)
      return Outcome::unchanged;

    repo::Embedding e{p.id, version, extractor_.dimension(), {}, hash, ""};
    for (size_t i = 0; i < p.images.size(); ++i) {
      if (!loaded[i]) {
        ++image_errors;
        continue;
      }
      ++images;
      vision::ExtractorInput input{loaded[i]->image};
      if (loaded[i]->mask) input.mask = *loaded[i]->mask;
      try {
        if (p.images[i].selection) input.selection = to_vision_selection(*p.images[i].selection);
        auto f = extractor_.extract(input);
        e.vectors.insert(e.vectors.end(), f.vector.begin(), f.vector.end());
      } catch (const std::exception& ex) {
        ++image_errors;
        problem_(p.id, "image " + p.images[i].url + ": " + ex.what());
      }
    }
    try {
      if (blobs_) {
        for (size_t i = 0; i < p.images.size(); ++i) {
          if (!loaded[i]) continue;
          p.images[i].url = store_catalog_file(*blobs_, p.id, loaded[i]->image);
          if (loaded[i]->mask) p.images[i].mask = store_catalog_file(*blobs_, p.id, *loaded[i]->mask);
        }
      }
    } catch (const std::exception& ex) {  // blobs::Unavailable, a key the store refuses
      problem_(p.id, std::string("images not stored: ") + ex.what());
      return Outcome::failed;
    }
    try {
      if (!existing || existing->content_hash != hash) products_.put(p, hash);
      if (!e.vectors.empty()) {
        embeddings_.put(std::move(e));
      } else {
        if (embedding) embeddings_.remove(p.id, version);
        problem_(p.id, p.images.empty() ? "has no images to analyse" : "no image could be analysed; no embedding");
        return Outcome::failed;
      }
    } catch (const Error& ex) {
      if (ex.transient() || ex.code() == ErrorCode::internal) throw;  // the store or files, not this product
      problem_(p.id, ex.what());
      return Outcome::failed;
    }
    return existing ? Outcome::updated : Outcome::added;
  }

 private:
  const std::filesystem::path& dir_;
  repo::ProductRepository& products_;
  repo::EmbeddingRepository& embeddings_;
  const vision::Extractor& extractor_;
  const Problem& problem_;
  blobs::BlobStore* blobs_;
};

}  // namespace

std::string content_hash(const std::string& line, const std::vector<std::string>& files) {
  std::string all = line;
  for (auto& f : files) all += "\n" + f;
  return hex_encode(sha256(all));
}

vision::Selection to_vision_selection(const Selection& s) {
  return {number(s.shape.width), number(s.shape.height), number(s.position.x), number(s.position.y), number(s.scale),
          number(s.rotation.x), number(s.rotation.y), number(s.rotation.z), number(s.rotation.w)};
}

ImportSummary import_catalog(const std::filesystem::path& dir, repo::ProductRepository& products,
                             repo::EmbeddingRepository& embeddings, const vision::Extractor& extractor,
                             ImportListener& listener, ImportOptions options) {
  auto source = read_catalog(dir);
  auto& lines = source.lines;
  ImportSummary summary;
  summary.total = lines.size();
  summary.skipped = source.skipped;
  run_products(lines.size(), options.workers, listener, summary,
               [&](size_t i, const Problem& problem, size_t& images, size_t& image_errors) {
                 return ProductImport(dir, products, embeddings, extractor, problem, options.images)
                     .run(lines[i], images, image_errors);
               });
  return summary;
}

}  // namespace k9::catalog
