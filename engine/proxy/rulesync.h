#pragma once
// Applies the proxy's rules: each change schedules a sync; a burst of changes (a Deployment
// scaling, a namespace going) becomes one sync, and changes that arrive while it runs become the
// next one. A sync runs the planner's transactions (ruleplanner.h) one after another, each one
// `nft -f -` inside the cluster's namespace — usually a single one. A failed transaction leaves
// the rules as they were; it is tried again unit by unit, so one Service port nft refuses (it
// is reported) does not hold back the others, and then with back-off.

#include "engine/proxy/ruleplanner.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

class QProcess;

namespace cd::proxy {

struct RuleSyncStats {
    int syncs = 0;         // completed: the rules were what was wanted when they began
    int transactions = 0;  // nft runs that applied
    int failures = 0;      // nft runs that did not
    double lastSyncMs = 0; // the last sync, first nft start to last exit
    double maxSyncMs = 0;
    double lastTransactionMs = 0;
    size_t lastBytes = 0; // the last transaction's size
    std::string lastError;
};

class RuleSync : public QObject {
    Q_OBJECT
public:
    using Generator = std::function<std::map<std::string, RuleUnit>()>;

    // `prefix` runs a program inside the cluster's network namespace (clusterEnterCommand());
    // `nft` is the nft executable; `generate` gives the wanted units when a sync begins.
    RuleSync(std::vector<std::string> prefix, QString nft, NftablesOptions options, Generator generate,
             QObject *parent = nullptr);
    ~RuleSync() override;

    // Something changed: a sync follows within `delay` (or right after the running one).
    void changed();
    void setDelay(std::chrono::milliseconds delay) { m_delay = delay; }
    bool idle() const; // nothing pending or running: the rules are what was last wanted
    const RuleSyncStats &stats() const { return m_stats; }
    // Service ports nft refused (by key), with its reason; tried again once they change.
    const std::map<std::string, std::string> &refused() const { return m_refusedWhy; }

    // nft, found in the system folders first (an unprivileged user's PATH may lack /usr/sbin).
    static QString findNft();

Q_SIGNALS:
    // A sync finished: applied (the rules are as wanted) or not (tried again later).
    void synced(bool applied);

private:
    void beginSync();
    void runNext();
    void transactionFinished(int exitCode, bool crashed);
    void endSync(bool applied);
    std::map<std::string, RuleUnit> wanted();

    std::vector<std::string> m_prefix;
    QString m_nft;
    RulePlanner m_planner;
    Generator m_generate;
    std::chrono::milliseconds m_delay{10};
    QTimer m_timer;
    QProcess *m_process = nullptr;
    std::deque<RuleTransaction> m_queue; // the running sync's transactions still to run
    RuleTransaction m_running;
    QElapsedTimer m_syncClock;
    QElapsedTimer m_transactionClock;
    bool m_syncing = false;
    bool m_dirty = false;       // changed during a sync
    bool m_oneUnitEach = false; // after a failure: find the unit nft refuses
    bool m_failed = false;      // this sync had a failure
    int m_backoffMs = 0;
    std::map<std::string, RuleUnit> m_refused; // by key: the unit nft refused
    std::map<std::string, std::string> m_refusedWhy;
    RuleSyncStats m_stats;
};

} // namespace cd::proxy
