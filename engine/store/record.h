#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace cd::store {

using Revision = std::int64_t;
using Value = std::shared_ptr<const std::string>;

// A key's current value with etcd's two revisions: when it was created and when last written.
struct Record {
    std::string key;
    Value value;
    Revision createRevision = 0;
    Revision modRevision = 0;
};

enum class EventType { Created, Updated, Deleted };

// One change of the revision log. A Deleted event's record carries the final state, written at
// the delete's revision, so watchers see what was removed.
struct Event {
    EventType type = EventType::Created;
    Record record;
    Value previous;  // the value before this change (null for Created)
};

// Produces the stored bytes once the revision is known, so the value can carry its own
// resourceVersion and reads never re-encode.
using Encoder = std::function<std::string(Revision revision)>;

} // namespace cd::store
