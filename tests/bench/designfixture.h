#pragma once
// A large design for the IDE benchmarks: Deployments with their Services, ConfigMaps and claims
// in 50 namespaces, spread over `files` manifest files, plus a small node plan.

#include "gui/design/designdocument.h"
#include "gui/design/templates.h"

#include <QMap>
#include <QString>

inline QMap<QString, QString> largeDesign(int objects, int files)
{
    using namespace cd::gui;
    static const char *kinds[] = {"Deployment", "Service", "ConfigMap", "PersistentVolumeClaim"};
    QMap<QString, QString> texts;
    for (int i = 0; i < objects; ++i) {
        const QString kind = QString::fromLatin1(kinds[i % 4]);
        const QString ns = QStringLiteral("team-%1").arg(i % 50);
        const QString name = QStringLiteral("app-%1").arg(i / 4);
        QString &text = texts[QStringLiteral("manifests-%1.yaml").arg(i % files)];
        if (!text.isEmpty())
            text += QStringLiteral("---\n");
        cd::Json object = newObject(kind, name, ns);
        if (kind == QLatin1String("Service"))
            object["spec"]["selector"] = {{"app", name.toStdString()}};
        text += manifestYaml(object);
    }
    texts.insert(QString::fromLatin1(DesignDocument::kProjectFile),
                 QStringLiteral("nodes:\n- name: node-1\n  kind: simulated\n- name: node-2\n  kind: simulated\nlayout: {}\n"));
    return texts;
}
