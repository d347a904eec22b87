#pragma once
// The store plays etcd's part: an append-only revision log in SQLite (WAL) with one global
// revision, the current state in memory for reads, and watches served from an in-memory window
// of recent events. Only the API layer uses it (DESIGN.md rule 2).
//
// Writes change the in-memory state at once (so optimistic concurrency is decided in order) and
// become durable shortly after through group commit; watch events and afterCommit callbacks fire
// only once a write is durable, so nobody is told about a write that a crash could still lose.

#include "engine/core/result.h"
#include "engine/core/packedtext.h"
#include "engine/store/record.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

struct sqlite3;

namespace cd::store {

class LogWriter;
struct PackedEntry;

struct StoreOptions {
    QString path;                    // SQLite file; empty for a private in-memory database
    size_t watchWindow = 100000;     // events kept for watches that resume from a revision
    // ... and at most this many bytes of them (keys and values): thousands of nodes writing
    // status and leases would otherwise keep hundreds of MB of old versions alive.
    size_t watchWindowBytes = size_t(64) << 20;
    // Once the current values' texts add up to more than this, each newly durable value is kept
    // packed (packedtext.h) and unpacked when read; 0 packs every value.
    size_t packTextsAbove = size_t(64) << 20;
    bool writerThread = true;        // false: commit on the caller's thread (deterministic tests)
    size_t compactEveryWrites = 20000;
};

class Store : public QObject {
    Q_OBJECT
public:
    using WatchCallback = std::function<void(const Event &)>;

    // A registered watch; destroying it (or calling cancel) stops the callbacks.
    class Watch {
    public:
        ~Watch();
        void cancel();

    private:
        friend class Store;
        Watch(Store *store, quint64 id) : m_store(store), m_id(id) {}
        QPointer<Store> m_store;  // a watch may outlive its store
        quint64 m_id;
    };

    static Result<std::unique_ptr<Store>> open(const StoreOptions &options);
    ~Store() override;

    Revision revision() const { return m_revision; }
    Revision durableRevision() const { return m_durable; }

    std::optional<Record> get(const std::string &key) const;
    std::vector<Record> list(const std::string &prefix) const;
    size_t count(const std::string &prefix) const;
    // Calls visit for each record under prefix, in key order, without copying the list.
    void forEach(const std::string &prefix, const std::function<void(const RecordView &)> &visit) const;

    // AlreadyExists when the key is present.
    Result<Record> create(const std::string &key, const Encoder &encode);
    // NotFound when absent; Conflict when expectedModRevision is set and differs.
    Result<Record> update(const std::string &key, Revision expectedModRevision, const Encoder &encode);
    // finalState encodes the object as deleted at the delete's revision (the watch DELETED event).
    Result<Record> remove(const std::string &key, Revision expectedModRevision, const Encoder &finalState);

    // Runs callback on this object's thread once `revision` is durable (at once if it already
    // is), with true; with false if the store failed before it became durable.
    void afterCommit(Revision revision, std::function<void(bool durable)> callback);
    // Blocks until every write so far is durable, then delivers pending events.
    void flush();

    // Watches keys under prefix for changes after `afterRevision` (Gone when older than the window).
    Result<std::unique_ptr<Watch>> watch(const std::string &prefix, Revision afterRevision, WatchCallback callback);
    // The oldest revision a watch may resume from.
    Revision compactedRevision() const { return m_windowFloor; }

    // Trims the on-disk log to the newest row of each live key.
    void compact();
    // What the current values' texts occupy, plain and packed (walks every key).
    struct Footprint {
        size_t plainValues = 0;
        size_t plainBytes = 0;
        size_t packedValues = 0;
        size_t packedBytes = 0;
    };
    Footprint footprint() const;

    // The last durable-write failure, if the disk refused a commit.
    std::optional<Error> failure() const;

Q_SIGNALS:
    void committed(cd::store::Revision revision);

private:
    // A key's current value: its text, or (once durable, in a big store) its packed copy.
    struct Slot {
        Value plain;
        PackedText packed;
        Revision createRevision = 0;
        Revision modRevision = 0;
    };

    explicit Store(const StoreOptions &options);
    Status load();
    // An update or delete of an existing key, checked against the expected revision.
    Result<Record> change(const std::string &key, Revision expectedModRevision, EventType type, const Encoder &encode);
    Result<Record> write(const std::string &key, EventType type, Revision createRevision, const Encoder &encode,
                         Value previous);
    void onDurable(Revision revision, std::vector<PackedEntry> packed);
    void keepPacked(std::vector<PackedEntry> packed);
    void setPlain(Slot &slot, Value value);
    Record recordOf(const std::string &key, const Slot &slot) const;
    // The slot's text; a packed one is unpacked, and the last unpacked is kept for a read-modify-write.
    Value valueOf(const std::string &key, const Slot &slot) const;
    // The disk refused a commit: fail every write still waiting to become durable.
    void onWriteFailed(const Error &error);
    void dispatch(const Event &event);

    StoreOptions m_options;
    sqlite3 *m_db = nullptr;
    std::unique_ptr<LogWriter> m_writer;
    std::map<std::string, Slot, std::less<>> m_records;
    size_t m_plainBytes = 0;  // texts of m_records not packed
    struct Unpacked {
        std::string key;
        Revision modRevision = 0;
        Value value;
    };
    mutable Unpacked m_lastUnpacked;
    Revision m_revision = 0;
    Revision m_durable = 0;
    Revision m_windowFloor = 0;   // every event after this revision is in m_window or m_pending
    std::deque<Event> m_window;   // durable events, oldest first
    size_t m_windowBytes = 0;     // keys and values of m_window
    std::deque<Event> m_pending;  // written, not yet durable
    std::multimap<Revision, std::function<void(bool)>> m_afterCommit;
    std::map<quint64, std::pair<std::string, WatchCallback>> m_watches;
    quint64 m_nextWatchId = 1;
    size_t m_writesSinceCompaction = 0;
    std::optional<Error> m_failure;
};

} // namespace cd::store
