#include "engine/node/containerlogs.h"

#include "engine/core/clock.h"

#include <QFileInfo>
#include <QPointer>

#include <limits>
#include <sys/stat.h>

namespace cd::node {
namespace {

std::int64_t toNs(TimePoint t)
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// "2026-11-27T10:53:39.074603074Z" to nanoseconds; -1 when it is not a time.
std::int64_t recordTimeNs(std::string_view text)
{
    auto t = parseRfc3339(text);
    if (!t)
        return -1;
    std::int64_t ns = toNs(*t);
    // parseRfc3339 may keep less than nanoseconds: add the fraction's digits beyond it.
    const size_t dot = text.find('.');
    if (dot != std::string_view::npos) {
        std::int64_t fraction = 0;
        int digits = 0;
        for (size_t i = dot + 1; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 9;
             ++i, ++digits)
            fraction = fraction * 10 + (text[i] - '0');
        for (; digits < 9; ++digits)
            fraction *= 10;
        ns = ns / 1000000000 * 1000000000 + fraction;
    }
    return ns;
}

std::uint64_t inodeOf(const QString &path)
{
    struct stat st{};
    return ::stat(path.toLocal8Bit().constData(), &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
}

} // namespace

Result<LogOptions> LogOptions::fromRequest(const api::ApiRequest &request, std::int64_t nowNs)
{
    LogOptions options;
    options.follow = request.flag("follow");
    options.timestamps = request.flag("timestamps");
    const auto number = [&](const char *name) -> std::optional<long long> {
        if (auto value = request.param(name))
            return std::strtoll(value->c_str(), nullptr, 10);
        return std::nullopt;
    };
    options.tailLines = number("tailLines");
    options.limitBytes = number("limitBytes");
    if (auto seconds = number("sinceSeconds"))
        options.sinceNs = nowNs - *seconds * 1000000000LL;
    if (auto since = request.param("sinceTime")) {
        auto t = parseRfc3339(*since);
        if (!t)
            return Error::badRequest("sinceTime must be an RFC3339 time: " + *since);
        options.sinceNs = toNs(*t);
    }
    return options;
}

Result<int> logAttempt(const Json &pod, const std::string &container, bool previous)
{
    const std::string podName = str(pod, {"metadata", "name"});
    const Json *status = nullptr;
    for (const char *list : {"containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"})
        if (const Json *statuses = find(pod, {"status", list}); statuses && statuses->is_array())
            for (const Json &s : *statuses)
                if (str(s, {"name"}) == container)
                    status = &s;
    if (!status)
        return Error::badRequest("container \"" + container + "\" in pod \"" + podName + "\" is not available");
    const int restarts = static_cast<int>(integer(*status, {"restartCount"}));
    const bool lastTerminated = find(*status, {"lastState", "terminated"}) != nullptr;
    if (previous) {
        if (!lastTerminated || restarts == 0)
            return Error::badRequest("previous terminated container \"" + container + "\" in pod \"" + podName +
                                     "\" not found");
        return restarts - 1;
    }
    if (const Json *waiting = find(*status, {"state", "waiting"})) {
        if (lastTerminated && restarts > 0)
            return restarts - 1;  // restarting: what the last run wrote
        const std::string reason = str(*waiting, {"reason"});
        std::string why = reason;
        if (reason == "ErrImagePull" || reason == "ImagePullBackOff")
            why = "trying and failing to pull image";
        else if (reason == "ErrImageNeverPull")
            why = "image can't be pulled";
        return Error::badRequest("container \"" + container + "\" in pod \"" + podName + "\" is waiting to start: " +
                                 why);
    }
    return restarts;
}

void CriLogFormatter::feed(const char *data, size_t size, std::string &out)
{
    m_pending.append(data, size);
    size_t start = 0;
    for (size_t nl; (nl = m_pending.find('\n', start)) != std::string::npos; start = nl + 1)
        record(std::string_view(m_pending).substr(start, nl - start), out);
    m_pending.erase(0, start);
}

void CriLogFormatter::record(std::string_view line, std::string &out)
{
    if (m_remaining <= 0)
        return;
    // <time> <stream> <tag> <text>
    const size_t a = line.find(' ');
    const size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    const size_t c = b == std::string_view::npos ? b : line.find(' ', b + 1);
    if (c == std::string_view::npos)
        return;
    const std::string_view time = line.substr(0, a);
    const bool partial = line.substr(b + 1, c - b - 1) == "P";
    if (m_options.sinceNs && recordTimeNs(time) < *m_options.sinceNs)
        return;
    std::string text;
    if (m_options.timestamps && !m_midLine) {
        text.append(time);
        text += ' ';
    }
    text.append(line.substr(c + 1));
    if (!partial)
        text += '\n';
    m_midLine = partial;
    if (static_cast<long long>(text.size()) > m_remaining)
        text.resize(static_cast<size_t>(m_remaining));
    m_remaining -= static_cast<long long>(text.size());
    out += text;
}

// The newest `lines` whole records of CRI log text (partial records belong to the line they end).
static QByteArray tailRecords(const QByteArray &data, long long lines)
{
    if (lines <= 0)
        return {};
    qsizetype end = data.endsWith('\n') ? data.size() - 1 : data.size();
    while (end > 0) {
        const qsizetype begin = data.lastIndexOf('\n', end - 1) + 1;
        const QByteArray line = data.mid(begin, end - begin);
        const qsizetype tagAt = line.indexOf(' ', line.indexOf(' ') + 1) + 1;
        // A whole record ends a line; the line before it starts after the previous whole record.
        if (tagAt > 0 && line.mid(tagAt, 2) == "F " && lines-- == 0)
            return data.mid(end + 1);
        end = begin - 1;
    }
    return data;
}

std::string readLogFile(const QString &path, const LogOptions &options)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray data = file.readAll();
    if (options.tailLines)
        data = tailRecords(data, *options.tailLines);
    CriLogFormatter formatter(options);
    std::string out;
    formatter.feed(data.constData(), size_t(data.size()), out);
    return out;
}

LogFollower::LogFollower(QString path, LogOptions options, std::function<bool()> writing, api::SinkPtr sink,
                         QObject *parent)
    : QObject(parent), m_path(std::move(path)), m_options(options), m_writing(std::move(writing)),
      m_sink(std::move(sink)), m_formatter(options)
{
    m_timer.setInterval(100);
    connect(&m_timer, &QTimer::timeout, this, &LogFollower::poll);
}

void LogFollower::start()
{
    QPointer<LogFollower> self(this);
    m_sink->onClose([self] {
        if (self)
            self->finish();
    });
    m_sink->startStream(200, "text/plain");
    // What is there already (its tail when asked), then what comes after it.
    open();
    QByteArray existing = m_file.isOpen() ? m_file.readAll() : QByteArray();
    if (m_options.tailLines)
        existing = tailRecords(existing, *m_options.tailLines);
    std::string first;
    m_formatter.feed(existing.constData(), size_t(existing.size()), first);
    if (!first.empty())
        m_sink->write(first);
    m_timer.start();
}

bool LogFollower::open()
{
    m_file.close();
    m_file.setFileName(m_path);
    if (!m_file.open(QIODevice::ReadOnly))
        return false;
    m_inode = inodeOf(m_path);
    return true;
}

void LogFollower::poll()
{
    if (m_done)
        return;
    const bool writing = m_writing();  // asked first: what it wrote before stopping is read below
    std::string out;
    const auto drain = [&] {
        if (!m_file.isOpen())
            return;
        const QByteArray data = m_file.readAll();
        m_formatter.feed(data.constData(), size_t(data.size()), out);
    };
    drain();
    // Rotated (the shim renamed the file and began a new one): read the new one from its start.
    if (const std::uint64_t inode = inodeOf(m_path); inode && inode != m_inode) {
        if (open())
            drain();
    } else if (!m_file.isOpen() && open()) {
        drain();
    }
    if (!out.empty())
        m_sink->write(out);
    if (!writing || m_formatter.remaining() <= 0)
        finish();
}

void LogFollower::finish()
{
    if (m_done)
        return;
    m_done = true;
    m_timer.stop();
    if (!m_sink->isClosed())
        m_sink->finish();
    deleteLater();
}

} // namespace cd::node
