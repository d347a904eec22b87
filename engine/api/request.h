#pragma once
// The API as a function of requests, independent of HTTP: the server feeds it parsed HTTP
// requests, the in-process client feeds it directly (DESIGN.md rule 6).

#include "engine/api/messagechannel.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cd::api {

enum class Method { Get, Post, Put, Patch, Delete, Head, Options, Other };

struct ApiRequest {
    Method method = Method::Get;
    std::string path;                                  // decoded path, no query
    std::multimap<std::string, std::string> query;     // decoded query parameters
    std::string accept;                                // Accept header
    std::string contentType;                           // Content-Type header
    std::string body;
    std::string user = "admin";                        // the authenticated user
    std::string userAgent;
    // A WebSocket upgrade: the Sec-WebSocket-Protocol values the client offers, in its order
    // (empty for a plain request).
    std::vector<std::string> webSocketProtocols;
    bool webSocket = false;
    // In-process clients take a list's items as the stored values themselves (ApiResponse::items)
    // rather than one large body: no copy, no parse of the whole list.
    bool rawItems = false;

    // The last value of a query parameter, if present.
    std::optional<std::string> param(const std::string &name) const;
    std::string param(const std::string &name, const std::string &fallback) const;
    // Query booleans are case-insensitive ("true", "True", "1").
    bool flag(const std::string &name) const;
    // The path's non-empty segments: "/api/v1/pods" -> {"api", "v1", "pods"}.
    std::vector<std::string> segments() const;
};

struct ApiResponse {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::string> warnings;  // sent as `Warning: 299 - "text"`
    // With ApiRequest::rawItems, a list's items (its body then holds only the list metadata).
    std::vector<std::shared_ptr<const std::string>> items;
};

// Where a response goes. A plain response is one respond() call; a stream (watch, logs) is
// startStream(), any number of write()s, then finish(). The transport sets closed when the
// client goes away, and calls the onClose callbacks (so a watch can stop at once).
class ResponseSink {
public:
    virtual ~ResponseSink() = default;
    virtual void respond(ApiResponse response) = 0;
    virtual void startStream(int status, const std::string &contentType) = 0;
    virtual void write(const std::string &chunk) = 0;
    virtual void finish() = 0;
    // One watch event; the object is a stored value (shared, never copied by in-process sinks).
    // Transports write it as the line {"type":"ADDED","object":{...}}.
    virtual void writeEvent(const char *type, const std::shared_ptr<const std::string> &object)
    {
        std::string line;
        line.reserve(object->size() + 32);
        line += R"({"type":")";
        line += type;
        line += R"(","object":)";
        line += *object;
        line += "}\n";
        write(line);
    }

    bool isClosed() const { return m_closed; }
    void onClose(std::function<void()> callback) { m_onClose.push_back(std::move(callback)); }
    // Answers a WebSocket upgrade (101, echoing `protocol`) and turns the request into a message
    // channel; null where the transport cannot (in-process sinks), or when already answered.
    virtual std::shared_ptr<MessageChannel> upgradeToWebSocket(const std::string &protocol)
    {
        (void)protocol;
        return nullptr;
    }

protected:
    // Transports call this when the peer disconnects.
    void markClosed()
    {
        if (m_closed)
            return;
        m_closed = true;
        auto callbacks = std::move(m_onClose);
        for (auto &cb : callbacks)
            cb();
    }

private:
    bool m_closed = false;
    std::vector<std::function<void()>> m_onClose;
};

using SinkPtr = std::shared_ptr<ResponseSink>;

} // namespace cd::api
