// `clusterdeck --screenshot` under Xvfb, as docs and bug reports use it: the guestbook sample in
// light and dark renders to a PNG of the asked size, and dark is darker than light.
#include <QImage>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

double meanLightness(const QImage &image)
{
    double sum = 0;
    int n = 0;
    for (int y = 0; y < image.height(); y += 7)
        for (int x = 0; x < image.width(); x += 7, ++n)
            sum += QColor(image.pixel(x, y)).lightnessF();
    return n ? sum / n : 0;
}

int distinctColors(const QImage &image)
{
    QSet<QRgb> colors;
    for (int y = 0; y < image.height(); y += 5)
        for (int x = 0; x < image.width(); x += 5)
            colors.insert(image.pixel(x, y));
    return int(colors.size());
}

} // namespace

class TestScreenshots : public QObject {
    Q_OBJECT

private:
    QString m_xvfbRun;
    QString m_ide;
    QTemporaryDir m_dir;

    QImage shoot(const QStringList &options, const QString &name)
    {
        const QString path = m_dir.filePath(name);
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));  // the real xcb platform, on Xvfb
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        process.setProcessEnvironment(env);
        process.start(m_xvfbRun, QStringList{QStringLiteral("-a"), QStringLiteral("-s"), QStringLiteral("-screen 0 1600x1000x24"), m_ide} +
                                     options + QStringList{QStringLiteral("--screenshot"), path});
        if (!process.waitForFinished(60000)) {
            process.kill();
            qWarning("clusterdeck --screenshot did not finish");
            return {};
        }
        if (process.exitCode() != 0)
            qWarning("clusterdeck exited %d: %s", process.exitCode(), process.readAllStandardError().constData());
        return QImage(path);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_xvfbRun = QStandardPaths::findExecutable(QStringLiteral("xvfb-run"));
        if (m_xvfbRun.isEmpty()) {
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL("xvfb-run is missing (scripts/setup installs xvfb)");
            QSKIP("xvfb-run is not installed (Debian: xvfb)");
        }
        m_ide = qEnvironmentVariable("CLUSTERDECK_BIN_DIR") + QStringLiteral("/clusterdeck");
        QVERIFY2(QFile::exists(m_ide), qPrintable(m_ide));
        QVERIFY(m_dir.isValid());
    }

    void guestbookLightAndDark()
    {
        const QImage light = shoot({QStringLiteral("--sample"), QStringLiteral("guestbook"), QStringLiteral("--theme"), QStringLiteral("light")},
                                   QStringLiteral("light.png"));
        const QImage dark = shoot({QStringLiteral("--sample"), QStringLiteral("guestbook"), QStringLiteral("--theme"), QStringLiteral("dark")},
                                  QStringLiteral("dark.png"));
        QVERIFY(!light.isNull());
        QVERIFY(!dark.isNull());
        QCOMPARE(light.size(), QSize(1440, 900));
        QCOMPARE(dark.size(), QSize(1440, 900));
        QVERIFY2(distinctColors(light) > 20, "the light screenshot is nearly one color");
        QVERIFY2(distinctColors(dark) > 20, "the dark screenshot is nearly one color");
        QVERIFY2(meanLightness(dark) + 0.2 < meanLightness(light),
                 qPrintable(QStringLiteral("light %1, dark %2").arg(meanLightness(light)).arg(meanLightness(dark))));
    }

    void badOptionsSayWhatIsWrong()
    {
        QProcess process;
        process.start(m_ide, {QStringLiteral("--sample"), QStringLiteral("nope"), QStringLiteral("--screenshot"), m_dir.filePath(QStringLiteral("x.png"))});
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 1);
        QVERIFY(process.readAllStandardError().contains("there is no sample \"nope\""));
    }
};

QTEST_GUILESS_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
