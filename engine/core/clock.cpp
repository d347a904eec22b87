#include "engine/core/clock.h"

#include <atomic>
#include <cstdio>
#include <ctime>

namespace cd {
namespace {

class SystemClock : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

const SystemClock kSystemClock;
std::atomic<const Clock *> g_clock{&kSystemClock};

std::string format(TimePoint t, int fractionDigits)
{
    using namespace std::chrono;
    const auto sinceEpoch = t.time_since_epoch();
    const auto secs = floor<seconds>(sinceEpoch);
    const std::time_t tt = secs.count();
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buffer[64];
    int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (fractionDigits > 0) {
        const long long nanos = duration_cast<nanoseconds>(sinceEpoch - secs).count();
        long long fraction = nanos;
        for (int i = 9; i > fractionDigits; --i)
            fraction /= 10;
        n += std::snprintf(buffer + n, sizeof buffer - n, ".%0*lld", fractionDigits, fraction);
    }
    std::snprintf(buffer + n, sizeof buffer - n, "Z");
    return buffer;
}

} // namespace

const Clock &Clock::current() { return *g_clock.load(std::memory_order_relaxed); }
void Clock::install(const Clock *clock) { g_clock.store(clock ? clock : &kSystemClock); }

std::string rfc3339(TimePoint t) { return format(t, 0); }
std::string rfc3339Micro(TimePoint t) { return format(t, 6); }
std::string rfc3339Nano(TimePoint t) { return format(t, 9); }

std::optional<TimePoint> parseRfc3339(std::string_view s)
{
    // Strict, as Go's time.Parse(time.RFC3339, ...): fixed-width fields, values in range, an
    // optional fraction, then Z or ±hh:mm and nothing after.
    size_t pos = 0;
    auto number = [&](int width, int &out) {
        if (pos + width > s.size())
            return false;
        out = 0;
        for (int i = 0; i < width; ++i) {
            const char c = s[pos + i];
            if (c < '0' || c > '9')
                return false;
            out = out * 10 + (c - '0');
        }
        pos += width;
        return true;
    };
    auto literal = [&](char c) {
        if (pos >= s.size() || s[pos] != c)
            return false;
        ++pos;
        return true;
    };
    int year, month, day, hour, minute, second;
    if (!number(4, year) || !literal('-') || !number(2, month) || !literal('-') || !number(2, day) ||
        !literal('T') || !number(2, hour) || !literal(':') || !number(2, minute) || !literal(':') ||
        !number(2, second))
        return std::nullopt;
    static const int daysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month < 1 || month > 12 || day < 1 || day > daysIn[month - 1] + (month == 2 && leap ? 1 : 0) ||
        hour > 23 || minute > 59 || second > 59)
        return std::nullopt;
    long long nanos = 0;
    if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 9)
                nanos = nanos * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0)
            return std::nullopt;
        for (int d = digits; d < 9; ++d)
            nanos *= 10;
    }
    long offsetSeconds = 0;
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        const int sign = s[pos] == '+' ? 1 : -1;
        ++pos;
        int oh = 0, om = 0;
        if (!number(2, oh) || !literal(':') || !number(2, om) || oh > 23 || om > 59)
            return std::nullopt;
        offsetSeconds = sign * (oh * 3600 + om * 60);
    } else if (!literal('Z')) {
        return std::nullopt;
    }
    if (pos != s.size())
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const std::time_t epoch = timegm(&tm) - offsetSeconds;
    return TimePoint(std::chrono::seconds(epoch)) +
           std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(nanos));
}

std::string humanDuration(std::chrono::seconds d)
{
    const long long seconds = d.count();
    if (seconds < -1)
        return "<invalid>";
    if (seconds < 0)
        return "0s";
    if (seconds < 60 * 2)
        return std::to_string(seconds) + "s";
    const long long minutes = seconds / 60;
    if (minutes < 10) {
        const long long s = seconds % 60;
        return s == 0 ? std::to_string(minutes) + "m" : std::to_string(minutes) + "m" + std::to_string(s) + "s";
    }
    if (minutes < 60 * 3)
        return std::to_string(minutes) + "m";
    const long long hours = seconds / 3600;
    if (hours < 8) {
        const long long m = minutes % 60;
        return m == 0 ? std::to_string(hours) + "h" : std::to_string(hours) + "h" + std::to_string(m) + "m";
    }
    if (hours < 48)
        return std::to_string(hours) + "h";
    if (hours < 24 * 8) {
        const long long h = hours % 24;
        return h == 0 ? std::to_string(hours / 24) + "d" : std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
    }
    if (hours < 24 * 365 * 2)
        return std::to_string(hours / 24) + "d";
    if (hours < 24 * 365 * 8) {
        const long long dy = (hours / 24) % 365;
        return dy == 0 ? std::to_string(hours / 24 / 365) + "y"
                       : std::to_string(hours / 24 / 365) + "y" + std::to_string(dy) + "d";
    }
    return std::to_string(hours / 24 / 365) + "y";
}

std::string ageSince(std::string_view timestamp)
{
    const auto t = parseRfc3339(timestamp);
    if (!t)
        return "<unknown>";
    return humanDuration(std::chrono::duration_cast<std::chrono::seconds>(Clock::current().now() - *t));
}

} // namespace cd
