// Test support for the import tests (importer_test.cc, catalog_csv_test.cc): an ImportListener
// that keeps what it was told.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "catalog/importer.h"

namespace k9::catalog::testing {

struct Recorder : ImportListener {
  std::vector<std::pair<std::string, std::string>> problems;
  size_t last_done = 0;
  void progress(size_t done, size_t) override { last_done = done; }
  void problem(const std::string& s, const std::string& m) override { problems.emplace_back(s, m); }
  // Whether a problem of `subject` says `text`.
  bool has(const std::string& subject, const std::string& text) const {
    for (auto& [s, m] : problems)
      if (s == subject && m.find(text) != std::string::npos) return true;
    return false;
  }
};

}  // namespace k9::catalog::testing
