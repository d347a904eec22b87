#pragma once
// Turns the Docker API's log stream into the kubelet's log file (the CRI format the node agent
// reads for kubectl logs: "<RFC3339 time> stdout|stderr F|P <text>" per line).
//
// The stream of a container without a TTY is multiplexed (streamframes.h); a container with one
// has a single raw stream (`terminal`), all of it stdout. With timestamps=1 every line of the
// payload starts with its RFC3339 time and a space.

#include "engine/runtime/docker/streamframes.h"
#include "engine/runtime/logrotation.h"

#include <QByteArray>
#include <QFile>
#include <QString>

#include <string>

namespace cd::runtime::docker {

class CriLogWriter {
public:
    // Appends to `path` (its folder must exist), rotated past maxBytes (logrotation.h).
    // `skipFirst` lines stamped `skipStamp` are dropped from the stream's start: they are in the
    // file already (a resumed stream).
    explicit CriLogWriter(const QString &path, std::string skipStamp = {}, int skipFirst = 0,
                          long long maxBytes = kContainerLogMaxBytes, int maxFiles = kContainerLogMaxFiles);
    void setTerminal(bool terminal) { m_terminal = terminal; }

    bool isOpen() const { return m_file.isOpen(); }
    void feed(const QByteArray &data);
    // The stream ended: a half-finished line is written as it is.
    void flush();

private:
    void writeLine(int stream, const QByteArray &line, bool complete);
    void open();

    QFile m_file;
    long long m_size = 0;
    long long m_maxBytes;
    int m_maxFiles;
    FrameDemuxer m_frames;
    bool m_terminal = false;
    QByteArray m_partial[3];    // an unfinished line per stream
    std::string m_skipStamp;
    int m_skip = 0;
};

// Where a resumed log stream starts: the time of the file's last line ("" when none) and how
// many lines at its end carry that time.
struct LogResumePoint {
    std::string stamp;
    int linesWithStamp = 0;
};
LogResumePoint logResumePoint(const QString &path);

// RFC3339 ("2026-11-27T14:13:05.123Z") → the API's `since` ("1795788785.123000000"); "" when
// it does not parse.
std::string unixTimestamp(const std::string &rfc3339);

} // namespace cd::runtime::docker
