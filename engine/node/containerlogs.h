#pragma once
// Container logs as the kubelet serves them: the CRI log files the shim writes
// ("<RFC3339Nano> <stream> <F|P> <text>") turned into what `kubectl logs` prints, with its
// options (--tail, --timestamps, --since, --limit-bytes, -f). A followed log streams new
// records as the file grows, across rotation, until the container stops writing.

#include "engine/api/request.h"
#include "engine/core/json.h"
#include "engine/core/result.h"

#include <QFile>
#include <QObject>
#include <QTimer>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>

namespace cd::node {

struct LogOptions {
    bool follow = false;
    bool timestamps = false;
    std::optional<long long> tailLines;
    std::optional<long long> limitBytes;
    std::optional<std::int64_t> sinceNs;  // nanoseconds since the epoch

    // From the kubelet's query (follow, timestamps, tailLines, limitBytes, sinceSeconds, sinceTime).
    static Result<LogOptions> fromRequest(const api::ApiRequest &request, std::int64_t nowNs);
};

// The kubelet's checks before reading (validateContainerLogStatus): which attempt's file to
// read, or why there is none, from the pod's status as the agent last wrote it.
Result<int> logAttempt(const Json &pod, const std::string &container, bool previous);

// Turns CRI records into output: one record per call to feed() of whole lines.
class CriLogFormatter {
public:
    explicit CriLogFormatter(const LogOptions &options) : m_options(options) {}
    // Appends the output of complete records in `data` to `out`; keeps an unfinished line.
    void feed(const char *data, size_t size, std::string &out);
    // Bytes still allowed by limitBytes (unlimited: max).
    long long remaining() const { return m_remaining; }

private:
    void record(std::string_view line, std::string &out);
    LogOptions m_options;
    std::string m_pending;
    bool m_midLine = false;  // the last record was partial: no timestamp before its rest
    long long m_remaining = m_options.limitBytes.value_or(std::numeric_limits<long long>::max());
};

// What kubectl logs prints for a whole file (the newest tailLines records when asked).
std::string readLogFile(const QString &path, const LogOptions &options);

// A followed log: the file's records from the start (or its tail), then new ones as they come.
class LogFollower : public QObject {
    Q_OBJECT
public:
    // `writing` says whether the container may still write (false: end once the file is read).
    LogFollower(QString path, LogOptions options, std::function<bool()> writing, api::SinkPtr sink,
                QObject *parent = nullptr);
    void start();

private:
    void poll();
    bool open();
    void finish();

    QString m_path;
    LogOptions m_options;
    std::function<bool()> m_writing;
    api::SinkPtr m_sink;
    CriLogFormatter m_formatter;
    QFile m_file;
    QTimer m_timer;
    std::uint64_t m_inode = 0;
    bool m_done = false;
};

} // namespace cd::node
