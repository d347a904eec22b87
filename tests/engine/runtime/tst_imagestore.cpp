// The local image store: references, imports of every kind (on real files), layer stacking,
// refusal of hostile archives, names, removal, leases and persistence.
#include "engine/runtime/images/filelock.h"
#include "engine/runtime/images/imagereference.h"
#include "engine/runtime/images/imagestore.h"

#include "imagefixtures.h"
#include "machinetools.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace cd::runtime::images;
using namespace imagefixtures;

namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

std::string readText(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll().toStdString() : std::string("<missing>");
}

mode_t modeOf(const QString &path)
{
    struct stat info = {};
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 ? info.st_mode : 0;
}

QString symlinkTarget(const QString &path)
{
    char buffer[4096];
    const ssize_t length = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return length < 0 ? QString() : QString::fromUtf8(buffer, length);
}

QStringList entriesOf(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

bool makeFile(const QString &path, const QByteArray &bytes, int mode = 0644)
{
    return writeFile(path, bytes) && ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

} // namespace

class TestImageStore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    // A fresh store (DATA_DIR/images) and a scratch folder for inputs.
    QString newDataDir() { return m_dir.filePath(QStringLiteral("data%1").arg(++m_counter)); }
    QString scratch(const QString &name) { return m_dir.filePath(name + QString::number(++m_counter)); }

    QString writeArchive(const QByteArray &bytes, const QString &suffix)
    {
        const QString path = scratch(QStringLiteral("archive")) + suffix;
        if (!writeFile(path, bytes))
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    // A rootfs folder with every kind of entry a copy must keep.
    QString makeRootfsFolder()
    {
        const QString root = scratch(QStringLiteral("rootfs"));
        QDir().mkpath(root + "/bin");
        QDir().mkpath(root + "/etc");
        QDir().mkpath(root + "/empty");
        QDir().mkpath(root + "/locked");
        makeFile(root + "/bin/tool", "#!/bin/sh\necho tool\n", 0755);
        makeFile(root + "/etc/secret", "private\n", 0600);
        makeFile(root + "/locked/inside", "read-only folder\n", 0444);
        ::chmod(QFile::encodeName(root + "/locked").constData(), 0555);
        ::symlink("/bin/tool", QFile::encodeName(root + "/bin/sh").constData());
        ::symlink("../etc/secret", QFile::encodeName(root + "/bin/relative").constData());
        ::symlink("/nowhere", QFile::encodeName(root + "/dangling").constData());
        ::link(QFile::encodeName(root + "/bin/tool").constData(), QFile::encodeName(root + "/bin/tool2").constData());
        ::mkfifo(QFile::encodeName(root + "/fifo").constData(), 0640);
        return root;
    }

    void verifyStackedLayers(const Image &image)
    {
        const QString root = image.rootfs;
        QCOMPARE(readText(root + "/bin/tool"), std::string("tool v2\n"));
        QCOMPARE(symlinkTarget(root + "/bin/link"), QStringLiteral("tool"));
        QCOMPARE(readText(root + "/etc/old"), std::string("stays\n"));
        QVERIFY2(!QFileInfo::exists(root + "/etc/gone"), "the whiteout must delete etc/gone");
        QVERIFY(!QFileInfo::exists(root + "/etc/.wh.gone"));
        QCOMPARE(entriesOf(root + "/data"), QStringList{QStringLiteral("upper")}); // opaque: lower content gone
        QCOMPARE(readText(root + "/keep/a"), std::string("untouched\n"));
        QCOMPARE(modeOf(root + "/newfile") & 07777, mode_t(0600));
        QCOMPARE(modeOf(root + "/ro") & 07777, mode_t(0555));
        QCOMPARE(readText(root + "/ro/inside"), std::string("in a read-only folder\n"));
        QCOMPARE(modeOf(root + "/shadow") & 07777, mode_t(0));
        QCOMPARE(modeOf(root + "/sealed") & 07777, mode_t(0));
        struct stat a = {}, b = {};
        QVERIFY(::stat(QFile::encodeName(root + "/newfile").constData(), &a) == 0);
        QVERIFY(::stat(QFile::encodeName(root + "/newlink").constData(), &b) == 0);
        QCOMPARE(a.st_ino, b.st_ino);
        QCOMPARE(image.config.entrypoint, std::vector<std::string>{"/bin/tool"});
        QCOMPARE(image.config.cmd, std::vector<std::string>{"--serve"});
        QCOMPARE(image.config.env, (std::vector<std::string>{"PATH=/bin", "MODE=test"}));
        QCOMPARE(image.config.workingDir, std::string("/data"));
        QCOMPARE(image.config.user, std::string("1000:1000"));
        QCOMPARE(image.config.exposedPorts, std::vector<std::string>{"8080/tcp"});
        QCOMPARE(cd::rfc3339(image.created), std::string("2024-05-01T10:00:00Z"));
        QVERIFY(image.size > 0);
    }

    // Nothing visible and nothing left over: the store looks as if the import never began.
    void verifyNothingLeft(const QString &dataDir)
    {
        ImageStore store(dataDir + "/images");
        auto images = store.list();
        QVERIFY(images.ok());
        QCOMPARE(images->size(), size_t(1)); // the host image only
        QCOMPARE(entriesOf(dataDir + "/images/content"), QStringList());
        QCOMPARE(entriesOf(dataDir + "/images/tmp"), QStringList());
        QCOMPARE(entriesOf(dataDir + "/images/names"), QStringList());
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void referenceNormalization_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("normalized");
        QTest::addColumn<QString>("familiar");
        const QString digest = QString::fromStdString(kDigest);
        QTest::newRow("short") << "busybox"
                               << "docker.io/library/busybox:latest"
                               << "busybox:latest";
        QTest::newRow("tag") << "busybox:1.36"
                             << "docker.io/library/busybox:1.36"
                             << "busybox:1.36";
        QTest::newRow("library") << "library/busybox"
                                 << "docker.io/library/busybox:latest"
                                 << "busybox:latest";
        QTest::newRow("full") << "docker.io/library/busybox:latest"
                              << "docker.io/library/busybox:latest"
                              << "busybox:latest";
        QTest::newRow("docker.io short") << "docker.io/busybox"
                                         << "docker.io/library/busybox:latest"
                                         << "busybox:latest";
        QTest::newRow("index.docker.io") << "index.docker.io/library/busybox:1"
                                         << "docker.io/library/busybox:1"
                                         << "busybox:1";
        QTest::newRow("user repo") << "team/app"
                                   << "docker.io/team/app:latest"
                                   << "team/app:latest";
        QTest::newRow("localhost") << "localhost/app"
                                   << "localhost/app:latest"
                                   << "localhost/app:latest";
        QTest::newRow("registry port") << "localhost:5000/x"
                                       << "localhost:5000/x:latest"
                                       << "localhost:5000/x:latest";
        QTest::newRow("deep path") << "registry.example:443/a/b/c:v1.2-rc_3"
                                   << "registry.example:443/a/b/c:v1.2-rc_3"
                                   << "registry.example:443/a/b/c:v1.2-rc_3";
        QTest::newRow("digest") << "registry.example/app@" + digest << "registry.example/app@" + digest
                                << "registry.example/app@" + digest;
        QTest::newRow("short digest") << "busybox@" + digest << "docker.io/library/busybox@" + digest
                                      << "busybox@" + digest;
        QTest::newRow("tag and digest") << "quay.io/org/app:1@" + digest << "quay.io/org/app:1@" + digest
                                        << "quay.io/org/app:1@" + digest;
        QTest::newRow("port-like tag") << "localhost:5000"
                                       << "docker.io/library/localhost:5000"
                                       << "localhost:5000";
        QTest::newRow("ipv6 registry") << "[::1]:5000/app"
                                       << "[::1]:5000/app:latest"
                                       << "[::1]:5000/app:latest";
        QTest::newRow("uppercase host") << "Registry.Example/app"
                                        << "Registry.Example/app:latest"
                                        << "Registry.Example/app:latest";
        QTest::newRow("separators") << "a-b__c.d_e--f"
                                    << "docker.io/library/a-b__c.d_e--f:latest"
                                    << "a-b__c.d_e--f:latest";
        QTest::newRow("host") << "host"
                              << "docker.io/library/host:latest"
                              << "host:latest";
    }

    void referenceNormalization()
    {
        QFETCH(QString, text);
        QFETCH(QString, normalized);
        QFETCH(QString, familiar);
        auto reference = parseImageReference(text.toStdString());
        QVERIFY2(reference.ok(), reference.ok() ? "" : reference.error().message.c_str());
        QCOMPARE(QString::fromStdString(reference->toString()), normalized);
        QCOMPARE(QString::fromStdString(reference->familiar()), familiar);
        // Normalizing twice changes nothing.
        auto again = parseImageReference(reference->toString());
        QVERIFY(again.ok());
        QVERIFY(*again == *reference);
    }

    void malformedReferences_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("complaint");
        QTest::newRow("empty") << ""
                               << "empty";
        QTest::newRow("uppercase") << "Busybox"
                                   << "must be lowercase";
        QTest::newRow("uppercase path") << "docker.io/Library/busybox"
                                        << "must be lowercase";
        QTest::newRow("empty tag") << "busybox:"
                                   << "tag after ':' is empty";
        QTest::newRow("bad tag") << "busybox:-x"
                                 << "tag \"-x\"";
        QTest::newRow("long tag") << "busybox:" + QString(129, 'a') << "at most 128";
        QTest::newRow("empty digest") << "busybox@"
                                      << "digest after '@' is empty";
        QTest::newRow("short digest") << "busybox@sha256:abc"
                                      << "64 lowercase hex digits";
        QTest::newRow("unknown algorithm") << "busybox@md5:" + QString(32, '0') << "not supported";
        QTest::newRow("empty component") << "a//b"
                                         << "empty path component";
        QTest::newRow("trailing slash") << "team/"
                                        << "empty path component";
        QTest::newRow("double dot") << "busy..box"
                                    << "path component \"busy..box\"";
        QTest::newRow("bad registry") << "my_registry.com:x/app"
                                      << "registry host";
        QTest::newRow("image id") << QString(64, 'f') << "image ID";
        QTest::newRow("whitespace") << "busy box"
                                    << "whitespace";
        QTest::newRow("too long") << "a/" + QString(260, 'b') << "longer than 255";
    }

    void malformedReferences()
    {
        QFETCH(QString, text);
        QFETCH(QString, complaint);
        auto reference = parseImageReference(text.toStdString());
        QVERIFY(!reference.ok());
        QVERIFY2(reference.error().message.find(complaint.toStdString()) != std::string::npos,
                 reference.error().message.c_str());
        QVERIFY(reference.error().message.find("invalid image reference") != std::string::npos);
    }

    void importFolder()
    {
        const QString dataDir = newDataDir();
        const QString source = makeRootfsFolder();
        ImageStore store(dataDir + "/images");
        auto image = store.import("tools:1", source);
        QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
        QVERIFY(image->id.starts_with("sha256:"));
        QCOMPARE(image->id.size(), size_t(7 + 64));
        QCOMPARE(image->names, std::vector<std::string>{"docker.io/library/tools:1"});
        QCOMPARE(image->source, std::string("folder"));
        QVERIFY(image->config.empty());
        QVERIFY(!image->host);

        const QString root = image->rootfs;
        QVERIFY(root.startsWith(dataDir + "/images/content/"));
        QCOMPARE(readText(root + "/bin/tool"), std::string("#!/bin/sh\necho tool\n"));
        QCOMPARE(modeOf(root + "/bin/tool") & 07777, mode_t(0755));
        QCOMPARE(modeOf(root + "/etc/secret") & 07777, mode_t(0600));
        QCOMPARE(modeOf(root + "/locked") & 07777, mode_t(0555));
        QVERIFY(S_ISDIR(modeOf(root + "/empty")));
        QVERIFY(S_ISFIFO(modeOf(root + "/fifo")));
        QCOMPARE(symlinkTarget(root + "/bin/sh"), QStringLiteral("/bin/tool"));
        QCOMPARE(symlinkTarget(root + "/bin/relative"), QStringLiteral("../etc/secret"));
        QCOMPARE(symlinkTarget(root + "/dangling"), QStringLiteral("/nowhere"));
        struct stat a = {}, b = {};
        QVERIFY(::stat(QFile::encodeName(root + "/bin/tool").constData(), &a) == 0);
        QVERIFY(::stat(QFile::encodeName(root + "/bin/tool2").constData(), &b) == 0);
        QCOMPARE(a.st_ino, b.st_ino);
        QCOMPARE(image->size, std::int64_t(20 + 8 + 17 + 9 + 13 + 8)); // files once, symlink targets

        // The same content is the same image; other content is another.
        auto again = store.import("tools:copy", source);
        QVERIFY(again.ok());
        QCOMPARE(again->id, image->id);
        makeFile(source + "/etc/secret", "changed\n", 0600);
        auto changed = store.import("tools:2", source);
        QVERIFY(changed.ok());
        QVERIFY(changed->id != image->id);
        QCOMPARE(entriesOf(dataDir + "/images/tmp"), QStringList());
    }

    void importRootfsTarball_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("tar") << false;
        QTest::newRow("tar.gz") << true;
    }

    void importRootfsTarball()
    {
        QFETCH(bool, gzip);
        const QString dataDir = newDataDir();
        const QByteArray tar = TarBuilder()
                                   .folder("./")
                                   .folder("./bin")
                                   .file("./bin/app", "app\n", 0755)
                                   .symlink("./bin/sh", "/bin/app")
                                   .file("etc/.wh.kept", "not a layer: kept as a file\n")
                                   .file("deep/implicit/parents", "made on the way\n")
                                   .folder("private", 0700)
                                   .file("etc/shadow", "closed\n", 0)
                                   .folder("sealed", 0)
                                   .file("sealed/inside", "closed folder\n")
                                   .bytes(gzip);
        const QString path = writeArchive(tar, gzip ? ".tar.gz" : ".tar");
        ImageStore store(dataDir + "/images");
        auto image = store.import("localhost:5000/team/app:v1", path);
        QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
        QCOMPARE(image->source, std::string("tarball"));
        QCOMPARE(image->names, std::vector<std::string>{"localhost:5000/team/app:v1"});
        QCOMPARE(readText(image->rootfs + "/bin/app"), std::string("app\n"));
        QCOMPARE(symlinkTarget(image->rootfs + "/bin/sh"), QStringLiteral("/bin/app"));
        QVERIFY(QFileInfo::exists(image->rootfs + "/etc/.wh.kept"));
        QCOMPARE(readText(image->rootfs + "/deep/implicit/parents"), std::string("made on the way\n"));
        QCOMPARE(modeOf(image->rootfs + "/private") & 07777, mode_t(0700));
        QCOMPARE(modeOf(image->rootfs + "/etc/shadow") & 07777, mode_t(0));
        QCOMPARE(modeOf(image->rootfs + "/sealed") & 07777, mode_t(0));
        // A tarball's ID is its digest: the same tarball is the same image.
        QCOMPARE(image->id, "sha256:" + sha256Hex(tar));
        auto again = store.import("again", path);
        QVERIFY(again.ok());
        QCOMPARE(again->id, image->id);
        QCOMPARE(entriesOf(dataDir + "/images/content").size(), qsizetype(1));
        // Deleting it gets through the closed folder.
        QVERIFY(store.remove("localhost:5000/team/app:v1").ok());
        QVERIFY(store.remove("again").ok());
        QVERIFY(!QFileInfo::exists(image->rootfs));
    }

    void importDockerArchive()
    {
        const QString dataDir = newDataDir();
        const DockerArchive archive = dockerArchive({lowerLayer(true), upperLayer(false)}, "example/app:1.0");
        const QString path = writeArchive(archive.tar, ".tar");
        ImageStore store(dataDir + "/images");
        auto image = store.import("example/app:1.0", path);
        QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
        QCOMPARE(image->id, archive.configDigest); // Docker's image ID: the config's digest
        QCOMPARE(image->source, std::string("docker-archive"));
        verifyStackedLayers(*image);
        // By ID as a digest reference too.
        auto byDigest = store.resolve("example/app@" + archive.configDigest);
        QVERIFY2(byDigest.ok(), byDigest.ok() ? "" : byDigest.error().message.c_str());
        QCOMPARE(byDigest->id, image->id);
        QCOMPARE(entriesOf(dataDir + "/images/tmp"), QStringList());
    }

    void importDockerArchiveGzippedWhole()
    {
        // `docker save a b | gzip`: two images in one compressed archive; the name picks one.
        const QString dataDir = newDataDir();
        Json manifest = Json::array();
        TarBuilder tar;
        int index = 0;
        const std::vector<std::pair<std::string, std::vector<QByteArray>>> images = {
            {"first:1", {lowerLayer(false)}}, {"second:2", {lowerLayer(false), upperLayer(true)}}};
        for (const auto &[tag, layers] : images) {
            std::vector<std::string> diffIds;
            Json layerPaths = Json::array();
            for (const QByteArray &layer : layers) {
                const std::string name = "l" + std::to_string(index++) + "/layer.tar";
                tar.file(name, toStd(layer));
                layerPaths.push_back(name);
                diffIds.push_back("sha256:" + sha256Hex(layer));
            }
            const QByteArray config = QByteArray::fromStdString(imageConfig(diffIds).dump());
            tar.file(sha256Hex(config) + ".json", toStd(config));
            manifest.push_back({{"Config", sha256Hex(config) + ".json"}, {"RepoTags", {tag}}, {"Layers", layerPaths}});
        }
        tar.file("manifest.json", manifest.dump());
        const QString path = writeArchive(tar.bytes(true), ".tar.gz");
        ImageStore store(dataDir + "/images");
        auto image = store.import("second:2", path);
        QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
        verifyStackedLayers(*image);
        auto ambiguous = store.import("third:3", path);
        QVERIFY(!ambiguous.ok());
        QVERIFY2(ambiguous.error().message.find("first:1, second:2") != std::string::npos,
                 ambiguous.error().message.c_str());
    }

    void importOciArchive_data()
    {
        QTest::addColumn<bool>("gzip");
        QTest::newRow("oci tar") << false;
        QTest::newRow("oci tar.gz") << true;
    }

    void importOciArchive()
    {
        QFETCH(bool, gzip);
        const QString dataDir = newDataDir();
        OciLayout layout;
        Json descriptor = layout.image({lowerLayer(true), upperLayer(false)});
        const std::string configDigest = descriptor["configDigest"];
        descriptor.erase("configDigest");
        descriptor["annotations"] = {{"org.opencontainers.image.ref.name", "2.0"}};
        const QString path = writeArchive(layout.tar(Json::array({descriptor}), gzip), ".oci.tar");
        ImageStore store(dataDir + "/images");
        auto image = store.import("registry.example/team/app:2.0", path);
        QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
        QCOMPARE(image->id, configDigest);
        QCOMPARE(image->manifestDigest, descriptor["digest"].get<std::string>());
        QCOMPARE(image->source, std::string("oci-archive"));
        verifyStackedLayers(*image);
        // A pod may name it by its manifest digest (what a registry would call it).
        auto byManifest = store.resolve("registry.example/team/app@" + image->manifestDigest);
        QVERIFY2(byManifest.ok(), byManifest.ok() ? "" : byManifest.error().message.c_str());
        QCOMPARE(byManifest->id, image->id);
        // ... but only in its own repository.
        QVERIFY(!store.resolve("registry.example/other@" + image->manifestDigest).ok());
    }

    void importOciIndexPicksThisMachine()
    {
        // A multi-platform image: index.json -> image index -> one manifest per platform.
        const QString dataDir = newDataDir();
        OciLayout layout;
        Json foreign = layout.image({TarBuilder().file("which", "s390x\n").bytes(true)}, "s390x");
        Json native = layout.image({TarBuilder().file("which", "native\n").bytes(true)}, hostArchitecture());
        foreign.erase("configDigest");
        const std::string nativeConfig = native["configDigest"];
        native.erase("configDigest");
        foreign["platform"] = {{"os", "linux"}, {"architecture", "s390x"}};
        native["platform"] = {{"os", "linux"}, {"architecture", hostArchitecture()}};
        const Json index = {{"schemaVersion", 2},
                            {"mediaType", "application/vnd.oci.image.index.v1+json"},
                            {"manifests", {foreign, native}}};
        Json indexDescriptor =
            layout.blob(QByteArray::fromStdString(index.dump()), "application/vnd.oci.image.index.v1+json");
        indexDescriptor["annotations"] = {{"org.opencontainers.image.ref.name", "latest"}};
        const QString path = writeArchive(layout.tar(Json::array({indexDescriptor}), false), ".tar");
        ImageStore store(dataDir + "/images");
        auto image = store.import("multi", path);
        QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
        QCOMPARE(image->id, nativeConfig);
        QCOMPARE(readText(image->rootfs + "/which"), std::string("native\n"));
    }

    void corruptOciBlobIsRefused()
    {
        const QString dataDir = newDataDir();
        OciLayout layout;
        Json descriptor = layout.image({lowerLayer(false)});
        descriptor.erase("configDigest");
        // Point the index at a manifest digest whose blob does not hold those bytes.
        const std::string good = descriptor["digest"];
        Json bad = descriptor;
        bad["digest"] = "sha256:" + std::string(64, '0');
        layout.blob("not the manifest", "x");
        const QByteArray tar = layout.tar(Json::array({bad}), false);
        ImageStore store(dataDir + "/images");
        auto image = store.import("corrupt", writeArchive(tar, ".tar"));
        QVERIFY(!image.ok());
        QVERIFY2(image.error().message.find("blob sha256:000") != std::string::npos, image.error().message.c_str());
        verifyNothingLeft(dataDir);
    }

    void hostileArchivesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("archive");
        QTest::addColumn<QString>("complaint");
        QTest::addColumn<bool>("asLayer"); // inside a docker-save layer rather than a plain tarball

        QTest::newRow("dot-dot") << TarBuilder().file("ok", "x").file("../evil", "x").bytes(false)
                                 << "climbs out with \"..\"" << false;
        QTest::newRow("nested dot-dot") << TarBuilder().file("a/../../evil", "x").bytes(true)
                                        << "climbs out with \"..\"" << false;
        QTest::newRow("absolute") << TarBuilder().file("/etc/evil", "x").bytes(false) << "absolute path" << false;
        QTest::newRow("symlink escape") << TarBuilder()
                                               .symlink("escape", "../../../../../../../../tmp")
                                               .file("escape/clusterdeck-image-test-pwned", "x")
                                               .bytes(false)
                                        << "points outside the image root" << false;
        QTest::newRow("symlink escape in layer") << TarBuilder()
                                                        .folder("a")
                                                        .symlink("a/up", "../..")
                                                        .file("a/up/clusterdeck-image-test-pwned", "x")
                                                        .bytes(true)
                                                 << "points outside the image root" << true;
        QTest::newRow("hardlink escape") << TarBuilder().hardlink("passwd", "../../../etc/passwd").bytes(false)
                                         << "climbs out" << true;
        QTest::newRow("whiteout escape") << TarBuilder().file("../.wh.etc", "").bytes(false) << "climbs out" << true;
        QTest::newRow("symlink loop") << TarBuilder().symlink("loop", "loop").file("loop/x", "x").bytes(false)
                                      << "too many levels of symlinks" << false;
    }

    void hostileArchivesAreRefused()
    {
        QFETCH(QByteArray, archive);
        QFETCH(QString, complaint);
        QFETCH(bool, asLayer);
        const QString dataDir = newDataDir();
        const QByteArray bytes = asLayer ? dockerArchive({lowerLayer(false), archive}, "evil:1").tar : archive;
        const QString path = writeArchive(bytes, ".tar");
        ImageStore store(dataDir + "/images");
        auto image = store.import("evil:1", path);
        QVERIFY(!image.ok());
        QVERIFY2(image.error().message.find(complaint.toStdString()) != std::string::npos,
                 image.error().message.c_str());
        QVERIFY2(image.error().message.find("cannot import") != std::string::npos, image.error().message.c_str());
        if (asLayer)
            QVERIFY2(image.error().message.find("layer 2 of 2") != std::string::npos, image.error().message.c_str());
        QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/clusterdeck-image-test-pwned")));
        QVERIFY(!QFileInfo::exists(dataDir + "/clusterdeck-image-test-pwned"));
        verifyNothingLeft(dataDir);
    }

    void absoluteSymlinksStayInside()
    {
        // "abs -> /" means the image's own root: writing through it lands inside the image.
        const QString dataDir = newDataDir();
        const QByteArray tar = TarBuilder()
                                   .symlink("abs", "/")
                                   .symlink("etc-link", "/etc")
                                   .folder("etc")
                                   .file("abs/clusterdeck-image-test-marker", "inside\n")
                                   .file("etc-link/through", "inside too\n")
                                   .bytes(false);
        const QByteArray layers = dockerArchive({tar}, "inside:1").tar;
        ImageStore store(dataDir + "/images");
        auto image = store.import("inside:1", writeArchive(layers, ".tar"));
        QVERIFY2(image.ok(), image.ok() ? "" : image.error().message.c_str());
        QCOMPARE(readText(image->rootfs + "/clusterdeck-image-test-marker"), std::string("inside\n"));
        QCOMPARE(readText(image->rootfs + "/etc/through"), std::string("inside too\n"));
        QVERIFY(!QFileInfo::exists(QStringLiteral("/clusterdeck-image-test-marker")));
        QVERIFY(!QFileInfo::exists(QStringLiteral("/etc/through")));
    }

    void importErrors()
    {
        const QString dataDir = newDataDir();
        ImageStore store(dataDir + "/images");
        const QString folder = makeRootfsFolder();
        auto missing = store.import("x", m_dir.filePath(QStringLiteral("does-not-exist")));
        QVERIFY(!missing.ok());
        QVERIFY2(missing.error().message.find("does not exist") != std::string::npos, missing.error().message.c_str());
        auto notTar = store.import("x", writeArchive("this is not a tarball", ".tar"));
        QVERIFY(!notTar.ok());
        QVERIFY2(notTar.error().message.find("tar archive") != std::string::npos, notTar.error().message.c_str());
        auto digestName = store.import("x@" + kDigest, folder);
        QVERIFY(!digestName.ok());
        QVERIFY(digestName.error().message.find("without a digest") != std::string::npos);
        auto badName = store.import("Bad Name", folder);
        QVERIFY(!badName.ok());
        QVERIFY(badName.error().message.find("invalid image reference") != std::string::npos);
        for (const char *reserved : {"host", "host:latest", "host:2"}) {
            auto host = store.import(reserved, folder);
            QVERIFY(!host.ok());
            QVERIFY2(host.error().message.find("built-in host image") != std::string::npos,
                     host.error().message.c_str());
        }
        verifyNothingLeft(dataDir);
    }

    void tagsShareOneId()
    {
        const QString dataDir = newDataDir();
        ImageStore store(dataDir + "/images");
        const QString folder = makeRootfsFolder();
        auto a = store.import("app:1", folder);
        auto b = store.import("registry.example/app:stable", folder);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(a->id, b->id);
        QCOMPARE(entriesOf(dataDir + "/images/content").size(), qsizetype(1));
        auto images = store.list();
        QVERIFY(images.ok());
        QCOMPARE(images->size(), size_t(2));
        QVERIFY(images->at(0).host);
        QCOMPARE(images->at(1).names,
                 (std::vector<std::string>{"docker.io/library/app:1", "registry.example/app:stable"}));
        auto resolved = store.resolve("app:1");
        QVERIFY(resolved.ok());
        QCOMPARE(resolved->names.size(), size_t(2));

        // Removing one name keeps the content for the other.
        auto first = store.remove("app:1");
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().message.c_str());
        QCOMPARE(first->untagged, std::vector<std::string>{"docker.io/library/app:1"});
        QVERIFY(first->deletedId.empty());
        QVERIFY(!first->inUse);
        QVERIFY(QFileInfo::exists(a->rootfs + "/bin/tool"));
        QVERIFY(!store.resolve("app:1").ok());
        QVERIFY(store.resolve("registry.example/app:stable").ok());
        // The last name takes the content with it.
        auto last = store.remove("registry.example/app:stable");
        QVERIFY(last.ok());
        QCOMPARE(last->deletedId, a->id);
        QVERIFY(!QFileInfo::exists(a->rootfs));
        verifyNothingLeft(dataDir);
    }

    void reimportMovesTheName()
    {
        const QString dataDir = newDataDir();
        ImageStore store(dataDir + "/images");
        const QString folder = makeRootfsFolder();
        auto old = store.import("app", folder);
        QVERIFY(old.ok());
        makeFile(folder + "/bin/tool", "new\n", 0755);
        auto fresh = store.import("app", folder);
        QVERIFY(fresh.ok());
        QVERIFY(fresh->id != old->id);
        QCOMPARE(store.resolve("app")->id, fresh->id);
        QVERIFY2(!QFileInfo::exists(old->rootfs), "content without a name is deleted");
        QCOMPARE(entriesOf(dataDir + "/images/content").size(), qsizetype(1));
    }

    void removeById()
    {
        const QString dataDir = newDataDir();
        ImageStore store(dataDir + "/images");
        auto image = store.import("a", makeRootfsFolder());
        QVERIFY(image.ok());
        QVERIFY(store.import("b", makeRootfsFolder()).ok()); // same content, same id
        const std::string shortId = image->id.substr(7, 12);
        auto removed = store.remove(shortId);
        QVERIFY2(removed.ok(), removed.ok() ? "" : removed.error().message.c_str());
        QCOMPARE(removed->untagged,
                 (std::vector<std::string>{"docker.io/library/a:latest", "docker.io/library/b:latest"}));
        QCOMPARE(removed->deletedId, image->id);
        verifyNothingLeft(dataDir);
    }

    void removeErrors()
    {
        const QString dataDir = newDataDir();
        ImageStore store(dataDir + "/images");
        auto missing = store.remove("nginx");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind, cd::ErrorKind::NotFound);
        QCOMPARE(missing.error().message,
                 std::string("image \"docker.io/library/nginx:latest\" is not in the local store"));
        for (const char *host : {"host", "host:latest", "docker.io/library/host"}) {
            auto refused = store.remove(host);
            QVERIFY(!refused.ok());
            QVERIFY2(refused.error().message.find("host image cannot be removed") != std::string::npos,
                     refused.error().message.c_str());
        }
        auto malformed = store.remove("Bad Name");
        QVERIFY(!malformed.ok());
        QVERIFY(malformed.error().message.find("invalid image reference") != std::string::npos);
    }

    void resolveErrors()
    {
        const QString dataDir = newDataDir();
        ImageStore store(dataDir + "/images");
        const std::string dir = QFileInfo(dataDir + "/images").absolutePath().toStdString();
        auto missing = store.resolve("nginx");
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().kind, cd::ErrorKind::NotFound);
        QCOMPARE(missing.error().message,
                 "image \"docker.io/library/nginx:latest\" is not in the local store: import it with clusterdeckd "
                 "--data-dir " +
                     dir + " image import nginx:latest FOLDER|TARBALL");
        auto registry = store.resolve("localhost:5000/team/app:v2");
        QVERIFY(!registry.ok());
        QVERIFY2(registry.error().message.find("image import localhost:5000/team/app:v2 FOLDER|TARBALL") !=
                     std::string::npos,
                 registry.error().message.c_str());
        auto digest = store.resolve("busybox@" + kDigest);
        QVERIFY(!digest.ok());
        QVERIFY2(digest.error().message.find("image import busybox:TAG FOLDER|TARBALL") != std::string::npos,
                 digest.error().message.c_str());
        auto malformed = store.resolve("busybox:");
        QVERIFY(!malformed.ok());
        QCOMPARE(malformed.error().kind, cd::ErrorKind::BadRequest);
        QVERIFY(malformed.error().message.find("tag after ':' is empty") != std::string::npos);
        auto hostTag = store.resolve("host:1.0");
        QVERIFY(!hostTag.ok());
        QVERIFY(hostTag.error().message.find("only the tag latest") != std::string::npos);
    }

    void hostImage()
    {
        const QString dataDir = newDataDir();
        ImageStore store(dataDir + "/images");
        for (const char *name : {"host", "host:latest", "docker.io/library/host:latest"}) {
            auto host = store.resolve(name);
            QVERIFY2(host.ok(), name);
            QVERIFY(host->host);
            QCOMPARE(host->id, std::string(kHostImageId));
            QVERIFY(host->rootfs.isEmpty());
        }
        auto images = store.list();
        QVERIFY(images.ok());
        QCOMPARE(images->size(), size_t(1));
        QVERIFY(images->front().host);
        auto lease = store.lease("host");
        QVERIFY(lease.ok());
        QVERIFY(lease->image().host);
        QVERIFY2(!QFileInfo::exists(dataDir + "/images"), "reading the store writes nothing");
    }

    void leaseKeepsContent()
    {
        const QString dataDir = newDataDir();
        ImageStore storeObject(dataDir + "/images");
        ImageStore *store = &storeObject;
        auto image = store->import("busy", makeRootfsFolder());
        QVERIFY(image.ok());
        {
            auto lease = store->lease("busy");
            QVERIFY2(lease.ok(), lease.ok() ? "" : lease.error().message.c_str());
            QCOMPARE(lease->image().id, image->id);
            auto removed = store->remove("busy");
            QVERIFY(removed.ok());
            QVERIFY(removed->deletedId.empty());
            QVERIFY(removed->inUse);
            QVERIFY2(QFileInfo::exists(image->rootfs + "/bin/tool"), "a running container keeps its files");
            QVERIFY(!store->resolve("busy").ok());
            QVERIFY(store->collectGarbage().ok());
            QVERIFY(QFileInfo::exists(image->rootfs + "/bin/tool"));
        }
        QVERIFY(store->collectGarbage().ok());
        QVERIFY(!QFileInfo::exists(image->rootfs));
        verifyNothingLeft(dataDir);
    }

    void abandonedImportsAreCleared()
    {
        const QString dataDir = newDataDir();
        ImageStore store(dataDir + "/images");
        QVERIFY(store.import("first", makeRootfsFolder()).ok());
        // What a killed import leaves: a half-filled folder under tmp/ that no one locks ...
        const QString abandoned = dataDir + "/images/tmp/import-killed";
        QVERIFY(QDir().mkpath(abandoned + "/image/rootfs/bin"));
        QVERIFY(makeFile(abandoned + "/image/rootfs/bin/half", "half"));
        ::chmod(QFile::encodeName(abandoned + "/image/rootfs/bin").constData(), 0555);
        // ... and one that another process is still filling (locked).
        const QString busy = dataDir + "/images/tmp/import-busy";
        QVERIFY(QDir().mkpath(busy));
        auto held = FileLock::acquire(busy.toStdString(), FileLock::Mode::Exclusive);
        QVERIFY(held.ok());
        QVERIFY(store.list()->size() == 2); // the abandoned import is invisible
        QVERIFY(store.import("second", makeRootfsFolder()).ok());
        QVERIFY2(!QFileInfo::exists(abandoned), "an abandoned import is cleared by the next one");
        QVERIFY2(QFileInfo::exists(busy), "a live import is left alone");
    }

    void persistsAcrossStores()
    {
        const QString dataDir = newDataDir();
        const DockerArchive archive = dockerArchive({lowerLayer(true), upperLayer(false)}, "persist:1");
        std::string id;
        {
            ImageStore store(dataDir + "/images");
            auto image = store.import("persist:1", writeArchive(archive.tar, ".tar"));
            QVERIFY(image.ok());
            QVERIFY(store.import("folder:1", makeRootfsFolder()).ok());
            id = image->id;
        }
        ImageStore reopened(dataDir + "/images");
        auto images = reopened.list();
        QVERIFY(images.ok());
        QCOMPARE(images->size(), size_t(3));
        auto image = reopened.resolve("docker.io/library/persist:1");
        QVERIFY(image.ok());
        QCOMPARE(image->id, id);
        verifyStackedLayers(*image);
        // Two store objects over one folder (the CLI and the engine) see each other's writes.
        ImageStore other(dataDir + "/images");
        QVERIFY(other.remove("persist:1").ok());
        QVERIFY(!reopened.resolve("persist:1").ok());
    }

    void unprivilegedImporter()
    {
        // Everything above again as nobody, when we can switch: no chown, no bypassing modes.
        if (qEnvironmentVariableIsSet("CD_IMAGESTORE_UNPRIVILEGED_CHILD"))
            QSKIP("this is the unprivileged run");
        if (::geteuid() != 0)
            QSKIP("the whole test already ran unprivileged");
        CD_REQUIRE_TOOL(QStringLiteral("setpriv"));
        QProcess child;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("CD_IMAGESTORE_UNPRIVILEGED_CHILD"), QStringLiteral("1"));
        environment.insert(QStringLiteral("TMPDIR"), QStringLiteral("/tmp"));
        child.setProcessEnvironment(environment);
        child.setWorkingDirectory(QStringLiteral("/"));
        child.setProcessChannelMode(QProcess::MergedChannels);
        child.start(QStringLiteral("setpriv"),
                    {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                     QCoreApplication::applicationFilePath()});
        QVERIFY(child.waitForFinished(120000));
        const QString output = QString::fromUtf8(child.readAll());
        QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, qPrintable(output));
        QVERIFY2(output.contains(QStringLiteral("0 failed")), qPrintable(output));
    }

    void cleanupTestCase()
    {
        // Read-only folders inside imported images: make the temporary folder removable.
        QVERIFY(QProcess::execute(QStringLiteral("chmod"),
                                  {QStringLiteral("-R"), QStringLiteral("u+rwX"), m_dir.path()}) == 0);
    }
};

QTEST_GUILESS_MAIN(TestImageStore)
#include "tst_imagestore.moc"
