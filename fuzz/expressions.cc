// DynamoDB condition and update expressions: parse, evaluate and apply against a fixed item.
// Input: the condition text, a newline, the update text. Allowed outcome: a result or
// store::ValidationError; an update that throws leaves the item unchanged (its contract).
#include "fuzz_support.h"
#include "store/expr/expression.h"
#include "store/item_json.h"

using namespace k9;
using namespace k9::store;

namespace {

const Item& sample_item() {
  static const Item item = parse_item(
      R"({"id":{"S":"r-1"},"n":{"N":"42.5"},"flag":{"BOOL":true},"nothing":{"NULL":true},)"
      R"("tags":{"SS":["a","b"]},"nums":{"NS":["1","2"]},"bin":{"B":"AAE="},)"
      R"("list":{"L":[{"S":"x"},{"N":"1"},{"M":{"k":{"S":"v"}}}]},)"
      R"("map":{"M":{"a":{"N":"1"},"b":{"L":[{"S":"y"}]},"c":{"M":{"d":{"S":"z"}}}}}})");
  return item;
}

const Names& sample_names() {
  static const Names names{{"#a", "n"}, {"#b", "map"}, {"#c", "list"}, {"#d", "tags"}, {"#e", "missing"}};
  return names;
}

const Values& sample_values() {
  static const Values values = parse_item(
      R"({":s":{"S":"x"},":n":{"N":"1"},":z":{"N":"0"},":b":{"BOOL":false},":l":{"L":[{"N":"3"}]},)"
      R"(":m":{"M":{"q":{"S":"r"}}},":ss":{"SS":["c"]},":ns":{"NS":["5"]},":nul":{"NULL":true}})");
  return values;
}

template <class Fn>
void expect_validation_error_or_value(Fn&& fn) {
  try {
    fn();
  } catch (const ValidationError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::as_text(data, size);
  auto nl = text.find('\n');
  auto condition_text = text.substr(0, nl);
  auto update_text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);

  expect_validation_error_or_value([&] {
    auto c = expr::Condition::parse(condition_text);
    c->evaluate(&sample_item(), sample_names(), sample_values());
    c->evaluate(nullptr, sample_names(), sample_values());
    std::set<std::string> names, values;
    c->collect_placeholders(names, values);
  });
  expect_validation_error_or_value([&] {
    auto u = expr::Update::parse(update_text);
    u->touched_top_level(sample_names());
    Item item = sample_item();
    try {
      u->apply(item, sample_names(), sample_values());
    } catch (const ValidationError&) {
      fuzz::check(item == sample_item(), "an update that threw changed the item:", update_text);
      throw;
    }
    Item empty;
    u->apply(empty, sample_names(), sample_values());
  });
  return 0;
}
