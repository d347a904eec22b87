#include "gui/shell/samples.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>

namespace cd::gui {

// The samples' titles and descriptions, translated in the Samples context.
class SamplesText {
    Q_DECLARE_TR_FUNCTIONS(Samples)
};

QList<Sample> samples()
{
    return {
        {QStringLiteral("three-nodes"), SamplesText::tr("Empty three-node cluster"), SamplesText::tr("Three simulated nodes, ready for a design.")},
        {QStringLiteral("webapp"), SamplesText::tr("Web app with storage"),
         SamplesText::tr("A Deployment behind a LoadBalancer Service, with a claim mounted into its pods.")},
        {QStringLiteral("guestbook"), SamplesText::tr("Guestbook"), SamplesText::tr("Kubernetes' guestbook: a PHP front end and Redis, with their Services.")},
    };
}

QMap<QString, QString> sampleFiles(const QString &name)
{
    QMap<QString, QString> files;
    const QString root = QStringLiteral(":/samples/") + name;
    QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (file.open(QIODevice::ReadOnly))
            files.insert(path.mid(root.size() + 1), QString::fromUtf8(file.readAll()));
    }
    return files;
}

} // namespace cd::gui
