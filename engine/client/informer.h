#pragma once
// An informer keeps a local cache of one resource (list, then watch from the list's revision)
// and tells handlers about every change; after an expired watch (410) it lists again and reports
// the difference. Controllers read only from informers, never ask the API for reads in a loop.
//
// The cache holds each object as JSON text — in-process, the very string the store keeps — and
// parses on demand: a parsed pod takes about seven times the memory of its text, and a cluster
// may hold 150,000 of them. Consumers keep the little they need in their own structures. Once
// the cached texts add up to more than a limit, the ones written since the last pass are packed
// (packedtext.h) half a second later, after the burst of writes a new object goes through.

#include "engine/client/client.h"
#include "engine/core/packedtext.h"

#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <vector>

namespace cd::client {

using ObjectPtr = std::shared_ptr<const Json>;

struct InformerEvent {
    enum class Kind { Added, Updated, Deleted };
    Kind kind = Kind::Added;
    ObjectPtr object;     // the new state; for Deleted, the final state
    RawObject previous;   // the cached text before this change (Updated, Deleted)

    bool added() const { return kind == Kind::Added; }
    bool deleted() const { return kind == Kind::Deleted; }
    // The previous state, parsed (costs a parse: only for handlers that need it).
    ObjectPtr parsePrevious() const;
};

class Informer : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<void(const InformerEvent &event)>;

    Informer(Client *client, Resource resource, std::string ns = {},
             std::multimap<std::string, std::string> selectors = {}, QObject *parent = nullptr);
    ~Informer() override;

    void addHandler(Handler handler) { m_handlers.push_back(std::move(handler)); }
    void start();
    bool hasSynced() const { return m_synced; }
    const Resource &resource() const { return m_resource; }

    // One object, parsed (null when not cached).
    ObjectPtr get(const std::string &ns, const std::string &name) const;
    RawObject raw(const std::string &ns, const std::string &name) const;
    // Every cached object (of one namespace when ns is given), in key order, parsed: O(n) parses.
    std::vector<ObjectPtr> list(const std::string &ns = {}) const;
    // Visits the cached text of every object (of one namespace when ns is given), in key order.
    void forEachRaw(const std::string &ns, const std::function<void(const RawObject &)> &visit) const;
    size_t size() const { return m_cache.size(); }
    // Cached texts beyond this many bytes are packed (default 32 MB; 0 packs every text).
    void setPackTextsAbove(size_t bytes) { m_packAbove = bytes; }
    size_t packedCount() const;

    static std::string keyOf(const Json &object);  // "ns/name" or "name"

Q_SIGNALS:
    void synced();

private:
    void relist();
    void startWatch();
    void onEvent(const WatchEvent &event);
    void onWatchEnded(const Response &response);
    void retryLater();
    void notify(InformerEvent::Kind kind, ObjectPtr object, RawObject previous);
    static ObjectPtr parse(const RawObject &raw);

    struct Cached {
        RawObject plain;
        PackedText packed;
    };
    RawObject textOf(const Cached &cached) const;
    void cache(const std::string &key, RawObject raw);
    void uncache(std::map<std::string, Cached>::iterator it);
    void packWritten();

    Client *m_client;
    Resource m_resource;
    std::string m_namespace;
    std::multimap<std::string, std::string> m_selectors;
    std::map<std::string, Cached> m_cache;
    size_t m_plainBytes = 0;  // of the cached texts not packed
    size_t m_packAbove = size_t(32) << 20;
    std::vector<std::string> m_written;  // keys written since the last packing pass
    std::unique_ptr<TextPacker> m_packer;
    std::vector<Handler> m_handlers;
    std::unique_ptr<WatchHandle> m_watch;
    std::string m_resourceVersion;
    bool m_synced = false;
    bool m_stopped = false;
    int m_failures = 0;
    QTimer m_retry;
};

} // namespace cd::client
