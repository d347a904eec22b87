#pragma once
// Image pulls through the container engine (POST /images/create?fromImage=REF): one pull per
// reference at a time however many containers wait for it. The engine answers with a stream of
// JSON progress messages; a failure can arrive inside that stream ({"error": ...}) after a 200,
// so the outcome is known only at its end.

#include "engine/core/result.h"

#include <QObject>

#include <functional>
#include <string>
#include <unordered_map>

namespace cd::runtime::docker {

class DockerClient;
class UnixHttpExchange;

class ImagePuller : public QObject {
    Q_OBJECT
public:
    // Called once per pull, on this object's thread: the reference pulled, or why it was not.
    using Finished = std::function<void(const std::string &image, const Result<std::string> &outcome)>;

    ImagePuller(DockerClient *client, Finished finished, QObject *parent = nullptr);
    ~ImagePuller() override;  // pulls still running are abandoned (the engine may finish them)

    bool pulling(const std::string &image) const { return m_pulls.count(image) > 0; }
    // Starts a pull unless one of the same reference runs.
    void pull(const std::string &image);

private:
    struct Pull {
        UnixHttpExchange *exchange = nullptr;  // owned by the client; deletes itself once ended
        QByteArray partialLine;
        std::string error;  // the last {"error": ...} of the stream
    };
    void consume(Pull &pull, const QByteArray &data);

    DockerClient *m_client;
    Finished m_finished;
    std::unordered_map<std::string, Pull> m_pulls;
};

} // namespace cd::runtime::docker
