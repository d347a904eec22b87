#include "engine/runtime/executables.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStandardPaths>

namespace cd::runtime {

QString helperExecutable(const QString &name)
{
    const auto executable = [](const QString &path) {
        const QFileInfo info(path);
        return info.isFile() && info.isExecutable();
    };
    if (QCoreApplication::instance()) {
        const QString beside = QCoreApplication::applicationDirPath() + QLatin1Char('/') + name;
        if (executable(beside))
            return beside;
    }
    const QString binDir = qEnvironmentVariable("CLUSTERDECK_BIN_DIR");
    if (!binDir.isEmpty() && executable(binDir + QLatin1Char('/') + name))
        return binDir + QLatin1Char('/') + name;
    return QStandardPaths::findExecutable(name);
}

} // namespace cd::runtime
