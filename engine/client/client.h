#pragma once
// The one way every component talks to an API server (DESIGN.md rule 6): controllers, the
// scheduler and node agents in-process, the IDE in-process or over HTTPS to a real cluster.
// Requests are asynchronous; callbacks run on the thread that made the request.

#include "engine/core/json.h"
#include "engine/core/result.h"

#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace cd::client {

// Where a kind of resource lives in the API (from discovery, or from the engine's registry).
struct Resource {
    std::string group;
    std::string version = "v1";
    std::string plural;
    std::string kind;
    bool namespaced = true;

    std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
    // /api/v1/namespaces/NS/pods[/NAME[/SUB]] or /apis/apps/v1/deployments
    std::string path(const std::string &ns = {}, const std::string &name = {}, const std::string &sub = {}) const;
};

struct Request {
    std::string method = "GET";
    std::string path;
    std::multimap<std::string, std::string> query;
    std::string contentType = "application/json";
    std::string accept = "application/json";
    std::string body;
    // Lists: return the items as raw JSON values in Response::items (in-process transport only;
    // other transports fill items from the body).
    bool rawItems = false;
};

using RawObject = std::shared_ptr<const std::string>;

struct Response {
    int status = 0;
    std::string body;
    std::vector<std::string> warnings;
    std::vector<RawObject> items;  // with Request::rawItems

    bool ok() const { return status >= 200 && status < 300; }
    Json json() const;
    // The server's Status message (or the transport error) for a failed response.
    std::string message() const;
    Error error() const;
};

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

struct WatchEvent {
    WatchEventType type = WatchEventType::Added;
    Json object;
    RawObject raw;  // the object as JSON text, when the transport has it at hand
};

class WatchHandle {
public:
    virtual ~WatchHandle() = default;  // stops the watch
};

class Client : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const Response &)>;
    using EventCallback = std::function<void(const WatchEvent &)>;
    using EndCallback = std::function<void(const Response &)>;  // the stream ended (status 200) or failed

    using QObject::QObject;
    ~Client() override = default;

    virtual void send(Request request, Callback done) = 0;
    virtual std::unique_ptr<WatchHandle> watch(Request request, EventCallback onEvent, EndCallback onEnd) = 0;

    // Conveniences over send(); `done` may be empty.
    void get(const Resource &r, const std::string &ns, const std::string &name, Callback done);
    void list(const Resource &r, const std::string &ns, Callback done,
              const std::multimap<std::string, std::string> &query = {});
    void create(const Resource &r, const std::string &ns, const Json &object, Callback done);
    void update(const Resource &r, const Json &object, Callback done, const std::string &sub = {});
    void patch(const Resource &r, const std::string &ns, const std::string &name, const std::string &patchType,
               const Json &patch, Callback done, const std::string &sub = {});
    void remove(const Resource &r, const std::string &ns, const std::string &name, Callback done,
                const Json &deleteOptions = Json::object());
};

} // namespace cd::client
