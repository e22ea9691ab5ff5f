// JSON request bodies into the domain: every body decoder of the API on the same input.
// Allowed outcome: a value, or k9::Error of a client class (400/404/413). Any other exception
// (or an internal error) is a bug: it would be a 500 for bad input.
#include "api/validation.h"
#include "core/error.h"
#include "core/json.h"
#include "search/query.h"
#include "fuzz_support.h"

using namespace k9;

namespace {

template <class Fn>
void expect_client_error_or_value(Fn&& decode) {
  try {
    decode();
  } catch (const Error& e) {
    fuzz::check(e.code() == ErrorCode::bad_request || e.code() == ErrorCode::not_found ||
                    e.code() == ErrorCode::too_large,
                "decoder threw a non-client error:", e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::json::object body;
  try {
    body = parse_json_object(fuzz::as_text(data, size));
  } catch (const Error& e) {
    fuzz::check(e.code() == ErrorCode::bad_request || e.code() == ErrorCode::too_large, "parse_json_object:", e.what());
    return 0;
  }
  expect_client_error_or_value([&] {
    auto in = api::decode_new_report(body);
    fuzz::check(!in.title.empty(), "a report decoded with an empty title");
  });
  expect_client_error_or_value([&] { api::decode_profile_patch(body); });
  expect_client_error_or_value([&] { api::decode_title_patch(body); });
  expect_client_error_or_value([&] { api::decode_is_favorite(body); });
  expect_client_error_or_value([&] {
    for (auto& id : api::decode_favorites(body)) api::checked_product_id(id, "favorites");
  });
  expect_client_error_or_value([&] { api::decode_login(body); });
  expect_client_error_or_value([&] { api::decode_refresh(body); });
  expect_client_error_or_value([&] { api::decode_reset(body); });
  expect_client_error_or_value([&] { api::decode_embedding_compute(body); });
  expect_client_error_or_value([&] { api::decode_similarity_request(body); });
  expect_client_error_or_value([&] {
    auto q = search::decode_search_query(body);
    fuzz::check(q.page >= 1 && q.limit >= 1 && q.limit <= 100, "search page or limit out of range");
    for (auto& t : q.min_score) fuzz::check(!t || (*t >= 0 && *t <= 1), "a search threshold outside [0,1]");
    fuzz::check(!q.price_min || !q.price_max || *q.price_min <= *q.price_max, "a price range with min over max");
  });
  return 0;
}
