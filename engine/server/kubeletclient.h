#pragma once
// The API server's side of the kubelet connection (api::KubeletConnector): an HTTP/1.1 GET to a
// local kubelet on loopback with the kubelet token, its answer streamed to the API's sink as it
// arrives (a followed log never ends until the container does or the client goes away).

#include "engine/api/kubeletconnector.h"

#include <QByteArray>

namespace cd::server {

class KubeletClient : public api::KubeletConnector {
public:
    explicit KubeletClient(QByteArray token) : m_token(std::move(token)) {}
    void get(int port, const std::string &pathAndQuery, const api::SinkPtr &sink) override;
    void openChannel(int port, const std::string &pathAndQuery, const std::string &protocol, Opened opened) override;

private:
    QByteArray m_token;
};

} // namespace cd::server
