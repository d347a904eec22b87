#pragma once
// The Docker API's multiplexed stream (a container without a TTY): frames of an 8-byte header
// (stream 0 stdin, 1 stdout, 2 stderr, three zero bytes, the payload size as big-endian 32 bits)
// followed by the payload. Frames may arrive split or several at once.

#include <QByteArray>

#include <functional>

namespace cd::runtime::docker {

class FrameDemuxer {
public:
    using Sink = std::function<void(int stream, const QByteArray &payload)>;
    // Calls `sink` for every whole frame in what has arrived so far.
    void feed(const QByteArray &data, const Sink &sink);

private:
    QByteArray m_pending;
};

} // namespace cd::runtime::docker
