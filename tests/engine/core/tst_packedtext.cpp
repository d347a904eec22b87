// Texts deflated against a per-type dictionary: every text reads back exactly, across dictionary
// renewals and types; texts too small to gain are left alone.
#include "engine/core/packedtext.h"

#include <QtTest>

using namespace cd;

namespace {

std::string eventText(int i)
{
    const std::string n = std::to_string(i);
    return "{\"apiVersion\":\"v1\",\"count\":1,\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"pod-" + n +
           "\",\"namespace\":\"default\",\"uid\":\"dfdc6741-" + n +
           "\"},\"kind\":\"Event\",\"message\":\"Started container web\",\"metadata\":{\"name\":\"pod-" + n +
           ".18ec134f0bdd6230\",\"namespace\":\"default\",\"resourceVersion\":\"" + std::to_string(30000 + i) +
           "\"},\"reason\":\"Started\",\"source\":{\"component\":\"kubelet\",\"host\":\"node-" +
           std::to_string(i % 97) + "\"},\"type\":\"Normal\"}";
}

} // namespace

class TestPackedText : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsBackAcrossRenewals()
    {
        // 5,000 texts: the dictionary is renewed at 16, 256 and 4,096 uses, and texts packed
        // against every one of them still read back.
        TextPacker packer;
        std::vector<PackedText> packed;
        size_t plain = 0, small = 0;
        for (int i = 0; i < 5000; ++i) {
            const std::string text = eventText(i);
            packed.push_back(packer.pack("/registry/core/events/default/e" + std::to_string(i), text));
            QVERIFY(!packed.back().empty());
            plain += text.size();
            small += packed.back().packedSize;
        }
        for (int i = 0; i < 5000; ++i)
            QCOMPARE(unpack(packed[size_t(i)]), eventText(i));
        QVERIFY2(small * 2 < plain, qPrintable(QStringLiteral("%1 -> %2 bytes").arg(plain).arg(small)));
    }

    void oneDictionaryPerType()
    {
        TextPacker packer;
        const std::string pod = "{\"kind\":\"Pod\",\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\"}]},"
                                "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.0.7\"}}";
        const PackedText a = packer.pack("/registry/core/pods/default/a", pod);
        const PackedText b = packer.pack("/registry/core/events/default/b", eventText(1));
        const PackedText c = packer.pack("/registry/core/pods/other/c", pod);
        QVERIFY(!a.empty() && !b.empty() && !c.empty());
        QCOMPARE(a.dictionary, c.dictionary);
        QVERIFY(a.dictionary != b.dictionary);
        QCOMPARE(unpack(a), pod);
        QCOMPARE(unpack(b), eventText(1));
        QCOMPARE(unpack(c), pod);
    }

    void smallTextsStayPlain()
    {
        TextPacker packer;
        QVERIFY(packer.pack("/registry/core/configmaps/a/b", "").empty());
        QVERIFY(packer.pack("/registry/core/configmaps/a/b", "{\"a\":1}").empty());
        QVERIFY(unpack(PackedText{}).empty());
    }

    void largeTexts()
    {
        // Beyond the 32 KB a deflate window sees, with a dictionary cut to its end.
        std::string big = "{\"data\":\"";
        for (int i = 0; i < 20000; ++i)
            big += std::to_string(i * 7919 % 10007) + ",";
        big += "\"}";
        QVERIFY(big.size() > 64 * 1024);
        TextPacker packer;
        const PackedText first = packer.pack("/registry/core/configmaps/a/big", big);
        const PackedText second = packer.pack("/registry/core/configmaps/a/big2", big + " ");
        QVERIFY(!first.empty() && !second.empty());
        QCOMPARE(first.dictionary->size(), size_t(32 * 1024));
        QCOMPARE(unpack(first), big);
        QCOMPARE(unpack(second), big + " ");
    }
};

QTEST_GUILESS_MAIN(TestPackedText)
#include "tst_packedtext.moc"
