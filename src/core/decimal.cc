#include "core/decimal.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace k9 {

namespace {

// A decimal as sign, digit string without leading/trailing zeros, and the exponent of the
// last digit: value = (-1)^neg * digits * 10^exp. Zero has empty digits.
struct Dec {
  bool neg = false;
  std::string digits;
  int exp = 0;
};

Dec parse_dec(std::string_view t) {
  Dec d;
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) d.neg = t[i++] == '-';
  std::string digits;
  int frac = 0;
  bool seen_digit = false, seen_dot = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      seen_digit = true;
      if (seen_dot) ++frac;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!seen_digit) throw std::invalid_argument("not a number: " + std::string(t));
  long long e = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) eneg = t[i++] == '-';
    if (i >= t.size()) throw std::invalid_argument("not a number: " + std::string(t));
    for (; i < t.size(); ++i) {
      if (t[i] < '0' || t[i] > '9') throw std::invalid_argument("not a number: " + std::string(t));
      e = e * 10 + (t[i] - '0');
      if (e > 100000) throw std::invalid_argument("number out of range: " + std::string(t));
    }
    if (eneg) e = -e;
  }
  if (i != t.size()) throw std::invalid_argument("not a number: " + std::string(t));
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Dec{};  // zero
  digits.erase(0, first);
  long long exp = e - frac;
  size_t last = digits.find_last_not_of('0');
  exp += static_cast<long long>(digits.size() - 1 - last);
  digits.erase(last + 1);
  d.digits = std::move(digits);
  d.exp = static_cast<int>(exp);
  return d;
}

void check_range(const Dec& d, std::string_view original) {
  if (d.digits.empty()) return;
  if (d.digits.size() > 38)
    throw std::invalid_argument("number has more than 38 significant digits: " + std::string(original));
  long long magnitude = d.exp + static_cast<long long>(d.digits.size()) - 1;  // 10^magnitude
  if (magnitude > 125 || magnitude < -130)
    throw std::invalid_argument("number out of range: " + std::string(original));
}

std::string render(const Dec& d) {
  if (d.digits.empty()) return "0";
  std::string out;
  if (d.neg) out.push_back('-');
  if (d.exp >= 0) {
    out += d.digits;
    out.append(static_cast<size_t>(d.exp), '0');
  } else {
    long long point = static_cast<long long>(d.digits.size()) + d.exp;  // digits before '.'
    if (point > 0) {
      out += d.digits.substr(0, point);
      out.push_back('.');
      out += d.digits.substr(point);
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-point), '0');
      out += d.digits;
    }
  }
  return out;
}

// Compare magnitudes.
int cmp_abs(const Dec& a, const Dec& b) {
  if (a.digits.empty() || b.digits.empty()) return a.digits.empty() ? (b.digits.empty() ? 0 : -1) : 1;
  long long ma = a.exp + static_cast<long long>(a.digits.size());
  long long mb = b.exp + static_cast<long long>(b.digits.size());
  if (ma != mb) return ma < mb ? -1 : 1;
  size_t n = std::max(a.digits.size(), b.digits.size());
  for (size_t i = 0; i < n; ++i) {
    char ca = i < a.digits.size() ? a.digits[i] : '0';
    char cb = i < b.digits.size() ? b.digits[i] : '0';
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return 0;
}

// Digits of d aligned to exponent e (e <= d.exp), as a little-endian digit vector.
std::vector<int> aligned(const Dec& d, int e, size_t width) {
  std::vector<int> v(width, 0);
  int shift = d.exp - e;
  for (size_t i = 0; i < d.digits.size(); ++i) {
    size_t pos = shift + (d.digits.size() - 1 - i);
    v[pos] = d.digits[i] - '0';
  }
  return v;
}

Dec from_digits(std::vector<int> v, int e, bool neg) {
  std::string s;
  for (auto it = v.rbegin(); it != v.rend(); ++it) s.push_back(static_cast<char>('0' + *it));
  Dec d = parse_dec(s.empty() ? "0" : s);
  if (!d.digits.empty()) {
    d.exp += e;
    d.neg = neg;
  }
  return d;
}

Dec add(const Dec& a, const Dec& b) {
  if (a.digits.empty()) return b;
  if (b.digits.empty()) return a;
  int e = std::min(a.exp, b.exp);
  long long top = std::max(a.exp + (long long)a.digits.size(), b.exp + (long long)b.digits.size());
  size_t width = static_cast<size_t>(top - e + 1);
  if (width > 400) throw std::invalid_argument("number out of range");
  auto va = aligned(a, e, width), vb = aligned(b, e, width);
  if (a.neg == b.neg) {
    int carry = 0;
    for (size_t i = 0; i < width; ++i) {
      int s = va[i] + vb[i] + carry;
      va[i] = s % 10;
      carry = s / 10;
    }
    return from_digits(va, e, a.neg);
  }
  int c = cmp_abs(a, b);
  if (c == 0) return Dec{};
  auto& big = c > 0 ? va : vb;
  auto& small = c > 0 ? vb : va;
  int borrow = 0;
  for (size_t i = 0; i < width; ++i) {
    int s = big[i] - small[i] - borrow;
    borrow = s < 0;
    big[i] = s < 0 ? s + 10 : s;
  }
  return from_digits(big, e, c > 0 ? a.neg : b.neg);
}

}  // namespace

std::string canonical_decimal(std::string_view text) {
  Dec d = parse_dec(text);
  check_range(d, text);
  return render(d);
}

int compare_decimals(const std::string& a, const std::string& b) {
  Dec da = parse_dec(a), db = parse_dec(b);
  bool za = da.digits.empty(), zb = db.digits.empty();
  int sa = za ? 0 : (da.neg ? -1 : 1), sb = zb ? 0 : (db.neg ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int c = cmp_abs(da, db);
  return sa > 0 ? c : -c;
}

std::string add_decimals(const std::string& a, const std::string& b) {
  Dec r = add(parse_dec(a), parse_dec(b));
  std::string text = render(r);
  check_range(r, text);
  return text;
}

std::string negate_decimal(const std::string& a) {
  Dec d = parse_dec(a);
  if (!d.digits.empty()) d.neg = !d.neg;
  return render(d);
}

}  // namespace k9
