// The kubelet's probe worker (pkg/kubelet/prober/worker.go doProbe, v1.32): a result counts
// only after `threshold` equal results in a row; readiness starts at Failure, liveness at
// Success, startup unknown; probe errors (a handler that could not run) count as nothing; after
// a liveness or startup failure the worker holds until the container is replaced.
#include "engine/node/prober.h"

#include <QPointer>
#include <QTimer>

namespace cd::node {

const char *probeTypeName(ProbeType type)
{
    switch (type) {
    case ProbeType::Liveness: return "Liveness";
    case ProbeType::Readiness: return "Readiness";
    case ProbeType::Startup: return "Startup";
    }
    return "";
}

ProbeSettings ProbeSettings::from(const Json &probe, ProbeType type)
{
    ProbeSettings s;
    s.handler = probe;
    const auto seconds = [&](const char *field, long long fallback, long long minimum) {
        return static_cast<int>(std::clamp<long long>(integer(probe, {field}, fallback), minimum, 24 * 3600) * 1000);
    };
    s.initialDelayMs = seconds("initialDelaySeconds", 0, 0);
    s.periodMs = seconds("periodSeconds", 10, 1);
    s.timeoutMs = seconds("timeoutSeconds", 1, 1);
    s.successThreshold = type == ProbeType::Readiness
                             ? static_cast<int>(std::max<long long>(1, integer(probe, {"successThreshold"}, 1)))
                             : 1;
    s.failureThreshold = static_cast<int>(std::max<long long>(1, integer(probe, {"failureThreshold"}, 3)));
    if (const Json *grace = find(probe, {"terminationGracePeriodSeconds"}); grace && grace->is_number_integer())
        s.terminationGracePeriodSeconds = grace->get<long long>();
    return s;
}

enum class ProbeResult { Unknown, Success, Failure };

class ContainerProber::Worker : public QObject {
public:
    Worker(ContainerProber *owner, ProbeType type, ProbeSettings settings)
        : m_owner(owner), m_type(type), m_settings(std::move(settings))
    {
        m_result = type == ProbeType::Readiness  ? ProbeResult::Failure
                   : type == ProbeType::Liveness ? ProbeResult::Success
                                                 : ProbeResult::Unknown;
        m_tick.setSingleShot(true);
        connect(&m_tick, &QTimer::timeout, this, [this]() {
            m_tick.start(m_settings.periodMs); // the ticker keeps its period whatever a probe takes
            probe();
        });
        m_tick.start(m_settings.initialDelayMs);
    }

    ProbeResult result() const { return m_result; }

    void stop()
    {
        m_stopped = true;
        m_tick.stop();
        m_run.reset();
    }

    // A run now, out of the period (readiness once startup has passed).
    void trigger()
    {
        if (!m_stopped && !m_run && !initialDelayPending())
            QTimer::singleShot(0, this, [this]() { probe(); });
    }

private:
    bool initialDelayPending() const { return m_tick.isActive() && m_firstTick; }

    void probe()
    {
        m_firstTick = false;
        if (m_stopped || m_onHold || m_run)
            return; // a run still in flight: this tick is skipped, as a synchronous worker would
        if (m_type != ProbeType::Startup && !m_owner->started())
            return; // startup holds the others back
        if (m_type == ProbeType::Startup && m_result == ProbeResult::Success)
            return stop(); // done for this container
        QPointer<Worker> self(this);
        ActionOptions options;
        options.timeoutMs = m_settings.timeoutMs;
        auto run = startAction(m_settings.handler, m_owner->m_target, options, [self](const ActionResult &r) {
            if (self)
                QTimer::singleShot(0, self, [self, r]() {
                    if (self)
                        self->finished(r);
                });
        });
        if (!run.ok()) {
            event("Warning", "Unhealthy",
                  std::string(probeTypeName(m_type)) + " probe errored: " + run.error().message);
            return;
        }
        m_run = std::move(*run);
    }

    void finished(const ActionResult &r)
    {
        m_run.reset();
        if (m_stopped)
            return;
        const std::string type = probeTypeName(m_type);
        if (r.outcome == ActionResult::Outcome::Error) {
            event("Warning", "Unhealthy", type + " probe errored: " + r.output);
            return; // the kubelet throws an errored result away
        }
        const ProbeResult result = r.success() ? ProbeResult::Success : ProbeResult::Failure;
        if (result == ProbeResult::Failure)
            event("Warning", "Unhealthy", type + " probe failed: " + r.output);
        if (m_lastResult == result) {
            ++m_resultRun;
        } else {
            m_lastResult = result;
            m_resultRun = 1;
        }
        if ((result == ProbeResult::Failure && m_resultRun < m_settings.failureThreshold) ||
            (result == ProbeResult::Success && m_resultRun < m_settings.successThreshold))
            return; // not enough in a row yet
        const bool changed = m_result != result;
        m_result = result;
        QPointer<ContainerProber> owner(m_owner);
        if (result == ProbeResult::Failure && m_type != ProbeType::Readiness) {
            // The container is killed and replaced; until then nothing more to see here.
            m_onHold = true;
            m_resultRun = 0;
            if (changed && m_owner->m_callbacks.changed)
                m_owner->m_callbacks.changed();
            if (owner && m_owner->m_callbacks.failed)
                m_owner->m_callbacks.failed(m_type, m_settings.terminationGracePeriodSeconds);
            return;
        }
        if (changed && m_owner->m_callbacks.changed)
            m_owner->m_callbacks.changed();
        if (owner && changed && m_type == ProbeType::Startup && result == ProbeResult::Success) {
            stop();
            if (Worker *readiness = m_owner->worker(ProbeType::Readiness))
                readiness->trigger();
        }
    }

    void event(const std::string &kind, const std::string &reason, const std::string &message)
    {
        if (m_owner->m_callbacks.event)
            m_owner->m_callbacks.event(kind, reason, message);
    }

    ContainerProber *m_owner;
    ProbeType m_type;
    ProbeSettings m_settings;
    QTimer m_tick;
    std::unique_ptr<ActionRun> m_run;
    ProbeResult m_result = ProbeResult::Unknown;
    ProbeResult m_lastResult = ProbeResult::Unknown;
    int m_resultRun = 0;
    bool m_onHold = false;
    bool m_stopped = false;
    bool m_firstTick = true;
};

ContainerProber::ContainerProber(const Json &container, ActionTarget target, Callbacks callbacks, QObject *parent)
    : QObject(parent), m_target(std::move(target)), m_callbacks(std::move(callbacks))
{
    m_target.containerSpec = container;
    const std::pair<ProbeType, const char *> fields[] = {{ProbeType::Liveness, "livenessProbe"},
                                                         {ProbeType::Readiness, "readinessProbe"},
                                                         {ProbeType::Startup, "startupProbe"}};
    for (const auto &[type, field] : fields) {
        const Json *probe = find(container, {field});
        if (!probe || !probe->is_object())
            continue;
        const HandlerKind kind = handlerKind(*probe);
        if (kind == HandlerKind::Grpc || kind == HandlerKind::None) {
            // Not run at all: the container is treated as if it had no such probe, and says so.
            if (m_callbacks.event)
                m_callbacks.event("Warning", "Unhealthy",
                                  std::string(probeTypeName(type)) + " probe errored: " +
                                      (kind == HandlerKind::Grpc
                                           ? "gRPC probes are not supported by the clusterdeck node agent; the "
                                             "probe is ignored (use exec, httpGet or tcpSocket)"
                                           : "the probe has no exec, httpGet or tcpSocket action; it is ignored"));
            continue;
        }
        m_workers[static_cast<size_t>(type)] = std::make_unique<Worker>(this, type, ProbeSettings::from(*probe, type));
    }
}

ContainerProber::~ContainerProber() = default;

bool ContainerProber::hasProbes(const Json &container)
{
    for (const char *field : {"livenessProbe", "readinessProbe", "startupProbe"})
        if (const Json *probe = find(container, {field}); probe && probe->is_object())
            return true;
    return false;
}

bool ContainerProber::started() const
{
    const Worker *startup = worker(ProbeType::Startup);
    return !startup || startup->result() == ProbeResult::Success;
}

bool ContainerProber::ready() const
{
    const Worker *readiness = worker(ProbeType::Readiness);
    return started() && (!readiness || readiness->result() == ProbeResult::Success);
}

void ContainerProber::stopLivenessAndStartup()
{
    for (ProbeType type : {ProbeType::Liveness, ProbeType::Startup})
        if (Worker *w = worker(type))
            w->stop();
}

} // namespace cd::node
