#include "engine/node/podportconnection.h"

#include <QSocketNotifier>
#include <QTcpSocket>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cd::node {
namespace {

// Go's net errors are strerror without its capital: "connection refused".
std::string goErrno(int code)
{
    std::string text = std::strerror(code);
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
        text[0] = char(text[0] - 'A' + 'a');
    return text;
}

} // namespace

PodPortConnection::PodPortConnection(int port, QObject *parent) : QObject(parent), m_port(port)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this]() { fail("i/o timeout"); });
}

PodPortConnection::~PodPortConnection()
{
    if (!m_socket && m_fd >= 0)
        ::close(m_fd);
}

void PodPortConnection::open(const PodSocketOpener &opener, int timeoutMs)
{
    Result<int> fd = opener ? opener() : Result<int>(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.ok() || *fd < 0) {
        const std::string why = fd.ok() ? goErrno(errno) : fd.error().message;
        QMetaObject::invokeMethod(this, [this, why]() { fail("socket: " + why); }, Qt::QueuedConnection);
        return;
    }
    m_fd = *fd;
    ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) | O_NONBLOCK);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(quint16(m_port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0) {
        QMetaObject::invokeMethod(this, [this]() { onConnectDone(0); }, Qt::QueuedConnection);
        return;
    }
    if (errno != EINPROGRESS) {
        const int code = errno;
        QMetaObject::invokeMethod(this, [this, code]() { onConnectDone(code); }, Qt::QueuedConnection);
        return;
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, [this]() {
        m_notifier->setEnabled(false);
        int code = 0;
        socklen_t size = sizeof code;
        ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &code, &size);
        onConnectDone(code);
    });
    m_timeout.start(timeoutMs);
}

void PodPortConnection::onConnectDone(int error)
{
    m_timeout.stop();
    m_notifier.reset();
    if (m_done)
        return;
    if (error != 0) {
        fail("connect: " + goErrno(error));
        return;
    }
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(m_fd, QAbstractSocket::ConnectedState)) {
        const std::string why = socket->errorString().toStdString();
        delete socket;  // it did not take the descriptor: the destructor closes it
        fail("connect: " + why);
        return;
    }
    m_socket = socket;  // owns the descriptor from now on
    connect(m_socket, &QTcpSocket::readyRead, this, [this]() {
        const QByteArray data = m_socket->readAll();
        if (!data.isEmpty())
            Q_EMIT received(data);
    });
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this]() {
        if (m_finishWriting && m_socket->bytesToWrite() == 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    });
    connect(m_socket, &QTcpSocket::disconnected, this, [this]() {
        if (m_done)
            return;
        m_done = true;
        const QByteArray rest = m_socket->readAll();
        if (!rest.isEmpty())
            Q_EMIT received(rest);
        Q_EMIT finished();
    });
    Q_EMIT connected();
    flushPending();
}

void PodPortConnection::flushPending()
{
    if (!m_socket)
        return;
    if (!m_pending.isEmpty())
        m_socket->write(std::exchange(m_pending, QByteArray()));
    if (m_finishWriting && m_socket->bytesToWrite() == 0)
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
}

void PodPortConnection::write(const QByteArray &data)
{
    if (m_done || m_finishWriting)
        return;
    if (m_socket)
        m_socket->write(data);
    else
        m_pending.append(data);
}

void PodPortConnection::finishWriting()
{
    if (m_finishWriting)
        return;
    m_finishWriting = true;
    flushPending();
}

void PodPortConnection::abort()
{
    m_done = true;
    m_timeout.stop();
    m_notifier.reset();
    if (m_socket)
        m_socket->abort();
}

void PodPortConnection::fail(const std::string &reason)
{
    if (m_done)
        return;
    m_done = true;
    m_notifier.reset();
    Q_EMIT failed(QString::fromStdString("dial tcp4 127.0.0.1:" + std::to_string(m_port) + ": " + reason));
}

} // namespace cd::node
