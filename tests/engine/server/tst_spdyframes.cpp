// SPDY/3.1 framing as kubectl's port-forward speaks it (moby/spdystream): every frame type
// round trips; header blocks share one zlib stream per direction across frames; a block made by
// plain zlib with the SPDY/3 dictionary (not by our writer) decodes; frames split across
// messages at every byte, or packed several to a message, come out whole; bad input is an error,
// never a crash.
#include "engine/server/spdyframes.h"

#include <QtTest>

#include <zlib.h>

using namespace cd::server::spdy;

namespace {

QByteArray u32(std::uint32_t v)
{
    return QByteArray{} + char(v >> 24) + char(v >> 16) + char(v >> 8) + char(v);
}

// A header block compressed by zlib directly, the way Go's compress/zlib does it for spdystream.
QByteArray zlibBlock(z_stream &z, const QByteArray &plain)
{
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(plain.constData()));
    z.avail_in = uInt(plain.size());
    QByteArray out;
    char chunk[1024];
    do {
        z.next_out = reinterpret_cast<Bytef *>(chunk);
        z.avail_out = sizeof chunk;
        deflate(&z, Z_SYNC_FLUSH);
        out.append(chunk, qsizetype(sizeof chunk - z.avail_out));
    } while (z.avail_out == 0);
    return out;
}

QByteArray plainBlock(const std::vector<std::pair<std::string, std::string>> &headers)
{
    QByteArray out = u32(std::uint32_t(headers.size()));
    for (const auto &[name, value] : headers)
        out += u32(std::uint32_t(name.size())) + QByteArray::fromStdString(name) + u32(std::uint32_t(value.size())) +
               QByteArray::fromStdString(value);
    return out;
}

} // namespace

class TestSpdyFrames : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void dictionaryIsSpdy3s()
    {
        // 1423 bytes; its Adler-32 is the DICTID every SPDY/3 peer puts in its first zlib header.
        QCOMPARE(dictionary().size(), 1423);
        QVERIFY(dictionary().startsWith(QByteArray("\0\0\0\7options", 11)));
        QVERIFY(dictionary().endsWith("enq=0."));
        const uLong id = adler32(adler32(0, nullptr, 0), reinterpret_cast<const Bytef *>(dictionary().constData()),
                                 uInt(dictionary().size()));
        QCOMPARE(id, uLong(0xe3c6a7c2));
    }

    void controlFramesRoundTrip()
    {
        FrameWriter writer;
        FrameReader reader;
        QByteArray bytes;
        bytes += writer.synStream(1, {{"streamtype", "error"}, {"port", "8080"}, {"requestid", "0"}});
        bytes += writer.synReply(2, {}, FlagFin);
        bytes += FrameWriter::rstStream(3, Cancel);
        bytes += FrameWriter::ping(7);
        bytes += FrameWriter::goAway(5, 1);
        bytes += FrameWriter::windowUpdate(3, 65536);
        bytes += writer.headers(9, {{"x", "a"}});
        const std::vector<Frame> frames = reader.feed(bytes);
        QVERIFY2(reader.error().empty(), reader.error().c_str());
        QCOMPARE(frames.size(), size_t(7));
        QCOMPARE(frames[0].type, SynStream);
        QCOMPARE(frames[0].streamId, 1u);
        QCOMPARE(frames[0].header("streamtype"), std::string("error"));
        QCOMPARE(frames[0].header("port"), std::string("8080"));
        QCOMPARE(frames[0].header("requestid"), std::string("0"));
        QCOMPARE(frames[1].type, SynReply);
        QCOMPARE(frames[1].streamId, 2u);
        QVERIFY(frames[1].fin());
        QVERIFY(frames[1].headers.empty());
        QCOMPARE(frames[2].type, RstStream);
        QCOMPARE(frames[2].status, std::uint32_t(Cancel));
        QCOMPARE(frames[3].type, Ping);
        QCOMPARE(frames[3].streamId, 7u);
        QCOMPARE(frames[4].type, GoAway);
        QCOMPARE(frames[4].streamId, 5u);
        QCOMPARE(frames[4].status, 1u);
        QCOMPARE(frames[5].type, WindowUpdate);
        QCOMPARE(frames[5].status, 65536u);
        QCOMPARE(frames[6].type, Headers);
        QCOMPARE(frames[6].header("x"), std::string("a"));
    }

    void dataFramesRoundTrip()
    {
        FrameReader reader;
        const QByteArray big(200000, 'x');
        const auto frames = reader.feed(FrameWriter::data(3, "GET / HTTP/1.0\r\n\r\n") + FrameWriter::data(3, {}, FlagFin) +
                                        FrameWriter::data(5, big));
        QCOMPARE(frames.size(), size_t(3));
        QCOMPARE(frames[0].type, Data);
        QCOMPARE(frames[0].streamId, 3u);
        QCOMPARE(frames[0].data, QByteArray("GET / HTTP/1.0\r\n\r\n"));
        QVERIFY(!frames[0].fin());
        QVERIFY(frames[1].fin());
        QVERIFY(frames[1].data.isEmpty());
        QCOMPARE(frames[2].data, big);
    }

    void blocksShareOneStreamPerDirection()
    {
        // The second block refers back into the first (same zlib stream): a reader that
        // restarted zlib per frame would fail here.
        FrameWriter writer;
        FrameReader reader;
        const HeaderMap headers{{"streamtype", "data"}, {"port", "8000"}, {"requestid", "12"}};
        const QByteArray first = writer.synStream(1, headers);
        const QByteArray second = writer.synStream(3, headers);
        QVERIFY(second.size() < first.size());
        auto frames = reader.feed(first);
        QCOMPARE(frames.size(), size_t(1));
        frames = reader.feed(second);
        QVERIFY2(reader.error().empty(), reader.error().c_str());
        QCOMPARE(frames.size(), size_t(1));
        QVERIFY(frames[0].headers == headers);

        FrameReader fresh;
        fresh.feed(second);
        QVERIFY(!fresh.error().empty());
    }

    void readsBlocksMadeByPlainZlib()
    {
        z_stream z{};
        QCOMPARE(deflateInit(&z, Z_BEST_COMPRESSION), Z_OK);
        QCOMPARE(deflateSetDictionary(&z, reinterpret_cast<const Bytef *>(dictionary().constData()),
                                      uInt(dictionary().size())),
                 Z_OK);
        FrameReader reader;
        for (std::uint32_t id : {1u, 3u}) {
            // Mixed-case names are lowered, as spdystream's reader does; NUL joins values.
            const QByteArray block = zlibBlock(
                z, plainBlock({{"StreamType", "data"}, {"port", "80"}, {"multi", std::string("a\0b", 3)}}));
            if (id == 1)
                QCOMPARE(quint8(block[0]) & 0x0f, 8);  // deflate, with the FDICT bit next
            QByteArray frame = QByteArray("\x80\x03\x00\x01", 4) + u32(std::uint32_t(10 + block.size())) + u32(id) +
                               u32(0) + QByteArray(2, '\0') + block;
            const auto frames = reader.feed(frame);
            QVERIFY2(reader.error().empty(), reader.error().c_str());
            QCOMPARE(frames.size(), size_t(1));
            QCOMPARE(frames[0].streamId, id);
            QCOMPARE(frames[0].header("streamtype"), std::string("data"));
            QCOMPARE(frames[0].header("multi"), std::string("a\0b", 3));
        }
        deflateEnd(&z);
    }

    void frameSplitAtEveryByte()
    {
        FrameWriter writer;
        QByteArray bytes = writer.synStream(1, {{"streamtype", "error"}, {"port", "80"}, {"requestid", "1"}}) +
                           FrameWriter::data(1, "hello") + FrameWriter::ping(1) + FrameWriter::data(1, {}, FlagFin);
        FrameReader reader;
        std::vector<Frame> frames;
        for (qsizetype i = 0; i < bytes.size(); ++i)
            for (Frame &f : reader.feed(bytes.mid(i, 1)))
                frames.push_back(std::move(f));
        QVERIFY2(reader.error().empty(), reader.error().c_str());
        QCOMPARE(frames.size(), size_t(4));
        QCOMPARE(frames[0].header("port"), std::string("80"));
        QCOMPARE(frames[1].data, QByteArray("hello"));
        QCOMPARE(frames[2].type, Ping);
        QVERIFY(frames[3].fin());
    }

    void settingsAreKeptRawAndIgnorable()
    {
        FrameReader reader;
        const QByteArray settings = QByteArray("\x80\x03\x00\x04\x00\x00\x00\x0c", 8) + u32(1) + u32(0x01000007) + u32(100);
        const auto frames = reader.feed(settings + FrameWriter::ping(3));
        QCOMPARE(frames.size(), size_t(2));
        QCOMPARE(frames[0].type, Settings);
        QCOMPARE(frames[1].type, Ping);
    }

    void badInputIsAnError()
    {
        {
            FrameReader reader;
            reader.feed(QByteArray("\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12));
            QVERIFY(reader.error().find("version") != std::string::npos);
            QVERIFY(reader.feed(FrameWriter::ping(1)).empty());  // nothing more after an error
        }
        {
            FrameReader reader;
            reader.feed(QByteArray("\x80\x03\x00\x01\x00\x00\x00\x0e", 8) + u32(1) + u32(0) + QByteArray(2, '\0') +
                        QByteArray("\xde\xad\xbe\xef", 4));
            QVERIFY(!reader.error().empty());
        }
        {
            FrameReader reader;
            reader.feed(FrameWriter::data(0, "x"));
            QVERIFY(!reader.error().empty());
        }
        {
            FrameReader reader(1024);
            reader.feed(FrameWriter::data(1, QByteArray(2048, 'y')));
            QVERIFY(reader.error().find("larger") != std::string::npos);
        }
        {
            // A header block announcing more pairs than it holds.
            z_stream z{};
            deflateInit(&z, 9);
            deflateSetDictionary(&z, reinterpret_cast<const Bytef *>(dictionary().constData()), uInt(dictionary().size()));
            const QByteArray block = zlibBlock(z, u32(5) + u32(1) + "a");
            deflateEnd(&z);
            FrameReader reader;
            reader.feed(QByteArray("\x80\x03\x00\x02", 4) + u32(std::uint32_t(4 + block.size())) + u32(1) + block);
            QVERIFY(reader.error().find("truncated") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestSpdyFrames)
#include "tst_spdyframes.moc"
