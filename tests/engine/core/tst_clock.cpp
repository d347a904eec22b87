// Time: HumanDuration (the table of apimachinery's duration_test.go), RFC 3339 formatting and
// strict parsing, the fake clock and ages.
#include "engine/core/clock.h"

#include <QtTest>

using namespace std::chrono;
using cd::TimePoint;

namespace {

// HumanDuration takes a time.Duration; ours takes whole seconds, truncated as Go's int(d.Seconds()).
std::string human(milliseconds d)
{
    return cd::humanDuration(duration_cast<seconds>(d));
}

constexpr milliseconds kMs(1);
constexpr milliseconds kSecond = seconds(1);
constexpr milliseconds kMinute = minutes(1);
constexpr milliseconds kHour = hours(1);
constexpr milliseconds kDay = hours(24);
constexpr milliseconds kYear = hours(24 * 365);

} // namespace

class TestClock : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void humanDuration_data();
    void humanDuration();
    void formats();
    void roundTrips_data();
    void roundTrips();
    void parseOffsets();
    void parseRejects_data();
    void parseRejects();
    void fakeClockAndAge();
};

void TestClock::humanDuration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("expected");
    auto row = [](milliseconds d, const char *expected) {
        QTest::newRow(qPrintable(QString::number(d.count()) + "ms")) << qint64(d.count()) << QString(expected);
    };
    // TestHumanDuration.
    row(kSecond, "1s");
    row(70 * kSecond, "70s");
    row(190 * kSecond, "3m10s");
    row(70 * kMinute, "70m");
    row(47 * kHour, "47h");
    row(49 * kHour, "2d1h");
    row((8 * 24 + 2) * kHour, "8d");
    row(367 * kDay, "367d");
    row(365 * 2 * kDay + 25 * kHour, "2y1d");
    row(365 * 8 * kDay + 2 * kHour, "8y");
    // TestHumanDurationBoundaries.
    row(-2 * kSecond, "<invalid>");
    row(-2 * kSecond + kMs, "0s");
    row(milliseconds(0), "0s");
    row(kSecond - kMs, "0s");
    row(2 * kMinute - kMs, "119s");
    row(2 * kMinute, "2m");
    row(2 * kMinute + kSecond, "2m1s");
    row(10 * kMinute - kMs, "9m59s");
    row(10 * kMinute, "10m");
    row(10 * kMinute + kSecond, "10m");
    row(3 * kHour - kMs, "179m");
    row(3 * kHour, "3h");
    row(3 * kHour + kMinute, "3h1m");
    row(8 * kHour - kMs, "7h59m");
    row(8 * kHour, "8h");
    row(8 * kHour + 59 * kMinute, "8h");
    row(2 * kDay - kMs, "47h");
    row(2 * kDay, "2d");
    row(2 * kDay + kHour, "2d1h");
    row(8 * kDay - kMs, "7d23h");
    row(8 * kDay, "8d");
    row(8 * kDay + 23 * kHour, "8d");
    row(2 * kYear - kMs, "729d");
    row(2 * kYear, "2y");
    row(2 * kYear + 23 * kHour, "2y");
    row(2 * kYear + 23 * kHour + 59 * kMinute, "2y");
    row(2 * kYear + 24 * kHour - kMs, "2y");
    row(2 * kYear + 24 * kHour, "2y1d");
    row(3 * kYear, "3y");
    row(4 * kYear, "4y");
    row(5 * kYear, "5y");
    row(6 * kYear, "6y");
    row(7 * kYear, "7y");
    row(8 * kYear - kMs, "7y364d");
    row(8 * kYear, "8y");
    row(8 * kYear + 364 * kDay, "8y");
    row(9 * kYear, "9y");
    row(-100 * kSecond, "<invalid>");
}

void TestClock::humanDuration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(human(milliseconds(ms))), expected);
}

void TestClock::formats()
{
    const TimePoint t = TimePoint(seconds(1735787045)) + duration_cast<TimePoint::duration>(nanoseconds(123456789));
    QCOMPARE(cd::rfc3339(t), std::string("2025-01-02T03:04:05Z"));
    QCOMPARE(cd::rfc3339Micro(t), std::string("2025-01-02T03:04:05.123456Z"));
    QCOMPARE(cd::rfc3339Nano(t), std::string("2025-01-02T03:04:05.123456789Z"));
    const TimePoint whole = TimePoint(seconds(1735787045));
    QCOMPARE(cd::rfc3339Micro(whole), std::string("2025-01-02T03:04:05.000000Z"));
    QCOMPARE(cd::rfc3339(TimePoint(seconds(0))), std::string("1970-01-01T00:00:00Z"));
    QCOMPARE(cd::rfc3339(TimePoint(seconds(951782400))), std::string("2000-02-29T00:00:00Z"));
    // Before the epoch the seconds round down, not toward zero.
    QCOMPARE(cd::rfc3339(TimePoint(seconds(-1))), std::string("1969-12-31T23:59:59Z"));
    QCOMPARE(cd::rfc3339Micro(TimePoint(milliseconds(-1))), std::string("1969-12-31T23:59:59.999000Z"));
}

void TestClock::roundTrips_data()
{
    QTest::addColumn<QString>("text");
    for (const char *t : {"2025-01-02T03:04:05Z", "1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z",
                          "2038-01-19T03:14:08Z", "1999-12-31T23:59:59Z", "2100-12-31T00:00:00Z"})
        QTest::newRow(t) << QString(t);
}

void TestClock::roundTrips()
{
    QFETCH(QString, text);
    const auto t = cd::parseRfc3339(text.toStdString());
    QVERIFY(t);
    QCOMPARE(QString::fromStdString(cd::rfc3339(*t)), text);
    // Micro and nano forms round-trip too.
    const TimePoint fine = *t + duration_cast<TimePoint::duration>(nanoseconds(5006007));
    QCOMPARE(cd::parseRfc3339(cd::rfc3339Nano(fine)), std::optional<TimePoint>(fine));
    const TimePoint micro = *t + microseconds(250001);
    QCOMPARE(cd::parseRfc3339(cd::rfc3339Micro(micro)), std::optional<TimePoint>(micro));
}

void TestClock::parseOffsets()
{
    const auto utc = cd::parseRfc3339("2025-01-02T03:04:05Z");
    QVERIFY(utc);
    QCOMPARE(cd::parseRfc3339("2025-01-02T04:04:05+01:00"), utc);
    QCOMPARE(cd::parseRfc3339("2025-01-01T22:34:05-04:30"), utc);
    QCOMPARE(cd::parseRfc3339("2025-01-02T03:04:05+00:00"), utc);
    // Fractions of any length; digits beyond nanoseconds are dropped.
    QCOMPARE(cd::parseRfc3339("2025-01-02T03:04:05.5Z"), std::optional<TimePoint>(*utc + milliseconds(500)));
    QCOMPARE(cd::parseRfc3339("2025-01-02T03:04:05.000000001999Z"),
             std::optional<TimePoint>(*utc + duration_cast<TimePoint::duration>(nanoseconds(1))));
    QCOMPARE(cd::parseRfc3339("2024-02-29T00:00:00Z"), std::optional<TimePoint>(TimePoint(seconds(1709164800))));
}

void TestClock::parseRejects_data()
{
    QTest::addColumn<QString>("text");
    for (const char *t : {"",
                          "2025-01-02",
                          "2025-01-02T03:04:05",
                          "2025-01-02 03:04:05Z",
                          "2025-1-02T03:04:05Z",
                          "2025-01-2T03:04:05Z",
                          "25-01-02T03:04:05Z",
                          "2025-13-02T03:04:05Z",
                          "2025-00-02T03:04:05Z",
                          "2025-02-30T03:04:05Z",
                          "2023-02-29T00:00:00Z",
                          "2025-01-32T03:04:05Z",
                          "2025-01-02T24:00:00Z",
                          "2025-01-02T03:60:05Z",
                          "2025-01-02T03:04:60Z",
                          "2025-01-02T03:04:05ZZ",
                          "2025-01-02T03:04:05Z junk",
                          " 2025-01-02T03:04:05Z",
                          "2025-01-02T03:04:05.Z",
                          "2025-01-02T03:04:05+0100",
                          "2025-01-02T03:04:05+1:00",
                          "2025-01-02T3:04:05Z",
                          "abcd-01-02T03:04:05Z",
                          "+025-01-02T03:04:05Z"})
        QTest::newRow(*t ? t : "(empty)") << QString(t);
}

void TestClock::parseRejects()
{
    QFETCH(QString, text);
    QVERIFY2(!cd::parseRfc3339(text.toStdString()), qPrintable("accepted: " + text));
}

void TestClock::fakeClockAndAge()
{
    cd::FakeClock fake(TimePoint(seconds(1735787045)));
    cd::Clock::install(&fake);
    QCOMPARE(cd::nowRfc3339(), std::string("2025-01-02T03:04:05Z"));
    QCOMPARE(cd::ageSince("2025-01-02T03:04:05Z"), std::string("0s"));
    fake.advance(seconds(190));
    QCOMPARE(cd::nowRfc3339(), std::string("2025-01-02T03:07:15Z"));
    QCOMPARE(cd::ageSince("2025-01-02T03:04:05Z"), std::string("3m10s"));
    fake.advance(hours(49));
    QCOMPARE(cd::ageSince("2025-01-02T03:04:05Z"), std::string("2d1h"));
    QCOMPARE(cd::ageSince("not a time"), std::string("<unknown>"));
    QCOMPARE(cd::ageSince("2030-01-01T00:00:00Z"), std::string("<invalid>")); // in the future
    fake.set(TimePoint(seconds(0)));
    QCOMPARE(cd::nowRfc3339(), std::string("1970-01-01T00:00:00Z"));
    cd::Clock::install(nullptr);
    // Back on the system clock: now is after 2025.
    QVERIFY(cd::Clock::current().now() > TimePoint(seconds(1735787045)));
}

QTEST_GUILESS_MAIN(TestClock)
#include "tst_clock.moc"
