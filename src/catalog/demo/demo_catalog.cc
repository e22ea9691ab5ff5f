#include "catalog/demo/demo_catalog.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "catalog/demo/photo.h"
#include "codec/codec.h"
#include "core/json.h"
#include "core/json_codec.h"

namespace k9::catalog::demo {

namespace {

struct Palette {
  const char* name;
  cv::Scalar base, accent, detail;  // BGR
};

struct FamilyInfo {
  Family family;
  const char* type;
  const char* material;
  const char* look;
  const char* texture;
  std::array<const char*, 2> finishes;
  const char* edge;
  std::vector<Palette> palettes;
  std::vector<std::array<double, 3>> formats;  // length, width (in), thickness (mm)
};

const std::vector<FamilyInfo>& families() {
  static const std::vector<FamilyInfo> f = {
      {Family::wood_planks, "Plank", "Wood", "Wood", "Grain", {"Matte", "Satin"}, "Micro-bevel",
       {{"Natural Oak", {90, 150, 200}, {50, 95, 150}, {30, 50, 80}},
        {"Smoked Walnut", {40, 70, 105}, {20, 35, 60}, {10, 20, 30}},
        {"Whitewashed Ash", {185, 205, 215}, {140, 165, 185}, {110, 120, 130}},
        {"Honey Maple", {80, 160, 215}, {40, 110, 175}, {30, 60, 90}},
        {"Grey Driftwood", {140, 145, 150}, {100, 105, 112}, {60, 62, 66}}},
       {{48, 6, 12}, {72, 8, 14}, {60, 7.5, 12}}},
      {Family::marble, "Slab", "Marble", "Marble", "Veined", {"Polished", "Honed"}, "Eased",
       {{"Carrara", {228, 230, 232}, {120, 125, 130}, {205, 210, 214}},
        {"Calacatta Gold", {225, 235, 240}, {90, 140, 175}, {210, 220, 228}},
        {"Nero Marquina", {35, 35, 38}, {215, 215, 218}, {55, 55, 60}},
        {"Verde Alpi", {70, 95, 45}, {190, 210, 200}, {40, 60, 30}},
        {"Rosa Portogallo", {175, 185, 225}, {120, 120, 170}, {195, 205, 235}}},
       {{24, 48, 10}, {36, 36, 10}, {120, 60, 20}}},
      {Family::terrazzo, "Tile", "Terrazzo", "Terrazzo", "Speckled", {"Honed", "Polished"}, "Rectified",
       {{"Bianco", {215, 220, 222}, {60, 60, 62}, {120, 140, 190}},
        {"Grigio", {150, 152, 155}, {40, 40, 42}, {220, 220, 220}},
        {"Rosso", {150, 160, 205}, {60, 60, 150}, {230, 235, 240}},
        {"Verde", {150, 175, 140}, {50, 90, 40}, {230, 230, 230}}},
       {{24, 24, 10}, {12, 24, 9}, {36, 36, 12}}},
      {Family::slate, "Tile", "Slate", "Stone", "Cleft", {"Natural", "Honed"}, "Gauged",
       {{"Charcoal", {60, 62, 65}, {35, 36, 38}, {70, 110, 140}},
        {"Multicolour", {70, 80, 95}, {45, 50, 60}, {60, 110, 170}},
        {"Green Slate", {75, 90, 70}, {45, 55, 40}, {90, 110, 100}}},
       {{12, 24, 10}, {16, 16, 10}, {24, 24, 12}}},
      {Family::brick, "Brick", "Clay", "Brick", "Rough", {"Matte", "Tumbled"}, "Tumbled",
       {{"Red Clay", {55, 70, 165}, {40, 45, 120}, {180, 190, 195}},
        {"London Yellow", {110, 170, 200}, {80, 130, 160}, {170, 175, 180}},
        {"Blue Brindle", {80, 75, 85}, {50, 50, 60}, {150, 150, 150}},
        {"Whitewashed", {205, 210, 215}, {170, 175, 185}, {120, 125, 130}}},
       {{8, 2.5, 12}, {10, 3, 14}}},
      {Family::tile, "Tile", "Porcelain", "Solid", "Smooth", {"Glossy", "Matte"}, "Rectified",
       {{"Cobalt", {150, 80, 30}, {230, 230, 230}, {200, 200, 205}},
        {"Sage", {140, 170, 145}, {200, 215, 205}, {220, 225, 225}},
        {"Terracotta", {70, 110, 190}, {40, 80, 160}, {190, 195, 200}},
        {"Bone", {205, 220, 230}, {160, 175, 190}, {120, 125, 130}},
        {"Emerald", {90, 130, 30}, {230, 235, 235}, {60, 60, 60}},
        {"Mustard", {40, 170, 210}, {230, 230, 230}, {150, 150, 150}}},
       {{3, 12, 8}, {6, 6, 8}, {4, 4, 8}, {8, 8, 9}}},
      {Family::stone, "Tile", "Granite", "Stone", "Speckled", {"Polished", "Flamed"}, "Eased",
       {{"Salt and Pepper", {175, 175, 178}, {40, 40, 45}, {235, 235, 235}},
        {"Baltic Brown", {80, 100, 125}, {25, 30, 40}, {120, 150, 190}},
        {"Kashmir White", {205, 210, 215}, {70, 70, 120}, {100, 100, 100}}},
       {{12, 12, 10}, {24, 24, 20}}},
      {Family::fabric, "Panel", "Textile", "Fabric", "Woven", {"Natural", "Brushed"}, "Finished",
       {{"Linen", {170, 190, 200}, {140, 160, 175}, {0, 0, 0}},
        {"Indigo", {120, 60, 30}, {200, 190, 180}, {0, 0, 0}},
        {"Mustard Tweed", {40, 150, 200}, {60, 70, 80}, {0, 0, 0}},
        {"Burgundy", {50, 30, 120}, {40, 30, 80}, {0, 0, 0}}},
       {{48, 96, 3}, {24, 24, 3}}},
      {Family::solid, "Sheet", "Quartz", "Solid", "Smooth", {"Polished", "Matte"}, "Eased",
       {{"Pure White", {240, 240, 238}, {0, 0, 0}, {0, 0, 0}},
        {"Jet Black", {25, 25, 25}, {0, 0, 0}, {0, 0, 0}},
        {"Concrete Grey", {140, 142, 140}, {0, 0, 0}, {0, 0, 0}},
        {"Navy", {90, 45, 25}, {0, 0, 0}, {0, 0, 0}},
        {"Blush", {175, 180, 230}, {0, 0, 0}, {0, 0, 0}},
        {"Olive", {50, 110, 100}, {0, 0, 0}, {0, 0, 0}}},
       {{60, 30, 20}, {120, 56, 30}}},
  };
  return f;
}

const char* kBrands[] = {"Northfield", "Casa Pietra", "Oakhaven", "Lumen Tile", "Stonecraft", "Weavery", "Atelier K"};
const char* kStores[] = {"Floor Depot", "TileHub", "Home Surfaces"};

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  return x ^ (x >> 29);
}

std::string decimal(double v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  std::string s = buf;
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return s;
}

std::string product_id(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "demo-%05zu", i + 1);
  return buf;
}

cv::Scalar colourway(cv::Scalar c, cv::RNG& rng) {
  // Each product its own colourway: lightness and per-channel shifts around the palette.
  double k = rng.uniform(0.85, 1.15);
  cv::Scalar out;
  for (int i = 0; i < 3; ++i) out[i] = std::clamp(c[i] * k + rng.uniform(-14.0, 14.0), 0.0, 255.0);
  return out;
}

}  // namespace

DemoCatalog::DemoCatalog(DemoOptions options) : options_(options) {}

Recipe DemoCatalog::recipe(size_t i) const {
  cv::RNG rng(mix(options_.seed, i));
  auto& fam = families()[i % families().size()];
  auto& palette = fam.palettes[rng.uniform(0, int(fam.palettes.size()))];
  Recipe r;
  r.family = fam.family;
  r.base = colourway(palette.base, rng);
  r.accent = colourway(palette.accent, rng);
  r.detail = colourway(palette.detail, rng);
  r.scale = rng.uniform(0.7, 1.4);
  r.angle = rng.uniform(-30.0, 30.0);
  r.variant = rng.uniform(0, 12);
  r.seed = mix(options_.seed + 7, i);
  return r;
}

Product DemoCatalog::product(size_t i) const {
  cv::RNG rng(mix(options_.seed ^ 0xABCDEF, i));
  auto& fam = families()[i % families().size()];
  auto& palette = fam.palettes[cv::RNG(mix(options_.seed, i)).uniform(0, int(fam.palettes.size()))];
  Product p;
  p.id = product_id(i);
  p.brand = kBrands[rng.uniform(0, 7)];
  p.series = std::string(palette.name) + " Collection";
  p.model = std::string(palette.name) + " " + fam.look + " " + std::to_string(100 + i);
  p.category = {fam.type, fam.material, fam.look, fam.texture, fam.finishes[rng.uniform(0, 2)], fam.edge};
  for (int n = 0; n < options_.photos; ++n)
    p.images.push_back({p.id + "-" + std::to_string(n), "images/" + p.id + "-" + std::to_string(n) + ".jpg"});
  int formats = 1 + rng.uniform(0, 2);
  for (int f = 0; f < formats; ++f) {
    auto& dims = fam.formats[(f + i) % fam.formats.size()];
    Format format{Dimension{{decimal(dims[0])}, "in"}, Dimension{{decimal(dims[1])}, "in"},
                  Dimension{{decimal(dims[2])}, "mm"}, {}};
    int vendors = 1 + rng.uniform(0, 3);
    double price = rng.uniform(2.5, 19.0) * (1 + dims[0] * dims[1] / 400);
    for (int v = 0; v < vendors; ++v) {
      Vendor vendor;
      vendor.store = kStores[(v + i) % 3];
      vendor.sku = p.id.substr(5) + "-" + std::to_string(f) + std::to_string(v);
      vendor.name = vendor.store + " " + p.model;
      vendor.price = Dimension{{decimal(price * rng.uniform(0.9, 1.15))}, "usd"};
      vendor.discontinued = rng.uniform(0, 12) == 0;
      vendor.url = "https://example.com/" + vendor.sku;
      format.vendors.push_back(vendor);
    }
    p.formats.push_back(format);
  }
  return p;
}

cv::Mat DemoCatalog::sheet(size_t i) const { return render_material(recipe(i), options_.sheet_side); }

cv::Mat DemoCatalog::photo(size_t i, uint64_t shot) const { return photo(sheet(i), i, shot); }

cv::Mat DemoCatalog::photo(const cv::Mat& sheet, size_t i, uint64_t shot) const {
  uint64_t seed = mix(mix(options_.seed, i), shot + 1);
  cv::RNG rng(seed);
  Shot s = shot == 0 ? catalog_shot() : random_shot(rng);
  return render_photo(sheet, s, options_.photo_size, seed);
}

void DemoCatalog::write(const std::filesystem::path& dir, const std::function<void(size_t, size_t)>& progress) const {
  std::filesystem::create_directories(dir / "images");
  std::ofstream jsonl(dir / "products.jsonl", std::ios::trunc);
  if (!jsonl) throw std::runtime_error("cannot write " + (dir / "products.jsonl").string());
  for (size_t i = 0; i < size(); ++i) {
    Product p = product(i);
    cv::Mat s = sheet(i);
    for (int n = 0; n < options_.photos; ++n) {
      auto path = dir / p.images[n].url;
      std::string jpeg = codec::encode_jpeg(photo(s, i, n), 90);
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(jpeg.data(), std::streamsize(jpeg.size()));
      out.close();
      if (!out) throw std::runtime_error("cannot write " + path.string());
    }
    jsonl << to_json_text(to_json(p)) << "\n";
    if (progress) progress(i + 1, size());
  }
  jsonl.flush();
  if (!jsonl) throw std::runtime_error("cannot write " + (dir / "products.jsonl").string());
}

}  // namespace k9::catalog::demo
