// The store: revisions, optimistic concurrency, prefix lists, watches (replay, live, Gone,
// cancellation), durability before notification, restarts and compaction, with the writer thread
// and without it.
#include "engine/store/store.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

using cd::ErrorKind;
using namespace cd::store;

namespace {

// The stored bytes name the revision they were written at, as the API's encoder does.
Encoder value(const std::string &text)
{
    return [text](Revision revision) { return text + "@" + std::to_string(revision); };
}

std::string text(const Record &r)
{
    return r.value ? *r.value : std::string("<null>");
}

std::unique_ptr<Store> openStore(const QString &path, bool writerThread, size_t watchWindow = 100000,
                                 size_t compactEveryWrites = 20000, size_t packTextsAbove = size_t(64) << 20)
{
    StoreOptions options;
    options.packTextsAbove = packTextsAbove;
    options.path = path;
    options.writerThread = writerThread;
    options.watchWindow = watchWindow;
    options.compactEveryWrites = compactEveryWrites;
    auto store = Store::open(options);
    if (!store.ok())
        qFatal("cannot open the store: %s", store.error().message.c_str());
    return std::move(store).value();
}

// Runs a query on its own connection, as another process would see the file.
long long queryNumber(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
        qFatal("cannot open %s", qPrintable(path));
    sqlite3_stmt *stmt = nullptr;
    long long result = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        result = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return result;
}

long long logRows(const QString &path)
{
    return queryNumber(path, "SELECT COUNT(*) FROM log");
}

long long diskRows(const QString &path, Revision revision)
{
    const std::string sql = "SELECT COUNT(*) FROM log WHERE rev = " + std::to_string(revision);
    return queryNumber(path, sql.c_str());
}

struct Seen {
    EventType type;
    std::string key;
    Revision revision;
    std::string value;
    std::string previous;
};

std::function<void(const Event &)> recorder(std::vector<Seen> &into)
{
    return [&into](const Event &e) {
        into.push_back({e.type, e.record.key, e.record.modRevision, text(e.record),
                        e.previous ? *e.previous : std::string("<none>")});
    };
}

std::vector<Revision> revisions(const std::vector<Seen> &seen)
{
    std::vector<Revision> out;
    for (const auto &s : seen)
        out.push_back(s.revision);
    return out;
}

// A pod-like text of about 1.5 KB: alike from object to object, as stored objects of one type are.
std::string podText(int i)
{
    const std::string n = std::to_string(i);
    return R"({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"web-)" + std::to_string(i % 7) +
           R"(","tier":"frontend"},"name":"pod-)" + n + R"(","namespace":"default","uid":"0c5a)" + n +
           R"(-5ae5-43cc-b248-dde148e14629"},"spec":{"containers":[{"image":"nginx:1.27","name":"web","ports":[{)"
           R"("containerPort":8080,"protocol":"TCP"}],"resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}],)"
           R"("nodeName":"node-)" + std::to_string(i % 13) +
           R"(","restartPolicy":"Always","schedulerName":"default-scheduler","tolerations":[{"effect":"NoExecute",)"
           R"("key":"node.kubernetes.io/not-ready","operator":"Exists","tolerationSeconds":300}]},"status":{)"
           R"("conditions":[{"lastTransitionTime":"2026-11-28T02:06:21Z","status":"True","type":"Ready"}],)"
           R"("phase":"Running","podIP":"10.244.)" + std::to_string(i % 200) + "." + std::to_string(i % 250) +
           R"(","qosClass":"Burstable","startTime":"2026-11-28T02:06:21Z"}})";
}

std::string podKey(int i)
{
    return "/registry/core/pods/default/pod-" + std::to_string(i);
}

} // namespace

class TestStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void writesAndRevisions_data();
    void writesAndRevisions();
    void writeErrors_data() { writesAndRevisions_data(); }
    void writeErrors();
    void listByPrefix();
    void watchReplaysThenFollows_data() { writesAndRevisions_data(); }
    void watchReplaysThenFollows();
    void watchOfAPrefix();
    void watchTooOldIsGone();
    void watchWindowBoundedByBytes();
    void watchCancelledInsideItsCallback();
    void watchCancelledDuringReplay();
    void watchOpenedInsideACallback();
    void watchFromARevisionNotYetDurable();
    void deleteEventCarriesFinalState();
    void afterCommitWaitsForDurability();
    void afterCommitWithWriterThread();
    void committedSignal();
    void restartKeepsEverything_data() { writesAndRevisions_data(); }
    void restartKeepsEverything();
    void revisionNeverGoesBackwards_data() { writesAndRevisions_data(); }
    void revisionNeverGoesBackwards();
    void compactionShrinksTheLog_data() { writesAndRevisions_data(); }
    void compactionShrinksTheLog();
    void automaticCompaction();
    void manyWritesWithWriterThread();
    void destructorDrainsTheQueue();
    void inMemoryStore();
    void packedTextsReadBack_data() { writesAndRevisions_data(); }
    void packedTextsReadBack();
    void smallStoreKeepsTexts();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void TestStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + "/storetests-store-XXXXXX");
    QVERIFY(m_dir->isValid());
    m_path = m_dir->filePath("store.db");
}

void TestStore::cleanup()
{
    m_dir.reset();
}

void TestStore::writesAndRevisions_data()
{
    QTest::addColumn<bool>("writerThread");
    QTest::newRow("synchronous") << false;
    QTest::newRow("writer thread") << true;
}

void TestStore::writesAndRevisions()
{
    QFETCH(bool, writerThread);
    auto store = openStore(m_path, writerThread);
    QCOMPARE(store->revision(), Revision(0));
    QVERIFY(!store->get("a/1"));

    auto created = store->create("a/1", value("one"));
    QVERIFY(created.ok());
    QCOMPARE(created->key, std::string("a/1"));
    QCOMPARE(created->createRevision, Revision(1));
    QCOMPARE(created->modRevision, Revision(1));
    QCOMPARE(text(*created), std::string("one@1"));
    QCOMPARE(store->revision(), Revision(1));

    auto other = store->create("b/1", value("other"));
    QVERIFY(other.ok());
    QCOMPARE(other->createRevision, Revision(2));
    QCOMPARE(store->revision(), Revision(2));

    auto updated = store->update("a/1", 1, value("two"));
    QVERIFY(updated.ok());
    QCOMPARE(updated->createRevision, Revision(1));
    QCOMPARE(updated->modRevision, Revision(3));
    QCOMPARE(text(*updated), std::string("two@3"));
    QCOMPARE(store->revision(), Revision(3));

    // Without an expected revision the update is unconditional.
    auto forced = store->update("a/1", 0, value("three"));
    QVERIFY(forced.ok());
    QCOMPARE(forced->modRevision, Revision(4));

    auto got = store->get("a/1");
    QVERIFY(got);
    QCOMPARE(got->createRevision, Revision(1));
    QCOMPARE(got->modRevision, Revision(4));
    QCOMPARE(text(*got), std::string("three@4"));

    auto removed = store->remove("a/1", 4, value("gone"));
    QVERIFY(removed.ok());
    QCOMPARE(removed->modRevision, Revision(5));
    QCOMPARE(removed->createRevision, Revision(1));
    QCOMPARE(text(*removed), std::string("gone@5"));
    QVERIFY(!store->get("a/1"));
    QCOMPARE(store->revision(), Revision(5));

    // A key created again starts a new life.
    auto again = store->create("a/1", value("again"));
    QVERIFY(again.ok());
    QCOMPARE(again->createRevision, Revision(6));
    QCOMPARE(again->modRevision, Revision(6));

    store->flush();
    QCOMPARE(store->durableRevision(), Revision(6));
    QVERIFY(!store->failure());
}

void TestStore::writeErrors()
{
    QFETCH(bool, writerThread);
    auto store = openStore(m_path, writerThread);
    QVERIFY(store->create("a/1", value("one")).ok());
    QVERIFY(store->update("a/1", 1, value("two")).ok());

    auto exists = store->create("a/1", value("dup"));
    QVERIFY(!exists.ok());
    QCOMPARE(exists.error().kind, ErrorKind::AlreadyExists);
    QCOMPARE(exists.error().message, std::string("a/1 already exists"));

    auto missing = store->update("a/2", 0, value("x"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().kind, ErrorKind::NotFound);
    QCOMPARE(missing.error().message, std::string("a/2 not found"));

    auto missingDelete = store->remove("a/2", 0, value("x"));
    QVERIFY(!missingDelete.ok());
    QCOMPARE(missingDelete.error().kind, ErrorKind::NotFound);

    auto stale = store->update("a/1", 1, value("stale"));
    QVERIFY(!stale.ok());
    QCOMPARE(stale.error().kind, ErrorKind::Conflict);
    QCOMPARE(stale.error().message, std::string("a/1 was modified"));

    auto staleDelete = store->remove("a/1", 1, value("stale"));
    QVERIFY(!staleDelete.ok());
    QCOMPARE(staleDelete.error().kind, ErrorKind::Conflict);

    // Failed writes use no revision and change nothing.
    QCOMPARE(store->revision(), Revision(2));
    QCOMPARE(text(*store->get("a/1")), std::string("two@2"));
    auto next = store->update("a/1", 2, value("three"));
    QVERIFY(next.ok());
    QCOMPARE(next->modRevision, Revision(3));
}

void TestStore::listByPrefix()
{
    auto store = openStore(m_path, false);
    for (const char *key : {"ab/1", "a/2", "b/1", "a/1", "a/", "a", "a0/1", "a/2/x"})
        QVERIFY(store->create(key, value(key)).ok());

    std::vector<std::string> keys;
    for (const Record &r : store->list("a/"))
        keys.push_back(r.key);
    QCOMPARE(keys, (std::vector<std::string>{"a/", "a/1", "a/2", "a/2/x"})); // not "ab/1", "a0/1", "a"
    QCOMPARE(store->count("a/"), size_t(4));
    QCOMPARE(store->count("ab/"), size_t(1));
    QCOMPARE(store->count("c/"), size_t(0));
    QCOMPARE(store->count(""), size_t(8));
    QVERIFY(store->list("zz/").empty());

    std::vector<std::string> visited;
    store->forEach("a/2", [&](const RecordView &r) { visited.push_back(r.key()); });
    QCOMPARE(visited, (std::vector<std::string>{"a/2", "a/2/x"}));

    QVERIFY(store->remove("a/1", 0, value("x")).ok());
    QCOMPARE(store->count("a/"), size_t(3));
    // Records carry their revisions.
    const auto list = store->list("b/");
    QCOMPARE(list.size(), size_t(1));
    QCOMPARE(list[0].createRevision, Revision(3));
    QCOMPARE(text(list[0]), std::string("b/1@3"));
}

void TestStore::watchReplaysThenFollows()
{
    QFETCH(bool, writerThread);
    auto store = openStore(m_path, writerThread);
    QVERIFY(store->create("a/1", value("v")).ok());        // 1
    QVERIFY(store->create("a/2", value("v")).ok());        // 2
    QVERIFY(store->update("a/1", 1, value("w")).ok());     // 3
    QVERIFY(store->remove("a/2", 2, value("final")).ok()); // 4
    QVERIFY(store->create("a/3", value("v")).ok());        // 5
    store->flush();

    std::vector<Seen> seen;
    auto watch = store->watch("", 2, recorder(seen));
    QVERIFY(watch.ok());
    // The window after revision 2 is replayed before watch() returns.
    QCOMPARE(revisions(seen), (std::vector<Revision>{3, 4, 5}));
    QCOMPARE(seen[0].type, EventType::Updated);
    QCOMPARE(seen[0].value, std::string("w@3"));
    QCOMPARE(seen[0].previous, std::string("v@1"));
    QCOMPARE(seen[1].type, EventType::Deleted);
    QCOMPARE(seen[1].key, std::string("a/2"));
    QCOMPARE(seen[1].value, std::string("final@4"));
    QCOMPARE(seen[1].previous, std::string("v@2"));
    QCOMPARE(seen[2].type, EventType::Created);
    QCOMPARE(seen[2].previous, std::string("<none>"));

    // Then live events, in revision order, once durable.
    QVERIFY(store->update("a/3", 0, value("x")).ok());   // 6
    QVERIFY(store->create("b/1", value("v")).ok());      // 7
    QVERIFY(store->remove("a/1", 0, value("bye")).ok()); // 8
    store->flush();
    QCOMPARE(revisions(seen), (std::vector<Revision>{3, 4, 5, 6, 7, 8}));
    QCOMPARE(seen[5].type, EventType::Deleted);

    // A watch from the current revision replays nothing; one from 0 replays everything.
    std::vector<Seen> fromNow, fromZero;
    auto now = store->watch("", store->revision(), recorder(fromNow));
    auto zero = store->watch("", 0, recorder(fromZero));
    QVERIFY(now.ok());
    QVERIFY(zero.ok());
    QVERIFY(fromNow.empty());
    QCOMPARE(revisions(fromZero), (std::vector<Revision>{1, 2, 3, 4, 5, 6, 7, 8}));
    QVERIFY(store->create("c/1", value("v")).ok()); // 9
    store->flush();
    QCOMPARE(revisions(fromNow), std::vector<Revision>{9});
    QCOMPARE(revisions(fromZero).back(), Revision(9));
    QCOMPARE(revisions(seen).back(), Revision(9));
}

void TestStore::watchOfAPrefix()
{
    auto store = openStore(m_path, false);
    std::vector<Seen> seen;
    auto watch = store->watch("a/", 0, recorder(seen));
    QVERIFY(watch.ok());
    for (const char *key : {"a/1", "ab/1", "b/1", "a/2", "a", "a/x/y"})
        QVERIFY(store->create(key, value("v")).ok());
    store->flush();
    std::vector<std::string> keys;
    for (const auto &s : seen)
        keys.push_back(s.key);
    QCOMPARE(keys, (std::vector<std::string>{"a/1", "a/2", "a/x/y"}));
    QCOMPARE(revisions(seen), (std::vector<Revision>{1, 4, 6}));
}

void TestStore::watchTooOldIsGone()
{
    auto store = openStore(m_path, false, /*watchWindow=*/3);
    for (int i = 1; i <= 10; ++i)
        QVERIFY(store->create("k/" + std::to_string(i), value("v")).ok());
    store->flush();
    // Events 8, 9 and 10 are kept: a watch may resume from 7 but not from 6.
    QCOMPARE(store->compactedRevision(), Revision(7));

    auto gone = store->watch("", 6, [](const Event &) {});
    QVERIFY(!gone.ok());
    QCOMPARE(gone.error().kind, ErrorKind::Gone);
    QCOMPARE(gone.error().message, std::string("too old resource version: 6 (8)"));
    QCOMPARE(cd::httpCode(gone.error().kind), 410);
    QCOMPARE(std::string(cd::statusReason(gone.error().kind)), std::string("Expired"));
    QVERIFY(!store->watch("", 0, [](const Event &) {}).ok());

    std::vector<Seen> seen;
    auto ok = store->watch("", 7, recorder(seen));
    QVERIFY(ok.ok());
    QCOMPARE(revisions(seen), (std::vector<Revision>{8, 9, 10}));

    // The floor moves as the window slides.
    QVERIFY(store->create("k/11", value("v")).ok());
    store->flush();
    QCOMPARE(store->compactedRevision(), Revision(8));
    QVERIFY(!store->watch("", 7, [](const Event &) {}).ok());
    QCOMPARE(revisions(seen), (std::vector<Revision>{8, 9, 10, 11}));
}

void TestStore::watchWindowBoundedByBytes()
{
    StoreOptions options;
    options.path = m_path;
    options.writerThread = false;
    options.watchWindowBytes = 3 * (3 + 1002);  // three events: key "k/N", value 1000 bytes + "@N"
    auto opened = Store::open(options);
    QVERIFY(opened.ok());
    auto store = std::move(opened).value();
    const std::string big(1000, 'x');
    for (int i = 1; i <= 9; ++i)
        QVERIFY(store->create("k/" + std::to_string(i), value(big)).ok());
    store->flush();
    QCOMPARE(store->compactedRevision(), Revision(6));
    QVERIFY(!store->watch("", 5, [](const Event &) {}).ok());
    std::vector<Seen> seen;
    QVERIFY(store->watch("", 6, recorder(seen)).ok());
    QCOMPARE(revisions(seen), (std::vector<Revision>{7, 8, 9}));

    // One event larger than the whole bound is still kept: the newest is always served.
    QVERIFY(store->create("k/big", value(std::string(100000, 'y'))).ok());
    store->flush();
    QCOMPARE(store->compactedRevision(), Revision(9));
}

void TestStore::watchCancelledInsideItsCallback()
{
    auto store = openStore(m_path, false);
    std::vector<Seen> cancelled, destroyed, other;
    std::unique_ptr<Store::Watch> first, second;
    auto a = store->watch("", 0, [&](const Event &e) {
        cancelled.push_back({e.type, e.record.key, e.record.modRevision, "", ""});
        first->cancel();
        first->cancel(); // twice is harmless
    });
    QVERIFY(a.ok());
    first = std::move(a).value();
    auto b = store->watch("", 0, [&](const Event &e) {
        destroyed.push_back({e.type, e.record.key, e.record.modRevision, "", ""});
        second.reset(); // destroying the handle inside its own callback
    });
    QVERIFY(b.ok());
    second = std::move(b).value();
    auto c = store->watch("", 0, recorder(other));
    QVERIFY(c.ok());

    for (int i = 0; i < 3; ++i)
        QVERIFY(store->create("k/" + std::to_string(i), value("v")).ok());
    store->flush();
    QCOMPARE(revisions(cancelled), std::vector<Revision>{1});
    QCOMPARE(revisions(destroyed), std::vector<Revision>{1});
    QCOMPARE(revisions(other), (std::vector<Revision>{1, 2, 3})); // the others keep going

    QVERIFY(store->create("k/9", value("v")).ok());
    store->flush();
    QCOMPARE(revisions(cancelled), std::vector<Revision>{1});
    QCOMPARE(revisions(other), (std::vector<Revision>{1, 2, 3, 4}));
    first.reset(); // destroying a cancelled handle does nothing more
}

void TestStore::watchCancelledDuringReplay()
{
    auto store = openStore(m_path, false);
    for (int i = 0; i < 5; ++i)
        QVERIFY(store->create("k/" + std::to_string(i), value("v")).ok());
    store->flush();
    // The handle does not exist yet while the window replays: cancel through a flag the callback
    // sets, and check that no later event arrives once the handle is cancelled.
    std::vector<Revision> seen;
    std::unique_ptr<Store::Watch> handle;
    auto w = store->watch("", 0, [&](const Event &e) {
        seen.push_back(e.record.modRevision);
        if (handle)
            handle->cancel();
    });
    QVERIFY(w.ok());
    handle = std::move(w).value();
    QCOMPARE(seen.size(), size_t(5)); // the replay itself is complete
    QVERIFY(store->create("k/x", value("v")).ok());
    store->flush();
    QCOMPARE(seen.size(), size_t(6)); // the first live event cancels
    QVERIFY(store->create("k/y", value("v")).ok());
    store->flush();
    QCOMPARE(seen.size(), size_t(6));
}

void TestStore::watchOpenedInsideACallback()
{
    // A watch opened from inside a callback, from the revision before the event being delivered,
    // sees that event exactly once.
    auto store = openStore(m_path, false);
    std::vector<Revision> inner;
    std::unique_ptr<Store::Watch> innerWatch;
    auto outer = store->watch("", 0, [&](const Event &e) {
        if (innerWatch)
            return;
        auto w = store->watch("", e.record.modRevision - 1,
                              [&](const Event &ie) { inner.push_back(ie.record.modRevision); });
        QVERIFY(w.ok());
        innerWatch = std::move(w).value();
    });
    QVERIFY(outer.ok());
    QVERIFY(store->create("k/1", value("v")).ok());
    store->flush();
    QVERIFY(store->create("k/2", value("v")).ok());
    store->flush();
    QCOMPARE(inner, (std::vector<Revision>{1, 2}));
    innerWatch.reset();
}

void TestStore::watchFromARevisionNotYetDurable()
{
    // Reads see writes at once, before they are durable; a watch started from the revision such a
    // read reported must not receive those writes again once they become durable.
    auto store = openStore(m_path, false);
    QVERIFY(store->create("k/1", value("v")).ok());
    QVERIFY(store->create("k/2", value("v")).ok());
    QVERIFY(store->durableRevision() < store->revision()); // durable only after the event loop runs
    std::vector<Revision> seen;
    auto w = store->watch("", store->revision(), [&](const Event &e) { seen.push_back(e.record.modRevision); });
    QVERIFY(w.ok());
    QVERIFY(store->create("k/3", value("v")).ok());
    store->flush();
    QCOMPARE(store->durableRevision(), Revision(3));
    QCOMPARE(seen, std::vector<Revision>{3});

    // The same with the writer thread and the event loop delivering.
    auto threaded = openStore(m_dir->filePath("threaded.db"), true);
    QVERIFY(threaded->create("k/1", value("v")).ok());
    std::vector<Revision> seenThreaded;
    auto tw = threaded->watch("", threaded->revision(),
                              [&](const Event &e) { seenThreaded.push_back(e.record.modRevision); });
    QVERIFY(tw.ok());
    QVERIFY(threaded->create("k/2", value("v")).ok());
    QVERIFY(QTest::qWaitFor([&] { return threaded->durableRevision() == 2; }, 5000));
    QCoreApplication::processEvents();
    QCOMPARE(seenThreaded, std::vector<Revision>{2});
}

void TestStore::deleteEventCarriesFinalState()
{
    auto store = openStore(m_path, false);
    QVERIFY(store->create("k", value("alive")).ok());
    QVERIFY(store->update("k", 1, value("older")).ok());
    std::vector<Seen> seen;
    auto w = store->watch("", 2, recorder(seen));
    QVERIFY(w.ok());
    QVERIFY(store->remove("k", 2, value("final")).ok());
    store->flush();
    QCOMPARE(seen.size(), size_t(1));
    QCOMPARE(seen[0].type, EventType::Deleted);
    QCOMPARE(seen[0].revision, Revision(3));
    QCOMPARE(seen[0].value, std::string("final@3"));
    QCOMPARE(seen[0].previous, std::string("older@2"));
}

void TestStore::afterCommitWaitsForDurability()
{
    auto store = openStore(m_path, false);
    auto r = store->create("k/1", value("v"));
    QVERIFY(r.ok());
    bool called = false;
    std::vector<Revision> order;
    store->afterCommit(r->modRevision, [&](bool) {
        called = true;
        order.push_back(1);
    });
    // Durability is announced through the event loop: nothing has fired yet.
    QVERIFY(!called);
    QVERIFY(store->durableRevision() < r->modRevision);
    auto r2 = store->create("k/2", value("v"));
    store->afterCommit(r2->modRevision, [&](bool) { order.push_back(2); });
    store->flush();
    QVERIFY(called);
    QCOMPARE(order, (std::vector<Revision>{1, 2})); // in revision order
    QCOMPARE(diskRows(m_path, r->modRevision), 1LL);

    // Already durable: at once.
    bool immediate = false;
    store->afterCommit(r->modRevision, [&](bool) { immediate = true; });
    QVERIFY(immediate);
}

void TestStore::afterCommitWithWriterThread()
{
    auto store = openStore(m_path, true);
    // Each callback checks, on a separate connection, that its write is already on disk.
    std::vector<Revision> fired;
    std::vector<Revision> notOnDisk;
    std::vector<Revision> watched;
    std::vector<Revision> watchedNotOnDisk;
    auto w = store->watch("", 0, [&](const Event &e) {
        watched.push_back(e.record.modRevision);
        if (diskRows(m_path, e.record.modRevision) != 1)
            watchedNotOnDisk.push_back(e.record.modRevision);
    });
    QVERIFY(w.ok());
    for (int i = 0; i < 50; ++i) {
        auto r = store->create("k/" + std::to_string(i), value("v"));
        QVERIFY(r.ok());
        const Revision revision = r->modRevision;
        store->afterCommit(revision, [&, revision](bool) {
            fired.push_back(revision);
            if (diskRows(m_path, revision) != 1)
                notOnDisk.push_back(revision);
        });
    }
    QVERIFY(QTest::qWaitFor([&] { return fired.size() == 50; }, 10000));
    QCOMPARE(notOnDisk, std::vector<Revision>{});
    QCOMPARE(watchedNotOnDisk, std::vector<Revision>{});
    for (size_t i = 0; i < fired.size(); ++i)
        QCOMPARE(fired[i], Revision(i + 1));
    QCOMPARE(watched.size(), size_t(50));
    for (size_t i = 0; i < watched.size(); ++i)
        QCOMPARE(watched[i], Revision(i + 1));
    QCOMPARE(store->durableRevision(), Revision(50));
}

void TestStore::committedSignal()
{
    auto store = openStore(m_path, true);
    QSignalSpy spy(store.get(), &Store::committed);
    QVERIFY(spy.isValid());
    for (int i = 0; i < 20; ++i)
        QVERIFY(store->create("k/" + std::to_string(i), value("v")).ok());
    QVERIFY(QTest::qWaitFor([&] { return !spy.isEmpty() && spy.last().at(0).toLongLong() == 20; }, 10000));
    // Group commit may merge writes, but the announced revisions only grow.
    long long previous = 0;
    for (const auto &args : spy) {
        QVERIFY(args.at(0).toLongLong() > previous);
        previous = args.at(0).toLongLong();
    }
    QCOMPARE(store->durableRevision(), Revision(20));
}

void TestStore::restartKeepsEverything()
{
    QFETCH(bool, writerThread);
    std::map<std::string, Record> expected;
    Revision last = 0;
    {
        auto store = openStore(m_path, writerThread);
        for (int i = 0; i < 30; ++i)
            QVERIFY(store->create("obj/" + std::to_string(i), value("v" + std::to_string(i))).ok());
        for (int i = 0; i < 30; i += 3)
            QVERIFY(store->update("obj/" + std::to_string(i), 0, value("updated")).ok());
        for (int i = 1; i < 30; i += 5)
            QVERIFY(store->remove("obj/" + std::to_string(i), 0, value("deleted")).ok());
        QVERIFY(store->create("other/x", value("x")).ok());
        store->flush();
        for (const Record &r : store->list(""))
            expected[r.key] = r;
        last = store->revision();
    }
    QCOMPARE(last, Revision(30 + 10 + 6 + 1));
    auto store = openStore(m_path, writerThread);
    QCOMPARE(store->revision(), last);
    QCOMPARE(store->durableRevision(), last);
    const auto records = store->list("");
    QCOMPARE(records.size(), expected.size());
    for (const Record &r : records) {
        QVERIFY2(expected.count(r.key), r.key.c_str());
        const Record &e = expected[r.key];
        QCOMPARE(text(r), text(e));
        QCOMPARE(r.createRevision, e.createRevision);
        QCOMPARE(r.modRevision, e.modRevision);
    }
    QVERIFY(!store->get("obj/1"));
    QCOMPARE(text(*store->get("obj/3")), std::string("updated@32"));
    // Writing continues after the last revision, and concurrency checks still hold.
    auto next = store->update("obj/3", 32, value("after restart"));
    QVERIFY(next.ok());
    QCOMPARE(next->modRevision, last + 1);
    QCOMPARE(next->createRevision, Revision(4));
    QCOMPARE(store->update("obj/3", 32, value("stale")).error().kind, ErrorKind::Conflict);
    QCOMPARE(store->create("obj/0", value("dup")).error().kind, ErrorKind::AlreadyExists);
    // History from before the restart is gone; resuming from now works.
    QCOMPARE(store->watch("", last - 1, [](const Event &) {}).error().kind, ErrorKind::Gone);
    QVERIFY(store->watch("", last, [](const Event &) {}).ok());
}

void TestStore::revisionNeverGoesBackwards()
{
    QFETCH(bool, writerThread);
    {
        auto store = openStore(m_path, writerThread);
        QVERIFY(store->create("a", value("v")).ok());    // 1
        QVERIFY(store->create("b", value("v")).ok());    // 2
        QVERIFY(store->remove("b", 0, value("x")).ok()); // 3: the newest row is a tombstone
        store->compact();
        store->flush();
        store->compact(); // a second compaction with nothing written in between
        store->flush();
    }
    {
        auto store = openStore(m_path, writerThread);
        QCOMPARE(store->revision(), Revision(3));
        auto r = store->create("c", value("v"));
        QVERIFY(r.ok());
        QCOMPARE(r->modRevision, Revision(4));
        // Delete everything, then restart without compacting...
        QVERIFY(store->remove("a", 0, value("x")).ok()); // 5
        QVERIFY(store->remove("c", 0, value("x")).ok()); // 6
        store->flush();
    }
    {
        auto store = openStore(m_path, writerThread);
        QCOMPARE(store->revision(), Revision(6));
        QCOMPARE(store->count(""), size_t(0));
        // ...and with compacting, twice.
        store->compact();
        store->flush();
        store->compact();
        store->flush();
    }
    QCOMPARE(logRows(m_path), 0LL);
    {
        auto store = openStore(m_path, writerThread);
        QCOMPARE(store->revision(), Revision(6));
        QCOMPARE(store->create("d", value("v"))->modRevision, Revision(7));
        store->flush();
    }
    auto store = openStore(m_path, writerThread);
    QCOMPARE(store->revision(), Revision(7));
}

void TestStore::compactionShrinksTheLog()
{
    QFETCH(bool, writerThread);
    auto store = openStore(m_path, writerThread);
    QVERIFY(store->create("hot", value("0")).ok());
    for (int i = 1; i <= 100; ++i)
        QVERIFY(store->update("hot", 0, value(std::to_string(i))).ok());
    for (int i = 0; i < 50; ++i) {
        QVERIFY(store->create("tmp/" + std::to_string(i), value("t")).ok());
        QVERIFY(store->remove("tmp/" + std::to_string(i), 0, value("t")).ok());
    }
    for (int i = 0; i < 5; ++i)
        QVERIFY(store->create("keep/" + std::to_string(i), value("k")).ok());
    store->flush();
    const Revision last = store->revision();
    QCOMPARE(last, Revision(1 + 100 + 100 + 5));
    QCOMPARE(logRows(m_path), 206LL);

    store->compact();
    store->flush();
    QVERIFY(QTest::qWaitFor([&] { return logRows(m_path) == 6; }, 5000));
    QCOMPARE(queryNumber(m_path, "SELECT COUNT(*) FROM log WHERE deleted = 1"), 0LL);
    QCOMPARE(queryNumber(m_path, "SELECT rev FROM log WHERE key = 'hot'"), 101LL);
    QCOMPARE(queryNumber(m_path, "SELECT value FROM meta WHERE name = 'revision'"), (long long)last);

    // In memory nothing changed: reads, revisions and the watch window.
    QCOMPARE(store->revision(), last);
    QCOMPARE(text(*store->get("hot")), std::string("100@101"));
    QCOMPARE(store->count(""), size_t(6));
    std::vector<Revision> seen;
    auto w = store->watch("hot", 99, [&](const Event &e) { seen.push_back(e.record.modRevision); });
    QVERIFY(w.ok());
    QCOMPARE(seen, (std::vector<Revision>{100, 101}));
    w->reset();

    // The compacted file reopens to the same state.
    store.reset();
    auto reopened = openStore(m_path, writerThread);
    QCOMPARE(reopened->revision(), last);
    QCOMPARE(reopened->count(""), size_t(6));
    QCOMPARE(reopened->get("hot")->createRevision, Revision(1));
    QCOMPARE(reopened->get("hot")->modRevision, Revision(101));
    QVERIFY(!reopened->get("tmp/0"));
}

void TestStore::automaticCompaction()
{
    auto store = openStore(m_path, false, 100000, /*compactEveryWrites=*/10);
    QVERIFY(store->create("k", value("0")).ok());
    for (int i = 1; i < 30; ++i)
        QVERIFY(store->update("k", 0, value(std::to_string(i))).ok());
    store->flush();
    // Compacted at writes 10, 20 and 30: only the newest row of "k" is left.
    QCOMPARE(store->revision(), Revision(30));
    QCOMPARE(logRows(m_path), 1LL);
    QCOMPARE(text(*store->get("k")), std::string("29@30"));
}

void TestStore::manyWritesWithWriterThread()
{
    auto store = openStore(m_path, true);
    std::vector<Revision> seen;
    auto w = store->watch("", 0, [&](const Event &e) { seen.push_back(e.record.modRevision); });
    QVERIFY(w.ok());
    const int n = 2000;
    for (int i = 0; i < n; ++i)
        QVERIFY(store->create("k/" + std::to_string(i), value("v")).ok());
    QCOMPARE(store->revision(), Revision(n));
    QVERIFY(QTest::qWaitFor([&] { return seen.size() == size_t(n); }, 30000));
    for (int i = 0; i < n; ++i)
        QCOMPARE(seen[size_t(i)], Revision(i + 1));
    QCOMPARE(store->durableRevision(), Revision(n));
    QCOMPARE(logRows(m_path), (long long)n);
    w->reset();
}

void TestStore::destructorDrainsTheQueue()
{
    {
        auto store = openStore(m_path, true);
        for (int i = 0; i < 500; ++i)
            QVERIFY(store->create("k/" + std::to_string(i), value("v")).ok());
        // Destroyed at once, with writes still queued for the writer thread.
    }
    QCOMPARE(logRows(m_path), 500LL);
    auto store = openStore(m_path, true);
    QCOMPARE(store->revision(), Revision(500));
    QCOMPARE(store->count("k/"), size_t(500));
}

void TestStore::inMemoryStore()
{
    auto store = openStore(QString(), false);
    QVERIFY(store->create("a", value("v")).ok());
    QVERIFY(store->update("a", 1, value("w")).ok());
    store->compact();
    store->flush();
    QCOMPARE(store->revision(), Revision(2));
    QCOMPARE(text(*store->get("a")), std::string("w@2"));
    QVERIFY(!store->failure());
}


void TestStore::packedTextsReadBack()
{
    QFETCH(bool, writerThread);
    const int count = 300;
    std::map<std::string, std::string> expected;
    {
        auto store = openStore(m_path, writerThread, 100000, 20000, /*packTextsAbove=*/0);
        for (int i = 0; i < count; ++i) {
            auto created = store->create(podKey(i), value(podText(i)));
            QVERIFY(created.ok());
            expected[podKey(i)] = text(*created);
        }
        store->flush();
        // The packed copies arrive with the commit's notification, on the store's thread.
        QTRY_COMPARE(store->footprint().packedValues, size_t(count));
        const Store::Footprint packed = store->footprint();
        QCOMPARE(packed.plainValues, size_t(0));
        size_t plainBytes = 0;
        for (const auto &[key, t] : expected)
            plainBytes += t.size();
        QVERIFY2(packed.packedBytes * 4 < plainBytes,
                 qPrintable(QStringLiteral("%1 packed bytes for %2 of text").arg(packed.packedBytes).arg(plainBytes)));

        for (const auto &[key, t] : expected)
            QCOMPARE(text(*store->get(key)), t);
        const auto listed = store->list("/registry/core/pods/");
        QCOMPARE(listed.size(), size_t(count));
        for (const Record &r : listed)
            QCOMPARE(text(r), expected[r.key]);

        // A change of a packed value tells watchers the value it replaced.
        std::vector<Seen> seen;
        auto watch = store->watch("/registry/core/pods/", store->revision(), recorder(seen));
        QVERIFY(watch.ok());
        auto updated = store->update(podKey(5), 0, value(podText(5) + " "));
        QVERIFY(updated.ok());
        auto removed = store->remove(podKey(6), 0, value("gone"));
        QVERIFY(removed.ok());
        store->flush();
        QTRY_COMPARE(seen.size(), size_t(2));
        QCOMPARE(seen[0].previous, expected[podKey(5)]);
        QCOMPARE(seen[1].previous, expected[podKey(6)]);
        expected[podKey(5)] = text(*updated);
        expected.erase(podKey(6));
        QCOMPARE(text(*store->get(podKey(5))), expected[podKey(5)]);
        QVERIFY(!store->get(podKey(6)));
        QTRY_COMPARE(store->footprint().packedValues, size_t(count - 1));
    }
    // After a restart a big store is packed again as it loads; the texts read back the same.
    auto store = openStore(m_path, writerThread, 100000, 20000, 0);
    QCOMPARE(store->footprint().packedValues, size_t(count - 1));
    for (const auto &[key, t] : expected)
        QCOMPARE(text(*store->get(key)), t);
}

void TestStore::smallStoreKeepsTexts()
{
    // Under the threshold nothing is packed: reads of a small cluster cost nothing extra.
    auto store = openStore(m_path, true);
    for (int i = 0; i < 100; ++i)
        QVERIFY(store->create(podKey(i), value(podText(i))).ok());
    store->flush();
    QTest::qWait(50);
    QCoreApplication::processEvents();
    QCOMPARE(store->footprint().plainValues, size_t(100));
    QCOMPARE(store->footprint().packedValues, size_t(0));
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
