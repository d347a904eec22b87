// The cluster DNS's wire format and answers: queries as resolvers send them (with EDNS, with
// compression), A, CNAME, NODATA and NXDOMAIN answers, truncation with TC over UDP and the full
// answer over TCP, and no answer at all to what is not a query. Malformed input gets FORMERR,
// never a crash.
#include "engine/proxy/dnsmessage.h"
#include "engine/proxy/dnsresponder.h"

#include <QtTest>

using namespace cd;
using namespace cd::proxy;

namespace {

std::string u16(int value)
{
    return {char((value >> 8) & 0xff), char(value & 0xff)};
}

// A query as glibc writes it: id, RD, one question; optionally an EDNS OPT record.
std::string query(const std::string &name, int type, int id = 0x1234, int ednsSize = 0, int flags = 0x0100)
{
    std::string out = u16(id) + u16(flags) + u16(1) + u16(0) + u16(0) + u16(ednsSize ? 1 : 0);
    out += dns::encodeName(name) + u16(type) + u16(dns::IN);
    if (ednsSize)
        out += std::string(1, '\0') + u16(dns::OPT) + u16(ednsSize) + std::string(4, '\0') + u16(0);
    return out;
}

struct Decoded {
    int id = 0;
    int flags = 0;
    int questions = 0;
    int additionals = 0;
    int rcode() const { return flags & 0x0f; }
    bool truncated() const { return flags & 0x0200; }
    bool authoritative() const { return flags & 0x0400; }
    struct Answer {
        int type = 0;
        std::uint32_t ttl = 0;
        std::string data;
        bool pointsToQuestion = false;
    };
    std::vector<Answer> answers;
    std::string questionName;
};

int read16(const std::string &bytes, size_t at)
{
    return (std::uint8_t(bytes[at]) << 8) | std::uint8_t(bytes[at + 1]);
}

// Enough of a decoder for what the responder writes (answer names are pointers or plain).
std::optional<Decoded> decode(const std::string &bytes)
{
    if (bytes.size() < 12)
        return std::nullopt;
    Decoded d;
    d.id = read16(bytes, 0);
    d.flags = read16(bytes, 2);
    d.questions = read16(bytes, 4);
    const int answers = read16(bytes, 6);
    d.additionals = read16(bytes, 10);
    size_t at = 12;
    auto skipName = [&](std::string *name) {
        if ((std::uint8_t(bytes[at]) & 0xc0) == 0xc0) {
            at += 2;
            return true;
        }
        while (at < bytes.size() && bytes[at]) {
            const int length = std::uint8_t(bytes[at]);
            if (name)
                *name += (name->empty() ? "" : ".") + bytes.substr(at + 1, length);
            at += 1 + length;
        }
        ++at;
        return at <= bytes.size();
    };
    for (int i = 0; i < d.questions; ++i) {
        skipName(&d.questionName);
        at += 4;
    }
    for (int i = 0; i < answers; ++i) {
        Decoded::Answer answer;
        answer.pointsToQuestion = read16(bytes, at) == 0xc00c;
        skipName(nullptr);
        answer.type = read16(bytes, at);
        answer.ttl = std::uint32_t(read16(bytes, at + 4)) << 16 | std::uint32_t(read16(bytes, at + 6));
        const int length = read16(bytes, at + 8);
        answer.data = bytes.substr(at + 10, length);
        at += 10 + length;
        d.answers.push_back(answer);
    }
    return at <= bytes.size() ? std::optional<Decoded>(d) : std::nullopt;
}

std::string ipv4(const std::string &data)
{
    if (data.size() != 4)
        return "?";
    return std::to_string(std::uint8_t(data[0])) + "." + std::to_string(std::uint8_t(data[1])) + "." +
           std::to_string(std::uint8_t(data[2])) + "." + std::to_string(std::uint8_t(data[3]));
}

DnsLookup resolve(const std::string &name)
{
    DnsLookup found;
    if (name == "web.shop.svc.cluster.local" || name == "WEB.shop.svc.cluster.local") {
        found.outcome = DnsLookup::Outcome::Found;
        found.addresses = {"10.96.0.50"};
    } else if (name == "many.shop.svc.cluster.local") {
        found.outcome = DnsLookup::Outcome::Found;
        for (int i = 0; i < 100; ++i)
            found.addresses.push_back("10.244.1." + std::to_string(i + 1));
    } else if (name == "ext.shop.svc.cluster.local") {
        found.outcome = DnsLookup::Outcome::Found;
        found.canonicalName = "db.example.org";
    }
    return found;
}

Decoded answer(const std::string &message, bool udp = true)
{
    const std::string response = answerDnsMessage(message, udp, resolve);
    const auto decoded = decode(response);
    if (!decoded)
        qFatal("undecodable response");
    return *decoded;
}

} // namespace

class TestDnsMessage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void addressAnswer()
    {
        const std::string q = query("WEB.shop.svc.cluster.local", dns::A, 0xbeef);
        const std::string response = answerDnsMessage(q, true, resolve);
        const Decoded d = *decode(response);
        QCOMPARE(d.id, 0xbeef);
        QVERIFY(d.flags & 0x8000); // a response
        QVERIFY(d.flags & 0x0100); // RD echoed
        QVERIFY(d.authoritative());
        QCOMPARE(d.rcode(), 0);
        QCOMPARE(d.questions, 1);
        QCOMPARE(d.questionName, std::string("WEB.shop.svc.cluster.local")); // as asked, case kept
        QCOMPARE(d.answers.size(), size_t(1));
        QCOMPARE(d.answers[0].type, int(dns::A));
        QCOMPARE(d.answers[0].ttl, 5u);
        QVERIFY(d.answers[0].pointsToQuestion);
        QCOMPARE(ipv4(d.answers[0].data), std::string("10.96.0.50"));
        // The question is repeated byte for byte after the header.
        QCOMPARE(response.substr(12, q.size() - 12), q.substr(12));
    }

    void noDataAndNoSuchName()
    {
        const Decoded aaaa = answer(query("web.shop.svc.cluster.local", dns::AAAA));
        QCOMPARE(aaaa.rcode(), 0); // the name exists: NODATA, not NXDOMAIN
        QVERIFY(aaaa.answers.empty());
        const Decoded missing = answer(query("nope.shop.svc.cluster.local", dns::A));
        QCOMPARE(missing.rcode(), int(dns::Rcode::NXDomain));
        QVERIFY(missing.authoritative());
        // Names of the world are not forwarded anywhere: no such name, and not our authority.
        const Decoded outside = answer(query("example.org", dns::A));
        QCOMPARE(outside.rcode(), int(dns::Rcode::NXDomain));
        QVERIFY(!outside.authoritative());
        const Decoded cname = answer(query("ext.shop.svc.cluster.local", dns::A));
        QCOMPARE(cname.answers.size(), size_t(1));
        QCOMPARE(cname.answers[0].type, int(dns::CNAME));
        QCOMPARE(cname.answers[0].data, dns::encodeName("db.example.org"));
    }

    void truncationOverUdpFullAnswerOverTcp()
    {
        const Decoded udp = answer(query("many.shop.svc.cluster.local", dns::A));
        QVERIFY(udp.truncated());
        QVERIFY(!udp.answers.empty() && udp.answers.size() < 100);
        QVERIFY(answerDnsMessage(query("many.shop.svc.cluster.local", dns::A), true, resolve).size() <= 512);
        // EDNS: a bigger UDP answer, and an OPT record back.
        const std::string edns = answerDnsMessage(query("many.shop.svc.cluster.local", dns::A, 7, 4096), true, resolve);
        QVERIFY(edns.size() <= dns::kMaxUdpSize);
        const Decoded ednsDecoded = *decode(edns);
        QVERIFY(ednsDecoded.answers.size() > udp.answers.size());
        QCOMPARE(ednsDecoded.additionals, 1);
        const Decoded tcp = answer(query("many.shop.svc.cluster.local", dns::A), false);
        QVERIFY(!tcp.truncated());
        QCOMPARE(tcp.answers.size(), size_t(100));
        QCOMPARE(ipv4(tcp.answers[99].data), std::string("10.244.1.100"));
    }

    void compressedQuestionName()
    {
        // A question whose name continues through a pointer into itself ("web" + pointer to
        // "shop.svc.cluster.local" placed after the question's class) is unusual but legal.
        std::string q = u16(1) + u16(0x0100) + u16(1) + u16(0) + u16(0) + u16(0);
        q += std::string("\x03web", 4) + u16(0xc000 | 22) + u16(dns::A) + u16(dns::IN);
        q += dns::encodeName("shop.svc.cluster.local");
        const auto parsed = dns::parseQuery(q);
        QVERIFY(parsed && !parsed->malformed);
        QCOMPARE(parsed->questions[0].name, std::string("web.shop.svc.cluster.local"));
        const Decoded d = answer(q);
        QCOMPARE(ipv4(d.answers.at(0).data), std::string("10.96.0.50"));
    }

    void badInput()
    {
        QVERIFY(answerDnsMessage("", true, resolve).empty());
        QVERIFY(answerDnsMessage(std::string(11, '\0'), true, resolve).empty());
        // A response is never answered (two servers must not talk forever).
        QVERIFY(answerDnsMessage(query("web.shop.svc.cluster.local", dns::A, 1, 0, 0x8100), true, resolve).empty());
        // Cut short, a pointer loop, a label running off the end: FORMERR with the id.
        const std::string full = query("web.shop.svc.cluster.local", dns::A, 0x4242);
        for (size_t cut = 13; cut < full.size(); cut += 3)
            QCOMPARE(answer(full.substr(0, cut)).rcode(), int(dns::Rcode::FormErr));
        std::string loop = u16(9) + u16(0) + u16(1) + u16(0) + u16(0) + u16(0) + u16(0xc00c) + u16(1) + u16(1);
        const Decoded looped = answer(loop);
        QCOMPARE(looped.id, 9);
        QCOMPARE(looped.rcode(), int(dns::Rcode::FormErr));
        // Two questions: FORMERR, as most servers answer; another opcode: NOTIMP.
        std::string two = query("web.shop.svc.cluster.local", dns::A);
        two[5] = 2;
        two += dns::encodeName("x.shop.svc.cluster.local") + u16(1) + u16(1);
        QCOMPARE(answer(two).rcode(), int(dns::Rcode::FormErr));
        QCOMPARE(answer(query("web.shop.svc.cluster.local", dns::A, 1, 0, 0x1000)).rcode(), int(dns::Rcode::NotImp));
        // Random bytes never crash it.
        QRandomGenerator random(42);
        for (int i = 0; i < 2000; ++i) {
            std::string noise(random.bounded(12, 80), '\0');
            for (char &c : noise)
                c = char(random.bounded(256));
            noise[2] = char(noise[2] & 0x7f);
            (void)answerDnsMessage(noise, i % 2, resolve);
        }
    }

    void names()
    {
        QCOMPARE(dns::encodeName("a.bc"), std::string("\x01"
                                                      "a"
                                                      "\x02"
                                                      "bc",
                                                      5) +
                                              std::string(1, '\0'));
        QCOMPARE(dns::encodeName("a.bc."), dns::encodeName("a.bc"));
        QVERIFY(dns::encodeName("a..b").empty());
        QVERIFY(dns::encodeName(std::string(64, 'x')).empty());
        QCOMPARE(dns::encodeName(""), std::string(1, '\0')); // the root
    }
};

QTEST_GUILESS_MAIN(TestDnsMessage)
#include "tst_dnsmessage.moc"
