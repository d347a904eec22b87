#pragma once
// Writes core/v1 Events about objects, as Kubernetes components do (client-go's record package):
// one Event per distinct (object, type, reason, message) from this source, and repeats counted
// on that Event (count, lastTimestamp) instead of new ones.

#include "engine/client/client.h"

#include <QObject>

#include <chrono>
#include <map>
#include <string>

namespace cd::client {

class EventRecorder : public QObject {
    Q_OBJECT
public:
    // component: "default-scheduler", "replicaset-controller", "kubelet"; host: the node, if any.
    EventRecorder(Client *client, std::string component, std::string host = {}, QObject *parent = nullptr);

    void normal(const Json &object, const std::string &reason, const std::string &message);
    void warning(const Json &object, const std::string &reason, const std::string &message);
    void record(const Json &object, const std::string &type, const std::string &reason, const std::string &message);

    // A reference to an object as Events name it (kind, namespace, name, uid, apiVersion, resourceVersion).
    static Json reference(const Json &object);

private:
    struct Seen {
        std::string ns;
        std::string name;
        long long count = 0;
        std::chrono::steady_clock::time_point last;
    };

    Client *m_client;
    std::string m_component;
    std::string m_host;
    std::map<std::string, Seen> m_seen;  // by object uid + type + reason + message
};

} // namespace cd::client
