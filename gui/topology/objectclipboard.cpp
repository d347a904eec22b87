#include "gui/topology/objectclipboard.h"

#include "engine/core/yaml.h"
#include "gui/design/designdocument.h"

#include <QMimeData>

namespace cd::gui {

QMimeData *copiedObjectsMimeData(const CopiedObjects &copied)
{
    QString text;
    for (const Json &object : copied.objects) {
        if (!text.isEmpty())
            text += QStringLiteral("---\n");
        text += manifestYaml(object);
    }
    Json layout = Json::object();
    for (auto it = copied.positions.begin(); it != copied.positions.end(); ++it)
        layout[it.key().toStdString()] = {{"x", it.value().x()}, {"y", it.value().y()}};
    auto *data = new QMimeData;
    data->setText(text);
    data->setData(QString::fromLatin1(kLayoutMimeType), QByteArray::fromStdString(layout.dump()));
    return data;
}

CopiedObjects copiedObjectsFrom(const QMimeData *data)
{
    CopiedObjects out;
    if (!data || !data->hasText())
        return out;
    const auto documents = parseYamlDocuments(data->text().toStdString());
    if (!documents)
        return out;
    for (const YamlDocument &d : *documents)
        if (d.value.is_object() && !str(d.value, {"kind"}).empty() && !str(d.value, {"metadata", "name"}).empty())
            out.objects.push_back(d.value);
    const Json layout = Json::parse(data->data(QString::fromLatin1(kLayoutMimeType)).toStdString(), nullptr, false);
    if (layout.is_object())
        for (auto it = layout.begin(); it != layout.end(); ++it)
            if (it->is_object() && it->contains("x") && it->contains("y") && (*it)["x"].is_number() &&
                (*it)["y"].is_number())
                out.positions.insert(QString::fromStdString(it.key()),
                                     QPointF((*it)["x"].get<double>(), (*it)["y"].get<double>()));
    return out;
}

} // namespace cd::gui
