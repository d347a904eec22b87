#include "engine/client/eventrecorder.h"

#include "engine/client/resources.h"
#include "engine/core/clock.h"

#include <QPointer>

#include <cstdio>

namespace cd::client {
namespace {

// Repeats within this time add to the same Event; later ones start a new Event.
constexpr auto kAggregationWindow = std::chrono::minutes(10);
constexpr size_t kRemembered = 4096;

} // namespace

EventRecorder::EventRecorder(Client *client, std::string component, std::string host, QObject *parent,
                             std::shared_ptr<RecentEvents> recent)
    : QObject(parent), m_client(client), m_component(std::move(component)), m_host(std::move(host)),
      m_recent(recent ? std::move(recent) : std::make_shared<RecentEvents>(kRemembered))
{
}

Json EventRecorder::reference(const Json &object)
{
    Json ref = {{"kind", str(object, {"kind"})},
                {"name", str(object, {"metadata", "name"})},
                {"uid", str(object, {"metadata", "uid"})},
                {"apiVersion", str(object, {"apiVersion"})},
                {"resourceVersion", str(object, {"metadata", "resourceVersion"})}};
    const std::string ns = str(object, {"metadata", "namespace"});
    if (!ns.empty())
        ref["namespace"] = ns;
    return ref;
}

void EventRecorder::normal(const Json &object, const std::string &reason, const std::string &message)
{
    record(object, "Normal", reason, message);
}

void EventRecorder::warning(const Json &object, const std::string &reason, const std::string &message)
{
    record(object, "Warning", reason, message);
}

void EventRecorder::record(const Json &object, const std::string &type, const std::string &reason,
                           const std::string &message)
{
    static const Resource *events = builtinResource("events");
    const std::string uid = str(object, {"metadata", "uid"});
    // The source is part of the key: recorders of several hosts may share the cache.
    const std::string key = m_component + "\n" + m_host + "\n" + uid + "\n" + type + "\n" + reason + "\n" + message;
    auto &seenEvents = m_recent->entries;
    const auto now = std::chrono::steady_clock::now();
    const std::string timestamp = nowRfc3339();

    auto seen = seenEvents.find(key);
    if (seen != seenEvents.end() && now - seen->second.last < kAggregationWindow) {
        // The same event again: count it on the Event already written.
        seen->second.count += 1;
        seen->second.last = now;
        const Json patch = {{"count", seen->second.count}, {"lastTimestamp", timestamp}};
        m_client->patch(*events, seen->second.ns, seen->second.name, "application/merge-patch+json", patch, {});
        return;
    }
    if (seenEvents.size() >= m_recent->capacity)
        seenEvents.clear();

    // Namespaced objects' events live beside them; cluster-scoped objects' in "default".
    std::string ns = str(object, {"metadata", "namespace"});
    if (ns.empty())
        ns = "default";
    char suffix[24];
    std::snprintf(suffix, sizeof suffix, ".%llx",
                  static_cast<unsigned long long>(
                      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::current().now().time_since_epoch())
                          .count()));
    const std::string name = str(object, {"metadata", "name"}) + suffix;
    Json source = {{"component", m_component}};
    if (!m_host.empty())
        source["host"] = m_host;
    const Json event = {{"apiVersion", "v1"},
                        {"kind", "Event"},
                        {"metadata", {{"name", name}, {"namespace", ns}}},
                        {"involvedObject", reference(object)},
                        {"reason", reason},
                        {"message", message},
                        {"type", type},
                        {"source", source},
                        {"firstTimestamp", timestamp},
                        {"lastTimestamp", timestamp},
                        {"count", 1},
                        {"reportingComponent", m_component},
                        {"reportingInstance", m_host}};
    seenEvents[key] = RecentEvents::Seen{ns, name, 1, now};
    m_client->create(*events, ns, event, {});
}

} // namespace cd::client
