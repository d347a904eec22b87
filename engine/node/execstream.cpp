#include "engine/node/execstream.h"

#include "engine/core/json.h"

#include <QPointer>

namespace cd::node {
namespace {

enum Channel : char { Stdin = 0, Stdout = 1, Stderr = 2, Error = 3, Resize = 4, CloseStream = char(255) };

} // namespace

QByteArray ExecStream::exitStatus(int exitCode, const QString &error)
{
    Json status = {{"metadata", Json::object()}};
    if (exitCode == 0 && error.isEmpty()) {
        status["status"] = "Success";
    } else {
        status["status"] = "Failure";
        status["message"] = error.isEmpty()
                                ? "command terminated with non-zero exit code: " + std::to_string(exitCode)
                                : error.toStdString();
        status["reason"] = "NonZeroExitCode";
        status["details"] = {{"causes", Json::array({{{"reason", "ExitCode"}, {"message", std::to_string(exitCode)}}})}};
    }
    return QByteArray::fromStdString(status.dump());
}

ExecStream::ExecStream(api::ChannelPtr channel, std::unique_ptr<runtime::ExecSession> session, std::string protocol,
                       QObject *parent)
    : QObject(parent), m_channel(std::move(channel)), m_session(std::move(session)),
      m_v5(protocol == "v5.channel.k8s.io")
{
    QPointer<ExecStream> self(this);
    m_channel->onMessage([self](const QByteArray &message, bool) {
        if (self)
            self->onMessage(message);
    });
    m_channel->onClosed([self] {
        // The client went away: the command goes too.
        if (self && !self->m_done) {
            self->m_done = true;
            self->m_session->kill();
            self->deleteLater();
        }
    });
    connect(m_session.get(), &runtime::ExecSession::output, this, [this](int stream, const QByteArray &data) {
        m_channel->send(QByteArray(1, stream == 2 ? Stderr : Stdout) + data);
    });
    connect(m_session.get(), &runtime::ExecSession::finished, this, &ExecStream::onFinished);
}

ExecStream::~ExecStream() = default;

void ExecStream::onMessage(const QByteArray &message)
{
    if (message.isEmpty())
        return;
    const char channel = message[0];
    const QByteArray data = message.mid(1);
    if (channel == Stdin) {
        m_session->writeStdin(data);
    } else if (channel == Resize) {
        const Json size = Json::parse(data.toStdString(), nullptr, false);
        if (size.is_object())
            m_session->resize(int(integer(size, {"Width"})), int(integer(size, {"Height"})));
    } else if (channel == CloseStream && m_v5 && !data.isEmpty() && data[0] == Stdin) {
        m_session->closeStdin();
    }
}

void ExecStream::onFinished(int exitCode, const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    if (!error.isEmpty())
        m_channel->send(QByteArray(1, Stderr) + error.toUtf8() + "\n");
    m_channel->send(QByteArray(1, Error) + exitStatus(exitCode, error));
    m_channel->close(1000);
    deleteLater();
}

} // namespace cd::node
