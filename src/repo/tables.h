// Physical table names and schemas of SPEC section 2. Names follow the seed's variables:
// DYNAMODB_{USERS,REPORTS,PRODUCTS,EMBEDDINGS}_TABLE, default k9-<table>-<ENVIRONMENT>
// (ENVIRONMENT default "dev"); K9's own identities table is K9_IDENTITIES_TABLE and its
// refresh tokens table K9_REFRESH_TOKENS_TABLE (both local-mode identities); the background
// job queue is K9_JOBS_TABLE.
#pragma once
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "store/store.h"

namespace k9::repo {

struct Tables {
  std::string users, reports, products, embeddings, identities, refresh_tokens;
  std::string jobs;  // the background job queue (K9_JOBS_TABLE), jobs/job_queue.h

  // `getenv` is the environment lookup (std::getenv in production; a map in tests).
  static Tables from_env(const std::function<const char*(const char*)>& getenv);
  std::vector<store::TableSchema> schemas() const;  // users, reports, products, embeddings
  // Every table as {kind, physical name}, the kind being its name in the defaults ("users",
  // "reports", "products", "embeddings", "identities", "refresh-tokens", "jobs"): what stays
  // the same from one environment to another (k9 export names its folders by it).
  std::vector<std::pair<std::string, std::string>> by_kind() const;
};

inline constexpr const char* kUserReportsIndex = "UserReportsIndex";
inline constexpr const char* kModelVersionIndex = "ModelVersionIndex";

}  // namespace k9::repo
