#include "jobs/job_queue.h"

#include <cstdlib>

namespace k9::jobs {

using store::AttributeValue;
using store::AttrType;

namespace {

std::string s_attr(const store::Item& item, const char* name) {
  auto it = item.find(name);
  return it != item.end() && it->second.is(AttrType::S) ? it->second.s() : std::string();
}

Job job_from(const store::Item& item) {
  Job j;
  j.id = s_attr(item, "id");
  j.queue = s_attr(item, "queue");
  j.payload = s_attr(item, "payload");
  j.due = s_attr(item, "due");
  j.last_error = s_attr(item, "last_error");
  j.created_at = s_attr(item, "created_at");
  if (auto it = item.find("attempts"); it != item.end() && it->second.is(AttrType::N))
    j.attempts = std::atoi(it->second.n().c_str());
  return j;
}

store::Item key_of(const std::string& id) { return {{"id", AttributeValue::S(id)}}; }

store::SortCondition sort_on(store::SortOp op, const std::string& due) {
  store::SortCondition c;
  c.op = op;
  c.value = AttributeValue::S(due);
  return c;
}

}  // namespace

store::TableSchema JobQueue::schema(const std::string& table) {
  store::TableSchema t;
  t.name = table;
  t.key.partition_key = "id";
  t.indexes.push_back({kDueIndex, {"queue", AttrType::S, "due", AttrType::S}});
  return t;
}

store::PutRequest JobQueue::enqueue_item(const std::string& queue, const std::string& id,
                                         const std::string& payload, const std::string& owner) const {
  std::string now = now_text();
  store::PutRequest put;
  put.table = table_;
  put.item = {{"id", AttributeValue::S(id)},         {"queue", AttributeValue::S(queue)},
              {"payload", AttributeValue::S(payload)}, {"attempts", AttributeValue::N(0)},
              {"due", AttributeValue::S(now)},         {"created_at", AttributeValue::S(now)}};
  if (!owner.empty()) put.item["user_id"] = AttributeValue::S(owner);
  put.condition = "attribute_not_exists(id)";
  return put;
}

bool JobQueue::enqueue(const std::string& queue, const std::string& id, const std::string& payload,
                       const std::string& owner) {
  try {
    store_.put(enqueue_item(queue, id, payload, owner));
    return true;
  } catch (const store::ConditionFailed&) {
    return false;
  }
}

store::QueryRequest JobQueue::due_query(const std::string& queue) const {
  store::QueryRequest q;
  q.table = table_;
  q.index = kDueIndex;
  q.partition = AttributeValue::S(queue);
  return q;
}

std::optional<Job> JobQueue::claim(const std::string& queue, std::chrono::milliseconds lease) {
  auto now = clock_.now();
  store::QueryRequest q = due_query(queue);
  q.sort = sort_on(store::SortOp::LE, iso8601_ms(now));
  q.limit = 8;
  auto page = store_.query(q);
  for (auto& item : page.items) {
    Job seen = job_from(item);
    std::string lease_end = iso8601_ms(now + lease);
    if (lease_end == seen.due) lease_end = iso8601_ms(now + lease + std::chrono::milliseconds(1));
    try {
      store::Item after = store_.update({table_,
                                         key_of(seen.id),
                                         "SET due = :lease ADD attempts :one",
                                         "due = :seen",
                                         {},
                                         {{":lease", AttributeValue::S(lease_end)},
                                          {":one", AttributeValue::N(1)},
                                          {":seen", AttributeValue::S(seen.due)}}});
      return job_from(after);
    } catch (const store::ConditionFailed&) {
      continue;  // another worker won it, or it is gone
    }
  }
  return std::nullopt;
}

void JobQueue::finish(const Job& claimed) {
  try {
    store_.remove({table_, key_of(claimed.id), "due = :due", {}, {{":due", AttributeValue::S(claimed.due)}}});
  } catch (const store::ConditionFailed&) {
    throw LostLease();
  }
}

void JobQueue::retry_at(const Job& claimed, TimePoint when, const std::string& error) {
  try {
    store_.update({table_,
                   key_of(claimed.id),
                   "SET due = :when, last_error = :e",
                   "due = :due",
                   {},
                   {{":when", AttributeValue::S(iso8601_ms(when))},
                    {":e", AttributeValue::S(error)},
                    {":due", AttributeValue::S(claimed.due)}}});
  } catch (const store::ConditionFailed&) {
    throw LostLease();
  }
}

size_t JobQueue::release_leases(const std::string& queue) {
  std::string now = now_text();
  size_t released = 0;
  store::QueryRequest q = due_query(queue);
  q.sort = sort_on(store::SortOp::GT, now);
  q.limit = 100;
  for (;;) {
    auto page = store_.query(q);
    for (auto& item : page.items) {
      Job j = job_from(item);
      try {
        store_.update({table_, key_of(j.id), "SET due = :now", "due = :due", {},
                       {{":now", AttributeValue::S(now)}, {":due", AttributeValue::S(j.due)}}});
        ++released;
      } catch (const store::ConditionFailed&) {
      }
    }
    if (page.last_evaluated_key.empty()) break;
    q.exclusive_start_key = page.last_evaluated_key;
  }
  return released;
}

std::optional<Job> JobQueue::get(const std::string& id) {
  auto item = store_.get(table_, key_of(id));
  if (!item) return std::nullopt;
  return job_from(*item);
}

size_t JobQueue::size(const std::string& queue) {
  return store_.count(due_query(queue));
}

}  // namespace k9::jobs
