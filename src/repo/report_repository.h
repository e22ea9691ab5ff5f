// Reports (table `reports`, key id, index UserReportsIndex: user_id + created_at) and their
// reference products (table `products`, owned through user_id). Every read, change and
// delete is conditioned on the caller's user id: another user's report is not_found, as if
// it did not exist, and nothing changes. Favorites are changed by read-modify-write on a
// `version` number, retried on conflict.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/domain.h"
#include "repo/cursor.h"
#include "repo/report_page.h"
#include "repo/tables.h"
#include "store/store.h"

namespace k9::repo {


class ReportRepository {
 public:
  ReportRepository(store::Store& store, const Tables& tables, CursorCodec cursors,
                   const Clock& clock = Clock::system())
      : store_(store), tables_(tables), cursors_(std::move(cursors)), clock_(clock) {}

  // Called with the user id after every committed change to that user's reports (for
  // caches of what list() answers). Register before serving; listeners must not throw.
  void add_change_listener(std::function<void(const std::string& user_id)> listener) {
    listeners_.push_back(std::move(listener));
  }

  // The model version create() gives new reports (analysis.model_version; default
  // kNewAnalysisModelVersion; the server sets the one it chose). Set before serving.
  void set_analysis_version(std::string version) {
    analysis_version_ = [v = std::move(version)] { return v; };
  }
  // One known later (k9 lambda chooses it beside its init): asked by each create(), may wait,
  // and when it throws that create() fails with it.
  void set_analysis_version(std::function<std::string()> version) { analysis_version_ = std::move(version); }

  // Writes the reference product and the report in one transaction. Ids of the report and
  // of the reference product (and of images without one) are generated here, unless `id`
  // names the report's: then the report takes that id, and when any report (anyone's) has it
  // already, nothing is written and the answer is conflict "A report with this id already
  // exists" (the put is conditioned on attribute_not_exists(id), so an id is never claimed
  // twice). `also(report)` may add items to that transaction (the report's analysis job), so
  // that they exist exactly when the report does.
  Report create(const std::string& user_id, const std::string& author, std::string title, Product reference,
                const std::function<std::vector<store::TransactItem>(const Report&)>& also = {},
                const std::string& id = {});
  // Whether a report with this id exists, whoever owns it (for ids chosen by clients: a
  // taken id is a conflict, never a way to reach someone else's report).
  bool exists(const std::string& id);
  // Sets the report's analysis (status, model version, error); not_found when the report is
  // gone or not the user's. Does not touch favorites or their version.
  void set_analysis(const std::string& user_id, const std::string& id, const Analysis& analysis);
  Report get(const std::string& user_id, const std::string& id);
  // Newest first; `cursor` is one returned by an earlier page.
  ReportPage list(const std::string& user_id, int limit, const std::string& cursor);
  Report update_title(const std::string& user_id, const std::string& id, const std::string& title);
  void remove(const std::string& user_id, const std::string& id);
  std::vector<std::string> set_favorite(const std::string& user_id, const std::string& id,
                                        const std::string& product_id, bool favorite);
  std::vector<std::string> set_favorites(const std::string& user_id, const std::string& id,
                                         std::vector<std::string> favorites);
  // Adds `product_id` when absent, removes it when present, in one read-modify-write (two
  // toggles at once end as two toggles). Answers the favorites after the change.
  std::vector<std::string> toggle_favorite(const std::string& user_id, const std::string& id,
                                           const std::string& product_id);

  static constexpr size_t kMaxFavorites = 500;

  const Clock& clock() const { return clock_; }

 private:
  store::Item get_owned(const std::string& user_id, const std::string& id);
  Report report_from(const store::Item& item);
  std::vector<std::string> change_favorites(
      const std::string& user_id, const std::string& id,
      const std::function<std::vector<std::string>(std::vector<std::string>)>& change);

  store::Store& store_;
  Tables tables_;
  CursorCodec cursors_;
  std::function<std::string()> analysis_version_ = [] { return std::string(kNewAnalysisModelVersion); };
  const Clock& clock_;
  void changed(const std::string& user_id) const {
    for (auto& l : listeners_) l(user_id);
  }
  std::vector<std::function<void(const std::string&)>> listeners_;
};

}  // namespace k9::repo
