#pragma once

#include "engine/core/packedtext.h"

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

// One key's current state as Store::forEach visits it. A packed text is unpacked only when
// asked for, so a filtered list of many objects reads the texts of those that match only.
class RecordView {
public:
    RecordView(const std::string &key, const Value &plain, const PackedText &packed, Revision createRevision,
               Revision modRevision)
        : m_key(key), m_plain(plain), m_packed(packed), m_createRevision(createRevision), m_modRevision(modRevision)
    {
    }
    const std::string &key() const { return m_key; }
    Revision createRevision() const { return m_createRevision; }
    Revision modRevision() const { return m_modRevision; }
    // The text (unpacked at most once per view).
    const Value &value() const
    {
        if (m_plain)
            return m_plain;
        if (!m_unpacked)
            m_unpacked = std::make_shared<const std::string>(unpack(m_packed));
        return m_unpacked;
    }
    Record record() const { return Record{m_key, value(), m_createRevision, m_modRevision}; }

private:
    const std::string &m_key;
    const Value &m_plain;
    const PackedText &m_packed;
    Revision m_createRevision;
    Revision m_modRevision;
    mutable Value m_unpacked;
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
