#include "store/store.h"

namespace k9::store {

namespace {
std::string describe(const std::vector<std::string>& reasons) {
  std::string m = "Transaction cancelled, please refer cancellation reasons for specific reasons [";
  for (size_t i = 0; i < reasons.size(); ++i) m += (i ? ", " : "") + reasons[i];
  return m + "]";
}
}  // namespace

TransactionCanceled::TransactionCanceled(std::vector<std::string> reasons)
    : StoreError(ErrorCode::conflict, "The items changed meanwhile; try again", describe(reasons), 0),
      reasons_(std::move(reasons)) {}

}  // namespace k9::store
