#include "engine/client/informer.h"

#include <QPointer>

#include <algorithm>

namespace cd::client {

Informer::Informer(Client *client, Resource resource, std::string ns, std::multimap<std::string, std::string> selectors,
                   QObject *parent)
    : QObject(parent), m_client(client), m_resource(std::move(resource)), m_namespace(std::move(ns)),
      m_selectors(std::move(selectors)), m_retry(this)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &Informer::relist);
}

Informer::~Informer()
{
    m_stopped = true;
    m_watch.reset();
}

std::string Informer::keyOf(const Json &object)
{
    const std::string ns = str(object, {"metadata", "namespace"});
    const std::string name = str(object, {"metadata", "name"});
    return ns.empty() ? name : ns + "/" + name;
}

void Informer::start() { relist(); }

ObjectPtr Informer::get(const std::string &ns, const std::string &name) const
{
    auto it = m_cache.find(ns.empty() ? name : ns + "/" + name);
    return it == m_cache.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::list(const std::string &ns) const
{
    std::vector<ObjectPtr> out;
    if (ns.empty()) {
        out.reserve(m_cache.size());
        for (const auto &[key, object] : m_cache)
            out.push_back(object);
        return out;
    }
    const std::string prefix = ns + "/";
    for (auto it = m_cache.lower_bound(prefix); it != m_cache.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it)
        out.push_back(it->second);
    return out;
}

void Informer::notify(const ObjectPtr &oldObject, const ObjectPtr &newObject)
{
    for (const Handler &h : m_handlers)
        h(oldObject, newObject);
}

void Informer::relist()
{
    if (m_stopped)
        return;
    m_watch.reset();
    QPointer<Informer> self(this);
    m_client->list(m_resource, m_namespace, [self](const Response &response) {
        if (!self || self->m_stopped)
            return;
        if (!response.ok()) {
            self->retryLater();
            return;
        }
        Json list = response.json();
        self->m_failures = 0;
        self->m_resourceVersion = str(list, {"metadata", "resourceVersion"});
        // Replace the cache and report what changed since the last view.
        std::map<std::string, ObjectPtr> fresh;
        if (Json *items = find(list, {"items"}); items && items->is_array()) {
            for (Json &item : *items) {
                item["kind"] = self->m_resource.kind;
                item["apiVersion"] = self->m_resource.apiVersion();
                auto object = std::make_shared<const Json>(std::move(item));
                fresh.emplace(keyOf(*object), std::move(object));
            }
        }
        std::map<std::string, ObjectPtr> old = std::move(self->m_cache);
        self->m_cache = fresh;
        for (const auto &[key, object] : fresh) {
            auto it = old.find(key);
            if (it == old.end())
                self->notify(nullptr, object);
            else if (*it->second != *object)
                self->notify(it->second, object);
        }
        for (const auto &[key, object] : old)
            if (!fresh.count(key))
                self->notify(object, nullptr);
        self->startWatch();
        if (!self->m_synced) {
            self->m_synced = true;
            Q_EMIT self->synced();
        }
    }, m_selectors);
}

void Informer::startWatch()
{
    Request request;
    request.path = m_resource.path(m_namespace);
    request.query = m_selectors;
    request.query.emplace("resourceVersion", m_resourceVersion);
    request.query.emplace("allowWatchBookmarks", "true");
    QPointer<Informer> self(this);
    m_watch = m_client->watch(
        request,
        [self](const WatchEvent &event) {
            if (self)
                self->onEvent(event);
        },
        [self](const Response &response) {
            if (self)
                self->onWatchEnded(response);
        });
}

void Informer::onEvent(const WatchEvent &event)
{
    if (event.type == WatchEventType::Error) {
        // 410 Expired and other stream errors: start over from a fresh list.
        m_watch.reset();
        QMetaObject::invokeMethod(this, &Informer::relist, Qt::QueuedConnection);
        return;
    }
    const std::string rv = str(event.object, {"metadata", "resourceVersion"});
    if (!rv.empty())
        m_resourceVersion = rv;
    if (event.type == WatchEventType::Bookmark)
        return;
    Json object = event.object;
    object["kind"] = m_resource.kind;
    object["apiVersion"] = m_resource.apiVersion();
    const std::string key = keyOf(object);
    auto it = m_cache.find(key);
    ObjectPtr old = it == m_cache.end() ? nullptr : it->second;
    if (event.type == WatchEventType::Deleted) {
        if (it != m_cache.end())
            m_cache.erase(it);
        notify(old, nullptr);
        return;
    }
    auto fresh = std::make_shared<const Json>(std::move(object));
    m_cache[key] = fresh;
    notify(old, fresh);
}

void Informer::onWatchEnded(const Response &response)
{
    if (m_stopped)
        return;
    m_watch.reset();
    if (response.ok()) {
        // A watch that timed out normally resumes where it left off.
        QMetaObject::invokeMethod(this, &Informer::startWatch, Qt::QueuedConnection);
        return;
    }
    retryLater();
}

void Informer::retryLater()
{
    ++m_failures;
    m_retry.start(std::min(30000, 100 * (1 << std::min(m_failures, 8))));
}

} // namespace cd::client
