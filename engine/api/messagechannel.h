#pragma once
// A two-way channel of messages: what a request becomes once its connection is upgraded to a
// WebSocket (kubectl exec, attach and port-forward). The transport implements it; handlers
// send and receive whole messages and learn when the other side is gone.

#include <QByteArray>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cd::api {

class MessageChannel {
public:
    virtual ~MessageChannel() = default;
    virtual void send(const QByteArray &message, bool binary = true) = 0;
    // Ends the conversation (a WebSocket close frame with this code); later sends do nothing.
    virtual void close(int code = 1000, const QByteArray &reason = {}) = 0;
    bool isClosed() const { return m_closed; }

    void onMessage(std::function<void(const QByteArray &message, bool binary)> callback)
    {
        m_onMessage = std::move(callback);
    }
    void onClosed(std::function<void()> callback) { m_onClosed.push_back(std::move(callback)); }

protected:
    void deliver(const QByteArray &message, bool binary)
    {
        if (m_onMessage && !m_closed)
            m_onMessage(message, binary);
    }
    void markClosed()
    {
        if (m_closed)
            return;
        m_closed = true;
        auto callbacks = std::move(m_onClosed);
        for (auto &callback : callbacks)
            callback();
        m_onMessage = nullptr;
    }

private:
    bool m_closed = false;
    std::function<void(const QByteArray &, bool)> m_onMessage;
    std::vector<std::function<void()>> m_onClosed;
};

using ChannelPtr = std::shared_ptr<MessageChannel>;

// The Kubernetes channel protocols exec and attach speak, best first; empty when the client
// offers none of them.
inline std::string chooseChannelProtocol(const std::vector<std::string> &offered)
{
    for (const char *supported : {"v5.channel.k8s.io", "v4.channel.k8s.io"})
        for (const std::string &protocol : offered)
            if (protocol == supported)
                return protocol;
    return {};
}

} // namespace cd::api
