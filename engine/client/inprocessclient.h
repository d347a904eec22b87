#pragma once
// The in-process transport: requests go straight to the ApiService (on its own thread), with no
// HTTP or TLS in between; responses and watch events come back on the caller's thread.

#include "engine/client/client.h"

#include <QPointer>

namespace cd::api {
class ApiService;
}

namespace cd::client {

class InProcessClient : public Client {
    Q_OBJECT
public:
    explicit InProcessClient(api::ApiService *api, QObject *parent = nullptr);

    void send(Request request, Callback done) override;
    std::unique_ptr<WatchHandle> watch(Request request, EventCallback onEvent, EndCallback onEnd) override;

private:
    QPointer<api::ApiService> m_api;
};

// Parses one line of a watch stream ({"type":"ADDED","object":{...}}).
std::optional<WatchEvent> parseWatchLine(const std::string &line);

} // namespace cd::client
