#include "engine/store/logwriter.h"

#include <sqlite3.h>

namespace cd::store {
namespace {

Status exec(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        Error e = Error::internal(std::string("store: ") + (message ? message : "sqlite error"));
        sqlite3_free(message);
        return e;
    }
    return {};
}

} // namespace

LogWriter::LogWriter(sqlite3 *db, CommitCallback onCommit, FailureCallback onFailure)
    : m_db(db), m_onCommit(std::move(onCommit)), m_onFailure(std::move(onFailure))
{
}

LogWriter::~LogWriter()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void LogWriter::start()
{
    m_thread = std::thread([this] { run(); });
}

void LogWriter::append(LogEntry entry)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(entry));
    }
    m_wake.notify_one();
}

void LogWriter::requestCompaction()
{
    {
        std::lock_guard lock(m_mutex);
        m_compact = true;
    }
    m_wake.notify_one();
}

void LogWriter::flush()
{
    std::unique_lock lock(m_mutex);
    // A requested compaction counts as pending work, so flush() after compact() sees it done.
    m_drained.wait(lock, [this] {
        return (m_queue.empty() && !m_busy && !m_compact) || m_failed || !m_thread.joinable();
    });
}

Status LogWriter::commitNow(std::vector<LogEntry> entries)
{
    bool compact;
    {
        std::lock_guard lock(m_mutex);
        compact = m_compact;
        m_compact = false;
    }
    CD_CHECK(commitBatch(entries, compact));
    if (!entries.empty() && m_onCommit) {
        const Revision durable = entries.back().revision;
        m_onCommit(durable, packValues(entries));
    }
    return {};
}

Error LogWriter::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_error;
}

bool LogWriter::failed() const
{
    std::lock_guard lock(m_mutex);
    return m_failed;
}

void LogWriter::run()
{
    std::vector<LogEntry> batch;
    while (true) {
        bool compact = false;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || !m_queue.empty() || m_compact; });
            if (m_queue.empty() && !m_compact && m_stop)
                break;
            batch.assign(std::make_move_iterator(m_queue.begin()), std::make_move_iterator(m_queue.end()));
            m_queue.clear();
            compact = m_compact;
            m_compact = false;
            m_busy = true;
        }
        const Status status = commitBatch(batch, compact);
        {
            std::lock_guard lock(m_mutex);
            m_busy = false;
            if (!status.ok()) {
                // A store that cannot write must not pretend it did: stop acknowledging anything.
                m_failed = true;
                m_error = status.error();
            }
        }
        if (status.ok() && !batch.empty() && m_onCommit) {
            const Revision durable = batch.back().revision;
            m_onCommit(durable, packValues(batch));
        }
        if (!status.ok() && m_onFailure)
            m_onFailure(status.error());
        m_drained.notify_all();
        if (!status.ok())
            break;
        batch.clear();
    }
    m_drained.notify_all();
}

std::vector<PackedEntry> LogWriter::packValues(std::vector<LogEntry> &batch)
{
    std::vector<PackedEntry> packed;
    for (LogEntry &entry : batch) {
        if (!entry.pack || entry.deleted || !entry.value)
            continue;
        PackedText text = m_packer.pack(entry.key, *entry.value);
        if (!text.empty())
            packed.push_back(PackedEntry{entry.revision, std::move(entry.key), std::move(text)});
    }
    return packed;
}

Status LogWriter::commitBatch(const std::vector<LogEntry> &batch, bool compact)
{
    if (batch.empty() && !compact)
        return {};
    CD_CHECK(exec(m_db, "BEGIN IMMEDIATE"));
    sqlite3_stmt *insert = nullptr;
    if (sqlite3_prepare_v2(m_db, "INSERT INTO log(rev, key, create_rev, deleted, value) VALUES(?,?,?,?,?)", -1,
                           &insert, nullptr) != SQLITE_OK) {
        (void)exec(m_db, "ROLLBACK");
        return Error::internal(std::string("store: ") + sqlite3_errmsg(m_db));
    }
    for (const LogEntry &e : batch) {
        sqlite3_bind_int64(insert, 1, e.revision);
        sqlite3_bind_text(insert, 2, e.key.data(), int(e.key.size()), SQLITE_STATIC);
        sqlite3_bind_int64(insert, 3, e.createRevision);
        sqlite3_bind_int(insert, 4, e.deleted ? 1 : 0);
        if (e.value)
            sqlite3_bind_blob(insert, 5, e.value->data(), int(e.value->size()), SQLITE_STATIC);
        else
            sqlite3_bind_null(insert, 5);
        if (sqlite3_step(insert) != SQLITE_DONE) {
            Error error = Error::internal(std::string("store: ") + sqlite3_errmsg(m_db));
            sqlite3_finalize(insert);
            (void)exec(m_db, "ROLLBACK");
            return error;
        }
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    if (compact) {
        // History lives in memory (the watch window); on disk only each key's newest row matters.
        // The highest revision is remembered in meta so it never goes backwards after a restart;
        // MAX over both, since a second compaction with no write in between sees only older rows.
        const Status trimmed = exec(m_db, "INSERT OR REPLACE INTO meta(name, value) SELECT 'revision', "
                                          "MAX(COALESCE((SELECT MAX(rev) FROM log), 0), "
                                          "COALESCE((SELECT value FROM meta WHERE name = 'revision'), 0));"
                                          "DELETE FROM log WHERE EXISTS (SELECT 1 FROM log AS newer "
                                          "WHERE newer.key = log.key AND newer.rev > log.rev);"
                                          "DELETE FROM log WHERE deleted = 1;");
        if (!trimmed.ok()) {
            (void)exec(m_db, "ROLLBACK");
            return trimmed;
        }
    }
    const Status committed = exec(m_db, "COMMIT");
    if (!committed.ok())
        (void)exec(m_db, "ROLLBACK");  // leave no transaction open behind a failed commit
    return committed;
}

} // namespace cd::store
