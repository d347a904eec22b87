#include "engine/store/store.h"

#include "engine/core/threadaffinity.h"
#include "engine/store/logwriter.h"

#include <QMetaObject>
#include <QPointer>

#include <algorithm>

#include <sqlite3.h>

namespace cd::store {
namespace {

size_t eventBytes(const Event &event)
{
    return event.record.key.size() + (event.record.value ? event.record.value->size() : 0);
}

Error sqliteError(sqlite3 *db, const std::string &what)
{
    return Error::internal("store: " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
}

bool hasPrefix(const std::string &key, const std::string &prefix)
{
    return key.size() >= prefix.size() && key.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

Store::Watch::~Watch() { cancel(); }

void Store::Watch::cancel()
{
    if (m_store) {
        m_store->m_watches.erase(m_id);
        m_store = nullptr;
    }
}

Store::Store(const StoreOptions &options) : m_options(options) {}

Store::~Store()
{
    m_writer.reset();  // drains and joins the writer thread
    if (m_db)
        sqlite3_close(m_db);
}

Result<std::unique_ptr<Store>> Store::open(const StoreOptions &options)
{
    std::unique_ptr<Store> store(new Store(options));
    const std::string path = options.path.isEmpty() ? std::string(":memory:") : options.path.toStdString();
    if (sqlite3_open_v2(path.c_str(), &store->m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        return sqliteError(store->m_db, "cannot open " + path);
    // WAL with synchronous=FULL: a commit returns only after the log is on disk, so every
    // acknowledged write survives a crash of the process and of the machine.
    const char *setup = "PRAGMA journal_mode=WAL;"
                        "PRAGMA synchronous=FULL;"
                        "PRAGMA busy_timeout=5000;"
                        "CREATE TABLE IF NOT EXISTS log(rev INTEGER PRIMARY KEY, key TEXT NOT NULL,"
                        " create_rev INTEGER NOT NULL, deleted INTEGER NOT NULL, value BLOB);"
                        "CREATE INDEX IF NOT EXISTS log_key_rev ON log(key, rev);"
                        "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER);";
    char *message = nullptr;
    if (sqlite3_exec(store->m_db, setup, nullptr, nullptr, &message) != SQLITE_OK) {
        Error e = Error::internal(std::string("store: cannot prepare the database: ") + (message ? message : ""));
        sqlite3_free(message);
        return e;
    }
    CD_CHECK(store->load());
    Store *raw = store.get();
    // Both callbacks hop back to the store's thread; the store outlives the writer (its
    // destructor joins the writer thread).
    store->m_writer = std::make_unique<LogWriter>(
        store->m_db,
        [raw](Revision durable, std::vector<PackedEntry> packed) {
            auto shared = std::make_shared<std::vector<PackedEntry>>(std::move(packed));
            QMetaObject::invokeMethod(
                raw, [raw, durable, shared] { raw->onDurable(durable, std::move(*shared)); }, Qt::QueuedConnection);
        },
        [raw](const Error &error) {
            QMetaObject::invokeMethod(raw, [raw, error] { raw->onWriteFailed(error); }, Qt::QueuedConnection);
        });
    if (options.writerThread)
        store->m_writer->start();
    return store;
}

Status Store::load()
{
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, "SELECT rev, key, create_rev, deleted, value FROM log ORDER BY rev", -1, &stmt,
                           nullptr) != SQLITE_OK)
        return sqliteError(m_db, "cannot read the log");
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const Revision rev = sqlite3_column_int64(stmt, 0);
        std::string key(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 1)), sqlite3_column_bytes(stmt, 1));
        m_revision = std::max(m_revision, rev);
        if (sqlite3_column_int(stmt, 3)) {
            if (auto it = m_records.find(key); it != m_records.end()) {
                setPlain(it->second, nullptr);
                m_records.erase(it);
            }
            continue;
        }
        auto value = std::make_shared<const std::string>(static_cast<const char *>(sqlite3_column_blob(stmt, 4)),
                                                         sqlite3_column_bytes(stmt, 4));
        Slot &slot = m_records[key];
        setPlain(slot, std::move(value));
        slot.createRevision = sqlite3_column_int64(stmt, 2);
        slot.modRevision = rev;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sqliteError(m_db, "cannot read the log");
    if (sqlite3_prepare_v2(m_db, "SELECT value FROM meta WHERE name = 'revision'", -1, &stmt, nullptr) == SQLITE_OK) {
        if (sqlite3_step(stmt) == SQLITE_ROW)
            m_revision = std::max<Revision>(m_revision, sqlite3_column_int64(stmt, 0));
        sqlite3_finalize(stmt);
    }
    m_durable = m_revision;
    m_windowFloor = m_revision;
    // A big store is packed as it would have been had it kept running.
    if (m_plainBytes > m_options.packTextsAbove) {
        TextPacker packer;
        for (auto it = m_records.begin(); it != m_records.end() && m_plainBytes > m_options.packTextsAbove; ++it) {
            PackedText packed = packer.pack(it->first, *it->second.plain);
            if (!packed.empty()) {
                setPlain(it->second, nullptr);
                it->second.packed = std::move(packed);
            }
        }
    }
    return {};
}

void Store::setPlain(Slot &slot, Value value)
{
    if (slot.plain)
        m_plainBytes -= slot.plain->size();
    slot.plain = std::move(value);
    if (slot.plain) {
        m_plainBytes += slot.plain->size();
        slot.packed = {};
    }
}

Value Store::valueOf(const std::string &key, const Slot &slot) const
{
    if (slot.plain)
        return slot.plain;
    if (m_lastUnpacked.value && m_lastUnpacked.modRevision == slot.modRevision && m_lastUnpacked.key == key)
        return m_lastUnpacked.value;
    m_lastUnpacked = Unpacked{key, slot.modRevision, std::make_shared<const std::string>(unpack(slot.packed))};
    return m_lastUnpacked.value;
}

Record Store::recordOf(const std::string &key, const Slot &slot) const
{
    return Record{key, valueOf(key, slot), slot.createRevision, slot.modRevision};
}

std::optional<Record> Store::get(const std::string &key) const
{
    CD_ASSERT_THREAD(this);
    auto it = m_records.find(key);
    if (it == m_records.end())
        return std::nullopt;
    return recordOf(it->first, it->second);
}

void Store::forEach(const std::string &prefix, const std::function<void(const RecordView &)> &visit) const
{
    CD_ASSERT_THREAD(this);
    for (auto it = m_records.lower_bound(prefix); it != m_records.end() && hasPrefix(it->first, prefix); ++it) {
        const Slot &slot = it->second;
        visit(RecordView(it->first, slot.plain, slot.packed, slot.createRevision, slot.modRevision));
    }
}

std::vector<Record> Store::list(const std::string &prefix) const
{
    std::vector<Record> out;
    forEach(prefix, [&](const RecordView &r) { out.push_back(r.record()); });
    return out;
}

size_t Store::count(const std::string &prefix) const
{
    CD_ASSERT_THREAD(this);
    size_t n = 0;
    for (auto it = m_records.lower_bound(prefix); it != m_records.end() && hasPrefix(it->first, prefix); ++it)
        ++n;
    return n;
}

Result<Record> Store::create(const std::string &key, const Encoder &encode)
{
    CD_ASSERT_THREAD(this);
    if (m_records.count(key))
        return Error{ErrorKind::AlreadyExists, key + " already exists", {}};
    return write(key, EventType::Created, 0, encode, nullptr);
}

Result<Record> Store::update(const std::string &key, Revision expectedModRevision, const Encoder &encode)
{
    return change(key, expectedModRevision, EventType::Updated, encode);
}

Result<Record> Store::remove(const std::string &key, Revision expectedModRevision, const Encoder &finalState)
{
    return change(key, expectedModRevision, EventType::Deleted, finalState);
}

Result<Record> Store::change(const std::string &key, Revision expectedModRevision, EventType type,
                             const Encoder &encode)
{
    CD_ASSERT_THREAD(this);
    auto it = m_records.find(key);
    if (it == m_records.end())
        return Error::notFound(key + " not found");
    if (expectedModRevision && it->second.modRevision != expectedModRevision)
        return Error::conflict(key + " was modified");
    return write(key, type, it->second.createRevision, encode, valueOf(it->first, it->second));
}

Result<Record> Store::write(const std::string &key, EventType type, Revision createRevision, const Encoder &encode,
                            Value previous)
{
    if (!m_failure && m_writer->failed())
        m_failure = m_writer->lastError();  // the writer thread gave up: stop acknowledging writes
    if (m_failure)
        return Error{ErrorKind::ServiceUnavailable, "the store cannot write: " + m_failure->message, {}};
    const Revision revision = m_revision + 1;
    std::string text = encode(revision);
    text.shrink_to_fit();  // kept for as long as the object lives: not the encoder's spare capacity
    Record record;
    record.key = key;
    record.value = std::make_shared<const std::string>(std::move(text));
    record.createRevision = type == EventType::Created ? revision : createRevision;
    record.modRevision = revision;
    m_revision = revision;

    if (type == EventType::Deleted) {
        if (auto it = m_records.find(key); it != m_records.end()) {
            setPlain(it->second, nullptr);
            m_records.erase(it);
        }
    } else {
        Slot &slot = m_records[key];
        setPlain(slot, record.value);
        slot.createRevision = record.createRevision;
        slot.modRevision = revision;
    }

    LogEntry entry{revision, key, record.createRevision, type == EventType::Deleted, record.value,
                   type != EventType::Deleted && m_plainBytes > m_options.packTextsAbove};
    m_pending.push_back(Event{type, record, std::move(previous)});
    if (++m_writesSinceCompaction >= m_options.compactEveryWrites) {
        m_writesSinceCompaction = 0;
        m_writer->requestCompaction();
    }
    if (m_options.writerThread) {
        m_writer->append(std::move(entry));
    } else {
        std::vector<LogEntry> batch;
        batch.push_back(std::move(entry));
        if (Status s = m_writer->commitNow(std::move(batch)); !s.ok())
            m_failure = s.error();
    }
    return record;
}

void Store::afterCommit(Revision revision, std::function<void(bool)> callback)
{
    CD_ASSERT_THREAD(this);
    if (revision <= m_durable) {
        callback(true);
        return;
    }
    if (m_failure) {
        callback(false);
        return;
    }
    m_afterCommit.emplace(revision, std::move(callback));
}

void Store::flush()
{
    CD_ASSERT_THREAD(this);
    m_writer->flush();
    if (m_writer->failed())
        m_failure = m_writer->lastError();
    if (!m_pending.empty() && !m_failure)
        onDurable(m_pending.back().record.modRevision, {});
}

void Store::keepPacked(std::vector<PackedEntry> packed)
{
    for (PackedEntry &entry : packed) {
        auto it = m_records.find(entry.key);
        // Only the revision that was packed: a newer write since then keeps its own text.
        if (it == m_records.end() || it->second.modRevision != entry.revision || !it->second.plain)
            continue;
        setPlain(it->second, nullptr);
        it->second.packed = std::move(entry.text);
    }
}

void Store::onDurable(Revision revision, std::vector<PackedEntry> packed)
{
    keepPacked(std::move(packed));  // also when flush() already delivered this revision
    if (revision <= m_durable)
        return;
    m_durable = revision;
    while (!m_pending.empty() && m_pending.front().record.modRevision <= revision) {
        m_window.push_back(std::move(m_pending.front()));
        m_pending.pop_front();
        m_windowBytes += eventBytes(m_window.back());
        dispatch(m_window.back());
    }
    // The byte bound keeps at least the newest event, however large.
    while (m_window.size() > m_options.watchWindow ||
           (m_window.size() > 1 && m_windowBytes > m_options.watchWindowBytes)) {
        m_windowFloor = m_window.front().record.modRevision;
        m_windowBytes -= eventBytes(m_window.front());
        m_window.pop_front();
    }
    while (!m_afterCommit.empty() && m_afterCommit.begin()->first <= revision) {
        auto callback = std::move(m_afterCommit.begin()->second);
        m_afterCommit.erase(m_afterCommit.begin());
        callback(true);
    }
    Q_EMIT committed(revision);
}

void Store::onWriteFailed(const Error &error)
{
    if (!m_failure)
        m_failure = error;
    // Writes that never became durable are never acknowledged, and never seen by watchers.
    m_pending.clear();
    auto waiting = std::move(m_afterCommit);
    m_afterCommit.clear();
    for (auto &[revision, callback] : waiting)
        callback(false);
}

void Store::dispatch(const Event &event)
{
    // A callback may cancel watches (its own included) or add new ones; walk by id.
    quint64 id = 0;
    while (true) {
        auto it = m_watches.upper_bound(id);
        if (it == m_watches.end())
            break;
        id = it->first;
        if (hasPrefix(event.record.key, it->second.first)) {
            WatchCallback callback = it->second.second;  // survives the watch cancelling itself
            callback(event);
        }
    }
}

Result<std::unique_ptr<Store::Watch>> Store::watch(const std::string &prefix, Revision afterRevision,
                                                    WatchCallback callback)
{
    CD_ASSERT_THREAD(this);
    if (afterRevision < m_windowFloor)
        return Error{ErrorKind::Gone,
                     "too old resource version: " + std::to_string(afterRevision) + " (" +
                         std::to_string(m_windowFloor + 1) + ")",
                     {}};
    const quint64 id = m_nextWatchId++;
    std::unique_ptr<Watch> handle(new Watch(this, id));
    // Each watch sees every revision after afterRevision once, in order. Writes that are not yet
    // durable may be older than afterRevision (a list reads them at once), and a watch opened from
    // inside a callback replays the event being dispatched: both would otherwise arrive twice.
    auto delivered = std::make_shared<Revision>(afterRevision);
    WatchCallback filtered = [delivered, callback = std::move(callback)](const Event &event) {
        if (event.record.modRevision <= *delivered)
            return;
        *delivered = event.record.modRevision;
        callback(event);
    };
    // Registered before the replay so that a callback may cancel its own watch while replaying.
    m_watches.emplace(id, std::make_pair(prefix, filtered));
    auto first = std::upper_bound(m_window.begin(), m_window.end(), afterRevision,
                                  [](Revision r, const Event &e) { return r < e.record.modRevision; });
    const size_t firstIndex = size_t(first - m_window.begin());
    for (size_t i = firstIndex; i < m_window.size() && m_watches.count(id); ++i)
        if (hasPrefix(m_window[i].record.key, prefix))
            filtered(Event(m_window[i]));  // a copy: the callback may write and reshape the window
    return handle;
}

void Store::compact()
{
    CD_ASSERT_THREAD(this);
    m_writer->requestCompaction();
    if (!m_options.writerThread)
        (void)m_writer->commitNow({});
}

Store::Footprint Store::footprint() const
{
    CD_ASSERT_THREAD(this);
    Footprint out;
    for (const auto &[key, slot] : m_records) {
        if (slot.plain) {
            ++out.plainValues;
            out.plainBytes += slot.plain->size();
        } else {
            ++out.packedValues;
            out.packedBytes += slot.packed.packedSize;
        }
    }
    return out;
}

std::optional<Error> Store::failure() const
{
    if (m_failure)
        return m_failure;
    if (m_writer->failed())
        return m_writer->lastError();
    return std::nullopt;
}

} // namespace cd::store
