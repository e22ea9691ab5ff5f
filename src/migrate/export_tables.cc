#include "migrate/export_tables.h"

#include "core/error.h"
#include "table_export/table_export.h"

namespace k9::migrate {

namespace fs = std::filesystem;

std::vector<ExportedTable> export_tables(store::Store& from, const fs::path& dir, const ExportOptions& o) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
    throw Error(ErrorCode::bad_request, dir.string() + ": holds files already; k9 export writes a new or empty folder");
  fs::create_directories(dir);
  std::vector<ExportedTable> out;
  uint64_t done = 0;
  for (auto& [kind, table] : o.tables) {
    if (!from.describe_table(table)) {
      if (o.on_message) o.on_message(table + ": not in the store, not exported");
      continue;
    }
    ExportedTable t{kind, table, dir / kind, {}};
    table_export::TableExportWriter writer(t.folder, table, o.items_per_file);
    store::Item cursor;
    for (;;) {
      auto page = from.scan({table, o.page_size, cursor});
      for (auto& item : page.items) {
        writer.add(item);
        t.digest.add(item);
      }
      done += page.items.size();
      if (o.on_progress) o.on_progress(done);
      if (page.last_evaluated_key.empty()) break;
      cursor = std::move(page.last_evaluated_key);
    }
    writer.finish();
    TableDigest back;
    table_export::read_table_export(t.folder, [&](store::Item item) { back.add(item); });
    if (!(back == t.digest))
      throw Error(ErrorCode::conflict, "verification failed: table " + table + ": scanned " +
                                           std::to_string(t.digest.count()) + " items, digest " + t.digest.hex() +
                                           "; the export holds " + std::to_string(back.count()) + ", digest " +
                                           back.hex());
    if (o.on_message)
      o.on_message(table + ": " + std::to_string(t.digest.count()) + " items exported to " + t.folder.string() +
                   ", verified");
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace k9::migrate
