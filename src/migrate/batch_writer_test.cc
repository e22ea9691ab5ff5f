// BatchWriter: batches finishing out of order are answered in order; the first failure comes
// back on the submitting thread and nothing after it is answered as committed.
#include "migrate/batch_writer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace k9::migrate {
namespace {

using store::AttributeValue;
using store::Item;

std::vector<Item> batch_of(int n, int size = 3) {
  return std::vector<Item>(size, Item{{"n", AttributeValue::N(n)}});
}
Item cursor(int n) { return {{"n", AttributeValue::N(n)}}; }

TEST(BatchWriter, AnswersCommitsInSubmissionOrder) {
  std::atomic<int> writes{0};
  BatchWriter writer(
      [&](const std::vector<Item>& b) {
        // Batch 0 is the slowest: later ones finish before it.
        if (b[0].at("n").n() == "0") std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ++writes;
      },
      4);
  for (int i = 0; i < 4; ++i) writer.submit(batch_of(i), cursor(i));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_FALSE(writer.committed()) << "batch 0 is not written yet: nothing is committed in order";
  writer.finish();
  auto c = writer.committed();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->cursor, cursor(3));
  EXPECT_EQ(c->items, 12u);
  EXPECT_FALSE(writer.committed());
  EXPECT_EQ(writes.load(), 4);
}

TEST(BatchWriter, FirstFailureComesBackAndStopsTheQueue) {
  std::atomic<int> writes{0};
  BatchWriter writer(
      [&](const std::vector<Item>& b) {
        if (b[0].at("n").n() == "2") throw std::runtime_error("target refused batch 2");
        ++writes;
      },
      1);
  try {
    for (int i = 0; i < 50; ++i) writer.submit(batch_of(i), cursor(i));
    writer.finish();
    FAIL() << "the failure was lost";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "target refused batch 2");
  }
  EXPECT_LE(writes.load(), 4) << "the queue stops after a failure";
  EXPECT_THROW(writer.committed(), std::runtime_error);
}

}  // namespace
}  // namespace k9::migrate
