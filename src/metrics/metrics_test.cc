#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <thread>

namespace k9::metrics {
namespace {

using std::chrono::milliseconds;

TEST(Metrics, CountsByRouteNameAndStatusAcrossThreads) {
  Registry reg({"reports.list", "reports.get"}, 4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) reg.record("reports.list", i % 10 ? 200 : 404, 100, 200, milliseconds(1));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(reg.requests("reports.list"), 80000u);
  EXPECT_EQ(reg.requests("reports.list", 200), 72000u);
  EXPECT_EQ(reg.requests("reports.list", 404), 8000u);
  EXPECT_EQ(reg.requests("reports.get"), 0u);
  // No route, or a name the table does not have: "unmatched", never a path.
  reg.record("", 404, 1, 1, milliseconds(1));
  reg.record("/reports/secret-id", 404, 1, 1, milliseconds(1));
  EXPECT_EQ(reg.requests("unmatched", 404), 2u);
  // A status without a slot of its own counts in its class.
  reg.record("reports.get", 418, 1, 1, milliseconds(1));
  EXPECT_EQ(reg.requests("reports.get"), 1u);
  EXPECT_EQ(Registry::status_slot(418), Registry::status_slot(499));
  EXPECT_NE(Registry::status_slot(404), Registry::status_slot(418));
}

TEST(Metrics, ScrapeIsPrometheusText) {
  Registry reg({"reports.list"}, 2);
  reg.record("reports.list", 200, 10, 20, milliseconds(3));
  reg.record("reports.list", 200, 10, 20, milliseconds(30));
  reg.record("reports.list", 503, 10, 20, milliseconds(3000));
  reg.record_analysis(milliseconds(1500), true);
  reg.add_gauge({"k9_test_gauge", "A gauge.", [] { return 7.0; }});
  reg.add_gauge({"k9_broken_gauge", "Throws.", []() -> double { throw std::runtime_error("store down"); }});
  std::string text = reg.scrape();
  EXPECT_NE(text.find("k9_http_requests_total{route=\"reports.list\",status=\"200\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("k9_http_requests_total{route=\"reports.list\",status=\"503\"} 1\n"), std::string::npos);
  // Cumulative buckets: 3 ms under 5 ms, 30 ms under 50 ms, 3 s under 5 s.
  EXPECT_NE(text.find("k9_http_request_duration_seconds_bucket{route=\"reports.list\",le=\"0.005\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("k9_http_request_duration_seconds_bucket{route=\"reports.list\",le=\"0.05\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("k9_http_request_duration_seconds_bucket{route=\"reports.list\",le=\"2.5\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("k9_http_request_duration_seconds_bucket{route=\"reports.list\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("k9_http_request_duration_seconds_count{route=\"reports.list\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("k9_http_request_bytes_total{route=\"reports.list\"} 30\n"), std::string::npos);
  EXPECT_NE(text.find("k9_http_response_bytes_total{route=\"reports.list\"} 60\n"), std::string::npos);
  EXPECT_NE(text.find("k9_analysis_duration_seconds_bucket{le=\"2.5\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("k9_analyses_total{outcome=\"done\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("k9_test_gauge 7\n"), std::string::npos);
  EXPECT_EQ(text.find("k9_broken_gauge"), std::string::npos);  // left out, not a failed scrape
  EXPECT_NE(text.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(text.find("process_cpu_seconds_total "), std::string::npos);
  // Every line is a comment or `name{labels} value`.
  std::istringstream lines(text);
  std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [-+0-9.eE]+(Inf)?$)");
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
  // RSS is read from /proc/self/statm: more than a megabyte for any process.
  auto at = text.find("\nprocess_resident_memory_bytes ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stod(text.substr(at + 31)), 1e6);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry reg({"a\"b\\c"}, 1);
  reg.record("a\"b\\c", 200, 0, 0, milliseconds(1));
  EXPECT_NE(reg.scrape().find(R"(route="a\"b\\c")"), std::string::npos);
}

}  // namespace
}  // namespace k9::metrics
