#pragma once
// The sample designs shipped inside the application (resources/samples): File, New from sample,
// `clusterdeck --sample NAME`, and the first start.

#include <QMap>
#include <QString>
#include <QStringList>

namespace cd::gui {

struct Sample {
    QString name;   // "webapp", "guestbook", "three-nodes"
    QString title;  // translated
    QString description;
};

QList<Sample> samples();
// The sample's files (relative path -> text); empty when there is no such sample.
QMap<QString, QString> sampleFiles(const QString &name);

} // namespace cd::gui
