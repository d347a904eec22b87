// resource.Quantity: parsing, Kubernetes' canonical printing, arithmetic and rounding. The
// expected strings follow apimachinery's quantity_test.go (TestQuantityParse, TestQuantityString,
// TestQuantityParseEmit, TestNegativeValueRoundsAwayFromZero, TestJSONWhitespace).
#include "engine/core/quantity.h"

#include <QtTest>

using cd::Json;
using cd::Quantity;

namespace {

Quantity parsed(const char *text)
{
    auto q = Quantity::parse(text);
    if (!q.ok())
        qFatal("cannot parse %s: %s", text, q.error().message.c_str());
    return *q;
}

} // namespace

class TestQuantity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void canonical_data();
    void canonical();
    void canonicalNegativeAndPlus_data() { canonical_data(); }
    void canonicalNegativeAndPlus();
    void formats();
    void binaryCapAndSubUnit();
    void syntaxErrors_data();
    void syntaxErrors();
    void roundsUpBelowNano();
    void compare();
    void addAndSubtract();
    void zeroTakesTheOtherFormat();
    void valueRoundsAwayFromZero_data();
    void valueRoundsAwayFromZero();
    void constructors();
    void fromJson();
    void roundTrip();
};

void TestQuantity::canonical_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    auto row = [](const char *in, const char *out) { QTest::newRow(in) << QString(in) << QString(out); };
    // The cases the issue names.
    row("0.5", "500m");
    row("1Gi", "1Gi");
    row("1024Mi", "1Gi");
    row("1536Mi", "1536Mi");
    row("2000", "2k");
    row("1e3", "1e3");
    row("100m", "100m");
    row("0.0005", "500u");
    row("1.5Gi", "1536Mi");
    // Zero in every suffix prints as "0".
    row("0", "0");
    row("0n", "0");
    row("0m", "0");
    row("0Ki", "0");
    row("0Gi", "0");
    row("0T", "0");
    // Binary suffixes.
    row("1Ki", "1Ki");
    row("8Ki", "8Ki");
    row("7Mi", "7Mi");
    row("6Gi", "6Gi");
    row("5Ti", "5Ti");
    row("4Pi", "4Pi");
    row("3Ei", "3Ei");
    row("100Ti", "100Ti");
    row("1024Ki", "1Mi");
    row("1025Ki", "1025Ki");
    row("307200Ki", "300Mi");
    row("1025024Mi", "1001Gi");
    row("1024Gi", "1Ti");
    // Decimal suffixes.
    row("5n", "5n");
    row("4u", "4u");
    row("3m", "3m");
    row("9", "9");
    row("8k", "8k");
    row("50k", "50k");
    row("7M", "7M");
    row("6G", "6G");
    row("5T", "5T");
    row("40T", "40T");
    row("300T", "300T");
    row("2P", "2P");
    row("1E", "1E"); // a lone E is exa, not an exponent
    row("12E", "12E");
    row("1000M", "1G");
    row("0.001T", "1G");
    row("1000u", "1m");
    row("1.08", "1080m");
    row("1080000000n", "1080m");
    // Decimal exponents keep the exponent form.
    row("1E-3", "1e-3");
    row("1E6", "1e6");
    row("1e9", "1e9");
    row("1E12", "1e12");
    row("1e15", "1e15");
    row("1E18", "1e18");
    row("1e14", "100e12");
    row(".001e12", "1e9");
    row("0.001e0", "1e-3");
    row("1000e-12", "1e-9");
    row("1.2e3", "1200");
    row("1.3E+6", "1300e3");
    row("1.40e9", "1400e6");
    row("0.5e0", "500e-3");
    row("0.5e-1", "50e-3");
    // Things that look like floating point.
    row("0.001", "1m");
    row("0.0005k", "500m");
    row("0.005", "5m");
    row("0.05", "50m");
    row("0.00050k", "500m");
    row("0.50000", "500m");
    row("9.01", "9010m");
    row("1.5k", "1500");
    row("40.1T", "40100G");
    row("300.2T", "300200G");
    row("2.5P", "2500T");
    row("1.01E", "1010P");
    // Things written by trolls.
    row(".001", "1m");
    row(".0001k", "100m");
    row("1.", "1");
    row("1.G", "1G");
    // Fractional binary values read as decimal.
    row("0.5Mi", "512Ki");
    row("100.035Ki", "102435840m");
    row(".001Ki", "1024m");
    row(".000001Ki", "1024u");
    row(".000000001Ki", "1024n");
    row("0.000000000001Ki", "2n");
    row("5000m", "5");
    row("0.5Ki", "512");
}

void TestQuantity::canonical()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    auto q = Quantity::parse(input.toStdString());
    QVERIFY2(q.ok(), q.ok() ? "" : q.error().message.c_str());
    QCOMPARE(QString::fromStdString(q->toString()), expected);
    QCOMPARE(q->toJson(), Json(expected.toStdString()));
}

void TestQuantity::canonicalNegativeAndPlus()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    auto negative = Quantity::parse("-" + input.toStdString());
    QVERIFY(negative.ok());
    QCOMPARE(QString::fromStdString(negative->toString()), expected == "0" ? expected : "-" + expected);
    QCOMPARE(negative->isNegative(), expected != "0");
    auto plus = Quantity::parse("+" + input.toStdString());
    QVERIFY(plus.ok());
    QCOMPARE(QString::fromStdString(plus->toString()), expected);
}

void TestQuantity::formats()
{
    QCOMPARE(parsed("1Ki").format(), Quantity::Format::BinarySI);
    QCOMPARE(parsed("0.5Mi").format(), Quantity::Format::BinarySI);
    QCOMPARE(parsed("1k").format(), Quantity::Format::DecimalSI);
    QCOMPARE(parsed("1").format(), Quantity::Format::DecimalSI);
    QCOMPARE(parsed("1E").format(), Quantity::Format::DecimalSI);
    QCOMPARE(parsed("1e3").format(), Quantity::Format::DecimalExponent);
    QCOMPARE(parsed("1E-3").format(), Quantity::Format::DecimalExponent);
    QCOMPARE(parsed("1.1E-9").format(), Quantity::Format::DecimalExponent);
}

void TestQuantity::binaryCapAndSubUnit()
{
    // Binary quantities are capped at the largest int64 (TestQuantityParse: "9Ei", "9223372036854775807Ki").
    QCOMPARE(parsed("9Ei").toString(), std::string("9223372036854775807"));
    QCOMPARE(parsed("9223372036854775807Ki").toString(), std::string("9223372036854775807"));
    QCOMPARE(parsed("9Ei"), parsed("9223372036854775807"));
    QCOMPARE(parsed("-9Ei").toString(), std::string("-9223372036854775807"));
    QCOMPARE(parsed("7Ei").toString(), std::string("7Ei"));
    QCOMPARE(parsed("8Ei").toString(), std::string("9223372036854775807")); // 2^63 is one above the cap
    // A binary amount below one unit changes its format to decimal.
    QCOMPARE(parsed("0.000000000001Ki").format(), Quantity::Format::DecimalSI);
}

void TestQuantity::syntaxErrors_data()
{
    QTest::addColumn<QString>("input");
    for (const char *bad :
         {"",    "1.1.M",        "1+1.0M", "0.1mi", "0.1am", "aoeu",  ".5i",  "1i",   "-3.01i", "-3.01e-",
          " 1",  "1 ",           "1e",     "e3",    "Ki",    "1ki",   "1K",   "1KiB", "-",      "+",
          "--1", "1e4294967297", "1e3.5",  "1e+",   "1Mi2",  "1.5.5", "0x10", "1,5"})
        QTest::newRow(*bad ? bad : "(empty)") << QString(bad);
}

void TestQuantity::syntaxErrors()
{
    QFETCH(QString, input);
    auto q = Quantity::parse(input.toStdString());
    QVERIFY2(!q.ok(), qPrintable("parsed unexpectedly: " + input));
    QCOMPARE(q.error().kind, cd::ErrorKind::BadRequest);
    QCOMPARE(q.error().message, std::string(Quantity::syntaxMessage()));
    QCOMPARE(std::string(Quantity::syntaxMessage()), std::string("quantities must match the regular expression "
                                                                 "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
}

void TestQuantity::roundsUpBelowNano()
{
    // "Things that saturate/round" of TestQuantityParse: any non-zero amount is at least 1n.
    QCOMPARE(parsed("3.001n").toString(), std::string("4n"));
    QCOMPARE(parsed("1.1E-9").toString(), std::string("2e-9"));
    QCOMPARE(parsed("0.0000000001").toString(), std::string("1n"));
    QCOMPARE(parsed("0.0000000005").toString(), std::string("1n"));
    QCOMPARE(parsed("0.00000000050").toString(), std::string("1n"));
    QCOMPARE(parsed("0.5e-9").toString(), std::string("1e-9"));
    QCOMPARE(parsed("0.9n").toString(), std::string("1n"));
    QCOMPARE(parsed("0.00000012345").toString(), std::string("124n"));
    QCOMPARE(parsed("0.00000012354").toString(), std::string("124n"));
    QCOMPARE(parsed("-0.0000000001").toString(), std::string("-1n"));
    QCOMPARE(parsed("1e-100").toString(), std::string("1e-9"));
    QCOMPARE(parsed(".484785E-7466").toString(), std::string("1e-9"));
    QCOMPARE(parsed("0e-100").toString(), std::string("0"));
    QCOMPARE(parsed("0e100").toString(), std::string("0"));
}

void TestQuantity::compare()
{
    QVERIFY(parsed("0") == parsed("0"));
    QVERIFY(parsed("100m") > parsed("50m"));
    QVERIFY(parsed("50m") < parsed("100m"));
    QVERIFY(parsed("10000T") > parsed("100Gi"));
    QVERIFY(parsed("1Gi") == parsed("1024Mi"));
    QVERIFY(parsed("1k") == parsed("1e3"));
    QVERIFY(parsed("1k") == parsed("1000"));
    QVERIFY(parsed("0.5") == parsed("500m"));
    QVERIFY(parsed("1Ki") > parsed("1k"));
    QVERIFY(parsed("-1") < parsed("0"));
    QVERIFY(parsed("-1") < parsed("-999m"));
    QVERIFY(parsed("0").isZero());
    QVERIFY(!parsed("1n").isZero());
    QVERIFY(!parsed("0").isNegative());
    QVERIFY(parsed("-1n").isNegative());
}

void TestQuantity::addAndSubtract()
{
    QCOMPARE((parsed("100m") + parsed("900m")).toString(), std::string("1"));
    QCOMPARE((parsed("1Gi") + parsed("512Mi")).toString(), std::string("1536Mi"));
    QCOMPARE((parsed("1") + parsed("500m")).toString(), std::string("1500m"));
    QCOMPARE((parsed("1") - parsed("1500m")).toString(), std::string("-500m"));
    QCOMPARE((parsed("10") - parsed("1e1")).toString(), std::string("0"));
    // TestSub: the receiver keeps its format.
    const Quantity binary = Quantity::fromValue(10, Quantity::Format::BinarySI) - parsed("1");
    QCOMPARE(binary.format(), Quantity::Format::BinarySI);
    QCOMPARE(binary.toString(), std::string("9"));
    Quantity q = parsed("2Gi");
    q += parsed("2Gi");
    QCOMPARE(q.toString(), std::string("4Gi"));
    q -= parsed("4Gi");
    QVERIFY(q.isZero());
    QCOMPARE(q.toString(), std::string("0"));
}

void TestQuantity::zeroTakesTheOtherFormat()
{
    // TestQuantityAddZeroPreservesSuffix / TestQuantitySubZeroPreservesSuffix.
    for (const char *text : {"100m", "1Gi"}) {
        const Quantity value = parsed(text);
        QCOMPARE((value + parsed("0")).toString(), std::string(text));
        QCOMPARE((parsed("0") + value).toString(), std::string(text));
        QCOMPARE((value - parsed("0")).toString(), std::string(text));
        QCOMPARE((parsed("0") - value).toString(), "-" + std::string(text));
        Quantity sum; // a default Quantity is zero too
        sum += value;
        QCOMPARE(sum.toString(), std::string(text));
    }
}

void TestQuantity::valueRoundsAwayFromZero_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<qlonglong>("value");
    QTest::addColumn<qlonglong>("milli");
    auto row = [](const char *in, qlonglong v, qlonglong m) { QTest::newRow(in) << QString(in) << v << m; };
    // TestNegativeValueRoundsAwayFromZero.
    row("-.484785E-7466", -1, -1);
    row(".484785E-7466", 1, 1);
    row("-.484785E-1", -1, -49);
    row(".484785E-1", 1, 49);
    row("-0.0005", -1, -1);
    row("0.0005", 1, 1);
    row("-1500m", -2, -1500);
    row("1500m", 2, 1500);
    row("-9.5000000001Gi", -10200547329, -10200547328108);
    row("9.5000000001Gi", 10200547329, 10200547328108);
    row("-1", -1, -1000);
    row("1", 1, 1000);
    row("0", 0, 0);
    // More of the usual ones.
    row("100m", 1, 100);
    row("1n", 1, 1);
    row("1Ki", 1024, 1024000);
    row("1.5Gi", 1610612736, 1610612736000);
    row("2k", 2000, 2000000);
    row("1001m", 2, 1001);
}

void TestQuantity::valueRoundsAwayFromZero()
{
    QFETCH(QString, input);
    QFETCH(qlonglong, value);
    QFETCH(qlonglong, milli);
    const Quantity q = parsed(input.toUtf8().constData());
    QCOMPARE(qlonglong(q.value()), value);
    QCOMPARE(qlonglong(q.milliValue()), milli);
}

void TestQuantity::constructors()
{
    // TestNewSet / TestMilliNewSet.
    QCOMPARE(Quantity::fromValue(1).toString(), std::string("1"));
    QCOMPARE(Quantity::fromValue(1000).toString(), std::string("1k"));
    QCOMPARE(Quantity::fromValue(1234000).toString(), std::string("1234k"));
    QCOMPARE(Quantity::fromValue(1024, Quantity::Format::BinarySI).toString(), std::string("1Ki"));
    QCOMPARE(Quantity::fromValue(1024 * 1024, Quantity::Format::BinarySI).toString(), std::string("1Mi"));
    QCOMPARE(Quantity::fromValue(1000000, Quantity::Format::DecimalExponent).toString(), std::string("1e6"));
    QCOMPARE(Quantity::fromValue(5, Quantity::Format::BinarySI).toString(), std::string("5"));
    QCOMPARE(Quantity::fromValue(1025, Quantity::Format::BinarySI).toString(), std::string("1025"));
    QCOMPARE(Quantity::fromValue(2000, Quantity::Format::BinarySI).toString(), std::string("2000"));
    QCOMPARE(Quantity::fromValue(-2000, Quantity::Format::BinarySI).toString(), std::string("-2000"));
    QCOMPARE(Quantity::fromMilli(1).toString(), std::string("1m"));
    QCOMPARE(Quantity::fromMilli(1000).toString(), std::string("1"));
    QCOMPARE(Quantity::fromMilli(1234000).toString(), std::string("1234"));
    QCOMPARE(Quantity::fromMilli(1024).toString(), std::string("1024m"));
    QCOMPARE(Quantity::fromMilli(-250).toString(), std::string("-250m"));
    QCOMPARE(Quantity().toString(), std::string("0"));
    QCOMPARE(Quantity::fromMilli(1500).milliValue(), 1500LL);
    QCOMPARE(Quantity::fromValue(3).asDouble(), 3.0);
    QCOMPARE(parsed("250m").asDouble(), 0.25);
}

void TestQuantity::fromJson()
{
    auto text = [](const Json &json) {
        auto q = Quantity::fromJson(json);
        return q.ok() ? q->toString() : "error: " + q.error().message;
    };
    QCOMPARE(text(Json("500m")), std::string("500m"));
    QCOMPARE(text(Json("0.5")), std::string("500m"));
    QCOMPARE(text(Json(1)), std::string("1"));
    QCOMPARE(text(Json(10)), std::string("10"));
    QCOMPARE(text(Json(-1)), std::string("-1"));
    QCOMPARE(text(Json(2000)), std::string("2k"));
    QCOMPARE(text(Json(0.5)), std::string("500m"));
    QCOMPARE(text(Json(1.5)), std::string("1500m"));
    QCOMPARE(text(Json(0.1)), std::string("100m"));
    QCOMPARE(text(Json(4096u)), std::string("4096"));
    // TestJSONWhitespace: a JSON string is trimmed; null is zero (Quantity.UnmarshalJSON).
    QCOMPARE(text(Json(" 1")), std::string("1"));
    QCOMPARE(text(Json("1 ")), std::string("1"));
    QCOMPARE(text(Json(" 1Gi\n")), std::string("1Gi"));
    QCOMPARE(text(Json(nullptr)), std::string("0"));
    QCOMPARE(text(Json("")), "error: " + std::string(Quantity::syntaxMessage()));
    QCOMPARE(text(Json("abc")), "error: " + std::string(Quantity::syntaxMessage()));
    QCOMPARE(text(Json(true)), "error: " + std::string(Quantity::syntaxMessage()));
    QCOMPARE(text(Json::object()), "error: " + std::string(Quantity::syntaxMessage()));
    QCOMPARE(text(Json::array()), "error: " + std::string(Quantity::syntaxMessage()));
}

void TestQuantity::roundTrip()
{
    // Every canonical string parses back to the same amount and prints the same.
    for (const char *text : {"1Gi", "1536Mi", "500m", "1e3", "100e12", "2n", "1024m", "9223372036854775807", "-1Ki",
                             "1E", "1010P", "1080m", "7e-9"}) {
        const Quantity q = parsed(text);
        const Quantity again = parsed(q.toString().c_str());
        QCOMPARE(again, q);
        QCOMPARE(again.toString(), q.toString());
    }
}

QTEST_GUILESS_MAIN(TestQuantity)
#include "tst_quantity.moc"
