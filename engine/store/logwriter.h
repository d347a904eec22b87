#pragma once
// The durable half of the store: appends revision-log entries to SQLite on its own thread and
// commits them in groups, one fsync for every write that arrived while the previous one ran
// (group commit), which is how a single-writer log gets thousands of durable writes a second.

#include "engine/core/result.h"
#include "engine/core/packedtext.h"
#include "engine/store/record.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

struct sqlite3;

namespace cd::store {

struct LogEntry {
    Revision revision = 0;
    std::string key;
    Revision createRevision = 0;
    bool deleted = false;
    Value value;
    bool pack = false;  // hand back a packed copy of the value once it is durable
};

// A durable value's packed copy, for the store to keep in place of the text.
struct PackedEntry {
    Revision revision = 0;
    std::string key;
    PackedText text;
};

class LogWriter {
public:
    // Called on the writer thread after every commit with the highest durable revision and the
    // packed copies of the entries that asked for one.
    using CommitCallback = std::function<void(Revision durable, std::vector<PackedEntry> packed)>;
    // Called on the writer thread when a commit failed; nothing is committed after that.
    using FailureCallback = std::function<void(const Error &error)>;

    LogWriter(sqlite3 *db, CommitCallback onCommit, FailureCallback onFailure = {});
    ~LogWriter();  // drains the queue, then stops

    void start();
    void append(LogEntry entry);
    // Drops superseded rows and old tombstones at the next commit.
    void requestCompaction();
    // Blocks until every appended entry is durable.
    void flush();
    // Commits synchronously on the calling thread (no writer thread; deterministic tests).
    Status commitNow(std::vector<LogEntry> entries);

    Error lastError() const;
    bool failed() const;

private:
    void run();
    Status commitBatch(const std::vector<LogEntry> &batch, bool compact);
    // Packs (on the committing thread, off the store's) the values that asked for it.
    std::vector<PackedEntry> packValues(std::vector<LogEntry> &batch);

    sqlite3 *m_db;
    CommitCallback m_onCommit;
    FailureCallback m_onFailure;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_drained;
    std::deque<LogEntry> m_queue;
    bool m_stop = false;
    bool m_compact = false;
    bool m_busy = false;
    bool m_failed = false;
    Error m_error;
    TextPacker m_packer;  // used by whichever thread commits: the writer's, or commitNow's caller
};

} // namespace cd::store
