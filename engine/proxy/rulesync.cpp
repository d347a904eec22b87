#include "engine/proxy/rulesync.h"

#include <QProcess>
#include <QStandardPaths>

#include <algorithm>

namespace cd::proxy {

RuleSync::RuleSync(std::vector<std::string> prefix, QString nft, NftablesOptions options, Generator generate,
                   QObject *parent)
    : QObject(parent), m_prefix(std::move(prefix)), m_nft(std::move(nft)), m_planner(std::move(options)),
      m_generate(std::move(generate)), m_timer(this)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &RuleSync::beginSync);
}

RuleSync::~RuleSync()
{
    if (m_process) {
        // A transaction is atomic: letting it finish costs milliseconds, killing it nothing.
        m_process->disconnect(this);
        if (!m_process->waitForFinished(2000))
            m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QString RuleSync::findNft()
{
    const QString system = QStandardPaths::findExecutable(
        QStringLiteral("nft"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"), QStringLiteral("/usr/bin")});
    return system.isEmpty() ? QStandardPaths::findExecutable(QStringLiteral("nft")) : system;
}

bool RuleSync::idle() const
{
    return !m_syncing && !m_timer.isActive() && !m_dirty;
}

void RuleSync::changed()
{
    if (m_syncing) {
        m_dirty = true;
        return;
    }
    if (!m_timer.isActive())
        m_timer.start(std::max<int>(int(m_delay.count()), m_backoffMs));
}

std::map<std::string, RuleUnit> RuleSync::wanted()
{
    std::map<std::string, RuleUnit> units = m_generate();
    // A unit nft refused stays out (its previous state stays programmed) until it changes.
    for (auto it = m_refused.begin(); it != m_refused.end();) {
        const auto want = units.find(it->first);
        if (want == units.end() || !(want->second == it->second)) {
            m_refusedWhy.erase(it->first);
            it = m_refused.erase(it);
            continue;
        }
        if (const RuleUnit *kept = m_planner.programmed(it->first))
            want->second = *kept;
        else
            units.erase(want);
        ++it;
    }
    return units;
}

void RuleSync::beginSync()
{
    m_dirty = false;
    m_failed = false;
    const std::vector<RuleTransaction> planned = m_planner.plan(wanted(), m_oneUnitEach);
    m_queue.assign(planned.begin(), planned.end());
    m_syncing = true;
    m_syncClock.start();
    runNext();
}

void RuleSync::runNext()
{
    if (m_queue.empty()) {
        endSync(!m_failed);
        return;
    }
    m_running = std::move(m_queue.front());
    m_queue.pop_front();
    QStringList arguments;
    for (size_t i = 1; i < m_prefix.size(); ++i)
        arguments << QString::fromStdString(m_prefix[i]);
    const QString program = m_prefix.empty() ? m_nft : QString::fromStdString(m_prefix.front());
    if (!m_prefix.empty())
        arguments << m_nft;
    arguments << QStringLiteral("-f") << QStringLiteral("-");
    m_process = new QProcess(this);
    m_process->setProgram(program);
    m_process->setArguments(arguments);
    connect(m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        transactionFinished(exitCode, status != QProcess::NormalExit);
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            transactionFinished(-1, true);
    });
    m_transactionClock.start();
    m_process->start();
    m_process->write(m_running.text.data(), qint64(m_running.text.size()));
    m_process->closeWriteChannel();
}

void RuleSync::transactionFinished(int exitCode, bool crashed)
{
    if (!m_process)
        return;
    QProcess *process = m_process;
    m_process = nullptr;
    process->deleteLater();
    if (!crashed && exitCode == 0) {
        m_planner.applied(m_running);
        ++m_stats.transactions;
        m_stats.lastTransactionMs = double(m_transactionClock.nsecsElapsed()) / 1e6;
        m_stats.lastBytes = m_running.text.size();
        runNext();
        return;
    }
    ++m_stats.failures;
    const QString why = crashed && process->error() == QProcess::FailedToStart
                            ? QStringLiteral("cannot run %1: %2").arg(process->program(), process->errorString())
                            : QString::fromUtf8(process->readAllStandardError()).trimmed();
    m_stats.lastError = why.toStdString();
    if (m_running.units.size() == 1 && !m_running.reset && m_oneUnitEach) {
        // This one unit is what nft refuses: leave it out until it changes, go on with the rest.
        const auto &[key, unit] = *m_running.units.begin();
        qWarning("service proxy: nft refuses the rules of %s: %s", key.c_str(), qPrintable(why.left(1000)));
        if (unit)
            m_refused[key] = *unit;
        m_refusedWhy[key] = why.toStdString();
        runNext();
        return;
    }
    // The rest of this plan may depend on what failed: stop, and try again unit by unit.
    m_failed = true;
    qWarning("service proxy: nft failed (%zu bytes): %s", m_running.text.size(), qPrintable(why.left(2000)));
    m_queue.clear();
    endSync(false);
}

void RuleSync::endSync(bool applied)
{
    m_syncing = false;
    const double ms = double(m_syncClock.nsecsElapsed()) / 1e6;
    if (applied) {
        ++m_stats.syncs;
        m_stats.lastSyncMs = ms;
        m_stats.maxSyncMs = std::max(m_stats.maxSyncMs, ms);
        m_stats.lastError.clear();
        m_backoffMs = 0;
        m_oneUnitEach = false;
    } else if (!m_oneUnitEach) {
        m_oneUnitEach = true; // at once, one unit per transaction
        m_dirty = true;
    } else {
        // Even unit by unit something failed that is no unit's (the table itself): back off.
        m_backoffMs = std::min(m_backoffMs ? m_backoffMs * 2 : 500, 30000);
        m_dirty = true;
    }
    Q_EMIT synced(applied);
    if (m_dirty && !m_timer.isActive())
        m_timer.start(std::max<int>(int(m_delay.count()), m_backoffMs));
}

} // namespace cd::proxy
