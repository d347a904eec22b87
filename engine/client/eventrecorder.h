#pragma once
// Writes core/v1 Events about objects, as Kubernetes components do (client-go's record package):
// one Event per distinct (object, type, reason, message) from this source, and repeats counted
// on that Event (count, lastTimestamp) instead of new ones.

#include "engine/client/client.h"

#include <QObject>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace cd::client {

// The events a recorder wrote recently (client-go's EventCorrelator cache, 4,096 entries), to
// count repeats. Recorders may share one: thousands of simulated kubelets in one process keep
// one bounded cache between them rather than 4,096 entries each.
struct RecentEvents {
    struct Seen {
        std::string ns;
        std::string name;
        long long count = 0;
        std::chrono::steady_clock::time_point last;
    };
    explicit RecentEvents(size_t capacity = 4096) : capacity(capacity) {}
    size_t capacity;
    std::map<std::string, Seen> entries;  // by source + object uid + type + reason + message
};

class EventRecorder : public QObject {
    Q_OBJECT
public:
    // component: "default-scheduler", "replicaset-controller", "kubelet"; host: the node, if any.
    EventRecorder(Client *client, std::string component, std::string host = {}, QObject *parent = nullptr,
                  std::shared_ptr<RecentEvents> recent = nullptr);

    void normal(const Json &object, const std::string &reason, const std::string &message);
    void warning(const Json &object, const std::string &reason, const std::string &message);
    void record(const Json &object, const std::string &type, const std::string &reason, const std::string &message);

    // A reference to an object as Events name it (kind, namespace, name, uid, apiVersion, resourceVersion).
    static Json reference(const Json &object);

private:
    Client *m_client;
    std::string m_component;
    std::string m_host;
    std::shared_ptr<RecentEvents> m_recent;
};

} // namespace cd::client
