#include "engine/client/informer.h"

#include <QPointer>

#include <algorithm>
#include <utility>

namespace cd::client {

ObjectPtr InformerEvent::parsePrevious() const
{
    if (!previous)
        return nullptr;
    auto parsed = Json::parse(*previous, nullptr, false);
    return parsed.is_discarded() ? nullptr : std::make_shared<const Json>(std::move(parsed));
}

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

ObjectPtr Informer::parse(const RawObject &raw)
{
    if (!raw)
        return nullptr;
    auto parsed = Json::parse(*raw, nullptr, false);
    return parsed.is_discarded() ? nullptr : std::make_shared<const Json>(std::move(parsed));
}

void Informer::start() { relist(); }

RawObject Informer::raw(const std::string &ns, const std::string &name) const
{
    auto it = m_cache.find(ns.empty() ? name : ns + "/" + name);
    return it == m_cache.end() ? nullptr : textOf(it->second);
}

RawObject Informer::textOf(const Cached &cached) const
{
    return cached.plain ? cached.plain : std::make_shared<const std::string>(unpack(cached.packed));
}

size_t Informer::packedCount() const
{
    return size_t(std::count_if(m_cache.begin(), m_cache.end(), [](const auto &entry) { return !entry.second.plain; }));
}

void Informer::cache(const std::string &key, RawObject raw)
{
    Cached &cached = m_cache[key];
    if (cached.plain)
        m_plainBytes -= cached.plain->size();
    cached.plain = std::move(raw);
    cached.packed = {};
    m_plainBytes += cached.plain->size();
    if (m_plainBytes <= m_packAbove)
        return;
    if (m_written.empty()) {
        QPointer<Informer> self(this);
        QTimer::singleShot(500, this, [self] {
            if (self)
                self->packWritten();
        });
    }
    m_written.push_back(key);
}

void Informer::uncache(std::map<std::string, Cached>::iterator it)
{
    if (it->second.plain)
        m_plainBytes -= it->second.plain->size();
    m_cache.erase(it);
}

void Informer::packWritten()
{
    if (!m_packer)
        m_packer = std::make_unique<TextPacker>();
    const std::string type = m_resource.path({});  // one type per informer: one dictionary
    for (const std::string &key : std::exchange(m_written, {})) {
        auto it = m_cache.find(key);
        if (it == m_cache.end() || !it->second.plain)
            continue;  // gone, or packed already (written more than once)
        PackedText packed = m_packer->pack(type, *it->second.plain);
        if (packed.empty())
            continue;
        m_plainBytes -= it->second.plain->size();
        it->second.plain = nullptr;
        it->second.packed = std::move(packed);
    }
}

ObjectPtr Informer::get(const std::string &ns, const std::string &name) const { return parse(raw(ns, name)); }

void Informer::forEachRaw(const std::string &ns, const std::function<void(const RawObject &)> &visit) const
{
    if (ns.empty()) {
        for (const auto &[key, cached] : m_cache)
            visit(textOf(cached));
        return;
    }
    const std::string prefix = ns + "/";
    for (auto it = m_cache.lower_bound(prefix); it != m_cache.end() && it->first.compare(0, prefix.size(), prefix) == 0;
         ++it)
        visit(textOf(it->second));
}

std::vector<ObjectPtr> Informer::list(const std::string &ns) const
{
    std::vector<ObjectPtr> out;
    forEachRaw(ns, [&](const RawObject &raw) {
        if (ObjectPtr object = parse(raw))
            out.push_back(std::move(object));
    });
    return out;
}

void Informer::notify(InformerEvent::Kind kind, ObjectPtr object, RawObject previous)
{
    const InformerEvent event{kind, std::move(object), std::move(previous)};
    for (const Handler &h : m_handlers)
        h(event);
}

void Informer::relist()
{
    if (m_stopped)
        return;
    m_watch.reset();
    QPointer<Informer> self(this);
    Request request;
    request.path = m_resource.path(m_namespace);
    request.query = m_selectors;
    request.rawItems = true;
    m_client->send(request, [self](const Response &response) {
        if (!self || self->m_stopped)
            return;
        if (!response.ok()) {
            self->retryLater();
            return;
        }
        const Json list = response.json();
        self->m_failures = 0;
        self->m_resourceVersion = str(list, {"metadata", "resourceVersion"});
        std::vector<RawObject> items = response.items;
        if (const Json *bodyItems = find(list, {"items"}); bodyItems && bodyItems->is_array())
            for (const Json &item : *bodyItems)  // transports without raw items
                items.push_back(std::make_shared<const std::string>(dump(item)));
        // Replace the cache and report what changed since the last view.
        std::map<std::string, RawObject> fresh;
        std::map<std::string, ObjectPtr> parsed;
        for (const RawObject &raw : items) {
            ObjectPtr object = parse(raw);
            if (!object)
                continue;
            const std::string key = keyOf(*object);
            fresh.emplace(key, raw);
            parsed.emplace(key, std::move(object));
        }
        std::map<std::string, Cached> old = std::move(self->m_cache);
        self->m_cache.clear();
        self->m_plainBytes = 0;
        self->m_written.clear();
        for (const auto &[key, raw] : fresh)
            self->cache(key, raw);
        for (auto &[key, object] : parsed) {
            auto it = old.find(key);
            if (it == old.end()) {
                self->notify(InformerEvent::Kind::Added, object, nullptr);
                continue;
            }
            RawObject before = self->textOf(it->second);
            if (*before != *fresh[key])
                self->notify(InformerEvent::Kind::Updated, object, std::move(before));
        }
        for (const auto &[key, cached] : old)
            if (!fresh.count(key)) {
                RawObject raw = self->textOf(cached);
                self->notify(InformerEvent::Kind::Deleted, parse(raw), raw);
            }
        self->startWatch();
        if (!self->m_synced) {
            self->m_synced = true;
            Q_EMIT self->synced();
        }
    });
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
    if (event.type == WatchEventType::Bookmark || !event.object.is_object())
        return;
    const std::string key = keyOf(event.object);
    RawObject raw = event.raw ? event.raw : std::make_shared<const std::string>(dump(event.object));
    auto object = std::make_shared<const Json>(event.object);
    auto it = m_cache.find(key);
    RawObject previous = it == m_cache.end() ? nullptr : textOf(it->second);
    if (event.type == WatchEventType::Deleted) {
        if (it != m_cache.end())
            uncache(it);
        notify(InformerEvent::Kind::Deleted, std::move(object), std::move(previous));
        return;
    }
    cache(key, std::move(raw));
    // The kind is decided before previous is moved into an argument (argument order is unspecified).
    const auto kind = previous ? InformerEvent::Kind::Updated : InformerEvent::Kind::Added;
    notify(kind, std::move(object), std::move(previous));
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
