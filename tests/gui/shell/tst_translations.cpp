// The Korean UI is complete: every source text of the IDE has a finished translation, and the
// main window in Korean shows no English text that has one (menus, actions, docks, tabs,
// headers, labels, buttons, tooltips).
#include "gui/design/templates.h"
#include "gui/shell/language.h"
#include "gui/shell/mainwindow.h"

#include <QAbstractButton>
#include <QAction>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTabBar>
#include <QTest>
#include <QTreeWidget>
#include <QXmlStreamReader>

using namespace cd::gui;

namespace {

struct Message {
    QString context, source, translation;
    bool finished = false;
};

QList<Message> readTs(const QString &path)
{
    QList<Message> out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    QXmlStreamReader xml(&file);
    QString context;
    Message m;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("name"))
            context = xml.readElementText();
        else if (xml.name() == QLatin1String("message"))
            m = Message{context, {}, {}, false};
        else if (xml.name() == QLatin1String("source"))
            m.source = xml.readElementText();
        else if (xml.name() == QLatin1String("translation")) {
            const bool unfinished = xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
            QString text;
            // Plural forms: <numerusform> children.
            while (!(xml.isEndElement() && xml.name() == QLatin1String("translation")) && !xml.atEnd()) {
                xml.readNext();
                if (xml.isCharacters())
                    text += xml.text();
            }
            m.translation = text.trimmed();
            m.finished = !unfinished && !m.translation.isEmpty();
            out << m;
        }
    }
    return out;
}

// Text without mnemonics and without %-arguments, for comparison with source texts.
QString plain(QString text)
{
    return text.remove(QLatin1Char('&')).trimmed();
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("CLUSTERDECK_NO_RECOVERY", "1");
    }

    void everySourceTextIsTranslated()
    {
        const QString path = qEnvironmentVariable("CLUSTERDECK_SOURCE_DIR") + QStringLiteral("/translations/clusterdeck_ko.ts");
        const QList<Message> messages = readTs(path);
        QVERIFY2(messages.size() > 100, qPrintable(QStringLiteral("%1 has %2 messages").arg(path).arg(messages.size())));
        QStringList missing;
        for (const Message &m : messages)
            if (!m.finished)
                missing << m.context + QStringLiteral(": ") + m.source;
        QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("untranslated:\n") + missing.join(QLatin1Char('\n'))));
    }

    void theKoreanWindowShowsNoEnglish()
    {
        installTranslations(QStringLiteral("ko"));
        QSet<QString> english;
        QList<QRegularExpression> englishPatterns;  // sources with arguments: "Nodes (%1)"
        for (const Message &m : readTs(qEnvironmentVariable("CLUSTERDECK_SOURCE_DIR") + QStringLiteral("/translations/clusterdeck_ko.ts"))) {
            if (plain(m.source) == plain(m.translation))
                continue;  // the same in both languages (names, "YAML")
            if (!m.source.contains(QLatin1Char('%'))) {
                english.insert(plain(m.source));
                continue;
            }
            QString pattern = QRegularExpression::escape(plain(m.source));
            pattern.replace(QRegularExpression(QStringLiteral("%(\\d|n)")), QStringLiteral(".*"));
            if (pattern.size() > 8)  // "%1: %2" alone would match anything
                englishPatterns << QRegularExpression(QLatin1Char('^') + pattern + QLatin1Char('$'));
        }

        MainWindow window;
        window.openSample(QStringLiteral("webapp"));
        window.show();
        QStringList shown;
        for (QAction *a : window.findChildren<QAction *>())
            shown << a->text() << a->toolTip() << a->statusTip();
        for (QMenu *menu : window.findChildren<QMenu *>())
            shown << menu->title();
        for (QDockWidget *d : window.findChildren<QDockWidget *>())
            shown << d->windowTitle();
        for (QTabBar *bar : window.findChildren<QTabBar *>())
            for (int i = 0; i < bar->count(); ++i)
                shown << bar->tabText(i) << bar->tabToolTip(i);
        for (QLabel *label : window.findChildren<QLabel *>())
            shown << label->text() << label->toolTip();
        for (QAbstractButton *button : window.findChildren<QAbstractButton *>())
            shown << button->text() << button->toolTip();
        for (QLineEdit *line : window.findChildren<QLineEdit *>())
            shown << line->placeholderText();
        for (QTreeWidget *tree : window.findChildren<QTreeWidget *>()) {
            for (int c = 0; c < tree->columnCount(); ++c)
                shown << tree->headerItem()->text(c);
            for (QTreeWidgetItemIterator it(tree); *it; ++it)
                shown << (*it)->text(0);
        }
        shown << window.windowTitle();
        // Kubernetes kind names are proper names (the palette lists them as kubectl does).
        QSet<QString> kinds;
        for (const KindTemplate &t : paletteKinds())
            kinds.insert(t.kind);
        QStringList untranslated;
        for (const QString &text : shown) {
            if (kinds.contains(plain(text)))
                continue;
            if (english.contains(plain(text)))
                untranslated << plain(text);
            for (const QRegularExpression &pattern : englishPatterns)
                if (pattern.match(plain(text)).hasMatch())
                    untranslated << plain(text);
        }
        untranslated.removeDuplicates();
        QVERIFY2(untranslated.isEmpty(), qPrintable(QStringLiteral("shown in English:\n") + untranslated.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
