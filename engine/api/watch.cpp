// WATCH: a chunked stream of {"type":..., "object":...} lines from the store's revision log.
#include "engine/api/handlers.h"
#include "engine/api/status.h"
#include "engine/api/table.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

namespace cd::api {
namespace {

class WatchStream : public QObject {
public:
    WatchStream(ApiContext &context, const ResourceType &type, Selectors selectors, bool table, SinkPtr sink)
        : m_context(context), m_type(type), m_selectors(std::move(selectors)), m_table(table), m_sink(std::move(sink))
    {
    }

    void start(const std::string &ns, const std::string &resourceVersion, bool bookmarks,
               std::chrono::milliseconds timeout)
    {
        store::Store &store = m_context.store();
        const bool initial = resourceVersion.empty() || resourceVersion == "0";
        store::Revision after = store.revision();
        if (!initial) {
            char *end = nullptr;
            after = std::strtoll(resourceVersion.c_str(), &end, 10);
            if (resourceVersion.empty() || *end || after < 0) {
                respondError(m_sink, Error::badRequest("invalid resource version: " + resourceVersion));
                deleteLater();
                return;
            }
        }
        m_sink->startStream(200, "application/json");
        QPointer<WatchStream> self(this);
        m_sink->onClose([self] {
            if (self)
                self->stop();
        });
        if (m_sink->isClosed())
            return;
        if (initial) {
            // Synthetic ADDED events for what exists now, then live events after this revision.
            store.forEach(m_context.listPrefix(m_type, ns), [&](const store::RecordView &record) {
                send("ADDED", record.value(), nullptr);
            });
        }
        auto watch = store.watch(m_context.listPrefix(m_type, ns), after,
                                 [this](const store::Event &event) { onEvent(event); });
        if (!watch.ok()) {
            Json error = {{"type", "ERROR"}, {"object", statusJson(watch.error())}};
            m_sink->write(dump(error) + "\n");
            finish();
            return;
        }
        m_watch = std::move(watch).value();
        m_timeout.setSingleShot(true);
        QObject::connect(&m_timeout, &QTimer::timeout, this, [this] { finish(); });
        m_timeout.start(timeout);
        if (bookmarks) {
            QObject::connect(&m_bookmarks, &QTimer::timeout, this, [this] { sendBookmark(); });
            m_bookmarks.start(m_context.options().bookmarkInterval);
        }
    }

private:
    void onEvent(const store::Event &event)
    {
        if (m_selectors.matchesEverything() && !m_table) {
            static const char *names[] = {"ADDED", "MODIFIED", "DELETED"};
            sendRaw(names[int(event.type)], event.record.value);
            return;
        }
        // With selectors an object can enter or leave the watched set: Kubernetes reports that
        // as ADDED and DELETED.
        const Json object = parseStored(event.record.value);
        const bool now = m_selectors.matches(m_type, object);
        switch (event.type) {
        case store::EventType::Created:
            if (now)
                send("ADDED", event.record.value, &object);
            break;
        case store::EventType::Updated: {
            const bool before = m_selectors.matches(m_type, parseStored(event.previous));
            if (now && before)
                send("MODIFIED", event.record.value, &object);
            else if (now)
                send("ADDED", event.record.value, &object);
            else if (before)
                send("DELETED", event.record.value, &object);
            break;
        }
        case store::EventType::Deleted:
            if (now)
                send("DELETED", event.record.value, &object);
            break;
        }
    }

    void send(const char *type, const store::Value &value, const Json *parsed)
    {
        if (!m_table) {
            if (!parsed && !m_selectors.matchesEverything()) {
                const Json object = parseStored(value);
                if (!m_selectors.matches(m_type, object))
                    return;
            }
            sendRaw(type, value);
            return;
        }
        const Json object = parsed ? *parsed : parseStored(value);
        if (!parsed && !m_selectors.matches(m_type, object))
            return;
        Json rows = Json::array({tableRow(m_type, object, IncludeObject::Metadata)});
        const Json table = makeTable(m_type, std::move(rows), str(object, {"metadata", "resourceVersion"}),
                                     !m_sentColumns);
        m_sentColumns = true;
        m_sink->write(std::string(R"({"type":")") + type + R"(","object":)" + dump(table) + "}\n");
    }

    void sendRaw(const char *type, const store::Value &object)
    {
        if (!m_sink->isClosed())
            m_sink->writeEvent(type, object);
    }

    void sendBookmark()
    {
        if (m_sink->isClosed())
            return;
        const Json bookmark = {
            {"type", "BOOKMARK"},
            {"object",
             {{"kind", m_type.kind},
              {"apiVersion", m_type.apiVersion()},
              {"metadata", {{"resourceVersion", std::to_string(m_context.store().durableRevision())}}}}}};
        m_sink->write(dump(bookmark) + "\n");
    }

    void finish()
    {
        if (!m_sink->isClosed())
            m_sink->finish();
        stop();
    }

    void stop()
    {
        if (m_stopped)
            return;
        m_stopped = true;
        m_watch.reset();
        m_timeout.stop();
        m_bookmarks.stop();
        deleteLater();
    }

    ApiContext &m_context;
    const ResourceType &m_type;
    Selectors m_selectors;
    bool m_table;
    bool m_sentColumns = false;
    bool m_stopped = false;
    SinkPtr m_sink;
    std::unique_ptr<store::Store::Watch> m_watch;
    QTimer m_timeout;
    QTimer m_bookmarks;
};

} // namespace

void handleWatch(ApiContext &context, const Target &target, const ApiRequest &request, const SinkPtr &sink)
{
    const ResourceType &type = *target.type;
    auto selectors = parseSelectors(type, request);
    if (!selectors.ok()) {
        respondError(sink, selectors.error());
        return;
    }
    std::chrono::milliseconds timeout = context.options().defaultWatchTimeout;
    if (auto seconds = request.param("timeoutSeconds"); seconds && !seconds->empty())
        timeout = std::chrono::seconds(std::max(0LL, std::atoll(seconds->c_str())));
    auto *stream = new WatchStream(context, type, std::move(selectors).value(), wantsTable(request.accept), sink);
    stream->start(target.ns, request.param("resourceVersion", ""), request.flag("allowWatchBookmarks"), timeout);
}

} // namespace cd::api
