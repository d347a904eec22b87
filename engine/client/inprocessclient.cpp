#include "engine/client/inprocessclient.h"

#include "engine/api/apiservice.h"

#include <QMetaObject>
#include <QThread>

#include <atomic>

namespace cd::client {
namespace {

api::ApiRequest toApiRequest(const Request &r)
{
    api::ApiRequest out;
    static const std::map<std::string, api::Method> methods = {{"GET", api::Method::Get},
                                                               {"POST", api::Method::Post},
                                                               {"PUT", api::Method::Put},
                                                               {"PATCH", api::Method::Patch},
                                                               {"DELETE", api::Method::Delete}};
    auto it = methods.find(r.method);
    out.method = it == methods.end() ? api::Method::Other : it->second;
    out.path = r.path;
    out.query = r.query;
    out.accept = r.accept;
    out.contentType = r.contentType;
    out.body = r.body;
    out.user = "system:clusterdeck";
    out.rawItems = r.rawItems;
    return out;
}

// Carries a response or watch events from the API thread back to the caller's thread.
class QueuedSink : public api::ResponseSink, public std::enable_shared_from_this<QueuedSink> {
public:
    QueuedSink(QObject *receiver, Client::Callback done, Client::EventCallback onEvent)
        : m_receiver(receiver), m_done(std::move(done)), m_onEvent(std::move(onEvent))
    {
    }

    void respond(api::ApiResponse response) override
    {
        Response r{response.status, std::move(response.body), std::move(response.warnings), std::move(response.items)};
        deliver([done = m_done, r = std::move(r)] {
            if (done)
                done(r);
        });
    }
    void startStream(int status, const std::string &) override { m_streamStatus = status; }
    void write(const std::string &chunk) override
    {
        m_buffer += chunk;
        size_t newline;
        while ((newline = m_buffer.find('\n')) != std::string::npos) {
            std::string line = m_buffer.substr(0, newline);
            m_buffer.erase(0, newline + 1);
            auto event = parseWatchLine(line);
            if (!event)
                continue;
            deliver([self = shared_from_this(), event = std::move(*event)] {
                if (!self->m_cancelled && self->m_onEvent)
                    self->m_onEvent(event);
            });
        }
    }
    void writeEvent(const char *type, const std::shared_ptr<const std::string> &object) override
    {
        // The stored value itself crosses the thread: parsed on the receiving side, never copied.
        WatchEvent event;
        const std::string name = type;
        event.type = name == "ADDED"      ? WatchEventType::Added
                     : name == "MODIFIED" ? WatchEventType::Modified
                     : name == "DELETED"  ? WatchEventType::Deleted
                     : name == "BOOKMARK" ? WatchEventType::Bookmark
                                          : WatchEventType::Error;
        event.raw = object;
        deliver([self = shared_from_this(), event = std::move(event)]() mutable {
            if (self->m_cancelled || !self->m_onEvent)
                return;
            event.object = Json::parse(*event.raw, nullptr, false);
            self->m_onEvent(event);
        });
    }
    void finish() override
    {
        Response r{m_streamStatus, {}, {}};
        deliver([self = shared_from_this(), r] {
            if (!self->m_cancelled && self->m_done)
                self->m_done(r);
        });
    }
    // From the watch handle, on the API thread.
    void cancel()
    {
        m_cancelled = true;
        markClosed();
    }
    std::atomic<bool> m_cancelled{false};

private:
    void deliver(std::function<void()> work)
    {
        if (!m_receiver)
            return;
        // Keep the sink alive until the queued call ran (it reads m_cancelled and m_onEvent).
        QMetaObject::invokeMethod(m_receiver, std::move(work), Qt::QueuedConnection);
    }

    QPointer<QObject> m_receiver;
    Client::Callback m_done;
    Client::EventCallback m_onEvent;
    std::string m_buffer;
    int m_streamStatus = 200;
};

class InProcessWatch : public WatchHandle {
public:
    InProcessWatch(QPointer<api::ApiService> api, std::shared_ptr<QueuedSink> sink)
        : m_api(std::move(api)), m_sink(std::move(sink))
    {
    }
    ~InProcessWatch() override
    {
        m_sink->m_cancelled = true;
        if (!m_api)
            return;
        std::shared_ptr<QueuedSink> sink = m_sink;
        QMetaObject::invokeMethod(m_api, [sink] { sink->cancel(); }, Qt::QueuedConnection);
    }

private:
    QPointer<api::ApiService> m_api;
    std::shared_ptr<QueuedSink> m_sink;
};

} // namespace

std::optional<WatchEvent> parseWatchLine(const std::string &line)
{
    Json parsed = Json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        return std::nullopt;
    WatchEvent event;
    const std::string type = str(parsed, {"type"});
    if (type == "ADDED")
        event.type = WatchEventType::Added;
    else if (type == "MODIFIED")
        event.type = WatchEventType::Modified;
    else if (type == "DELETED")
        event.type = WatchEventType::Deleted;
    else if (type == "BOOKMARK")
        event.type = WatchEventType::Bookmark;
    else
        event.type = WatchEventType::Error;
    event.object = std::move(parsed["object"]);
    return event;
}

InProcessClient::InProcessClient(api::ApiService *api, QObject *parent) : Client(parent), m_api(api) {}

void InProcessClient::send(Request request, Callback done)
{
    if (!m_api) {
        if (done)
            QMetaObject::invokeMethod(this, [done] { done(Response{503, "the engine has stopped", {}}); },
                                      Qt::QueuedConnection);
        return;
    }
    auto sink = std::make_shared<QueuedSink>(this, std::move(done), nullptr);
    QPointer<api::ApiService> api = m_api;
    QMetaObject::invokeMethod(
        m_api, [api, sink, request = toApiRequest(request)] {
            if (api)
                api->handle(request, sink);
        },
        Qt::QueuedConnection);
}

std::unique_ptr<WatchHandle> InProcessClient::watch(Request request, EventCallback onEvent, EndCallback onEnd)
{
    auto sink = std::make_shared<QueuedSink>(this, std::move(onEnd), std::move(onEvent));
    request.query.emplace("watch", "true");
    QPointer<api::ApiService> api = m_api;
    if (api) {
        QMetaObject::invokeMethod(
            m_api, [api, sink, r = toApiRequest(request)] {
                if (api)
                    api->handle(r, sink);
            },
            Qt::QueuedConnection);
    }
    return std::make_unique<InProcessWatch>(m_api, sink);
}

} // namespace cd::client
