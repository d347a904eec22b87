#pragma once
// An informer keeps a local cache of one resource (list, then watch from the list's revision)
// and tells handlers about every change; after an expired watch (410) it lists again and reports
// the difference. Controllers read only from informers, never ask the API for reads in a loop.

#include "engine/client/client.h"

#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <vector>

namespace cd::client {

using ObjectPtr = std::shared_ptr<const Json>;

class Informer : public QObject {
    Q_OBJECT
public:
    // oldObject is null for an add, newObject is null for a delete.
    using Handler = std::function<void(const ObjectPtr &oldObject, const ObjectPtr &newObject)>;

    Informer(Client *client, Resource resource, std::string ns = {},
             std::multimap<std::string, std::string> selectors = {}, QObject *parent = nullptr);
    ~Informer() override;

    void addHandler(Handler handler) { m_handlers.push_back(std::move(handler)); }
    void start();
    bool hasSynced() const { return m_synced; }
    const Resource &resource() const { return m_resource; }

    ObjectPtr get(const std::string &ns, const std::string &name) const;
    // Every cached object (of one namespace when ns is given), in key order.
    std::vector<ObjectPtr> list(const std::string &ns = {}) const;
    size_t size() const { return m_cache.size(); }

    static std::string keyOf(const Json &object);  // "ns/name" or "name"

Q_SIGNALS:
    void synced();

private:
    void relist();
    void startWatch();
    void onEvent(const WatchEvent &event);
    void onWatchEnded(const Response &response);
    void retryLater();
    void notify(const ObjectPtr &oldObject, const ObjectPtr &newObject);

    Client *m_client;
    Resource m_resource;
    std::string m_namespace;
    std::multimap<std::string, std::string> m_selectors;
    std::map<std::string, ObjectPtr> m_cache;
    std::vector<Handler> m_handlers;
    std::unique_ptr<WatchHandle> m_watch;
    std::string m_resourceVersion;
    bool m_synced = false;
    bool m_stopped = false;
    int m_failures = 0;
    QTimer m_retry;
};

} // namespace cd::client
