// The latency K9's DynamoDB adapter (DynamoDbStore over DynamoDbClient: JSON protocol, SigV4,
// HTTP client, CRC32 check, retries) adds to a DynamoDB round trip, per operation. Its peer is
// bench/dynamodb_latency.mjs (the AWS SDK for JavaScript v3) doing the same operations on the
// same table and items; bench/dynamodb_latency.sh runs both against one DynamoDB Local.
//
//   k9_bench_dynamodb_latency seed TABLE ITEMS       creates TABLE (+ GSI ByOwner) and its items
//   k9_bench_dynamodb_latency run TABLE ITEMS N TAG  N timed calls per operation, after N/10 warm-up
//
// Endpoint, region and credentials come from the environment, as for `k9 --store dynamodb`.
// One thread, one call at a time. Prints one JSON line per operation:
//   {"client":"k9","op":"GetItem","n":N,"p50_us":...,"p99_us":...,"mean_us":...}
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "aws/credentials_chain.h"
#include "store/dynamodb/dynamodb_store.h"

using namespace k9::store;
using AV = AttributeValue;
using Clock = std::chrono::steady_clock;

namespace {

const char* kIndex = "ByOwner";
constexpr int kOwners = 10;

std::string owner_of(int i) { return "owner-" + std::to_string(i % kOwners); }

// The item both clients read and write (bench/dynamodb_latency.mjs builds the same one).
Item item(const std::string& id, const std::string& owner, int i) {
  char created[32];
  std::snprintf(created, sizeof created, "2026-11-26T05:%02d:%02d.%03dZ", (i / 60000) % 60, (i / 1000) % 60, i % 1000);
  return {{"id", AV::S(id)},
          {"owner", AV::S(owner)},
          {"created_at", AV::S(created)},
          {"title", AV::S("Kitchen floor " + std::to_string(i))},
          {"version", AV::N(1)},
          {"price", AV::N("12.99")},
          {"favorites", AV::L({AV::S("p-1"), AV::S("p-2"), AV::S("p-3")})},
          {"reference", AV::M({{"brand", AV::S("Acme")},
                               {"model", AV::S("Oak Natural")},
                               {"category", AV::M({{"type", AV::S("plank")}, {"material", AV::S("wood")}})},
                               {"formats", AV::L({AV::M({{"length", AV::M({{"val", AV::N(48)}, {"unit", AV::S("in")}})},
                                                         {"width", AV::M({{"val", AV::N(6)}, {"unit", AV::S("in")}})}})})}})}};
}

TableSchema schema(const std::string& table) {
  return {table, {"id", AttrType::S}, {{kIndex, {"owner", AttrType::S, "created_at", AttrType::S}}}};
}

void measure(const char* op, int n, const std::function<void(int)>& call) {
  for (int i = 0; i < std::max(1, n / 10); ++i) call(1000000 + i);  // warm-up: connections, caches
  std::vector<double> us;
  us.reserve(n);
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    call(i);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double v : us) sum += v;
  auto pct = [&](double p) { return us[std::min(us.size() - 1, static_cast<size_t>(p * us.size()))]; };
  std::printf("{\"client\":\"k9\",\"op\":\"%s\",\"n\":%d,\"p50_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f}\n", op, n,
              pct(0.50), pct(0.99), sum / n);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s seed TABLE ITEMS | run TABLE ITEMS N TAG\n", argv[0]);
    return 2;
  }
  std::string mode = argv[1], table = argv[2];
  int items = std::atoi(argv[3]);
  auto store = dynamodb::open_from_environment();
  try {
    if (mode == "seed") {
      store->ensure_table(schema(table));
      std::vector<Item> batch;
      for (int i = 0; i < items; ++i) {
        batch.push_back(item("item-" + std::to_string(i), owner_of(i), i));
        if (batch.size() == 25 || i + 1 == items) {
          store->batch_write(table, batch, {});
          batch.clear();
        }
      }
      return 0;
    }
    if (mode != "run" || argc < 6) return 2;
    int n = std::atoi(argv[4]);
    std::string tag = argv[5];  // keeps this run's written ids apart from other runs'
    store->ensure_table(schema(table));  // learns the key schema, changes nothing

    measure("GetItem", n, [&](int i) {
      if (!store->get(table, {{"id", AV::S("item-" + std::to_string(i % items))}})) std::abort();
    });
    measure("PutItem", n, [&](int i) {
      store->put({table, item("put-" + tag + "-" + std::to_string(i % items), owner_of(i), i)});
    });
    std::string counter = "upd-" + tag;
    store->put({table, item(counter, "owner-upd", 0)});
    long version = 1;
    measure("UpdateItem (conditional)", n, [&](int i) {
      store->update({table,
                     {{"id", AV::S(counter)}},
                     "SET title = :t, version = :next",
                     "version = :v",
                     {},
                     {{":t", AV::S("Renamed " + std::to_string(i))}, {":next", AV::N(version + 1)}, {":v", AV::N(version)}}});
      ++version;
    });
    measure("Query (GSI, 20 items)", n, [&](int i) {
      QueryRequest q{table, kIndex, AV::S(owner_of(i))};
      q.forward = false;
      q.limit = 20;
      if (store->query(q).items.size() != 20) std::abort();
    });
    measure("TransactWriteItems (2 puts)", n, [&](int i) {
      std::string id = "tx-" + tag + "-" + std::to_string(i);
      Item product = item(id + "-p", owner_of(i), i), report = item(id + "-r", owner_of(i), i);
      store->transact_write({PutRequest{table, std::move(product), "attribute_not_exists(id)"},
                             PutRequest{table, std::move(report), "attribute_not_exists(id)"}});
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "k9_bench_dynamodb_latency: %s\n", e.what());
    return 1;
  }
  return 0;
}
