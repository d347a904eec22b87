#pragma once
// Wall-clock time for object timestamps, behind an interface so tests can move time by hand.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cd {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;

    // The clock the engine uses; the system clock unless a test installed another.
    static const Clock &current();
    static void install(const Clock *clock);  // nullptr restores the system clock
};

class FakeClock : public Clock {
public:
    explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1735700000))) : m_now(start) {}
    TimePoint now() const override { return m_now; }
    void advance(std::chrono::milliseconds by) { m_now += by; }
    void set(TimePoint to) { m_now = to; }

private:
    TimePoint m_now;
};

// "2025-01-02T03:04:05Z" (metav1.Time)
std::string rfc3339(TimePoint t);
// "2025-01-02T03:04:05.123456Z" (metav1.MicroTime)
std::string rfc3339Micro(TimePoint t);
// "2025-01-02T03:04:05.123456789Z" (log timestamps)
std::string rfc3339Nano(TimePoint t);
std::optional<TimePoint> parseRfc3339(std::string_view text);
inline std::string nowRfc3339() { return rfc3339(Clock::current().now()); }

// Kubernetes' HumanDuration: "5s", "3m20s", "45m", "5h10m", "2d3h", "400d", "3y20d".
std::string humanDuration(std::chrono::seconds d);
// Age of a timestamp relative to now, "<unknown>" when it cannot be read.
std::string ageSince(std::string_view rfc3339Timestamp);

} // namespace cd
