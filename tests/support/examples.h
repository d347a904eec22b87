#pragma once
// Test support: the shared corpus of real Kubernetes manifests (tests/data/k8s-examples).
// Header-only and Qt Core only, so any test can include it without linking anything new.

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QString>
#include <QStringList>

namespace cd::test {

// The corpus folder: CLUSTERDECK_EXAMPLES_DIR, else CLUSTERDECK_SOURCE_DIR/tests/data/k8s-examples
// (CTest sets both); empty when neither names an existing folder, which tests report as a failure.
inline QString examplesDir()
{
    const QString dir = qEnvironmentVariable("CLUSTERDECK_EXAMPLES_DIR");
    if (!dir.isEmpty() && QDir(dir).exists())
        return dir;
    const QString source = qEnvironmentVariable("CLUSTERDECK_SOURCE_DIR");
    const QString inTree = source + QStringLiteral("/tests/data/k8s-examples");
    return !source.isEmpty() && QDir(inTree).exists() ? inTree : QString();
}

// What a test says when examplesDir() is empty.
inline constexpr char kNoExamples[] =
    "no k8s-examples corpus: CLUSTERDECK_EXAMPLES_DIR or CLUSTERDECK_SOURCE_DIR (set by CTest) must name it";

// One example's bytes by its path relative to examplesDir(). Callers ask for files the corpus
// has, so an unreadable one means a broken checkout: stop there and name it.
inline QByteArray readExample(const QString &relativePath)
{
    QFile file(examplesDir() + QLatin1Char('/') + relativePath);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read example %s at %s: %s (the corpus is found through CLUSTERDECK_EXAMPLES_DIR or "
               "CLUSTERDECK_SOURCE_DIR)",
               qPrintable(relativePath), qPrintable(file.fileName()), qPrintable(file.errorString()));
    return file.readAll();
}

inline QString readExampleText(const QString &relativePath)
{
    return QString::fromUtf8(readExample(relativePath));
}

// Every *.yaml and *.yml file of the corpus, relative to examplesDir() and sorted; empty when
// there is no corpus.
inline QStringList exampleFiles()
{
    const QString root = examplesDir();
    QStringList files;
    if (root.isEmpty())
        return files;
    QDirIterator it(root, {QStringLiteral("*.yaml"), QStringLiteral("*.yml")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(root).relativeFilePath(it.next());
    files.sort();
    return files;
}

} // namespace cd::test
