#include "repo/report_repository.h"

#include <algorithm>

#include "core/error.h"
#include "core/random.h"
#include "repo/item_codec.h"

namespace k9::repo {

using store::AttributeValue;
using store::AttrType;

namespace {

const std::string* str_attr(const store::Item& item, const char* name) {
  auto it = item.find(name);
  return it != item.end() && it->second.is(AttrType::S) ? &it->second.s() : nullptr;
}

std::string version_of(const store::Item& item) {
  auto it = item.find("version");
  return it != item.end() && it->second.is(AttrType::N) ? it->second.n() : "0";
}

template <class T>
T read_or_internal(const store::Item& item, const char* what) {
  T t{};
  try {
    from_item(item, t);
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorCode::internal, std::string("stored ") + what + " is unreadable: " + e.what());
  }
  return t;
}

ReportSummary summary_from(const store::Item& item) {
  return read_or_internal<ReportSummary>(item, "report");  // reads only the summary's attributes
}

}  // namespace

store::Item ReportRepository::get_owned(const std::string& user_id, const std::string& id) {
  auto item = store_.get(tables_.reports, {{"id", AttributeValue::S(id)}});
  const std::string* owner = item ? str_attr(*item, "user_id") : nullptr;
  if (!owner || *owner != user_id) throw not_found("Report not found");
  return *item;
}

Report ReportRepository::report_from(const store::Item& item) {
  store::Item copy = item;
  auto ref = copy.find("reference");
  std::optional<AttributeValue> reference;
  if (ref != copy.end()) {
    reference = ref->second;
    copy.erase(ref);
  }
  Report r = read_or_internal<Report>(copy, "report");
  if (reference && reference->is(AttrType::M)) {  // the Python generation embedded the product
    r.reference = read_or_internal<Product>(reference->m(), "reference product");
  } else if (reference && reference->is(AttrType::S)) {
    auto p = store_.get(tables_.products, {{"id", *reference}});
    if (p) r.reference = read_or_internal<Product>(*p, "reference product");
  }
  return r;
}

Report ReportRepository::create(const std::string& user_id, const std::string& author, std::string title,
                                Product reference,
                                const std::function<std::vector<store::TransactItem>(const Report&)>& also,
                                const std::string& id) {
  Report r;
  r.id = id.empty() ? new_time_ordered_uuid() : id;
  r.title = std::move(title);
  r.author = author;
  r.created_at = r.updated_at = r.date = iso8601_ms(clock_.now());
  r.analysis.status = "pending";
  r.analysis.model_version = analysis_version_();
  if (reference.id.empty()) reference.id = new_time_ordered_uuid();
  for (auto& img : reference.images)
    if (img.id.empty()) img.id = new_uuid();
  r.reference = std::move(reference);

  store::Item product = to_item(r.reference);
  product["user_id"] = AttributeValue::S(user_id);
  product["report_id"] = AttributeValue::S(r.id);
  product["created_at"] = AttributeValue::S(r.created_at);

  store::Item report = to_item(r);
  report["reference"] = AttributeValue::S(r.reference.id);
  report["user_id"] = AttributeValue::S(user_id);
  report["version"] = AttributeValue::N(1);
  if (!r.reference.images.empty()) report["image_url"] = AttributeValue::S(r.reference.images.front().url);

  std::vector<store::TransactItem> tx{
      store::PutRequest{tables_.products, std::move(product), "attribute_not_exists(id)"},
      store::PutRequest{tables_.reports, std::move(report), "attribute_not_exists(id)"},
  };
  if (also)
    for (auto& item : also(r)) tx.push_back(std::move(item));
  try {
    store_.transact_write(tx);
  } catch (const store::TransactionCanceled&) {
    if (!id.empty()) {
      if (exists(id)) throw Error(ErrorCode::conflict, "A report with this id already exists");
      // Its analysis job outlived an earlier report of that id (deleted before the job ran).
      throw Error(ErrorCode::conflict, "A report with this id was deleted and is still being cleaned up; try again shortly", 5);
    }
    throw Error(ErrorCode::conflict, "reference product id already exists");
  }
  changed(user_id);
  return r;
}

bool ReportRepository::exists(const std::string& id) {
  return store_.get(tables_.reports, {{"id", AttributeValue::S(id)}}).has_value();
}

Report ReportRepository::get(const std::string& user_id, const std::string& id) {
  return report_from(get_owned(user_id, id));
}

ReportPage ReportRepository::list(const std::string& user_id, int limit, const std::string& cursor) {
  store::QueryRequest q{tables_.reports, kUserReportsIndex, AttributeValue::S(user_id)};
  q.forward = false;
  q.limit = limit;
  if (!cursor.empty()) {
    q.exclusive_start_key = cursors_.decode(cursor);
    const std::string* owner = str_attr(q.exclusive_start_key, "user_id");
    if (!owner || *owner != user_id) throw bad_request("Invalid cursor");
  }
  auto result = store_.query(q);
  ReportPage page;
  for (auto& item : result.items) page.reports.push_back(summary_from(item));
  if (!result.last_evaluated_key.empty()) page.next_cursor = cursors_.encode(result.last_evaluated_key);
  q.exclusive_start_key.clear();
  page.total = store_.count(q);
  return page;
}

Report ReportRepository::update_title(const std::string& user_id, const std::string& id, const std::string& title) {
  try {
    store::Item after = store_.update({tables_.reports,
                                       {{"id", AttributeValue::S(id)}},
                                       "SET title = :t, updated_at = :now ADD version :one",
                                       "attribute_exists(id) AND user_id = :u",
                                       {},
                                       {{":t", AttributeValue::S(title)},
                                        {":now", AttributeValue::S(iso8601_ms(clock_.now()))},
                                        {":one", AttributeValue::N(1)},
                                        {":u", AttributeValue::S(user_id)}}});
    changed(user_id);
    return report_from(after);
  } catch (const store::ConditionFailed&) {
    throw not_found("Report not found");
  }
}

void ReportRepository::set_analysis(const std::string& user_id, const std::string& id, const Analysis& analysis) {
  store::UpdateRequest u;
  u.table = tables_.reports;
  u.key = {{"id", AttributeValue::S(id)}};
  u.update = "SET analysis = :a, updated_at = :now";
  u.condition = "attribute_exists(id) AND user_id = :u";
  u.values = {{":a", to_attr(analysis)},
              {":now", AttributeValue::S(iso8601_ms(clock_.now()))},
              {":u", AttributeValue::S(user_id)}};
  try {
    store_.update(u);
  } catch (const store::ConditionFailed&) {
    throw not_found("Report not found");
  }
  changed(user_id);
}

void ReportRepository::remove(const std::string& user_id, const std::string& id) {
  store::Item item = get_owned(user_id, id);
  std::vector<store::TransactItem> tx{store::DeleteRequest{tables_.reports,
                                                           {{"id", AttributeValue::S(id)}},
                                                           "user_id = :u",
                                                           {},
                                                           {{":u", AttributeValue::S(user_id)}}}};
  if (auto ref = str_attr(item, "reference")) {
    tx.push_back(store::DeleteRequest{tables_.products,
                                      {{"id", AttributeValue::S(*ref)}},
                                      "attribute_not_exists(id) OR user_id = :u",
                                      {},
                                      {{":u", AttributeValue::S(user_id)}}});
  }
  try {
    store_.transact_write(tx);
  } catch (const store::TransactionCanceled&) {
    throw not_found("Report not found");
  }
  changed(user_id);
}

std::vector<std::string> ReportRepository::change_favorites(
    const std::string& user_id, const std::string& id,
    const std::function<std::vector<std::string>(std::vector<std::string>)>& change) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    store::Item item = get_owned(user_id, id);
    std::vector<std::string> current;
    if (auto it = item.find("favorites"); it != item.end()) from_attr(it->second, current, "favorites");
    std::vector<std::string> next = change(current);
    if (next.size() > kMaxFavorites)
      throw bad_request("favorites must have at most " + std::to_string(kMaxFavorites) + " products");
    std::string version = version_of(item);
    AttributeValue::List list;
    for (auto& f : next) list.push_back(AttributeValue::S(f));
    try {
      store_.update({tables_.reports,
                     {{"id", AttributeValue::S(id)}},
                     "SET favorites = :f, updated_at = :now, version = :next",
                     version == "0" ? "user_id = :u AND attribute_not_exists(version)"
                                    : "user_id = :u AND version = :v",
                     {},
                     [&] {
                       store::Values v{{":f", AttributeValue::L(std::move(list))},
                                       {":now", AttributeValue::S(iso8601_ms(clock_.now()))},
                                       {":next", AttributeValue::N(store::add_numbers(version, "1"))},
                                       {":u", AttributeValue::S(user_id)}};
                       if (version != "0") v[":v"] = AttributeValue::N(version);
                       return v;
                     }()});
      changed(user_id);
      return next;
    } catch (const store::ConditionFailed&) {
      continue;  // someone else changed it: read again, reapply
    }
  }
  throw Error(ErrorCode::conflict, "favorites are being changed concurrently; try again");
}

std::vector<std::string> ReportRepository::set_favorite(const std::string& user_id, const std::string& id,
                                                        const std::string& product_id, bool favorite) {
  return change_favorites(user_id, id, [&](std::vector<std::string> f) {
    auto it = std::find(f.begin(), f.end(), product_id);
    if (favorite && it == f.end()) f.push_back(product_id);
    if (!favorite && it != f.end()) f.erase(it);
    return f;
  });
}

std::vector<std::string> ReportRepository::toggle_favorite(const std::string& user_id, const std::string& id,
                                                           const std::string& product_id) {
  return change_favorites(user_id, id, [&](std::vector<std::string> f) {
    auto it = std::find(f.begin(), f.end(), product_id);
    if (it == f.end()) f.push_back(product_id);
    else f.erase(it);
    return f;
  });
}

std::vector<std::string> ReportRepository::set_favorites(const std::string& user_id, const std::string& id,
                                                         std::vector<std::string> favorites) {
  std::vector<std::string> unique;
  for (auto& f : favorites)
    if (std::find(unique.begin(), unique.end(), f) == unique.end()) unique.push_back(f);
  return change_favorites(user_id, id, [&](std::vector<std::string>) { return unique; });
}

}  // namespace k9::repo
