#include "gui/shell/autosave.h"

#include "gui/design/designdocument.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QSaveFile>
#include <QStandardPaths>

namespace cd::gui {

namespace {
const QString kOrigin = QStringLiteral(".origin");  // the design's folder, for people looking in
}

QString Autosave::folderFor(const QString &designFolder)
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/autosave/");
    if (designFolder.isEmpty())
        return base + QStringLiteral("untitled");
    return base + QString::fromLatin1(QCryptographicHash::hash(designFolder.toUtf8(), QCryptographicHash::Sha1).toHex().left(16));
}

bool Autosave::write(const DesignDocument &document)
{
    QDir dir(folderFor(document.folder()));
    dir.removeRecursively();
    bool ok = true;
    auto writeFile = [&ok](const QString &path, const QByteArray &bytes) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QSaveFile file(path);
        ok = ok && file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit();
    };
    for (const QString &file : document.files())
        writeFile(dir.filePath(file), document.text(file).toUtf8());
    writeFile(dir.filePath(kOrigin), document.folder().toUtf8());
    return ok;
}

QMap<QString, QString> Autosave::read(const QString &designFolder)
{
    QMap<QString, QString> texts;
    const QDir dir(folderFor(designFolder));
    QDirIterator it(dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = dir.relativeFilePath(path);
        QFile in(path);
        if (relative != kOrigin && in.open(QIODevice::ReadOnly))
            texts.insert(relative, QString::fromUtf8(in.readAll()));
    }
    return texts;
}

void Autosave::discard(const QString &designFolder)
{
    QDir(folderFor(designFolder)).removeRecursively();
}

} // namespace cd::gui
