#include "store/sqlite/item_codec.h"

#include "store/store.h"

namespace k9::store::sqlite {

namespace {

enum Tag : unsigned char { kS = 1, kN, kB, kBool, kNull, kM, kL, kSS, kNS, kBS };

void put_varint(std::string& out, size_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_bytes(std::string& out, std::string_view b) {
  put_varint(out, b.size());
  out.append(b);
}

void put_value(std::string& out, const AttributeValue& v);

void put_map(std::string& out, const Item& m) {
  put_varint(out, m.size());
  for (auto& [k, v] : m) {
    put_bytes(out, k);
    put_value(out, v);
  }
}

void put_value(std::string& out, const AttributeValue& v) {
  switch (v.type()) {
    case AttrType::S: out.push_back(kS); put_bytes(out, v.s()); break;
    case AttrType::N: out.push_back(kN); put_bytes(out, v.n()); break;
    case AttrType::B: out.push_back(kB); put_bytes(out, v.b()); break;
    case AttrType::BOOL: out.push_back(kBool); out.push_back(v.boolean() ? 1 : 0); break;
    case AttrType::NUL: out.push_back(kNull); break;
    case AttrType::M: out.push_back(kM); put_map(out, v.m()); break;
    case AttrType::L:
      out.push_back(kL);
      put_varint(out, v.l().size());
      for (auto& e : v.l()) put_value(out, e);
      break;
    case AttrType::SS:
    case AttrType::NS:
    case AttrType::BS:
      out.push_back(v.type() == AttrType::SS ? kSS : v.type() == AttrType::NS ? kNS : kBS);
      put_varint(out, v.set().size());
      for (auto& e : v.set()) put_bytes(out, e);
      break;
  }
}

class Reader {
 public:
  explicit Reader(std::string_view b) : p_(b.data()), end_(b.data() + b.size()) {}
  bool done() const { return p_ == end_; }

  size_t varint() {
    size_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      need(1);
      unsigned char c = static_cast<unsigned char>(*p_++);
      v |= static_cast<size_t>(c & 0x7f) << shift;
      if (!(c & 0x80)) return v;
    }
    corrupt();
  }
  std::string bytes() {
    size_t n = varint();
    need(n);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  unsigned char byte() {
    need(1);
    return static_cast<unsigned char>(*p_++);
  }
  Item map(int depth) {
    if (depth > 64) corrupt();
    Item m;
    size_t n = varint();
    for (size_t i = 0; i < n; ++i) {
      std::string k = bytes();
      m.emplace_hint(m.end(), std::move(k), value(depth));
    }
    return m;
  }
  AttributeValue value(int depth) {
    switch (byte()) {
      case kS: return AttributeValue::S(bytes());
      case kN: return AttributeValue::N(bytes());
      case kB: return AttributeValue::B(bytes());
      case kBool: return AttributeValue::Bool(byte() != 0);
      case kNull: return AttributeValue::Null();
      case kM: return AttributeValue::M(map(depth + 1));
      case kL: {
        size_t n = varint();
        if (n > static_cast<size_t>(end_ - p_)) corrupt();
        AttributeValue::List l;
        l.reserve(n);
        for (size_t i = 0; i < n; ++i) l.push_back(value(depth + 1));
        return AttributeValue::L(std::move(l));
      }
      case kSS:
      case kNS:
      case kBS: {
        unsigned char tag = p_[-1];
        size_t n = varint();
        if (n > static_cast<size_t>(end_ - p_)) corrupt();
        AttributeValue::Set s;
        s.reserve(n);
        for (size_t i = 0; i < n; ++i) s.push_back(bytes());
        return tag == kSS ? AttributeValue::SS(std::move(s))
                          : tag == kNS ? AttributeValue::NS(std::move(s)) : AttributeValue::BS(std::move(s));
      }
      default: corrupt();
    }
  }

 private:
  void need(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) corrupt();
  }
  [[noreturn]] static void corrupt() { throw StoreError("corrupt item in the SQLite store"); }
  const char* p_;
  const char* end_;
};

}  // namespace

std::string encode_item(const Item& item) {
  std::string out;
  out.reserve(256);
  put_map(out, item);
  return out;
}

Item decode_item(std::string_view bytes) {
  Reader r(bytes);
  Item item;
  try {
    item = r.map(0);
  } catch (const std::invalid_argument&) {  // a value AttributeValue refuses (a bad N, an empty set)
    throw StoreError("corrupt item in the SQLite store");
  }
  if (!r.done()) throw StoreError("corrupt item in the SQLite store");
  return item;
}

}  // namespace k9::store::sqlite
