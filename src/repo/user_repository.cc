#include "repo/user_repository.h"

#include "core/error.h"
#include "repo/item_codec.h"

namespace k9::repo {

using store::AttributeValue;

namespace {

// Inside `preferences`, the Python generation's UserPreferences model wrote camelCase keys;
// K9 once wrote its member names. Both are read (the generation's spelling wins where both
// are present); the generation's is written, and keys K9 does not know are kept.
struct PreferenceName {
  const char* k9;
  const char* generation;
};
constexpr PreferenceName kPreferenceNames[] = {{"default_report_title", "defaultReportTitle"},
                                               {"auto_save_favorites", "autoSaveFavorites"},
                                               {"export_format", "exportFormat"}};

const AttributeValue::Map* stored_preferences(const store::Item& item) {
  auto it = item.find("preferences");
  return it != item.end() && it->second.is(store::AttrType::M) ? &it->second.m() : nullptr;
}

void read_generation_preferences(const AttributeValue::Map& stored, Preferences& out) {
  auto read = [&](const char* name, auto& field) {
    auto it = stored.find(name);
    if (it != stored.end() && !it->second.is(store::AttrType::NUL)) from_attr(it->second, field, name);
  };
  read("defaultReportTitle", out.default_report_title);
  read("autoSaveFavorites", out.auto_save_favorites);
  read("exportFormat", out.export_format);
}

User user_from(const store::Item& item) {
  User u;
  try {
    from_item(item, u);
    if (auto* stored = stored_preferences(item)) read_generation_preferences(*stored, u.preferences);
  } catch (const std::invalid_argument& e) {
    throw Error(ErrorCode::internal, std::string("stored user is unreadable: ") + e.what());
  }
  if (auto it = item.find("user_id"); it != item.end() && it->second.is(store::AttrType::S)) u.id = it->second.s();
  return u;
}

// `stored`: the preferences map as stored now (its unknown keys are kept).
store::Item item_from(const User& u, const AttributeValue::Map* stored = nullptr) {
  store::Item item = to_item(u);
  item.erase("id");
  item["user_id"] = AttributeValue::S(u.id);
  AttributeValue::Map prefs = stored ? *stored : AttributeValue::Map{};
  AttributeValue::Map mine = item.count("preferences") ? item["preferences"].m() : AttributeValue::Map{};
  for (auto& name : kPreferenceNames) {
    prefs.erase(name.k9);
    prefs.erase(name.generation);
    if (auto it = mine.find(name.k9); it != mine.end()) prefs[name.generation] = it->second;
  }
  item["preferences"] = AttributeValue::M(std::move(prefs));
  return item;
}
}  // namespace

std::optional<User> UserRepository::find(const std::string& user_id) {
  auto item = store_.get(table_, {{"user_id", AttributeValue::S(user_id)}});
  if (!item) return std::nullopt;
  return user_from(*item);
}

User UserRepository::get_or_create(const std::string& user_id, const std::string& name, const std::string& email) {
  if (auto u = find(user_id)) return *u;
  User u;
  u.id = user_id;
  u.name = name;
  u.email = email;
  u.created_at = u.updated_at = iso8601_ms(clock_.now());
  try {
    store_.put({table_, item_from(u), "attribute_not_exists(user_id)"});
    return u;
  } catch (const store::ConditionFailed&) {
    return *find(user_id);  // created concurrently
  }
}

User UserRepository::update_profile(const std::string& user_id, const ProfilePatch& patch) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    get_or_create(user_id, "", "");
    auto stored = store_.get(table_, {{"user_id", AttributeValue::S(user_id)}});
    if (!stored) continue;  // deleted meanwhile: created again on the next attempt
    User u = user_from(*stored);
    std::string previous = u.updated_at;
    if (patch.name) u.name = *patch.name;
    if (patch.email) u.email = *patch.email;
    if (patch.avatar_url) u.avatar_url = *patch.avatar_url;
    if (patch.preferences) {
      auto& p = *patch.preferences;
      if (p.default_report_title) u.preferences.default_report_title = p.default_report_title;
      if (p.auto_save_favorites) u.preferences.auto_save_favorites = p.auto_save_favorites;
      if (p.export_format) u.preferences.export_format = p.export_format;
    }
    u.updated_at = iso8601_ms(clock_.now());
    // SET each attribute K9 knows, so attributes it does not know (written by the Python
    // generation, or by a later K9) are kept.
    store::UpdateRequest update{table_, {{"user_id", AttributeValue::S(user_id)}}, "", "updated_at = :prev", {},
                                {{":prev", AttributeValue::S(previous)}}};
    for (auto& [name, value] : item_from(u, stored_preferences(*stored))) {
      if (name == "user_id") continue;
      std::string n = "#a" + std::to_string(update.names.size()), v = ":v" + std::to_string(update.names.size());
      update.update += (update.update.empty() ? "SET " : ", ") + n + " = " + v;
      update.names[n] = name;
      update.values[v] = value;
    }
    try {
      store_.update(update);
      return u;
    } catch (const store::ConditionFailed&) {
      continue;  // changed meanwhile: read again and reapply
    }
  }
  throw Error(ErrorCode::conflict, "profile is being changed concurrently; try again");
}

}  // namespace k9::repo
