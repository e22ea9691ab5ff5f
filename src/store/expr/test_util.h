// Helpers shared by this module's tests.
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "store/expr/expression.h"

namespace k9::store::expr::testing {

using AV = AttributeValue;

inline AV S(const char* s) { return AV::S(s); }
inline AV N(const char* n) { return AV::N(std::string_view(n)); }
inline AV N(long long n) { return AV::N(n); }
inline AV N(int n) { return AV::N(static_cast<long long>(n)); }

inline bool cond(const std::string& text, const Item* item, const Values& values = {}, const Names& names = {}) {
  return Condition::parse(text)->evaluate(item, names, values);
}

// Applies `text` to a copy of `item` and returns the result.
inline Item updated(Item item, const std::string& text, const Values& values = {}, const Names& names = {}) {
  Update::parse(text)->apply(item, names, values);
  return item;
}

// The ValidationError message `fn` throws, or "" when it throws nothing. Any other exception
// fails the test.
template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const ValidationError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception type: " << e.what();
    return "<wrong exception>";
  }
  return "";
}

}  // namespace k9::store::expr::testing
