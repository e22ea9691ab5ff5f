#include "repo/tables.h"

namespace k9::repo {

Tables Tables::from_env(const std::function<const char*(const char*)>& getenv) {
  const char* env = getenv("ENVIRONMENT");
  std::string e = env && *env ? env : "dev";
  auto pick = [&](const char* var, const char* table) {
    const char* v = getenv(var);
    return v && *v ? std::string(v) : "k9-" + std::string(table) + "-" + e;
  };
  return {pick("DYNAMODB_USERS_TABLE", "users"), pick("DYNAMODB_REPORTS_TABLE", "reports"),
          pick("DYNAMODB_PRODUCTS_TABLE", "products"), pick("DYNAMODB_EMBEDDINGS_TABLE", "embeddings"),
          pick("K9_IDENTITIES_TABLE", "identities"), pick("K9_REFRESH_TOKENS_TABLE", "refresh-tokens"),
          pick("K9_JOBS_TABLE", "jobs")};
}

std::vector<std::pair<std::string, std::string>> Tables::by_kind() const {
  return {{"users", users},           {"reports", reports},
          {"products", products},     {"embeddings", embeddings},
          {"identities", identities}, {"refresh-tokens", refresh_tokens},
          {"jobs", jobs}};
}

std::vector<store::TableSchema> Tables::schemas() const {
  using store::AttrType;
  return {
      {users, {"user_id", AttrType::S}},
      {reports, {"id", AttrType::S}, {{kUserReportsIndex, {"user_id", AttrType::S, "created_at", AttrType::S}}}},
      {products, {"id", AttrType::S}},
      {embeddings, {"product_id", AttrType::S, "model_version", AttrType::S},
       {{kModelVersionIndex, {"model_version", AttrType::S, "product_id", AttrType::S}}}},
  };
}

}  // namespace k9::repo
