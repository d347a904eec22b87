#include "engine/server/kubeletclient.h"

#include "engine/api/status.h"

#include <QPointer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <http_parser.h>

namespace cd::server {
namespace {

// One request to a kubelet: the socket, the response parser, the sink. Deletes itself when done.
class Exchange : public QObject {
public:
    Exchange(const api::SinkPtr &sink) : m_sink(sink)
    {
        http_parser_init(&m_parser, HTTP_RESPONSE);
        m_parser.data = this;
        http_parser_settings_init(&m_settings);
        m_settings.on_header_field = [](http_parser *p, const char *at, size_t n) {
            auto *self = static_cast<Exchange *>(p->data);
            if (self->m_inValue)
                self->commitHeader();
            self->m_field.append(at, n);
            return 0;
        };
        m_settings.on_header_value = [](http_parser *p, const char *at, size_t n) {
            auto *self = static_cast<Exchange *>(p->data);
            self->m_inValue = true;
            self->m_value.append(at, n);
            return 0;
        };
        m_settings.on_headers_complete = [](http_parser *p) {
            auto *self = static_cast<Exchange *>(p->data);
            if (self->m_inValue)
                self->commitHeader();
            self->m_status = static_cast<int>(p->status_code);
            if (self->m_status == 200)
                self->m_sink->startStream(200, self->m_contentType.empty() ? "text/plain" : self->m_contentType);
            return 0;
        };
        m_settings.on_body = [](http_parser *p, const char *at, size_t n) {
            auto *self = static_cast<Exchange *>(p->data);
            if (self->m_status == 200)
                self->m_sink->write(std::string(at, n));
            else
                self->m_errorBody.append(at, n);
            return 0;
        };
        m_settings.on_message_complete = [](http_parser *p) {
            static_cast<Exchange *>(p->data)->complete();
            return 0;
        };
    }

    void start(int port, const std::string &path, const QByteArray &token)
    {
        connect(&m_socket, &QTcpSocket::connected, this, [this, path, token] {
            QByteArray request = "GET " + QByteArray::fromStdString(path) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
            if (!token.isEmpty())
                request += "Authorization: Bearer " + token + "\r\n";
            request += "Connection: close\r\n\r\n";
            m_socket.write(request);
        });
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
            const QByteArray data = m_socket.readAll();
            const size_t parsed = http_parser_execute(&m_parser, &m_settings, data.constData(), size_t(data.size()));
            if (parsed != size_t(data.size()) && !m_done)
                fail("the kubelet's answer could not be read");
        });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            http_parser_execute(&m_parser, &m_settings, nullptr, 0);  // a body ended by the close
            if (!m_done)
                fail(m_status ? "the kubelet closed the connection" : "the kubelet closed the connection before answering");
        });
        connect(&m_socket, &QTcpSocket::errorOccurred, this, [this, port](QAbstractSocket::SocketError) {
            if (m_socket.state() != QAbstractSocket::ConnectedState && !m_done)
                fail("error dialing backend: dial tcp 127.0.0.1:" + std::to_string(port) + ": " +
                     m_socket.errorString().toStdString());
        });
        QPointer<Exchange> self(this);
        m_sink->onClose([self] {
            if (self) {
                self->m_done = true;
                self->m_socket.abort();
                self->deleteLater();
            }
        });
        m_socket.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(port));
    }

private:
    void commitHeader()
    {
        if (QByteArray::fromStdString(m_field).toLower() == "content-type")
            m_contentType = m_value;
        m_field.clear();
        m_value.clear();
        m_inValue = false;
    }

    void complete()
    {
        if (m_done)
            return;
        m_done = true;
        if (m_status == 200) {
            m_sink->finish();
        } else {
            // The kubelet answers errors as Status objects already; pass them on as they are.
            api::ApiResponse response;
            response.status = m_status;
            response.body = m_errorBody;
            if (m_errorBody.empty() || m_errorBody.front() != '{')
                response = api::errorResponse(Error{ErrorKind::Internal, m_errorBody, {}});
            m_sink->respond(std::move(response));
        }
        m_socket.disconnectFromHost();
        deleteLater();
    }

    void fail(const std::string &message)
    {
        m_done = true;
        if (m_status == 200)
            m_sink->finish();  // a stream already started can only end
        else
            m_sink->respond(api::errorResponse(Error{ErrorKind::ServiceUnavailable, message, {}}));
        m_socket.abort();
        deleteLater();
    }

    api::SinkPtr m_sink;
    QTcpSocket m_socket{this};
    http_parser m_parser;
    http_parser_settings m_settings;
    std::string m_field, m_value;
    bool m_inValue = false;
    std::string m_contentType;
    std::string m_errorBody;
    int m_status = 0;
    bool m_done = false;
};

// The API server's WebSocket to a kubelet, as a message channel.
class KubeletChannel : public api::MessageChannel {
public:
    explicit KubeletChannel(QWebSocket *socket) : m_socket(socket) {}
    ~KubeletChannel() override
    {
        if (m_socket)
            m_socket->deleteLater();
    }
    void send(const QByteArray &message, bool binary) override
    {
        if (isClosed() || !m_socket)
            return;
        if (binary)
            m_socket->sendBinaryMessage(message);
        else
            m_socket->sendTextMessage(QString::fromUtf8(message));
    }
    void close(int code, const QByteArray &reason) override
    {
        if (isClosed())
            return;
        if (m_socket)
            m_socket->close(QWebSocketProtocol::CloseCode(code), QString::fromUtf8(reason));
        markClosed();
    }
    void received(const QByteArray &message, bool binary) { deliver(message, binary); }
    void gone() { markClosed(); }

private:
    QPointer<QWebSocket> m_socket;
};

} // namespace

void KubeletClient::openChannel(int port, const std::string &pathAndQuery, const std::string &protocol, Opened opened)
{
    auto *socket = new QWebSocket();
    auto channel = std::make_shared<KubeletChannel>(socket);
    auto pending = std::make_shared<Opened>(std::move(opened));
    std::weak_ptr<KubeletChannel> weak = channel;
    QObject::connect(socket, &QWebSocket::connected, socket, [channel, pending]() mutable {
        if (*pending)
            std::exchange(*pending, nullptr)(api::ChannelPtr(channel));
        channel.reset();  // from now on the channel's owners are the ones it was handed to
    });
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, socket, [weak](const QByteArray &message) {
        if (auto c = weak.lock())
            c->received(message, true);
    });
    QObject::connect(socket, &QWebSocket::textMessageReceived, socket, [weak](const QString &message) {
        if (auto c = weak.lock())
            c->received(message.toUtf8(), false);
    });
    QObject::connect(socket, &QWebSocket::disconnected, socket, [weak, pending, port] {
        if (*pending)
            std::exchange(*pending, nullptr)(Error{ErrorKind::ServiceUnavailable,
                                                   "error dialing backend: the kubelet on port " + std::to_string(port) +
                                                       " refused the stream",
                                                   {}});
        if (auto c = weak.lock())
            c->gone();
    });
    QObject::connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), socket, [socket, pending](QAbstractSocket::SocketError) {
        if (*pending)
            std::exchange(*pending, nullptr)(Error{ErrorKind::ServiceUnavailable,
                                                   "error dialing backend: " + socket->errorString().toStdString(), {}});
    });
    QNetworkRequest request(QUrl(QString::fromStdString("ws://127.0.0.1:" + std::to_string(port) + pathAndQuery),
                                 QUrl::StrictMode));
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QString::fromStdString(protocol)});
    socket->open(request, options);
}

void KubeletClient::get(int port, const std::string &pathAndQuery, const api::SinkPtr &sink)
{
    auto *exchange = new Exchange(sink);
    exchange->start(port, pathAndQuery, m_token);
}

} // namespace cd::server
