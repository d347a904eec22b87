#include "engine/runtime/docker/imagepuller.h"

#include "engine/core/json.h"
#include "engine/runtime/docker/dockerclient.h"

namespace cd::runtime::docker {
namespace {
constexpr int kMaxLineBytes = 1 << 20;  // progress lines are short; anything longer is not one
}

ImagePuller::ImagePuller(DockerClient *client, Finished finished, QObject *parent)
    : QObject(parent), m_client(client), m_finished(std::move(finished))
{
}

ImagePuller::~ImagePuller()
{
    for (auto &[image, pull] : m_pulls)
        if (pull.exchange) {
            pull.exchange->abort();
            pull.exchange->deleteLater();
        }
}

void ImagePuller::pull(const std::string &image)
{
    if (pulling(image))
        return;
    Pull &pull = m_pulls[image];
    // fromImage carries the tag or digest itself; Docker and Podman both split it.
    pull.exchange = m_client->stream(
        "POST", "/images/create?fromImage=" + queryEncode(image), Json(),
        [this, image](const QByteArray &data) {
            if (auto it = m_pulls.find(image); it != m_pulls.end())
                consume(it->second, data);
        },
        [this, image](Status status) {
            auto it = m_pulls.find(image);
            if (it == m_pulls.end())
                return;
            if (status.ok() && !it->second.partialLine.isEmpty())
                consume(it->second, "\n");
            const std::string error = status.ok() ? it->second.error : status.error().message;
            m_pulls.erase(it);
            if (error.empty())
                m_finished(image, image);
            else
                m_finished(image, Error::notFound(error));
        });
}

void ImagePuller::consume(Pull &pull, const QByteArray &data)
{
    pull.partialLine.append(data);
    qsizetype end;
    while ((end = pull.partialLine.indexOf('\n')) >= 0) {
        const QByteArray line = pull.partialLine.left(end).trimmed();
        pull.partialLine.remove(0, end + 1);
        if (line.isEmpty())
            continue;
        const Json message = Json::parse(line.toStdString(), nullptr, false);
        if (message.is_object() && message.contains("error"))
            pull.error = str(message, {"error"}, "the engine reported an error without a message");
    }
    if (pull.partialLine.size() > kMaxLineBytes)
        pull.partialLine.clear();
}

} // namespace cd::runtime::docker
