// A page of a user's report list, as the repository answers it.
#pragma once
#include <boost/describe.hpp>
#include <string>
#include <vector>

#include "core/domain.h"

namespace k9::repo {

struct ReportSummary {
  std::string id, title, author, date, image_url, created_at, updated_at;
  Analysis analysis;
  std::vector<std::string> favorites;
};
BOOST_DESCRIBE_STRUCT(ReportSummary, (), (id, title, author, date, image_url, created_at, updated_at, analysis,
                                          favorites))

struct ReportPage {
  std::vector<ReportSummary> reports;
  size_t total = 0;
  std::string next_cursor;  // empty: no more
};

}  // namespace k9::repo
